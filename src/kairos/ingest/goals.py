"""Development goals from a performance review, as CSV or JSON (``docs/formats/goals.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import Framework
from kairos.domain.goal import DevelopmentGoal
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text, storable
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import frameworks as framework_store
from kairos.store import goals as goal_store
from kairos.store import people as people_store

COLUMNS = ("person_id", "competency_id", "target_level", "goal", "review_date")


@dataclass(frozen=True, slots=True)
class GoalRow:
    row: int
    person_id: str
    competency_id: str
    target_level: object
    text: str
    review_date: object


def _rows(path: Path | str, max_chars: int) -> list[GoalRow]:
    file = str(path)
    text = read_text(path)
    if Path(file).suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _json_rows(text, file, max_chars)
    return [
        GoalRow(
            r.number,
            r.values["person_id"],
            r.values["competency_id"],
            r.values["target_level"],
            r.values["goal"],
            r.values["review_date"],
        )
        for r in read_csv(text, file, required=COLUMNS, max_chars=max_chars)
    ]


def _json_rows(text: str, file: str, max_chars: int) -> list[GoalRow]:
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, and ValueError for ints over 4300 digits
        line = getattr(exc, "lineno", None)
        raise InputError.at(file, "valid JSON", row=line, value=str(exc)) from None
    items = doc.get("goals") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InputError.at(file, 'a list of goals, or an object {"goals": [...]}', value=type(doc).__name__)
    problems = Problems(file)
    rows: list[GoalRow] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add("a goal object", row=index, value=item)
            continue
        values = {}
        for key in COLUMNS:
            value = item.get(key)
            if isinstance(value, str) and len(value) > max_chars:
                problems.add(f"at most {max_chars} characters", row=index, field=key, value=value)
                value = ""
            if isinstance(value, str) and not storable(value):
                problems.add(
                    "text without NUL characters or unpaired surrogates (\\u0000, \\ud800)",
                    row=index,
                    field=key,
                    value=value,
                )
                value = ""
            values[key] = value.strip() if isinstance(value, str) else value
        unknown = set(item) - set(COLUMNS)
        if unknown:
            problems.add(f"only the fields {', '.join(COLUMNS)}", row=index, field=sorted(unknown)[0])
        rows.append(
            GoalRow(
                index,
                str(values["person_id"] or ""),
                str(values["competency_id"] or ""),
                values["target_level"],
                str(values["goal"] or ""),
                values["review_date"],
            )
        )
    problems.raise_if_any()
    return rows


def validate_goals(
    rows: list[GoalRow], file: str, framework: Framework | None, known_people: set[str]
) -> list[DevelopmentGoal]:
    problems = Problems(file)
    if framework is None:
        raise InputError.at(file, "a competency framework imported first (kairos import framework FILE)")
    found: list[DevelopmentGoal] = []
    first_row: dict[tuple[str, str, date], int] = {}  # the stored goal's key: a second row would overwrite it
    for r in rows:
        bad = False
        if r.person_id not in known_people:
            problems.add("the id of an active person", row=r.row, field="person_id", value=r.person_id)
            bad = True
        competency = framework.competency(r.competency_id)
        if competency is None:
            problems.add(
                f"a competency of framework {framework.id} {framework.version} "
                f"({', '.join(c.id for c in framework.competencies)})",
                row=r.row,
                field="competency_id",
                value=r.competency_id,
            )
            bad = True
        level = r.target_level
        if isinstance(level, str) and level.strip().isascii() and level.strip().isdigit():  # int('²') fails
            level = int(level)
        top = len(competency.levels) if competency else 5
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= top:
            problems.add(f"a level from 1 to {top}", row=r.row, field="target_level", value=r.target_level)
            bad = True
        if not r.text:
            problems.add("the goal's text", row=r.row, field="goal", value=r.text)
            bad = True
        try:
            review = date.fromisoformat(str(r.review_date))
        except ValueError:
            problems.add("a date as YYYY-MM-DD", row=r.row, field="review_date", value=r.review_date)
            bad = True
        if not bad and (r.person_id, r.competency_id, review) in first_row:
            problems.add(
                f"one goal per person, competency and review date (also on row "
                f"{first_row[(r.person_id, r.competency_id, review)]})",
                row=r.row,
                field="competency_id",
                value=r.competency_id,
            )
            bad = True
        if bad:
            continue
        first_row[(r.person_id, r.competency_id, review)] = r.row
        found.append(
            DevelopmentGoal(
                person_id=r.person_id,
                competency_id=r.competency_id,
                target_level=cast(int, level),  # checked above: an int within the levels
                text=r.text,
                review_date=review,
                framework_id=framework.id,
                framework_version=framework.version,
            )
        )
    if not rows:
        problems.add("at least one goal")
    problems.raise_if_any()
    return found


def import_goals(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> int:
    """Validate every goal against the stored people and framework, then store them with their events."""
    file = str(path)
    rows = _rows(path, max_chars)
    source = f"kairos/goals/{Path(file).name}"
    with db.transaction() as conn:
        goals = validate_goals(rows, file, framework_store.latest(conn), set(people_store.active(conn)))
        goal_store.save(conn, goals, now)
        return event_log.append(
            conn,
            [
                Event(
                    id=content_id(g.person_id, g.competency_id, g.target_level, g.text, g.review_date),
                    source=source,
                    type=EventType.GOAL_SET,
                    subject=g.person_id,
                    time=datetime.combine(g.review_date, time(0), tzinfo=UTC),
                    data={
                        "competency_id": g.competency_id,
                        "target_level": g.target_level,
                        "goal": g.text,
                        "framework": f"{g.framework_id}@{g.framework_version}",
                    },
                )
                for g in goals
            ],
            now,
        )
