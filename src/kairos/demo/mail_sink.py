"""A local SMTP server that keeps every message as an .eml file, so the demo needs no mail setup."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class EmlFolder:
    """aiosmtpd handler: each accepted message becomes ``NNNN-recipient.eml`` in a folder."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("*.eml")))

    @classmethod
    def from_cli(cls, parser: Any, *args: str) -> EmlFolder:
        """Lets ``python -m aiosmtpd -c kairos.demo.mail_sink.EmlFolder FOLDER`` run it as a server process."""
        return cls(*args)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        recipient = re.sub(r"[^A-Za-z0-9.@_-]", "_", envelope.rcpt_tos[0] if envelope.rcpt_tos else "unknown")
        path = self.folder / f"{self.count:04d}-{recipient}.eml"
        path.write_bytes(envelope.content)  # exactly as received: re-serializing would fold long headers again
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink:
    """Start with ``with MailSink(folder) as sink:``; ``sink.port`` is where to send."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.controller = Controller(EmlFolder(folder), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def messages(self) -> list[EmailMessage]:
        """Every message received so far, in arrival order."""
        return [
            message_from_bytes(path.read_bytes(), policy=default) for path in sorted(Path(self.folder).glob("*.eml"))
        ]
