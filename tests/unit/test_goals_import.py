"""Development goals from a review, as CSV or JSON, checked against the stored people and framework."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.framework import import_framework
from kairos.ingest.goals import import_goals
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import goals as goal_store
from kairos.store.schema import events, goals
from tests.factories import FRAMEWORK_YAML, people_csv

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GOALS_HEADER = "person_id,competency_id,target_level,goal,review_date"
GOOD = "p1,giving-feedback,3,Give specific feedback within a day.,2026-02-10"
# a second competency with four levels, so "above the competency's levels" differs per competency
FOUR_LEVELS = """\
  - id: clear-writing
    name: Clear writing
    definition: Writes so the reader can act without a meeting.
    levels:
""" + "".join(f'      - level: {n}\n        name: L{n}\n        anchors: ["Writes {n}."]\n' for n in (1, 2, 3, 4))


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    rows = [
        f"{pid},Person {pid},{pid}@example.com,{mgr},Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-10"
        for pid, mgr in (("m1", ""), ("p1", "m1"), ("p2", "m1"))
    ]
    import_people(db, people_csv(tmp_path / "people.csv", rows), as_of=date(2026, 3, 1), now=NOW)
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK_YAML + FOUR_LEVELS, encoding="utf-8")
    import_framework(db, framework, now=NOW)
    return db


def csv_file(tmp_path: Path, *rows: str, name: str = "goals.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([GOALS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def json_file(tmp_path: Path, items: list[dict[str, object]], name: str = "goals.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"goals": items}), encoding="utf-8")
    return path


def goal(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "person_id": "p1",
        "competency_id": "giving-feedback",
        "target_level": 3,
        "goal": "Give specific feedback within a day.",
        "review_date": "2026-02-10",
    }
    values.update(overrides)
    return values


def rejected(db: Database, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        import_goals(db, path, now=NOW)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


def stored(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return (
            [tuple(r) for r in conn.execute(select(goals).order_by(goals.c.id))],
            [tuple(r) for r in conn.execute(select(events).order_by(events.c.seq))],
        )


def test_goals_from_csv_are_stored_with_the_framework_version_and_a_goal_event(org: Database, tmp_path: Path) -> None:
    import_goals(org, csv_file(tmp_path, GOOD, "p2,clear-writing,4,Write the weekly update.,2026-02-11"), now=NOW)

    with org.transaction() as conn:
        (first,) = goal_store.active_for(conn, "p1")
        (second,) = goal_store.active_for(conn, "p2")
        goal_events = conn.execute(select(events).where(events.c.type == "goal.set").order_by(events.c.subject)).all()
    assert (first.competency_id, first.target_level, first.review_date) == ("giving-feedback", 3, date(2026, 2, 10))
    assert (first.framework_id, first.framework_version) == ("acme", "2026.1")
    assert (second.competency_id, second.target_level) == ("clear-writing", 4)
    assert [(e.subject, e.data["framework"]) for e in goal_events] == [("p1", "acme@2026.1"), ("p2", "acme@2026.1")]


def test_goals_from_json_are_stored(org: Database, tmp_path: Path) -> None:
    import_goals(org, json_file(tmp_path, [goal(), goal(person_id="p2", target_level="2")]), now=NOW)

    with org.transaction() as conn:
        assert goal_store.active_for(conn, "p1")[0].target_level == 3
        assert goal_store.active_for(conn, "p2")[0].target_level == 2


def test_importing_the_same_goals_twice_adds_nothing(org: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, GOOD)
    import_goals(org, path, now=NOW)
    before = stored(org)

    import_goals(org, path, now=NOW)

    assert stored(org) == before


def test_goals_need_a_framework_imported_first(db: Database, tmp_path: Path) -> None:
    (problem,) = rejected(db, csv_file(tmp_path, GOOD))

    assert "framework imported first" in problem.expected


def test_an_unknown_competency_names_the_row_and_field_and_lists_the_known_ids(org: Database, tmp_path: Path) -> None:
    (problem,) = rejected(
        org, csv_file(tmp_path, GOOD, GOOD.replace("giving-feedback", "juggling").replace("p1", "p2"))
    )

    assert (problem.row, problem.field, problem.value) == (3, "competency_id", "juggling")
    assert "giving-feedback" in problem.expected and "clear-writing" in problem.expected


def test_an_unknown_competency_in_json_names_the_item(org: Database, tmp_path: Path) -> None:
    (problem,) = rejected(org, json_file(tmp_path, [goal(), goal(person_id="p2", competency_id="juggling")]))

    assert (problem.row, problem.field, problem.value) == (2, "competency_id", "juggling")


def test_an_unknown_person_names_the_row_and_field(org: Database, tmp_path: Path) -> None:
    (problem,) = rejected(org, csv_file(tmp_path, GOOD.replace("p1", "ghost")))

    assert (problem.row, problem.field, problem.value) == (2, "person_id", "ghost")


def test_a_target_level_above_the_competencys_levels_is_rejected(org: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, GOOD.replace(",3,", ",4,"), "p2,clear-writing,4,Write the weekly update.,2026-02-11")

    (problem,) = rejected(org, path)

    assert (problem.row, problem.field, problem.value) == (2, "target_level", "4")
    assert "1 to 3" in problem.expected


@pytest.mark.parametrize("level", ["0", "three", "2.5", "-1", ""])
def test_a_target_level_that_is_not_a_level_number_is_rejected(org: Database, tmp_path: Path, level: str) -> None:
    (problem,) = rejected(org, csv_file(tmp_path, GOOD.replace(",3,", f",{level},")))

    assert (problem.row, problem.field) == (2, "target_level")


@pytest.mark.parametrize("when", ["10/02/2026", "2026-02-30", "soon", ""])
def test_a_bad_review_date_names_the_row_and_field(org: Database, tmp_path: Path, when: str) -> None:
    (problem,) = rejected(org, csv_file(tmp_path, GOOD.replace("2026-02-10", when)))

    assert (problem.row, problem.field) == (2, "review_date")


def test_every_bad_row_is_reported_and_nothing_is_stored(org: Database, tmp_path: Path) -> None:
    before = stored(org)
    path = csv_file(
        tmp_path,
        GOOD,
        "ghost,giving-feedback,2,Something.,2026-02-10",
        "p2,juggling,2,Something.,2026-02-10",
        "p2,giving-feedback,2,Something.,someday",
    )

    problems = rejected(org, path)

    assert {(p.row, p.field) for p in problems} == {(3, "person_id"), (4, "competency_id"), (5, "review_date")}
    assert stored(org) == before


def test_nothing_from_a_json_file_is_stored_when_one_item_is_bad(org: Database, tmp_path: Path) -> None:
    before = stored(org)

    rejected(org, json_file(tmp_path, [goal(), goal(person_id="p2", review_date="2026-13-01")]))

    assert stored(org) == before


def test_the_same_goal_twice_in_one_file_is_rejected_naming_the_second_row(org: Database, tmp_path: Path) -> None:
    before = stored(org)

    (problem,) = rejected(org, csv_file(tmp_path, GOOD, GOOD.replace("within a day", "the same day")))

    assert problem.row == 3
    assert "row 2" in problem.expected
    assert stored(org) == before


def test_json_that_is_not_json_is_a_clear_error_naming_the_line(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "goals.json"
    path.write_text('{"goals": [\n  {"person_id": "p1",,}\n]}', encoding="utf-8")

    (problem,) = rejected(org, path)

    assert (problem.expected, problem.row) == ("valid JSON", 2)


def test_a_json_item_with_an_unknown_field_is_rejected(org: Database, tmp_path: Path) -> None:
    (problem,) = rejected(org, json_file(tmp_path, [goal(competency="giving-feedback")]))

    assert (problem.row, problem.field) == (1, "competency")


def test_a_csv_goals_file_with_a_missing_column_names_the_column(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_text("person_id,competency_id,goal,review_date\np1,giving-feedback,Do it.,2026-02-10\n")

    (problem,) = rejected(org, path)

    assert (problem.row, problem.field) == (1, "target_level")


@pytest.mark.parametrize("level", ["²", "³"])
def test_a_superscript_digit_is_not_a_target_level(org: Database, tmp_path: Path, level: str) -> None:
    # str.isdigit() accepts '²' but int('²') raises ValueError
    (problem,) = rejected(org, csv_file(tmp_path, GOOD.replace(",3,", f",{level},")))

    assert (problem.row, problem.field, problem.value) == (2, "target_level", level)


@pytest.mark.parametrize("text", ["before\x00after", "\ud800 unpaired"])
def test_json_text_no_database_can_store_is_rejected_naming_the_field(org: Database, tmp_path: Path, text: str) -> None:
    before = stored(org)

    (problem,) = rejected(org, json_file(tmp_path, [goal(goal=text)]))

    assert (problem.row, problem.field) == (1, "goal")
    assert stored(org) == before


def test_a_json_integer_too_long_for_python_is_invalid_json(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "goals.json"
    path.write_text('{"goals": [{"target_level": ' + "1" * 5000 + "}]}", encoding="utf-8")

    (problem,) = rejected(org, path)

    assert problem.expected == "valid JSON"
