"""Check-ins that flag skill gaps: each flagged gap is an event plays can trigger on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.domain.feedback import Severity
from kairos.errors import InputError, Problem
from kairos.ingest.checkins import import_checkins
from kairos.store import Database
from kairos.store import feedback as feedback_store
from kairos.store.schema import checkins, events
from tests.unit.test_feedback_three_sixty import build_org

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HEADER = "person_id,checkin_date,competency_id,severity,note"
FLAGGED = "p1,2026-03-04,clear-writing,medium,The migration note was two lines."
CALM = "p1,2026-03-04,giving-feedback,none,Fine."


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    return build_org(db, tmp_path)


def csv_file(tmp_path: Path, *rows: str, name: str = "check-ins.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def rejected(db: Database, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        import_checkins(db, path, now=NOW)
    return caught.value.problems


def stored(db: Database) -> list[list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return [[tuple(r) for r in conn.execute(select(t))] for t in (checkins, events)]


def test_a_flagged_gap_records_a_gap_flagged_event_about_the_person_without_the_note(
    org: Database, tmp_path: Path
) -> None:
    result = import_checkins(org, csv_file(tmp_path, FLAGGED, CALM), now=NOW)

    with org.transaction() as conn:
        found = feedback_store.checkins_for(conn, "p1")
        (event,) = conn.execute(select(events).where(events.c.type == "checkin.gap_flagged")).all()
    assert (result.records, result.events) == (2, 1)
    assert [(c.competency_id, c.severity) for c in found] == [
        ("clear-writing", Severity.MEDIUM), ("giving-feedback", Severity.NONE)
    ]  # fmt: skip
    assert (event.subject, event.time) == ("p1", datetime(2026, 3, 4, tzinfo=UTC))
    assert event.data == {"competency_id": "clear-writing", "severity": "medium", "checkin_date": "2026-03-04",
                          "framework": "acme@2026.1"}  # fmt: skip


def test_check_ins_from_json_are_stored(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "check-ins.json"
    path.write_text(json.dumps({"checkins": [{"person_id": "p1", "checkin_date": "2026-03-04",
                                              "competency_id": "giving-feedback", "severity": "HIGH"}]}))  # fmt: skip

    assert import_checkins(org, path, now=NOW).events == 1
    with org.transaction() as conn:
        (found,) = feedback_store.checkins_for(conn, "p1")
    assert (found.checkin_date, found.severity, found.note) == (date(2026, 3, 4), Severity.HIGH, "")


def test_importing_the_same_check_ins_twice_adds_no_event(org: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, FLAGGED)
    import_checkins(org, path, now=NOW)

    assert import_checkins(org, path, now=NOW).events == 0


def test_a_raised_severity_is_a_new_gap_event_and_a_changed_note_is_not(org: Database, tmp_path: Path) -> None:
    import_checkins(org, csv_file(tmp_path, FLAGGED), now=NOW)

    assert import_checkins(org, csv_file(tmp_path, FLAGGED.replace("two lines", "short")), now=NOW).events == 0
    assert import_checkins(org, csv_file(tmp_path, FLAGGED.replace("medium", "high")), now=NOW).events == 1


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("ghost,2026-03-04,clear-writing,low,", "person_id"),
        ("gone,2026-03-04,clear-writing,low,", "person_id"),
        ("p1,2026-02-30,clear-writing,low,", "checkin_date"),
        ("p1,2026-03-04,juggling,low,", "competency_id"),
        ("p1,2026-03-04,clear-writing,urgent,", "severity"),
        ("p1,2026-03-04,clear-writing,,", "severity"),
        ("p1,2026-03-04,giving-feedback,high,Again.", "competency_id"),
    ],
)
def test_a_bad_row_names_the_row_and_field_and_nothing_is_stored(
    org: Database, tmp_path: Path, row: str, field: str
) -> None:
    before = stored(org)

    problems = rejected(org, csv_file(tmp_path, CALM, row))

    assert [(p.row, p.field) for p in problems] == [(3, field)]
    assert stored(org) == before
