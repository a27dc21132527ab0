"""What the feedback importers share (360 campaigns, reviews, check-ins, development plans).

Each format is a CSV whose columns are documented in ``docs/formats/``, or JSON with the same
fields: a list of objects, or an object holding the list under the format's key. Values are
read as text and checked field by field, so both formats give the same errors. A JSON "row" is
the object's position in its list, counting from 1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import Competency, Framework
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.person import PersonStatus
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, storable

Record = tuple[int, dict[str, str]]  # (row, values by field)

ID_PATTERN = re.compile(r"^[\w.\-@:]{1,100}$")
_INT = re.compile(r"^[+-]?[0-9]{1,9}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_ID = 100  # the stored id columns are String(100)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import stored: how many records (reviews, check-ins, plans, responses) and new events."""

    records: int
    events: int


def looks_like_json(text: str, file: str) -> bool:
    return Path(file).suffix.lower() == ".json" or text.lstrip().startswith(("{", "["))


def load_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, and ValueError for ints over 4300 digits
        raise InputError.at(file, "valid JSON", row=getattr(exc, "lineno", None), value=str(exc)) from None


def json_value(value: object, problems: Problems, *, row: int | None, field: str, max_chars: int) -> str:
    """A JSON scalar as the text a CSV cell would hold; anything else is a problem (and reads as empty)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add("a text or a whole number", row=row, field=field, value=value)
        return ""
    text = str(value).strip()
    if len(text) > max_chars:
        problems.add(f"at most {max_chars} characters", row=row, field=field, value=text)
        return ""
    if not storable(text):
        problems.add("text without NUL characters or unpaired surrogates (\\u0000, \\ud800)", row=row, field=field,
                     value=text)  # fmt: skip
        return ""
    return text


def json_records(
    items: object,
    problems: Problems,
    *,
    what: str,
    key: str,
    columns: Iterable[str],
    max_chars: int,
) -> list[Record]:
    """The objects of a JSON list as records; unknown fields and non-objects are problems."""
    known = list(columns)
    if not isinstance(items, list):
        raise InputError.at(problems.file, f'a list of {what} objects, or an object {{"{key}": [...]}}',
                            value=type(items).__name__)  # fmt: skip
    records: list[Record] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add(f"a {what} object", row=index, value=item)
            continue
        for key in sorted(str(k) for k in set(item) - set(known)):
            problems.add(f"only the fields {', '.join(known)}", row=index, field=key)
        records.append(
            (index, {k: json_value(item.get(k), problems, row=index, field=k, max_chars=max_chars) for k in known})
        )
    return records


def read_records(
    text: str,
    file: str,
    problems: Problems,
    *,
    what: str,
    key: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    max_chars: int,
) -> list[Record]:
    """Records from CSV (columns matched without case), or from JSON: a list, or ``{key: [...]}``."""
    if looks_like_json(text, file):
        doc = load_json(text, file)
        items = doc.get(key) if isinstance(doc, dict) else doc
        if isinstance(doc, dict):
            for other in sorted(str(k) for k in doc if k != key):
                problems.add(f'only the key "{key}" at the top level', field=other)
        return json_records(items, problems, what=what, key=key, columns=(*required, *optional), max_chars=max_chars)
    rows = read_csv(text, file, required=required, optional=optional, max_chars=max_chars, problems=problems)
    return [(r.number, {k: r.values.get(k, "") for k in (*required, *optional)}) for r in rows]


# --- field checks: each adds its problem and answers None when the value is unusable -----------------


def parse_int(value: str) -> int | None:
    text = value.strip()
    return int(text) if _INT.match(text) else None


def check_date(value: str, problems: Problems, *, row: int | None, field: str) -> date | None:
    try:
        if _DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    problems.add("a date as YYYY-MM-DD", row=row, field=field, value=value)
    return None


def check_person(
    value: str, statuses: dict[str, str], problems: Problems, *, row: int | None, field: str
) -> str | None:
    """A known person who has not left; unknown and terminated people are problems."""
    status = statuses.get(value)
    if status is None:
        problems.add("the id of a known person (import people first)", row=row, field=field, value=value)
        return None
    if status == PersonStatus.TERMINATED.value:
        problems.add("a person who has not left (this person is terminated)", row=row, field=field, value=value)
        return None
    return value


def require_framework(framework: Framework | None, file: str) -> Framework:
    if framework is None:
        raise InputError.at(file, "a competency framework imported first (kairos import framework FILE)")
    return framework


def check_competency(
    value: str, framework: Framework, problems: Problems, *, row: int | None, field: str = "competency_id"
) -> Competency | None:
    competency = framework.competency(value)
    if competency is None:
        problems.add(
            f"a competency of framework {framework.id} {framework.version} "
            f"({', '.join(c.id for c in framework.competencies)})",
            row=row,
            field=field,
            value=value,
        )
    return competency


def check_level(
    value: str, competency: Competency | None, problems: Problems, *, row: int | None, field: str
) -> int | None:
    """A proficiency level of the competency: 1 up to its highest level."""
    top = len(competency.levels) if competency else 5
    level = parse_int(value)
    if level is None or not 1 <= level <= top:
        problems.add(f"a level from 1 to {top}", row=row, field=field, value=value)
        return None
    return level


def day_start(day: date) -> datetime:
    """Midnight UTC of a calendar date: the time events about a dated record carry."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def goal_set_event(goal: DevelopmentGoal, source: str) -> Event:
    """The ``goal.set`` event for a goal, in the shape ``kairos.ingest.goals.import_goals`` records it."""
    return Event(
        id=content_id(goal.person_id, goal.competency_id, goal.target_level, goal.text, goal.review_date),
        source=source,
        type=EventType.GOAL_SET,
        subject=goal.person_id,
        time=day_start(goal.review_date),
        data={
            "competency_id": goal.competency_id,
            "target_level": goal.target_level,
            "goal": goal.text,
            "framework": f"{goal.framework_id}@{goal.framework_version}",
        },
    )
