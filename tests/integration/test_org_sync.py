"""Every HR change through the one sync: statuses, dates, formats, the mass-change guard, cancelled moments."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError
from kairos.ingest.org_sync import sync_people
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import people as people_store
from kairos.store.schema import events, moments
from kairos.worker.tick import tick
from tests.factories import HEADER, people_csv
from tests.integration.test_worker_rules import _event, _org, _runtime

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _row(
    pid: str, manager: str = "", *, level: str = "IC2", status: str = "", end: str = "", start: str = "2022-01-01"
):
    fields = [pid, f"Name {pid}", f"{pid}@example.com", manager, "Engineer", level, "Core", "Berlin", "Europe/Berlin"]
    return ",".join([*fields, start, status, end])


HEADER_WITH_STATUS = HEADER + ",status,end_date"


def _csv(tmp: Path, name: str, rows: list[str]) -> Path:
    return people_csv(tmp / name, rows, header=HEADER_WITH_STATUS)


def _event_types(db: Database) -> list[tuple[str, str | None]]:
    with db.transaction() as conn:
        return [
            (r.type, r.subject) for r in conn.execute(select(events.c.type, events.c.subject).order_by(events.c.seq))
        ]


def test_an_excel_csv_with_semicolons_and_a_bom_is_read(db: Database, tmp_path: Path) -> None:
    text = (
        "\ufeff"
        + ";".join(HEADER_WITH_STATUS.split(","))
        + "\r\n"
        + "\r\n".join(r.replace(",", ";") for r in [_row("a"), _row("b", "a")])
        + "\r\n"
    )
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    result = import_people(db, path, as_of=AS_OF, now=NOW)
    assert result.people == 2 and result.changes == {"person.imported": 2}


def test_a_json_snapshot_lands_the_same_people_as_the_csv(db: Database, tmp_path: Path) -> None:
    doc = {
        "people": [
            {
                "id": "a",
                "name": "Name a",
                "email": "a@example.com",
                "role": "Engineer",
                "level": "IC2",
                "team": "Core",
                "location": "Berlin",
                "time_zone": "Europe/Berlin",
                "start_date": "2022-01-01",
            },
            {
                "id": "b",
                "name": "Name b",
                "email": "b@example.com",
                "manager_id": "a",
                "role": "Engineer",
                "level": "IC2",
                "team": "Core",
                "location": "Berlin",
                "time_zone": "Europe/Berlin",
                "start_date": "2022-01-01",
            },
        ]
    }
    (tmp_path / "people.json").write_text(json.dumps(doc))
    import_people(db, tmp_path / "people.json", as_of=AS_OF, now=NOW)
    with db.transaction() as conn:
        stored = people_store.employed(conn)
    assert stored["b"].manager_id == "a" and stored["a"].start_date == date(2022, 1, 1)


@pytest.mark.parametrize(
    ("rows", "field", "expected"),
    [
        ([_row("a", "a")], "manager_id", "a manager other than the person"),
        ([_row("a", "b"), _row("b", "a")], "manager_id", "reporting lines without a cycle"),
        (
            [_row("a", "e"), _row("b", "a"), _row("c", "b"), _row("d", "c"), _row("e", "d")],
            "manager_id",
            "reporting lines without a cycle",
        ),
        ([_row("a", start="2026-04-01")], "start_date", "a start date on or before the snapshot date"),
        ([_row("a", status="terminated", end="2020-01-01")], "end_date", "an end date on or after the start date"),
        ([_row("a", status="retired")], "status", "active, leave or terminated"),
        ([_row("a", status="terminated"), _row("b", "a")], "manager_id", "a manager who has not left"),
    ],
)
def test_bad_snapshots_are_refused_naming_the_field(
    db: Database, tmp_path: Path, rows: list[str], field: str, expected: str
) -> None:
    with pytest.raises(InputError) as error:
        import_people(db, _csv(tmp_path, "bad.csv", rows), as_of=AS_OF, now=NOW)
    assert any(p.field == field and p.expected.startswith(expected) for p in error.value.problems), error.value
    assert _event_types(db) == []


def test_a_cycle_of_five_is_named_in_full(tmp_path: Path) -> None:
    from kairos.ingest.people import parse_people

    rows = [_row("a", "e"), _row("b", "a"), _row("c", "b"), _row("d", "c"), _row("e", "d")]
    with pytest.raises(InputError) as error:
        parse_people(_csv(tmp_path, "cycle.csv", rows))
    assert "a → e → d → c → b → a" in str(error.value)


def test_a_snapshot_missing_forty_percent_is_refused_unless_confirmed(db: Database, tmp_path: Path) -> None:
    everyone = [_row("boss")] + [_row(f"p{i}", "boss") for i in range(9)]
    import_people(db, _csv(tmp_path, "all.csv", everyone), as_of=AS_OF, now=NOW)
    truncated = _csv(tmp_path, "truncated.csv", everyone[:6])
    with pytest.raises(InputError) as error:
        import_people(db, truncated, as_of=date(2026, 3, 3), now=NOW)
    assert "4 of 10 people" in str(error.value) and "--allow-mass-termination" in str(error.value)
    with db.transaction() as conn:
        assert len(people_store.employed(conn)) == 10
    result = import_people(db, truncated, as_of=date(2026, 3, 3), now=NOW, allow_mass_termination=True)
    assert result.changes["person.terminated"] == 4


def test_a_dry_run_reports_the_diff_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    import_people(db, _csv(tmp_path, "a.csv", [_row("a"), _row("b", "a")]), as_of=AS_OF, now=NOW)
    before = _event_types(db)
    result = import_people(
        db,
        _csv(tmp_path, "b.csv", [_row("a"), _row("b", "a", level="IC3"), _row("c", "a")]),
        as_of=date(2026, 3, 3),
        now=NOW,
        dry_run=True,
    )
    assert result.dry_run and result.events == 0
    assert result.changes == {"person.promoted": 1, "person.hired": 1}
    assert _event_types(db) == before


def test_terminating_or_sending_someone_on_leave_cancels_their_pending_moments_with_the_reason(
    db: Database, tmp_path: Path
) -> None:
    _org(db, tmp_path, [_event("m1", "20260303T100000"), _event("m2", "20260310T100000")])
    tick(_runtime(db, 1), datetime(2026, 3, 2, tzinfo=UTC))  # plans the moments; nothing is due yet
    snapshot = people_csv(
        tmp_path / "later.csv",
        [
            "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01,active,",
            "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01,leave,",
        ],
        header=HEADER_WITH_STATUS,
    )
    result = import_people(db, snapshot, as_of=date(2026, 3, 2), now=NOW)
    assert result.changes["person.leave_started"] == 1
    assert result.cancelled_moments == 4  # two briefs about rep, two tips to rep
    with db.transaction() as conn:
        rows = conn.execute(select(moments).where(moments.c.stop_reason == "cancelled")).all()
    assert {r.action for r in rows} == {"manager-brief", "employee-tip"}
    assert all(r.trace[-1]["detail"] == "cancelled: rep is on leave from 2026-03-02" for r in rows)


def test_a_partial_sync_records_the_same_events_as_a_full_snapshot_of_the_same_change(
    database_url: str, tmp_path: Path
) -> None:
    from kairos.domain.person import Person, PersonStatus
    from kairos.store import open_database

    rows = [_row("ceo", level="M3"), _row("lead", "ceo"), _row("dev", "lead"), _row("solo", "ceo"), _row("new", "ceo")]
    changed = [
        _row("ceo", level="M3"),
        _row("lead", "ceo"),
        _row("dev", "lead"),
        _row("solo", "ceo"),
        _row("new", "solo"),
    ]
    full_db = open_database(database_url)
    full_db.migrate()
    import_people(full_db, _csv(tmp_path, "a.csv", rows), as_of=AS_OF, now=NOW)
    import_people(full_db, _csv(tmp_path, "b.csv", changed), as_of=date(2026, 3, 3), now=NOW)
    full_events = [e for e in _event_types(full_db) if e[0] != "person.imported"]
    with full_db.transaction() as conn:
        moved = people_store.get_any(conn, "new")
    assert moved is not None and moved.manager_id == "solo"

    # The same change arriving alone, as SCIM or a webhook would send it, into a second database.
    partial_db_path = tmp_path / "partial.db"
    partial_db = open_database(f"sqlite:///{partial_db_path}")
    partial_db.migrate()
    import_people(partial_db, _csv(tmp_path, "a2.csv", rows), as_of=AS_OF, now=NOW)
    person = Person(
        id="new",
        name="Name new",
        email="new@example.com",
        manager_id="solo",
        role="Engineer",
        level="IC2",
        team="Core",
        location="Berlin",
        time_zone="Europe/Berlin",
        start_date=date(2022, 1, 1),
        status=PersonStatus.ACTIVE,
    )
    sync_people(
        partial_db, [person], source="test", input_name="one change", full=False, as_of=date(2026, 3, 3), now=NOW
    )
    partial_events = [e for e in _event_types(partial_db) if e[0] != "person.imported"]
    assert sorted(partial_events) == sorted(full_events)
    assert ("person.first_direct_report", "solo") in partial_events
    with partial_db.transaction() as conn:
        assert dataclasses.asdict(moved) == dataclasses.asdict(people_store.get_any(conn, "new"))
    full_db.dispose()
    partial_db.dispose()
