"""The third-party SCIM checker, scim2-tester, run against a real `kairos serve` on each backend.

scim2-tester creates, reads, lists, searches, replaces, patches (every attribute, one by one) and
deletes Users and Groups, and checks the discovery endpoints and the errors. It prints one
``STATUS check_name`` line per check; every line must be SUCCESS (or SKIPPED, where the tester
skips on its own).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.servers import ServerProcess, free_port

pytestmark = pytest.mark.e2e

TOKEN = "conformance-token"
LINE = re.compile(r"^(SUCCESS|COMPLIANT|ACCEPTABLE|DEVIATION|ERROR|CRITICAL|SKIPPED) (\S+)")


def _scim2() -> str:
    beside = Path(sys.executable).parent / "scim2"
    found = str(beside) if beside.exists() else shutil.which("scim2")
    if found is None:
        pytest.fail("scim2-cli is not installed: pip install -e '.[test]' (it brings scim2-cli and scim2-tester)")
    return found


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def test_scim2_tester_reports_only_success(database_url: str, tmp_path: Path) -> None:
    env = {"KAIROS_DATABASE_URL": database_url, "KAIROS_SCIM__TOKEN": TOKEN, "KAIROS_DATA_DIR": str(tmp_path)}
    full_env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **env}
    init = subprocess.run([sys.executable, "-m", "kairos", "init"], env=full_env, capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr

    port = free_port()
    server = ServerProcess(
        [sys.executable, "-m", "kairos", "serve", "--port", str(port)],
        tmp_path / "serve.log",
        lambda: _healthy(port),
        env=env,
    )
    try:
        checked = subprocess.run(
            [_scim2(), "--url", f"http://127.0.0.1:{port}/scim/v2", "-h", f"Authorization: Bearer {TOKEN}", "test"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()

    results = [m.groups() for m in map(LINE.match, checked.stdout.splitlines()) if m]
    counts = Counter(status for status, _ in results)
    print(f"scim2-tester on {database_url.split(':')[0]}: {dict(sorted(counts.items()))}")
    failed = [f"{status} {check}" for status, check in results if status not in ("SUCCESS", "SKIPPED")]
    log = (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
    assert not failed, f"{failed}\n\n{checked.stdout[-6000:]}\n{checked.stderr[-2000:]}\n{log}"
    assert counts["SUCCESS"] >= 140, f"the tester ran fewer checks than expected:\n{checked.stdout}{checked.stderr}"
