"""The worker against a real database and a real SMTP server: cap, quiet hours, cooldown, retries, claims."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store import moments as moment_store
from kairos.store.schema import deliveries, moments
from kairos.worker.runtime import build_runtime
from kairos.worker.tick import simulate, tick
from tests.support.loop import small_org
from tests.support.servers import free_port

BEFORE = datetime(2026, 2, 27, 12, tzinfo=UTC)


def _event(uid: str, start: str, *, summary: str = "Catch-up", zone: str = "Europe/Berlin") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260220T120000Z\r\nDTSTART;TZID={zone}:{start}\r\n"
        f"DURATION:PT30M\r\nSUMMARY:{summary}\r\nORGANIZER:mailto:boss@example.com\r\n"
        "ATTENDEE:mailto:boss@example.com\r\nATTENDEE:mailto:rep@example.com\r\nEND:VEVENT\r\n"
    )


def _org(db: Database, tmp: Path, events: list[str]) -> None:
    small_org(db, tmp, events)


@pytest.fixture
def sink(tmp_path: Path):  # type: ignore[no-untyped-def]
    with MailSink(tmp_path / "mail") as server:
        yield server


def _runtime(db: Database, port: int, **settings: object):  # type: ignore[no-untyped-def]
    return build_runtime(
        load_settings(
            database_url=str(db.engine.url.render_as_string(hide_password=False)),
            smtp={"host": "127.0.0.1", "port": port},
            **settings,
        ),
        db,
    )


def _moments(db: Database) -> list:  # type: ignore[type-arg]
    with db.transaction() as conn:
        return list(conn.execute(select(moments).where(moments.c.recipient_id.is_not(None)).order_by(moments.c.due_at)))


def test_the_weekly_cap_stops_the_fourth_tip_and_says_so_while_briefs_go_on(db: Database, tmp_path: Path, sink) -> None:
    _org(db, tmp_path, [_event(f"m{i}", f"2026030{3 + i // 2}T{10 + (i % 2) * 3}0000") for i in range(4)])
    rt = _runtime(db, sink.port)
    simulate(rt, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC))
    tips = [m for m in _moments(db) if m.action == "employee-tip"]
    briefs = [m for m in _moments(db) if m.action == "manager-brief"]
    assert [m.stop_reason for m in tips] == ["delivered", "delivered", "delivered", "weekly_cap"]
    assert tips[-1].trace[-1]["detail"] == "skipped: weekly cap 3/3"
    assert [m.stop_reason for m in briefs] == ["delivered"] * 4
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 7


def test_a_moment_whose_worker_wakes_in_quiet_hours_waits_for_the_morning(db: Database, tmp_path: Path, sink) -> None:
    # A 09:00 Berlin meeting: the brief is planned for 08:30 local; then the operator extends quiet hours to 08:45.
    _org(db, tmp_path, [_event("m1", "20260303T090000")])
    tick(_runtime(db, sink.port), datetime(2026, 3, 2, tzinfo=UTC))
    rt = _runtime(db, sink.port, quiet_hours={"start": "20:00", "end": "08:45"})
    report = tick(rt, datetime(2026, 3, 3, 7, 35, tzinfo=UTC))  # 08:35 Berlin: due, but quiet
    assert report.deferred == 2 and not report.finished
    [brief] = [m for m in _moments(db) if m.action == "manager-brief"]
    assert brief.status == "planned" and brief.due_at == datetime(2026, 3, 3, 7, 45, tzinfo=UTC)
    assert brief.trace[-1]["detail"] == "deferred: quiet hours until 08:45 Europe/Berlin"
    tick(rt, datetime(2026, 3, 3, 7, 45, tzinfo=UTC))
    assert {m.stop_reason for m in _moments(db)} == {"delivered"}


def test_a_due_moment_found_after_its_meeting_started_is_skipped_as_expired(db: Database, tmp_path: Path, sink) -> None:
    _org(db, tmp_path, [_event("m1", "20260303T100000")])
    rt = _runtime(db, sink.port)
    tick(rt, datetime(2026, 3, 2, tzinfo=UTC))
    tick(rt, datetime(2026, 3, 3, 9, 5, tzinfo=UTC))  # 10:05 Berlin: the worker was down through the meeting start
    assert {m.stop_reason for m in _moments(db)} == {"expired"}
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_an_unreachable_mail_server_is_retried_with_backoff_until_the_brief_is_pointless(
    db: Database, tmp_path: Path
) -> None:
    _org(db, tmp_path, [_event("m1", "20260303T100000")])
    rt = _runtime(db, free_port())  # nothing listens there
    now = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    tick(rt, now)
    [brief] = [m for m in _moments(db) if m.action == "manager-brief"]
    # the first retry waits between half and all of a minute (jitter spreads one outage's retries out)
    assert brief.status == "planned" and now + timedelta(seconds=30) <= brief.due_at <= now + timedelta(minutes=1)
    assert "email attempt 1 failed" in brief.trace[-1]["detail"]
    waits = []
    while brief.stop_reason is None:
        waits.append(brief.due_at)
        tick(rt, brief.due_at)
        [brief] = [m for m in _moments(db) if m.action == "manager-brief"]
    assert brief.stop_reason == "expired"  # the meeting started before the fifth attempt
    assert waits[-1] >= datetime(2026, 3, 3, 9, tzinfo=UTC)  # the 10:00 Berlin meeting had begun
    with db.transaction() as conn:
        [row] = conn.execute(select(deliveries).where(deliveries.c.moment_id == brief.id)).all()
    assert row.status == "failed" and 3 <= row.attempts < 5 and "expired" in row.detail
    assert [s["detail"][:22] for s in brief.trace if s["path"] == "deliver"] == [
        f"email attempt {n} failed" for n in range(1, row.attempts + 1)
    ]


def test_two_workers_claiming_at_once_never_get_the_same_moment(db: Database, tmp_path: Path, sink) -> None:
    _org(db, tmp_path, [_event(f"m{i}", f"20260303T{9 + i:02d}0000") for i in range(8)])
    rt = _runtime(db, sink.port)
    tick(rt, datetime(2026, 3, 2, tzinfo=UTC))  # plan only: nothing due yet
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        with db.transaction() as conn:
            claimed.append(moment_store.claim_due(conn, datetime(2026, 3, 4, tzinfo=UTC), 3, timedelta(minutes=5))[1])

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == 12
