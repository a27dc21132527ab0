"""aiosmtpd handlers for tests that need a mail server to do something at a precise instant.

They run inside the aiosmtpd server process (``python -m aiosmtpd -c tests.support.smtp_handlers.X``)
and kill the Kairos worker process at a chosen SMTP stage, once, so tests can crash the
worker at exactly the point they mean to, without mocking anything in the worker.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from kairos.demo.mail_sink import EmlFolder


def _kill_worker_once(pidfile: Path) -> bool:
    marker = pidfile.with_suffix(".killed")
    if marker.exists():
        return False
    deadline = time.monotonic() + 10
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = int(pidfile.read_text().strip())
    marker.write_text(str(pid))
    os.kill(pid, signal.SIGKILL)
    return True


class KillWorkerAfterData(EmlFolder):
    """Keeps the message, kills the worker before answering 250: the crash between 'sent' and 'recorded'."""

    def __init__(self, folder: str, pidfile: str) -> None:
        super().__init__(folder)
        self.pidfile = Path(pidfile)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        _kill_worker_once(self.pidfile)
        return reply


class KillWorkerAtRcpt(EmlFolder):
    """Kills the worker when it names the first recipient: a crash before anything could be accepted."""

    def __init__(self, folder: str, pidfile: str) -> None:
        super().__init__(folder)
        self.pidfile = Path(pidfile)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if _kill_worker_once(self.pidfile):
            return "451 worker gone"
        envelope.rcpt_tos.append(address)
        return "250 OK"
