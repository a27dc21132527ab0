"""End-to-end helpers: run the real ``kairos`` command in its own process against a real database and mail server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from tests.support.servers import ROOT, SmtpServer


class Kairos:
    """The CLI bound to one database and one SMTP server."""

    def __init__(self, database_url: str, data_dir: Path, smtp_port: int) -> None:
        self.env = {
            **os.environ,
            "KAIROS_DATABASE_URL": database_url,
            "KAIROS_DATA_DIR": str(data_dir),
            "KAIROS_SMTP__HOST": "127.0.0.1",
            "KAIROS_SMTP__PORT": str(smtp_port),
            "KAIROS_SMTP__SENDER": "Kairos <kairos@northwind.example>",
            "PYTHONPATH": str(ROOT),
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "kairos", *args]

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(
                f"kairos {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def read_mail(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[return-value]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


@pytest.fixture
def smtp(tmp_path: Path) -> SmtpServer:
    server = SmtpServer(tmp_path, "kairos.demo.mail_sink.EmlFolder", str(tmp_path / "mail"))
    yield server
    server.stop()


def import_demo_org(kairos: Kairos, *, calendar_to: str = "2026-03-09", extra: Sequence[str] = ()) -> None:
    org = ROOT / "examples" / "demo-org"
    kairos("init")
    kairos("import", "people", str(org / "people.csv"), "--as-of", "2026-02-27", "--now", "2026-02-27T12:00Z")
    kairos("import", "framework", str(org / "framework.yaml"), "--now", "2026-02-27T12:00Z")
    kairos("import", "goals", str(org / "goals.csv"), "--now", "2026-02-27T12:00Z")
    kairos(
        "import",
        "calendar",
        str(org / "calendar.ics"),
        "--from",
        "2026-03-02",
        "--to",
        calendar_to,
        "--now",
        "2026-02-27T12:00Z",
    )
