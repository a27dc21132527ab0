"""Moved and cancelled meetings re-plan or cancel their moments: one brief per occurrence, never at the old time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.ingest.calendar import import_calendar_file
from kairos.ingest.ical import import_calendar
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import events, meetings, moments
from kairos.worker.plan import plan
from kairos.worker.runtime import Runtime, build_runtime
from kairos.worker.tick import tick
from tests.factories import people_csv

NOW = datetime(2026, 3, 13, 12, tzinfo=UTC)  # a Friday; the weekly 1:1 is on Mondays at 10:00 Berlin
WINDOW = (datetime(2026, 3, 13, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC))
SERIES = "weekly-1on1@northwind.example"
MARCH_23 = f"{SERIES}@2026-03-23T09:00:00+00:00"  # its second occurrence: 10:00 CET is 09:00 UTC


def vevent(uid: str, start: str, *lines: str, summary: str = "Bea / Rita", attendees: Iterable[str] = ()) -> str:
    people = ["boss@example.com", "rep@example.com", *attendees]
    return "".join(
        f"{line}\r\n"
        for line in [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260301T120000Z",
            f"DTSTART;TZID=Europe/Berlin:{start}",
            "DURATION:PT30M",
            f"SUMMARY:{summary}",
            "ORGANIZER:mailto:boss@example.com",
            *(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}" for p in people),
            *lines,
            "END:VEVENT",
        ]
    )


def weekly(*lines: str) -> str:
    return vevent(SERIES, "20260316T100000", "RRULE:FREQ=WEEKLY;COUNT=3", *lines)


def override(original: str, start: str, *lines: str, **kwargs: Any) -> str:
    return vevent(SERIES, start, f"RECURRENCE-ID;TZID=Europe/Berlin:{original}", *lines, **kwargs)


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    people_csv(
        tmp_path / "people.csv",
        [
            "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,New York,America/New_York,2022-01-01",
            "peer,Pia Peer,peer@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    import_people(db, tmp_path / "people.csv", as_of=date(2026, 3, 1), now=NOW)
    return db


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(tmp_path / "mail") as server:
        yield server


@pytest.fixture
def runtime(org: Database, sink: MailSink) -> Runtime:
    url = org.engine.url.render_as_string(hide_password=False)
    return build_runtime(load_settings(database_url=url, smtp={"host": "127.0.0.1", "port": sink.port}), org)


def sync(db: Database, tmp_path: Path, *parts: str, now: datetime = NOW) -> Any:
    path = tmp_path / "team.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + "".join(parts) + "END:VCALENDAR\r\n")
    return import_calendar(db, path, window=WINDOW, now=now)


def moments_of(db: Database, meeting_key: str) -> list[Any]:
    with db.transaction() as conn:
        query = select(moments).where(moments.c.context["meeting"].as_string() == meeting_key).order_by(moments.c.id)
        return [m for m in conn.execute(query) if m.recipient_id]


def brief_of(db: Database, meeting_key: str) -> Any:
    (brief,) = [m for m in moments_of(db, meeting_key) if m.action == "manager-brief"]
    return brief


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_moving_a_one_on_one_moves_its_brief_to_30_minutes_before_the_new_time(
    runtime: Runtime, tmp_path: Path
) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)
    assert brief_of(runtime.db, MARCH_23).due_at == utc(2026, 3, 23, 8, 30)

    result = sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260324T150000"))
    plan(runtime, NOW)

    assert (result.moved, result.new, result.cancelled) == (1, 0, 0)
    brief = brief_of(runtime.db, MARCH_23)  # still exactly one brief for the occurrence
    assert brief.status == "planned"
    assert brief.due_at == utc(2026, 3, 24, 13, 30)  # 14:30 Berlin, 30 minutes before 15:00
    assert brief.expires_at == utc(2026, 3, 24, 14)
    moved = "re-planned: the meeting 'Bea / Rita' moved from Mon 23 Mar 10:00 to Tue 24 Mar 15:00 Europe/Berlin"
    assert moved in [step["detail"] for step in brief.trace]
    tip = next(m for m in moments_of(runtime.db, MARCH_23) if m.action == "employee-tip")
    assert tip.due_at == utc(2026, 3, 24, 13, 30)
    assert any("moved from Mon 23 Mar 05:00 to Tue 24 Mar 10:00 America/New_York" in s["detail"] for s in tip.trace)


def test_a_meeting_moved_away_and_back_has_its_brief_back_at_the_first_time(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)
    sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260324T150000"))
    plan(runtime, NOW)

    back = sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    assert back.moved == 1 and back.events == 1
    assert brief_of(runtime.db, MARCH_23).due_at == utc(2026, 3, 23, 8, 30)
    with runtime.db.transaction() as conn:
        revisions = [e.data["revision"] for e in conn.execute(select(events).where(events.c.subject == MARCH_23))]
    assert revisions == [0, 1, 2]


def test_an_occurrence_moved_out_of_the_window_is_moved_not_cancelled(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    result = sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260421T090000"))
    plan(runtime, NOW)

    assert (result.moved, result.cancelled) == (1, 0)
    assert brief_of(runtime.db, MARCH_23).due_at == utc(2026, 4, 21, 6, 30)


def test_cancelling_a_one_on_one_cancels_its_pending_brief_with_a_trace(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    result = sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260323T100000", "STATUS:CANCELLED"))

    assert (result.cancelled, result.cancelled_moments) == (1, 1)
    # Rita's tip was due at 04:30 in New York, inside her quiet hours: it had already stopped and stays so.
    tip = next(m for m in moments_of(runtime.db, MARCH_23) if m.action == "employee-tip")
    assert tip.stop_reason == "quiet_hours"
    brief = brief_of(runtime.db, MARCH_23)
    assert (brief.status, brief.stop_reason) == ("done", "cancelled")
    assert brief.trace[-1]["detail"] == (
        "cancelled: the meeting 'Bea / Rita' on Mon 23 Mar 10:00 Europe/Berlin was cancelled in the calendar "
        "(marked cancelled)"
    )
    with runtime.db.transaction() as conn:
        assert conn.execute(select(meetings).where(meetings.c.key == MARCH_23)).first() is None
        (cancelled,) = conn.execute(select(events).where(events.c.type == "meeting.cancelled")).all()
    assert cancelled.subject == MARCH_23 and cancelled.data["why"] == "marked cancelled"
    assert brief_of(runtime.db, f"{SERIES}@2026-03-30T08:00:00+00:00").status == "planned"
    again = sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260323T100000", "STATUS:CANCELLED"))
    assert again.events == 0


def test_an_exdate_added_later_cancels_the_occurrence_and_its_moments(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    result = sync(runtime.db, tmp_path, weekly("EXDATE;TZID=Europe/Berlin:20260323T100000"))

    assert result.cancelled == 1
    brief = brief_of(runtime.db, MARCH_23)
    assert brief.stop_reason == "cancelled"
    assert "(it is no longer among the event's occurrences)" in brief.trace[-1]["detail"]


def test_a_cancelled_occurrence_that_comes_back_gets_its_brief_again(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)
    sync(runtime.db, tmp_path, weekly("EXDATE;TZID=Europe/Berlin:20260323T100000"))
    plan(runtime, NOW)

    back = sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    assert back.new == 1
    brief = brief_of(runtime.db, MARCH_23)
    assert (brief.status, brief.stop_reason, brief.due_at) == ("planned", None, utc(2026, 3, 23, 8, 30))
    assert "re-planned: the meeting 'Bea / Rita' on Mon 23 Mar 10:00 Europe/Berlin was reinstated in the calendar" in [
        step["detail"] for step in brief.trace
    ]


def test_a_delivered_brief_stays_delivered_when_its_meeting_moves_later(runtime: Runtime, tmp_path: Path) -> None:
    first = f"{SERIES}@2026-03-16T09:00:00+00:00"
    sync(runtime.db, tmp_path, weekly())
    tick(runtime, utc(2026, 3, 16, 8, 31))  # the Monday 16 March brief goes out (the tip is in New York's night)
    assert brief_of(runtime.db, first).stop_reason == "delivered"

    result = sync(runtime.db, tmp_path, weekly(), override("20260316T100000", "20260316T160000"))
    tick(runtime, utc(2026, 3, 16, 8, 40))

    assert result.moved == 1
    brief = brief_of(runtime.db, first)
    assert (brief.stop_reason, brief.due_at) == ("delivered", utc(2026, 3, 16, 8, 30))
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_a_one_off_meeting_moved_keeps_its_key_and_its_brief_moves(runtime: Runtime, tmp_path: Path) -> None:
    key = "career-chat@northwind.example@once"
    sync(runtime.db, tmp_path, vevent("career-chat@northwind.example", "20260317T110000"))
    plan(runtime, NOW)

    result = sync(runtime.db, tmp_path, vevent("career-chat@northwind.example", "20260319T090000"))
    plan(runtime, NOW)

    assert (result.moved, result.cancelled) == (1, 0)
    assert brief_of(runtime.db, key).due_at == utc(2026, 3, 19, 7, 30)


def test_a_one_on_one_that_becomes_a_team_meeting_cancels_its_pending_brief(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    plan(runtime, NOW)

    sync(
        runtime.db,
        tmp_path,
        weekly(),
        override("20260323T100000", "20260323T100000", summary="Team sync", attendees=["peer@example.com"]),
    )
    plan(runtime, NOW)

    brief = brief_of(runtime.db, MARCH_23)
    assert brief.stop_reason == "cancelled"
    assert brief.trace[-1]["detail"] == (
        "cancelled: the meeting changed and play upcoming-one-on-one no longer plans this manager-brief moment"
    )


def test_a_meeting_cancelled_before_it_was_planned_plans_nothing(runtime: Runtime, tmp_path: Path) -> None:
    sync(runtime.db, tmp_path, weekly())
    sync(runtime.db, tmp_path, weekly(), override("20260323T100000", "20260323T100000", "STATUS:CANCELLED"))

    plan(runtime, NOW)

    assert moments_of(runtime.db, MARCH_23) == []
    assert len(moments_of(runtime.db, f"{SERIES}@2026-03-30T08:00:00+00:00")) == 2


def google_series(*items: dict[str, Any]) -> str:
    master = {
        "id": "g1",
        "summary": "Bea / Rita",
        "organizer": {"email": "boss@example.com"},
        "start": {"dateTime": "2026-03-16T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-03-16T10:30:00+01:00", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        "attendees": [{"email": "rep@example.com", "responseStatus": "accepted"}],
    }
    return json.dumps({"kind": "calendar#events", "items": [master, *items]})


def test_a_google_occurrence_marked_cancelled_cancels_its_pending_brief(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(google_series())
    import_calendar_file(runtime.db, path, window=WINDOW, now=NOW)
    plan(runtime, NOW)

    path.write_text(google_series({"id": "g1_20260323T090000Z", "status": "cancelled", "recurringEventId": "g1",
                                   "originalStartTime": {"dateTime": "2026-03-23T10:00:00+01:00"}}))  # fmt: skip
    _, result = import_calendar_file(runtime.db, path, window=WINDOW, now=NOW)

    assert result.cancelled == 1
    assert brief_of(runtime.db, "g1@2026-03-23T09:00:00+00:00").stop_reason == "cancelled"


def test_a_graph_event_removed_in_a_delta_cancels_its_pending_brief(runtime: Runtime, tmp_path: Path) -> None:
    single = {
        "id": "AAMk-one-off",
        "type": "singleInstance",
        "subject": "Career chat",
        "start": {"dateTime": "2026-03-18T10:00:00.0000000", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-18T10:30:00.0000000", "timeZone": "W. Europe Standard Time"},
        "organizer": {"emailAddress": {"address": "boss@example.com"}},
        "attendees": [{"type": "required", "emailAddress": {"address": "rep@example.com"}}],
    }
    full, delta = tmp_path / "events.json", tmp_path / "delta.json"
    full.write_text(json.dumps({"value": [single]}))
    delta.write_text(json.dumps({"value": [{"id": "AAMk-one-off", "@removed": {"reason": "deleted"}}]}))
    import_calendar_file(runtime.db, full, window=WINDOW, now=NOW)
    plan(runtime, NOW)

    _, result = import_calendar_file(runtime.db, delta, window=WINDOW, now=NOW)

    assert (result.cancelled, result.cancelled_moments) == (1, 1)  # Rita's tip fell in New York's night
    brief = brief_of(runtime.db, "AAMk-one-off@once")
    assert brief.trace[-1]["detail"].endswith("was cancelled in the calendar (the event was deleted from the calendar)")
