"""Real server processes for tests: started on 127.0.0.1 with a free port, stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

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
