"""Individual development plans: one row per action; a person's plan in a file replaces their last."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.idp import import_plans
from kairos.store import Database
from kairos.store import feedback as feedback_store
from kairos.store.schema import events, plan_actions
from tests.unit.test_feedback_three_sixty import build_org

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HEADER = "person_id,competency_id,target_level,action,due_date"
FIRST = "p1,clear-writing,3,Write a design note for the migration.,2026-03-27"
SECOND = "p1,clear-writing,3,Rewrite one old note with the guide.,2026-03-10"
OTHER = "p1,giving-feedback,2,Ask for feedback after each demo.,2026-04-30"


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    return build_org(db, tmp_path)


def csv_file(tmp_path: Path, *rows: str, name: str = "plans.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def rejected(db: Database, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        import_plans(db, path, now=NOW)
    return caught.value.problems


def stored(db: Database) -> list[list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return [[tuple(r) for r in conn.execute(select(t))] for t in (plan_actions, events)]


def test_a_plan_is_stored_with_its_actions_by_due_date_and_one_plan_updated_event(
    org: Database, tmp_path: Path
) -> None:
    result = import_plans(org, csv_file(tmp_path, FIRST, SECOND, OTHER), now=NOW)

    with org.transaction() as conn:
        plan = feedback_store.plan_for(conn, "p1")
        (event,) = conn.execute(select(events).where(events.c.type == "plan.updated")).all()
    assert (result.records, result.events) == (1, 1)
    assert plan is not None and plan.framework_version == "2026.1"
    writing, feedback = plan.items
    assert (writing.competency_id, writing.target_level) == ("clear-writing", 3)
    assert [a.due_date for a in writing.actions] == [date(2026, 3, 10), date(2026, 3, 27)]
    assert event.subject == "p1"
    assert event.data["competencies"][0] == {"competency_id": "clear-writing", "target_level": 3, "actions": 2,
                                             "next_due": "2026-03-10"}  # fmt: skip


def test_a_new_plan_replaces_the_person_s_last_and_records_a_new_event(org: Database, tmp_path: Path) -> None:
    import_plans(org, csv_file(tmp_path, FIRST, SECOND, OTHER), now=NOW)

    result = import_plans(org, csv_file(tmp_path, OTHER, name="later.csv"), now=NOW)

    with org.transaction() as conn:
        plan = feedback_store.plan_for(conn, "p1")
    assert result.events == 1
    assert plan is not None and [i.competency_id for i in plan.items] == ["giving-feedback"]


def test_importing_the_same_plan_twice_adds_no_event(org: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, FIRST)
    import_plans(org, path, now=NOW)

    assert import_plans(org, path, now=NOW).events == 0


def test_plans_from_json_are_stored(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({"plans": [{"person_id": "p1", "competency_id": "clear-writing", "target_level": 4,
                                           "action": "Write.", "due_date": "2026-05-01"}]}))  # fmt: skip

    import_plans(org, path, now=NOW)

    with org.transaction() as conn:
        plan = feedback_store.plan_for(conn, "p1")
    assert plan is not None and plan.items[0].target_level == 4


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("ghost,clear-writing,3,Act.,2026-03-27", "person_id"),
        ("gone,clear-writing,3,Act.,2026-03-27", "person_id"),
        ("p1,juggling,3,Act.,2026-03-27", "competency_id"),
        ("p1,clear-writing,5,Act.,2026-03-27", "target_level"),
        ("p1,clear-writing,3,,2026-03-27", "action"),
        ("p1,clear-writing,3,Act.,next month", "due_date"),
        ("p1,clear-writing,4,Act.,2026-03-27", "target_level"),
        ("p1,clear-writing,3,Write a design note for the migration.,2026-04-27", "action"),
    ],
)
def test_a_bad_row_names_the_row_and_field_and_nothing_is_stored(
    org: Database, tmp_path: Path, row: str, field: str
) -> None:
    before = stored(org)

    problems = rejected(org, csv_file(tmp_path, FIRST, row))

    assert [(p.row, p.field) for p in problems] == [(3, field)]
    assert stored(org) == before
