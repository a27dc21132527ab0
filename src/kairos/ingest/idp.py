"""Individual development plans, as CSV or JSON (``docs/formats/development-plans.md``).

One row per action: the person, the competency, the level the plan aims at, the action and its due
date. A file holds the whole current plan of every person it names: importing it replaces their
stored plan, and records one ``plan.updated`` event per person whose plan is new or changed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.feedback import DevelopmentPlan, PlanAction, PlanItem
from kairos.domain.framework import Framework
from kairos.ingest.base import Problems, read_text
from kairos.ingest.feedback import (
    ImportResult,
    Record,
    check_competency,
    check_date,
    check_level,
    check_person,
    read_records,
    require_framework,
)
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store

COLUMNS = ("person_id", "competency_id", "target_level", "action", "due_date")


def read_plan_text(text: str, file: str, *, max_chars: int = 2000) -> tuple[list[Record], Problems]:
    problems = Problems(file)
    records = read_records(text, file, problems, what="plan action", key="plans", required=COLUMNS,
                           max_chars=max_chars)  # fmt: skip
    return records, problems


def validate_plans(
    records: list[Record], problems: Problems, framework: Framework | None, statuses: dict[str, str]
) -> list[DevelopmentPlan]:
    fw = require_framework(framework, problems.file)
    targets: dict[tuple[str, str], tuple[int, int]] = {}  # (person, competency) → (target level, first row)
    actions: dict[tuple[str, str, str], int] = {}
    plans: dict[str, dict[str, list[PlanAction]]] = {}
    for row, v in records:
        before = len(problems.items)
        person = check_person(v["person_id"], statuses, problems, row=row, field="person_id")
        competency = check_competency(v["competency_id"], fw, problems, row=row)
        target = check_level(v["target_level"], competency, problems, row=row, field="target_level")
        if not v["action"]:
            problems.add("the action's text", row=row, field="action", value="")
        due = check_date(v["due_date"], problems, row=row, field="due_date")
        if len(problems.items) > before or person is None or competency is None or target is None or due is None:
            continue
        known = targets.setdefault((person, competency.id), (target, row))
        if known[0] != target:
            problems.add(f"one target level per person and competency ({known[0]} on row {known[1]})", row=row,
                         field="target_level", value=v["target_level"])  # fmt: skip
            continue
        key = (person, competency.id, v["action"])
        if key in actions:
            problems.add(f"each action once per person and competency (also on row {actions[key]})", row=row,
                         field="action", value=v["action"])  # fmt: skip
            continue
        actions[key] = row
        plans.setdefault(person, {}).setdefault(competency.id, []).append(PlanAction(v["action"], due))
    if not records:
        problems.add("at least one plan action")
    problems.raise_if_any()
    return [
        DevelopmentPlan(
            person_id=person,
            items=tuple(
                PlanItem(cid, targets[(person, cid)][0], tuple(sorted(acts, key=lambda a: (a.due_date, a.text))))
                for cid, acts in items.items()
            ),
            framework_id=fw.id,
            framework_version=fw.version,
        )
        for person, items in plans.items()
    ]


def parse_plans_text(
    text: str, file: str, framework: Framework | None, statuses: dict[str, str], *, max_chars: int = 2000
) -> list[DevelopmentPlan]:
    records, problems = read_plan_text(text, file, max_chars=max_chars)
    return validate_plans(records, problems, framework, statuses)


def plan_event(plan: DevelopmentPlan, source: str, now: datetime) -> Event:
    items = [
        {
            "competency_id": item.competency_id,
            "target_level": item.target_level,
            "actions": len(item.actions),
            "next_due": min(a.due_date for a in item.actions).isoformat(),
        }
        for item in plan.items
    ]
    content = [(i.competency_id, i.target_level, [(a.text, a.due_date) for a in i.actions]) for i in plan.items]
    return Event(
        id=content_id(plan.person_id, sorted(content), plan.framework_id, plan.framework_version),
        source=source,
        type=EventType.PLAN_UPDATED,
        subject=plan.person_id,
        time=now,
        data={"competencies": items, "framework": f"{plan.framework_id}@{plan.framework_version}"},
    )


def import_plans(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> ImportResult:
    """Validate every plan action, then replace each named person's plan and record the events, in one transaction."""
    file = str(path)
    records, problems = read_plan_text(read_text(path), file, max_chars=max_chars)
    ids = {v["person_id"] for _, v in records if v["person_id"]}
    source = f"kairos/plans/{Path(file).name}"
    with db.transaction() as conn:
        plans = validate_plans(
            records, problems, framework_store.latest(conn), feedback_store.person_statuses(conn, ids)
        )
        feedback_store.replace_plans(conn, plans, now)
        added = event_log.append(conn, [plan_event(p, source, now) for p in plans], now)
        return ImportResult(records=len(plans), events=added)
