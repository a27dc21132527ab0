"""Real server processes for tests: started on 127.0.0.1 with a free port, stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(self, cmd: Sequence[str], log: Path, ready: Callable[[], bool], env: dict[str, str] | None = None):
        self.log = log
        self.handle = log.open("wb")
        self.proc = subprocess.Popen(
            list(cmd),
            start_new_session=True,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        )
        deadline = time.monotonic() + 20
        while not ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready after 20 s: {self.tail()}")
            time.sleep(0.05)

    def tail(self) -> str:
        self.handle.flush()
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.handle.close()


def smtp_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            return sock.recv(64).startswith(b"220")
    except OSError:
        return False


class SmtpServer(ServerProcess):
    """aiosmtpd as its own process, with a handler class given as ``module.Class`` and its arguments."""

    def __init__(self, workdir: Path, handler: str, *args: str) -> None:
        self.port = free_port()
        self.maildir = workdir / "mail"
        super().__init__(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}", "-c", handler, *args],
            workdir / "smtp.log",
            lambda: smtp_banner(self.port),
        )

    def messages(self) -> list[Path]:
        return sorted(self.maildir.glob("*.eml"))


def http_answers(url: str) -> bool:
    """The server answers ``url`` with anything below 500."""
    try:
        with urllib.request.urlopen(url, timeout=0.5) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


class RadicaleServer(ServerProcess):
    """Radicale, a CalDAV server, accepting any login (each test uses its own user, so its own calendars)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        super().__init__(
            [
                sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{self.port}",
                "--auth-type", "none", "--auth-delay", "0", "--storage-filesystem-folder", str(workdir / "collections"),
            ],
            workdir / "radicale.log",
            lambda: http_answers(self.url),
        )  # fmt: skip


@pytest.fixture(scope="session", name="radicale")
def radicale_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    """``radicale``: one Radicale for the test session; import ``radicale_fixture`` into a test module to use it."""
    server = RadicaleServer(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()
