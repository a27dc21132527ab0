"""Calibration on a real database (SQLite and PostgreSQL): exercises, placements, completion events, the report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.domain.event import EventType
from kairos.errors import InputError
from kairos.ingest.calibration import create_exercise, import_placements
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import calibration as calibration_store
from kairos.store.schema import calibration_examples, calibration_exercises, calibration_placements, events
from tests.factories import FRAMEWORK_YAML, HEADER, people_csv

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MANAGERS = [f"m{n}" for n in range(1, 8)]
EXERCISE = """\
exercise:
  id: cal-1
  name: Spring calibration
  framework: acme
  version: "2026.1"
examples:
  - id: fb-1
    competency: giving-feedback
    behavior: Told a teammate the same day which review comment helped, and why.
    key: 2
  - id: fb-2
    competency: giving-feedback
    behavior: Named the behaviour and its effect, then asked for the other person's view.
    key: 3
"""
PLACEMENTS_HEADER = "exercise_id,manager_id,example_id,level"


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    """Managers m1…m7 with one report each (m1 two), ``ic`` who manages nobody, and ``gone``, who left."""
    line = "{pid},Person {pid},{pid}@example.com,{manager},Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-10,{status}"
    rows = [line.format(pid=m, manager="", status="active") for m in MANAGERS]
    rows += [line.format(pid=f"r{m}", manager=m, status="active") for m in MANAGERS]
    rows += [line.format(pid="ic", manager="m1", status="active")]
    header = HEADER + ",status"
    import_people(db, people_csv(tmp_path / "p0.csv", [*rows, line.format(pid="gone", manager="", status="active")],
                                 header=header), as_of=date(2026, 2, 1), now=NOW)  # fmt: skip
    import_people(db, people_csv(tmp_path / "p1.csv", [*rows, line.format(pid="gone", manager="", status="terminated")],
                                 header=header), as_of=date(2026, 3, 1), now=NOW)  # fmt: skip
    (tmp_path / "framework.yaml").write_text(FRAMEWORK_YAML, encoding="utf-8")
    import_framework(db, tmp_path / "framework.yaml", now=NOW)
    (tmp_path / "exercise.yaml").write_text(EXERCISE, encoding="utf-8")
    return db


def write(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([PLACEMENTS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def both(manager: str, first: int, second: int) -> list[str]:
    return [f"cal-1,{manager},fb-1,{first}", f"cal-1,{manager},fb-2,{second}"]


def stored(db: Database) -> list[list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return [[tuple(r) for r in conn.execute(select(t))]
                for t in (calibration_exercises, calibration_examples, calibration_placements, events)]  # fmt: skip


def completed_events(db: Database) -> list[tuple[str | None, dict[str, object]]]:
    with db.transaction() as conn:
        rows = conn.execute(select(events).where(events.c.type == EventType.CALIBRATION_COMPLETED.value))
        return sorted((r.subject, r.data) for r in rows)


def test_an_exercise_is_stored_once_and_storing_it_again_unchanged_writes_nothing(
    org: Database, tmp_path: Path
) -> None:
    exercise, state = create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    before = stored(org)
    again, state_again = create_exercise(org, tmp_path / "exercise.yaml", now=NOW.replace(day=3))

    assert (state, state_again) == ("stored", "unchanged") and again == exercise
    assert stored(org) == before
    with org.transaction() as conn:
        assert calibration_store.get_exercise(conn, "cal-1") == exercise


def test_an_exercise_may_change_until_a_manager_has_placed_one_of_its_examples(org: Database, tmp_path: Path) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    (tmp_path / "exercise.yaml").write_text(EXERCISE.replace("key: 3", "key: 1"), encoding="utf-8")

    _, state = create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    assert state == "replaced"

    import_placements(org, write(tmp_path, "p.csv", "cal-1,m1,fb-1,2"), now=NOW)
    (tmp_path / "exercise.yaml").write_text(EXERCISE, encoding="utf-8")
    before = stored(org)
    with pytest.raises(InputError, match="a new exercise id"):
        create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    assert stored(org) == before


def test_an_exercise_on_a_framework_version_not_stored_is_refused_by_line(org: Database, tmp_path: Path) -> None:
    (tmp_path / "exercise.yaml").write_text(EXERCISE.replace('"2026.1"', '"2030.1"'), encoding="utf-8")

    with pytest.raises(InputError) as info:
        create_exercise(org, tmp_path / "exercise.yaml", now=NOW)

    (problem,) = info.value.problems
    assert (problem.row, problem.field) == (4, "exercise.framework")
    assert stored(org)[0] == []


def test_a_manager_who_placed_every_example_records_calibration_completed_once(org: Database, tmp_path: Path) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    path = write(tmp_path, "p.csv", *both("m1", 2, 3), "cal-1,m2,fb-1,1")

    first = import_placements(org, path, now=NOW)
    again = import_placements(org, path, now=NOW.replace(day=5))

    assert (first.records, first.events) == (3, 1) and (again.records, again.events) == (0, 0)
    assert completed_events(org) == [
        ("m1", {"exercise_id": "cal-1", "exercise_name": "Spring calibration", "examples": 2,
                "framework": "acme@2026.1"})
    ]  # fmt: skip


def test_a_manager_completes_when_the_last_example_arrives_in_a_later_file(org: Database, tmp_path: Path) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    import_placements(org, write(tmp_path, "a.csv", "cal-1,m2,fb-1,1"), now=NOW)
    assert completed_events(org) == []

    result = import_placements(org, write(tmp_path, "b.csv", "cal-1,m2,fb-1,1", "cal-1,m2,fb-2,3"), now=NOW)

    assert (result.records, result.events) == (1, 1) and [s for s, _ in completed_events(org)] == ["m2"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("cal-1,ic,fb-1,2", "manager_id"),  # manages nobody
        ("cal-1,gone,fb-1,2", "manager_id"),  # left
        ("cal-1,r1,fb-1,2", "manager_id"),  # manages nobody either
        ("cal-1,m3,fb-7,2", "example_id"),
        ("cal-1,m3,fb-1,4", "level"),  # the framework's giving-feedback has three levels
        ("cal-2,m3,fb-1,2", "exercise_id"),
        ("cal-1,m1,fb-1,3", "example_id"),  # the same placement twice in one file
    ],
)
def test_a_rejected_placements_file_stores_nothing_and_names_the_row(
    org: Database, tmp_path: Path, bad: str, field: str
) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    before = stored(org)

    with pytest.raises(InputError) as info:
        import_placements(org, write(tmp_path, "p.csv", *both("m1", 2, 3), bad), now=NOW)

    assert [(p.row, p.field) for p in info.value.problems] == [(4, field)]
    assert stored(org) == before


def test_a_placement_is_final_once_stored(org: Database, tmp_path: Path) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    import_placements(org, write(tmp_path, "a.csv", "cal-1,m1,fb-1,2"), now=NOW)
    before = stored(org)

    with pytest.raises(InputError, match=r"earlier import \(2\)"):
        import_placements(org, write(tmp_path, "b.csv", "cal-1,m1,fb-1,3", "cal-1,m1,fb-2,3"), now=NOW)

    assert stored(org) == before


def test_the_stored_report_withholds_an_example_until_five_managers_placed_it(org: Database, tmp_path: Path) -> None:
    create_exercise(org, tmp_path / "exercise.yaml", now=NOW)
    import_placements(org, write(tmp_path, "a.csv", *[r for m in MANAGERS[:4] for r in both(m, 2, 3)]), now=NOW)

    with org.transaction() as conn:
        four = calibration_store.report(conn, "cal-1", min_group_size=5)
    import_placements(org, write(tmp_path, "b.csv", *both("m5", 1, 3)), now=NOW)
    with org.transaction() as conn:
        five = calibration_store.report(conn, "cal-1", min_group_size=5)
        own = calibration_store.report(conn, "cal-1", min_group_size=5, manager_id="m5")
        missing = calibration_store.report(conn, "cal-9", min_group_size=5)

    assert four is not None and five is not None and own is not None and missing is None
    assert [e.withheld for e in four.examples] == ["withheld: fewer than 5 managers"] * 2 and four.overall is None
    assert [e.distribution for e in five.examples] == [((1, 1), (2, 4), (3, 0)), ((1, 0), (2, 0), (3, 5))]
    assert five.managers_completed == 5 and len(completed_events(org)) == 5
    assert own.own is not None and [p.offset for p in own.own.placements] == [-1, 0]
    assert not any(e.shown for e in own.examples)  # only four managers besides m5
