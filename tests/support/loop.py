"""A two-person organization with a goal and a weekly 1:1, for tests that drive the loop to a delivered nudge.

``small_org`` imports a manager (boss) and a report (rep) in Berlin, the test framework, rep's goal and a weekly
1:1 from 2 March 2026; ``runtime`` builds the worker's runtime on the same database with extra settings. A tick at
``DUE`` finds the first 1:1 brief (to boss) and tip (to rep) due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kairos.deliver.base import Channel
from kairos.ingest.framework import import_framework
from kairos.ingest.goals import import_goals
from kairos.ingest.ical import import_calendar
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database
from kairos.worker.runtime import Runtime, build_runtime
from tests.factories import FRAMEWORK_YAML, people_csv

BEFORE = datetime(2026, 2, 27, 12, tzinfo=UTC)
WEEK_START = datetime(2026, 3, 2, 6, tzinfo=UTC)  # Monday 07:00 in Berlin


def weekly_one_on_one(uid: str = "weekly-1on1", start: str = "20260302T100000") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260220T120000Z\r\nDTSTART;TZID=Europe/Berlin:{start}\r\n"
        "DURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:1:1 Bea / Rita\r\n"
        "ORGANIZER:mailto:boss@example.com\r\nATTENDEE:mailto:boss@example.com\r\n"
        "ATTENDEE:mailto:rep@example.com\r\nEND:VEVENT\r\n"
    )


def small_org(db: Database, tmp: Path, events: list[str] | None = None) -> None:
    people_csv(
        tmp / "people.csv",
        [
            "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    (tmp / "fw.yaml").write_text(FRAMEWORK_YAML)
    (tmp / "goals.csv").write_text(
        "person_id,competency_id,target_level,goal,review_date\n"
        "rep,giving-feedback,3,Give specific feedback after each review.,2026-02-10\n"
    )
    calendar = events if events is not None else [weekly_one_on_one()]
    (tmp / "cal.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(calendar) + "END:VCALENDAR\r\n"
    )
    import_people(db, tmp / "people.csv", as_of=date(2026, 2, 27), now=BEFORE)
    import_framework(db, tmp / "fw.yaml", now=BEFORE)
    import_goals(db, tmp / "goals.csv", now=BEFORE)
    import_calendar(
        db, tmp / "cal.ics", window=(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)), now=BEFORE
    )


def runtime(db: Database, tmp: Path, channels: dict[str, Channel] | None = None, **settings: Any) -> Runtime:
    """The worker's runtime on ``db``; ``settings`` as for ``load_settings`` (e.g. ``delivery={"channels": [...]}``)."""
    built = load_settings(
        database_url=str(db.engine.url.render_as_string(hide_password=False)), data_dir=tmp / "data", **settings
    )
    return build_runtime(built, db, channels)
