"""A worker killed mid-delivery neither sends a nudge twice nor loses one.

The mail server kills the worker process (SIGKILL) at a chosen SMTP stage; the next run,
after the dead worker's lease has expired, must finish the job from what the database says.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.store import open_database
from kairos.store.schema import deliveries, moments
from tests.e2e.conftest import Kairos, import_demo_org, read_mail
from tests.e2e.test_reinforcement_loop import _first_one_on_one_with_a_goal
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.e2e

LEASE = timedelta(seconds=300)  # the default claim lease


def _run_killed_then_retry(kairos: Kairos, tmp_path: Path, now: str, retry_at: str) -> None:
    pidfile = tmp_path / "worker.pid"
    worker = kairos.start("run", "--once", "--now", now)
    pidfile.write_text(str(worker.pid))
    worker.wait(120)
    assert worker.returncode == -9, f"the worker was meant to be killed: {worker.returncode} {worker.stderr.read()}"
    kairos("run", "--once", "--now", retry_at)


def _delivery_rows(database_url: str, meeting_key: str | None = None) -> list:  # type: ignore[type-arg]
    """Moments that reached delivery (of one meeting, or all), with their delivery's state."""
    db = open_database(database_url)
    query = select(
        moments.c.id, moments.c.action, moments.c.stop_reason, deliveries.c.status, deliveries.c.idempotency_key
    ).select_from(moments.join(deliveries, deliveries.c.moment_id == moments.c.id))
    if meeting_key:
        query = query.where(moments.c.context["meeting"].as_string() == meeting_key)
    with db.transaction() as conn:
        rows = list(conn.execute(query))
    db.dispose()
    return rows


def test_a_crash_after_the_server_accepted_the_message_does_not_send_it_twice(
    database_url: str, tmp_path: Path
) -> None:
    smtp = SmtpServer(
        tmp_path,
        "tests.support.smtp_handlers.KillWorkerAfterData",
        str(tmp_path / "mail"),
        str(tmp_path / "worker.pid"),
    )
    try:
        kairos = Kairos(database_url, tmp_path, smtp.port)
        import_demo_org(kairos)
        meeting, _, _, _ = _first_one_on_one_with_a_goal(database_url)
        due = meeting.start - timedelta(minutes=30)
        _run_killed_then_retry(kairos, tmp_path, due.isoformat(), (due + LEASE + timedelta(seconds=1)).isoformat())

        keys = [read_mail(p)["X-Kairos-Delivery"] for p in smtp.messages()]
        assert len(keys) == len(set(keys)), f"a nudge was sent twice: {keys}"
        # The tick may hold several meetings' moments due at the same instant; the first to reach DATA died.
        rows = _delivery_rows(database_url)
        uncertain = [r for r in rows if r.status == "uncertain"]
        assert len(uncertain) == 1, rows
        assert uncertain[0].stop_reason == "delivery_uncertain"
        assert uncertain[0].idempotency_key == keys[0], "the message the server kept is the one marked uncertain"
        delivered = [r for r in rows if r.status == "delivered"]
        assert sorted(r.idempotency_key for r in delivered) == sorted(keys[1:]), "every other nudge, once"
        assert {r.action for r in _delivery_rows(database_url, meeting.key)} == {"manager-brief", "employee-tip"}
    finally:
        smtp.stop()


def test_a_crash_before_the_server_could_accept_anything_still_delivers_every_nudge_once(
    database_url: str, tmp_path: Path
) -> None:
    smtp = SmtpServer(
        tmp_path, "tests.support.smtp_handlers.KillWorkerAtRcpt", str(tmp_path / "mail"), str(tmp_path / "worker.pid")
    )
    try:
        kairos = Kairos(database_url, tmp_path, smtp.port)
        import_demo_org(kairos)
        meeting, _, _, _ = _first_one_on_one_with_a_goal(database_url)
        due = meeting.start - timedelta(minutes=30)
        _run_killed_then_retry(kairos, tmp_path, due.isoformat(), (due + LEASE + timedelta(seconds=1)).isoformat())

        rows = _delivery_rows(database_url)
        assert {r.action for r in _delivery_rows(database_url, meeting.key)} == {"manager-brief", "employee-tip"}
        assert all(r.status == "delivered" and r.stop_reason == "delivered" for r in rows), rows
        keys = [read_mail(p)["X-Kairos-Delivery"] for p in smtp.messages()]
        assert sorted(keys) == sorted(r.idempotency_key for r in rows), "each nudge exactly once"
    finally:
        smtp.stop()
