"""Check-ins that flag skill gaps, as CSV or JSON (``docs/formats/check-ins.md``).

Each row is one competency discussed in a check-in, with a severity: ``low``, ``medium`` or
``high`` flag a skill gap and record a ``checkin.gap_flagged`` event (subject: the person), so
plays can answer it; ``none`` records the check-in only. Notes are stored, never put in events.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.feedback import CheckIn, Severity
from kairos.domain.framework import Framework
from kairos.ingest.base import Problems, read_text
from kairos.ingest.feedback import (
    ImportResult,
    Record,
    check_competency,
    check_date,
    check_person,
    day_start,
    read_records,
    require_framework,
)
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store

COLUMNS = ("person_id", "checkin_date", "competency_id", "severity")
OPTIONAL_COLUMNS = ("note",)
_SEVERITIES = ", ".join(s.value for s in Severity)


def read_checkin_text(text: str, file: str, *, max_chars: int = 2000) -> tuple[list[Record], Problems]:
    problems = Problems(file)
    records = read_records(text, file, problems, what="check-in", key="checkins", required=COLUMNS,
                           optional=OPTIONAL_COLUMNS, max_chars=max_chars)  # fmt: skip
    return records, problems


def validate_checkins(
    records: list[Record], problems: Problems, framework: Framework | None, statuses: dict[str, str]
) -> list[CheckIn]:
    fw = require_framework(framework, problems.file)
    first_row: dict[tuple[str, date, str], int] = {}
    found: list[CheckIn] = []
    for row, v in records:
        before = len(problems.items)
        person = check_person(v["person_id"], statuses, problems, row=row, field="person_id")
        when = check_date(v["checkin_date"], problems, row=row, field="checkin_date")
        competency = check_competency(v["competency_id"], fw, problems, row=row)
        try:
            severity = Severity(v["severity"].lower())
        except ValueError:
            problems.add(f"a severity: {_SEVERITIES}", row=row, field="severity", value=v["severity"])
        if len(problems.items) > before or person is None or when is None or competency is None:
            continue
        key = (person, when, competency.id)
        if key in first_row:
            problems.add(f"one row per person, date and competency (also on row {first_row[key]})", row=row,
                         field="competency_id", value=competency.id)  # fmt: skip
            continue
        first_row[key] = row
        found.append(CheckIn(person, when, competency.id, severity, v.get("note", ""), fw.id, fw.version))
    if not records:
        problems.add("at least one check-in")
    problems.raise_if_any()
    return found


def parse_checkins_text(
    text: str, file: str, framework: Framework | None, statuses: dict[str, str], *, max_chars: int = 2000
) -> list[CheckIn]:
    records, problems = read_checkin_text(text, file, max_chars=max_chars)
    return validate_checkins(records, problems, framework, statuses)


def gap_event(checkin: CheckIn, source: str) -> Event:
    return Event(
        id=content_id(checkin.person_id, checkin.checkin_date, checkin.competency_id, checkin.severity.value),
        source=source,
        type=EventType.CHECKIN_GAP_FLAGGED,
        subject=checkin.person_id,
        time=day_start(checkin.checkin_date),
        data={
            "competency_id": checkin.competency_id,
            "severity": checkin.severity.value,
            "checkin_date": checkin.checkin_date.isoformat(),
            "framework": f"{checkin.framework_id}@{checkin.framework_version}",
        },
    )


def import_checkins(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> ImportResult:
    """Validate every check-in, then store them and an event for each flagged gap, in one transaction."""
    file = str(path)
    records, problems = read_checkin_text(read_text(path), file, max_chars=max_chars)
    ids = {v["person_id"] for _, v in records if v["person_id"]}
    source = f"kairos/check-ins/{Path(file).name}"
    with db.transaction() as conn:
        found = validate_checkins(records, problems, framework_store.latest(conn),
                                  feedback_store.person_statuses(conn, ids))  # fmt: skip
        feedback_store.save_checkins(conn, found, now)
        added = event_log.append(conn, [gap_event(c, source) for c in found if c.flags_gap], now)
        return ImportResult(records=len(found), events=added)
