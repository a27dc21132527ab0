"""The learning catalog, as CSV or JSON (``docs/formats/catalog.md``): activities tagged by competency and level.

Each row names an xAPI activity (its IRI, as learning platforms send it in statements), its title,
the competencies it develops (``;``-separated ids of the latest stored framework) and optionally the
levels it is written for, a description and its length in minutes. The whole file is checked first;
then its activities are added (or replaced, by activity id) in one transaction, and stored statements
that already completed them become ``learning.completed`` events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kairos.domain.framework import Framework
from kairos.domain.learning import CatalogEntry
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text, storable
from kairos.ingest.xapi import relink_completions
from kairos.ingest.xapi_statement import IRI_PATTERN
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store import xapi as xapi_store

REQUIRED = ("activity_id", "title", "competencies")
OPTIONAL = ("description", "levels", "minutes")
MAX_MINUTES = 100_000


@dataclass(frozen=True, slots=True)
class CatalogImport:
    entries: int
    new: int  # activities not catalogued before
    events: int  # learning.completed events for statements stored before their activity was catalogued
    framework: str  # "id version" checked against


@dataclass(frozen=True, slots=True)
class _Row:
    row: int
    values: dict[str, Any]


def _rows(text: str, file: str, max_chars: int) -> list[_Row]:
    if Path(file).suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _json_rows(text, file, max_chars)
    return [_Row(r.number, dict(r.values)) for r in read_csv(text, file, required=REQUIRED, optional=OPTIONAL,
                                                             max_chars=max_chars)]  # fmt: skip


def _json_rows(text: str, file: str, max_chars: int) -> list[_Row]:
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError.at(file, "valid JSON", row=getattr(exc, "lineno", None), value=str(exc)) from None
    items = doc.get("activities") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InputError.at(file, 'a list of activities, or an object {"activities": [...]}', value=type(doc).__name__)
    problems = Problems(file)
    rows: list[_Row] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add("an activity object", row=index, value=item)
            continue
        for key in sorted(set(item) - set(REQUIRED) - set(OPTIONAL)):
            problems.add(f"only the fields {', '.join(REQUIRED + OPTIONAL)}", row=index, field=key)
        values = {k: item.get(k) for k in REQUIRED + OPTIONAL}
        for key, value in values.items():
            if isinstance(value, str) and len(value) > max_chars:
                problems.add(f"at most {max_chars} characters", row=index, field=key, value=value)
                values[key] = ""
        rows.append(_Row(index, values))
    problems.raise_if_any()
    return rows


def _text(r: _Row, name: str, problems: Problems, *, required: bool) -> str:
    value = r.values.get(name)
    if value is None or value == "":
        if required:
            problems.add(f"the activity's {name.replace('_', ' ')}", row=r.row, field=name, value=value)
        return ""
    if not isinstance(value, str) or not storable(value):
        problems.add("text without NUL characters or unpaired surrogates", row=r.row, field=name, value=value)
        return ""
    return value.strip()


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value if isinstance(value, list) else [value]


def _entry(r: _Row, framework: Framework, problems: Problems) -> CatalogEntry | None:
    before = len(problems.items)
    activity_id = _text(r, "activity_id", problems, required=True)
    if activity_id and not IRI_PATTERN.match(activity_id):
        problems.add("the activity's IRI, e.g. https://learn.example.com/courses/feedback-101", row=r.row,
                     field="activity_id", value=activity_id)  # fmt: skip
    title = _text(r, "title", problems, required=True)
    description = _text(r, "description", problems, required=False)
    known = ", ".join(c.id for c in framework.competencies)
    competencies: list[str] = []
    for item in _list(r.values.get("competencies")):
        competency = framework.competency(item) if isinstance(item, str) else None
        if competency is None:
            problems.add(f"competency ids of framework {framework.id} {framework.version} ({known}), separated by ;",
                         row=r.row, field="competencies", value=item)  # fmt: skip
        elif item not in competencies:
            competencies.append(item)
    if not _list(r.values.get("competencies")):
        problems.add(f"at least one competency id of framework {framework.id} {framework.version} ({known})",
                     row=r.row, field="competencies")  # fmt: skip
    levels = _levels(r, framework, competencies, problems)
    minutes = _minutes(r, problems)
    if len(problems.items) > before:
        return None
    return CatalogEntry(activity_id, title, description, tuple(competencies), levels, minutes)


def _levels(r: _Row, framework: Framework, competencies: list[str], problems: Problems) -> tuple[int, ...]:
    """Levels the activity is written for: each a level of every competency it names."""
    top = min((len(c.levels) for c in map(framework.competency, competencies) if c), default=5)
    found: list[int] = []
    for item in _list(r.values.get("levels")):
        level = int(item) if isinstance(item, str) and item.isascii() and item.isdigit() and len(item) < 4 else item
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= top:
            problems.add(f"levels from 1 to {top} (of its competencies), separated by ;", row=r.row, field="levels",
                         value=item)  # fmt: skip
        elif level not in found:
            found.append(level)
    return tuple(sorted(found))


def _minutes(r: _Row, problems: Problems) -> int | None:
    value = r.values.get("minutes")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.strip().isdigit() and len(value.strip()) < 7:
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        problems.add(f"a whole number of minutes from 1 to {MAX_MINUTES}", row=r.row, field="minutes", value=value)
        return None
    return value


def parse_catalog(path: Path | str, framework: Framework | None, *, max_chars: int = 2000) -> list[CatalogEntry]:
    """Every entry of a catalog file, checked against ``framework``; all problems are raised together."""
    file = str(path)
    if framework is None:
        raise InputError.at(file, "a competency framework imported first (kairos import framework FILE)")
    rows = _rows(read_text(path), file, max_chars)
    problems = Problems(file)
    if not rows:
        problems.add("at least one activity")
    entries: list[CatalogEntry] = []
    first: dict[str, int] = {}
    for r in rows:
        entry = _entry(r, framework, problems)
        if entry is None:
            continue
        if entry.activity_id in first:
            problems.add(f"each activity once (also on row {first[entry.activity_id]})", row=r.row,
                         field="activity_id", value=entry.activity_id)  # fmt: skip
            continue
        first[entry.activity_id] = r.row
        entries.append(entry)
    problems.raise_if_any()
    return entries


def import_catalog(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> CatalogImport:
    """``kairos import catalog FILE``: check the file against the latest framework, store it, link completions."""
    with db.transaction() as conn:
        framework = framework_store.latest(conn)
        entries = parse_catalog(path, framework, max_chars=max_chars)
        assert framework is not None  # parse_catalog refuses a missing framework
        new = xapi_store.save_catalog(conn, entries, framework, str(path), now)
        events = relink_completions(conn, [e.activity_id for e in entries], now)
    return CatalogImport(len(entries), new, events, f"{framework.id} {framework.version}")
