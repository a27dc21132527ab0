"""CalDAV sync against a real Radicale: incremental by sync token, moves re-plan, deletions cancel."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from caldav.davclient import DAVClient
from sqlalchemy import select

from kairos.ingest.caldav_sync import CalDavError, sync_caldav, without_login
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import calendar_objects, moments
from kairos.worker.plan import plan
from kairos.worker.runtime import Runtime, build_runtime
from tests.factories import people_csv
from tests.support.cli import run_cli
from tests.support.servers import RadicaleServer, radicale_fixture  # noqa: F401  (the session fixture `radicale`)

NOW = datetime(2026, 3, 13, 12, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 13, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC))
BERLIN = ZoneInfo("Europe/Berlin")
SERIES = "weekly-1on1@northwind.example"
MARCH_23 = f"{SERIES}@2026-03-23T09:00:00+00:00"
ONE_OFF = "career-chat@northwind.example@once"

WEEKLY = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kairos tests//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260301T120000Z
DTSTART;TZID=Europe/Berlin:{start}
DTEND;TZID=Europe/Berlin:{end}
{rule}SUMMARY:{summary}
ORGANIZER:mailto:boss@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@example.com
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def calendar(radicale: RadicaleServer) -> Iterator[tuple[Any, str]]:
    """A fresh user with one calendar holding a weekly 1:1 and a one-off career chat; (calendar, user)."""
    user = f"u{uuid.uuid4().hex[:10]}"
    client = DAVClient(url=radicale.url, username=user, password="secret", auth_type="basic")
    work = client.principal().make_calendar(name="Work", cal_id="work")
    work.save_event(WEEKLY.format(uid=SERIES, start="20260316T100000", end="20260316T103000",
                                  rule="RRULE:FREQ=WEEKLY;COUNT=3\n", summary="Bea / Rita"))  # fmt: skip
    work.save_event(WEEKLY.format(uid="career-chat@northwind.example", start="20260318T110000", end="20260318T113000",
                                  rule="", summary="Career chat"))  # fmt: skip
    yield work, user
    client.close()


@pytest.fixture
def runtime(db: Database, tmp_path: Path) -> Runtime:
    people_csv(
        tmp_path / "people.csv",
        [
            "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    import_people(db, tmp_path / "people.csv", as_of=date(2026, 3, 1), now=NOW)
    return build_runtime(load_settings(database_url=db.engine.url.render_as_string(hide_password=False)), db)


def sync(db: Database, server: RadicaleServer, user: str) -> Any:
    (collection,) = sync_caldav(db, server.url, username=user, password="secret", window=WINDOW, now=NOW)
    return collection


def brief_of(db: Database, meeting_key: str) -> Any:
    with db.transaction() as conn:
        query = select(moments).where(
            moments.c.context["meeting"].as_string() == meeting_key, moments.c.action == "manager-brief"
        )
        (brief,) = conn.execute(query).all()
    return brief


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def move_march_23_to_tuesday_afternoon(work: Any) -> None:
    (occurrence,) = work.search(start=datetime(2026, 3, 23), end=datetime(2026, 3, 24), event=True, expand=True)
    event = occurrence.icalendar_component
    for name in ("DTSTART", "DTEND"):
        event.pop(name)
    event.add("DTSTART", datetime(2026, 3, 24, 15, tzinfo=BERLIN))
    event.add("DTEND", datetime(2026, 3, 24, 15, 30, tzinfo=BERLIN))
    occurrence.save(only_this_recurrence=True)


def test_a_second_sync_downloads_only_the_moved_occurrence_and_re_plans_its_brief(
    runtime: Runtime, radicale: RadicaleServer, calendar: tuple[Any, str]
) -> None:
    work, user = calendar
    first = sync(runtime.db, radicale, user)
    plan(runtime, NOW)
    assert (first.full, first.fetched, first.deleted) == (True, 2, 0)
    assert first.recorded.new == 4  # three weekly occurrences and the career chat
    assert brief_of(runtime.db, MARCH_23).due_at == utc(2026, 3, 23, 8, 30)

    move_march_23_to_tuesday_afternoon(work)
    second = sync(runtime.db, radicale, user)
    plan(runtime, NOW)

    assert (second.full, second.fetched, second.deleted) == (False, 1, 0)
    assert (second.recorded.moved, second.recorded.new, second.recorded.cancelled) == (1, 0, 0)
    brief = brief_of(runtime.db, MARCH_23)
    assert (brief.status, brief.due_at) == ("planned", utc(2026, 3, 24, 13, 30))
    assert any("moved from Mon 23 Mar 10:00 to Tue 24 Mar 15:00 Europe/Berlin" in s["detail"] for s in brief.trace)


def test_an_unchanged_calendar_downloads_nothing_and_records_nothing(
    runtime: Runtime, radicale: RadicaleServer, calendar: tuple[Any, str]
) -> None:
    _, user = calendar
    sync(runtime.db, radicale, user)

    again = sync(runtime.db, radicale, user)

    assert (again.full, again.fetched, again.deleted, again.recorded.events) == (False, 0, 0, 0)
    assert again.recorded.meetings == 4  # the stored recurring object is still expanded, locally


def test_deleting_an_event_on_the_server_cancels_its_pending_moments(
    runtime: Runtime, radicale: RadicaleServer, calendar: tuple[Any, str]
) -> None:
    work, user = calendar
    sync(runtime.db, radicale, user)
    plan(runtime, NOW)
    (chat,) = [e for e in work.events() if "career-chat" in str(e.url)]

    chat.delete()
    result = sync(runtime.db, radicale, user)

    assert (result.fetched, result.deleted) == (0, 1)
    assert (result.recorded.cancelled, result.recorded.cancelled_moments) == (1, 2)
    brief = brief_of(runtime.db, ONE_OFF)
    assert (brief.status, brief.stop_reason) == ("done", "cancelled")
    assert brief.trace[-1]["detail"] == (
        "cancelled: the meeting 'Career chat' on Wed 18 Mar 11:00 Europe/Berlin was cancelled in the calendar "
        "(the event was deleted from the calendar)"
    )
    assert brief_of(runtime.db, MARCH_23).status == "planned"
    with runtime.db.transaction() as conn:
        hrefs = [r.href for r in conn.execute(select(calendar_objects.c.href))]
    assert len(hrefs) == 1 and "weekly-1on1" in hrefs[0]


def test_a_wrong_password_file_or_an_unreachable_server_is_a_clear_error(db: Database) -> None:
    with pytest.raises(CalDavError) as caught:
        sync_caldav(db, "http://127.0.0.1:9/", username="u", password="p", window=WINDOW, now=NOW, timeout=2)

    assert "http://127.0.0.1:9/: the CalDAV server could not be synced" in str(caught.value)


def test_a_login_written_into_the_url_is_never_shown_or_stored() -> None:
    assert without_login("https://ann:s3cret@dav.example:8443/ann/work/") == "https://dav.example:8443/ann/work/"
    assert without_login("http://127.0.0.1:5232/ann/") == "http://127.0.0.1:5232/ann/"


def test_syncing_one_calendar_by_its_url_leaves_the_accounts_other_calendars_alone(
    runtime: Runtime,
    radicale: RadicaleServer,
    calendar: tuple[Any, str],
) -> None:
    work, user = calendar
    work.client.principal().make_calendar(name="Private", cal_id="private")
    url = radicale.url.replace("http://", f"http://{user}:secret@") + f"{user}/work/"

    synced = sync_caldav(runtime.db, url, username=user, password="secret", window=WINDOW, now=NOW)

    assert [s.url for s in synced] == [f"{radicale.url}{user}/work/"]


def test_the_command_syncs_with_a_password_file(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    radicale: RadicaleServer,
    calendar: tuple[Any, str],
) -> None:
    _, user = calendar
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    assert run_cli(["init"], capsys)[0] == 0
    secret = tmp_path / "caldav-password"
    secret.write_text("secret\n")

    code, out, err = run_cli(
        ["import", "caldav", radicale.url, "--user", user, "--password-file", str(secret), "--from", "2026-03-13",
         "--to", "2026-04-10", "--now", "2026-03-13T12:00Z"],
        capsys,
    )  # fmt: skip

    assert code == 0, err
    assert "Work (full listing): 2 objects downloaded, 0 deleted; 4 meeting occurrences (4 new" in out
