"""Learning records in: xAPI statements validated, stored with what they name, and completions turned into events.

Both ways in, ``POST /xapi/statements`` and ``kairos import xapi FILE``, use :func:`parse_statement`
and :func:`record_statements`, so a statement the API refuses the file import refuses too, with
the same JSON path. A batch is all or nothing: one invalid or conflicting statement stores none.

Who a statement is about: an agent's ``mbox`` (``mailto:`` + the person's email, any case) or its
``account.name`` (the person's id, whatever the ``homePage``) names an employed person. Statements
about anyone else are stored and can be queried, but make no events. A statement that completes
(verb completed or passed, or ``result.completion: true``) a catalogued activity for a known person
becomes one ``learning.completed`` event whose id is the statement id: resending, re-importing or
re-linking it never makes a second one.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from kairos.domain.event import Event
from kairos.domain.learning import VOIDED, CatalogEntry, LearningRecord, learning_completed
from kairos.errors import InputError, KairosError
from kairos.ingest.base import Problems, read_text, storable
from kairos.ingest.xapi_statement import (
    OBJECT_TYPE_ERROR,
    UNION_TAGS,
    Activity,
    Agent,
    Group,
    Statement,
    StatementRef,
    SubStatement,
    parse_timestamp,
)
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import xapi as xapi_store

# Statements nest a few levels; anything deeper than this is not a statement (and would exhaust the stack).
MAX_DEPTH = 64
# Ids for statements a file gives without one are derived from their content, so re-importing adds nothing.
_FILE_NAMESPACE = uuid.UUID("5a0c2f3e-8f1d-4c0e-9b6a-6b1f0e4d7c21")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IMPORT_AUTHORITY: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": "urn:kairos", "name": "import"}}


class StatementConflict(KairosError):
    """A statement id is already stored with different content (HTTP 409)."""

    def __init__(self, statement_id: str, path: str) -> None:
        self.statement_id = statement_id
        self.path = path
        super().__init__(f"{path}: statement {statement_id} is already stored with different content")


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """A valid statement: the model to read it by, and the document to store (as received, id filled in)."""

    id: str
    model: Statement
    document: dict[str, Any]
    path: str  # where it was in its input: "$", "$[3]"
    row: int | None  # its line, in newline-delimited JSON


@dataclass(frozen=True, slots=True)
class Recorded:
    ids: list[str]  # every statement's id, in input order
    new: int  # statements stored now (the others were stored before, with the same content)
    unknown_actors: int  # new statements whose actor is no employed person
    events: int  # new learning.completed events


def join(path: str, key: str | int) -> str:
    """A JSON path one step further: ``$.actor``, ``$[2]``, ``$.context.extensions["https://…"]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _NAME.match(key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _scan(
    value: Any,
    path: str,
    add: Callable[[str, str, Any], None],
    *,
    open_values: bool,
    depth: int = 0,
    opens: bool = False,
) -> None:
    """Report what no statement may hold before the model sees it: nulls (outside extension values), text no
    database stores, and nesting deeper than :data:`MAX_DEPTH`."""
    if depth > MAX_DEPTH:
        add(path, f"JSON nested at most {MAX_DEPTH} levels deep", None)
    elif value is None and not open_values:
        add(path, "a value: null is not allowed in a statement (leave the property out)", None)
    elif isinstance(value, str) and not storable(value):
        add(path, "text without NUL characters or unpaired surrogates (\\u0000, \\ud800)", value)
    elif isinstance(value, dict):
        open_values = open_values or opens
        for key, item in value.items():
            if not storable(key):
                add(path, "property names without NUL characters or unpaired surrogates", key)
                continue
            # an extensions map is a statement property, but its values are any JSON, null included
            extension_map = key == "extensions" and isinstance(item, dict)
            _scan(item, join(path, key), add, open_values=open_values, depth=depth + 1, opens=extension_map)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scan(item, join(path, index), add, open_values=open_values, depth=depth + 1)


def expected_text(error: Any) -> str:
    """What a pydantic error wanted, in words for the person fixing the statement."""
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "this property: it is required"
    if kind == "extra_forbidden":
        return "no property of this name here (xAPI 1.0.3 does not define it)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "a JSON object"
    if kind == "list_type":
        return "a JSON array"
    if kind == "bool_type":
        return "true or false"
    if kind in ("float_type", "int_type"):
        return "a number"
    if kind == "literal_error":
        return f"the value {error.get('ctx', {}).get('expected', '')}"
    return str(message).removeprefix("Value error, ").removeprefix("Input should be ")


def error_path(base: str, loc: Sequence[str | int], error_type: str) -> str:
    path = base
    for part in loc:
        if part in UNION_TAGS or part == "[key]":
            continue
        path = join(path, part)
    return join(path, "objectType") if error_type == OBJECT_TYPE_ERROR else path


def content_hash(model: Statement) -> str:
    """The hash of what xAPI compares when a statement id is sent again.

    Left out, as xAPI-Data §2.3 says: id, stored, timestamp, authority, version, attachments and
    activity definitions; member order and the case of language tags, UUIDs and addresses do not count.
    """
    doc = model.model_dump(mode="json", by_alias=True, exclude_none=True,
                           exclude={"id", "stored", "timestamp", "authority", "version", "attachments"})  # fmt: skip
    return hashlib.sha256(json.dumps(_canonical(doc), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _canonical(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        if key == "extensions":
            return value
        found = {k: _canonical(v, k) for k, v in value.items() if k != "definition"}
        if found.get("objectType") in ("Agent", "Activity"):
            del found["objectType"]  # the default, written or not
        if key in ("display", "name", "description") and all(isinstance(v, str) for v in found.values()):
            found = {k.lower(): v for k, v in found.items()}
        if "mbox" in found:
            found["mbox"] = found["mbox"].lower()
        return found
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True)) if key == "member" else items
    return value


def parse_statement(
    doc: Any, problems: Problems, *, path: str = "$", row: int | None = None, derive_id: bool = False
) -> ParsedStatement | None:
    """A valid statement, or None with its problems added (each naming the JSON path at fault).

    A statement without an id gets a random UUID, or with ``derive_id`` one derived from its content.
    """
    if not isinstance(doc, dict):
        problems.add("a statement (a JSON object)", row=row, field=path, value=type(doc).__name__)
        return None
    before = len(problems.items)

    def add(where: str, expected: str, value: Any) -> None:
        problems.add(expected, row=row, field=where, value=value)

    _scan(doc, path, add, open_values=False)
    if len(problems.items) > before:
        return None
    try:
        model = Statement.model_validate(doc)
    except ValidationError as exc:
        for error in exc.errors():
            value = None if error["type"] == "missing" else error.get("input")
            add(error_path(path, error["loc"], error["type"]), expected_text(error), value)
        return None
    for where, expected in model.cross_problems():
        add(path + where[1:], expected, None)
    if len(problems.items) > before:
        return None
    if model.id is not None:
        statement_id = model.id
    elif derive_id:
        statement_id = str(uuid.uuid5(_FILE_NAMESPACE, json.dumps(doc, sort_keys=True, ensure_ascii=False)))
    else:
        statement_id = str(uuid.uuid4())
    return ParsedStatement(statement_id, model, {**doc, "id": statement_id}, path, row)


def parse_batch(doc: Any, problems: Problems, *, derive_ids: bool = False) -> list[ParsedStatement]:
    """One statement (an object) or a batch (an array); ids used twice in one batch are refused."""
    items = doc if isinstance(doc, list) else [doc]
    found: list[ParsedStatement] = []
    for index, item in enumerate(items):
        parsed = parse_statement(item, problems, path=f"$[{index}]" if isinstance(doc, list) else "$",
                                 derive_id=derive_ids)  # fmt: skip
        if parsed is not None:
            found.append(parsed)
    _refuse_repeated_ids(found, problems)
    return found


def _refuse_repeated_ids(found: Sequence[ParsedStatement], problems: Problems) -> None:
    first: dict[str, ParsedStatement] = {}
    for parsed in found:
        if parsed.id in first and parsed.model.id is not None:  # ids derived from content repeat with it
            earlier = first[parsed.id]
            where = f"{earlier.path}" if earlier.row is None else f"line {earlier.row}"
            problems.add(f"a statement id not used before in the same input (also at {where})", row=parsed.row,
                         field=join(parsed.path, "id"), value=parsed.id)  # fmt: skip
        first.setdefault(parsed.id, parsed)


def read_statements_file(path: Path | str) -> list[ParsedStatement]:
    """Statements from a JSON array (or one object) or newline-delimited JSON; every problem is reported at once."""
    file = str(path)
    text = read_text(path)
    problems = Problems(file)
    try:
        doc = loads(text)
    except (ValueError, RecursionError) as exc:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) < 2 or not lines[0][1].lstrip().startswith("{"):
            raise InputError.at(file, "a JSON array of statements, or one statement per line",
                                row=getattr(exc, "lineno", None), value=str(exc)) from None  # fmt: skip
        found: list[ParsedStatement] = []
        for number, line in lines:
            try:
                item = loads(line)
            except (ValueError, RecursionError) as line_exc:
                problems.add("one JSON statement on this line", row=number, value=str(line_exc))
                continue
            parsed = parse_statement(item, problems, path="$", row=number, derive_id=True)
            if parsed is not None:
                found.append(parsed)
        _refuse_repeated_ids(found, problems)
        problems.raise_if_any()
        return found
    if isinstance(doc, dict) and isinstance(doc.get("statements"), list) and set(doc) <= {"statements", "more"}:
        doc = doc["statements"]  # a StatementResult saved from another LRS
    batch = parse_batch(doc, problems, derive_ids=True)
    problems.raise_if_any()
    return batch


def loads(text: str) -> Any:
    """JSON as the standard defines it: Python's ``NaN`` and ``Infinity`` are refused (ValueError)."""
    return json.loads(text, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- recording ----------------------------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _links(model: Statement) -> dict[tuple[str, str], bool]:
    """What a statement names, for the filters: (kind, identifier) -> matched without related_*."""
    found: dict[tuple[str, str], bool] = {}

    def put(kind: str, key: str | None, direct: bool) -> None:
        if key is not None:
            found[(kind, key)] = found.get((kind, key), False) or direct

    def agents(actor: Agent | Group | None, direct: bool) -> None:
        if actor is None:
            return
        put("agent", actor.key(), direct)
        if isinstance(actor, Group):
            for member in actor.member or ():
                put("agent", member.key(), direct)

    def activities(target: Any, context: Any, direct: bool) -> None:
        if isinstance(target, Activity):
            put("activity", target.id, direct)
        elif isinstance(target, Agent | Group):
            agents(target, direct)
        if context is not None:
            agents(context.instructor, False)
            agents(context.team, False)
            for activity in context.context_activities.all() if context.context_activities else ():
                put("activity", activity.id, False)

    agents(model.actor, True)
    put("verb", model.verb.id, True)
    activities(model.object, model.context, True)
    agents(model.authority, False)
    if isinstance(model.object, SubStatement):
        sub = model.object
        agents(sub.actor, False)
        activities(sub.object, sub.context, False)
    if model.context is not None and model.context.registration is not None:
        put("registration", model.context.registration, True)
    return found


def _person_keys(model: Statement) -> tuple[str | None, str | None]:
    """(lowercase email, person id) the actor names, when it is one agent."""
    actor = model.actor
    if not isinstance(actor, Agent):
        return None, None
    if actor.mbox is not None:
        return actor.mbox.removeprefix("mailto:").lower(), None
    if actor.account is not None:
        return None, actor.account.name
    return None, None


def _resolve(conn: Connection, models: Sequence[Statement]) -> list[str | None]:
    keys = [_person_keys(m) for m in models]
    by_email = xapi_store.people_by_email(conn, (e for e, _ in keys if e))
    ids = xapi_store.employed_ids(conn, (i for _, i in keys if i))
    return [by_email.get(e) if e else (i if i in ids else None) for e, i in keys]


def _record(model: Statement, statement_id: str, stored: datetime) -> LearningRecord:
    result, score = model.result, None
    if result is not None and result.score is not None:
        s = result.score
        if s.scaled is not None:
            score = s.scaled
        elif s.raw is not None and s.min is not None and s.max is not None:
            score = round((s.raw - s.min) / (s.max - s.min), 4)
    return LearningRecord(
        statement_id=statement_id,
        verb=model.verb.id,
        activity_id=model.object.id if isinstance(model.object, Activity) else None,
        completion=result.completion if result else None,
        success=result.success if result else None,
        score=score,
        time=parse_timestamp(model.timestamp) if model.timestamp else stored,
    )


def _completions(conn: Connection, found: Sequence[tuple[Statement, str, str | None, datetime]]) -> list[Event]:
    """learning.completed events for (statement, id, person, stored) that complete a catalogued activity."""
    records = [(_record(m, sid, stored), person) for m, sid, person, stored in found if person is not None]
    catalog: dict[str, CatalogEntry] = xapi_store.catalog_entries(
        conn, {r.activity_id for r, _ in records if r.activity_id is not None}
    )
    events: list[Event] = []
    for record, person in records:
        entry = catalog.get(record.activity_id or "")
        event = learning_completed(record, person, entry) if entry and person else None
        if event is not None:
            events.append(event)
    return events


def record_statements(
    conn: Connection, batch: Sequence[ParsedStatement], *, authority: dict[str, Any], now: datetime
) -> Recorded:
    """Store a validated batch in the caller's transaction and append its completion events.

    Raises :class:`StatementConflict` (and stores nothing, once the caller rolls back) when an id is
    already stored with different content; one stored with the same content is accepted again.
    """
    hashes = {p.id: content_hash(p.model) for p in batch}
    stored_before = xapi_store.content_hashes(conn, list(hashes))
    fresh: dict[str, ParsedStatement] = {}  # a file may hold the same statement twice: it is stored once
    for parsed in batch:
        before = stored_before.get(parsed.id)
        if before is not None and before != hashes[parsed.id]:
            raise StatementConflict(parsed.id, join(parsed.path, "id"))
        if before is None:
            fresh.setdefault(parsed.id, parsed)
    people = _resolve(conn, [p.model for p in fresh.values()])
    stamp_text = stamp(now)
    rows = [
        xapi_store.NewStatement(
            id=p.id,
            content_hash=hashes[p.id],
            statement={
                **p.document,
                "timestamp": p.document.get("timestamp", stamp_text),
                "stored": stamp_text,
                "authority": authority,
                "version": p.document.get("version", "1.0.0"),
            },
            person_id=person,
            stored=now,
            links=_links(p.model),
        )
        for p, person in zip(fresh.values(), people, strict=True)
    ]
    written = xapi_store.insert(conn, rows)
    for parsed in fresh.values():
        # not written: stored by a concurrent request since we looked
        if (
            parsed.id not in written
            and xapi_store.content_hashes(conn, [parsed.id]).get(parsed.id) != hashes[parsed.id]
        ):
            raise StatementConflict(parsed.id, join(parsed.path, "id"))
    new = [(p, person) for p, person in zip(fresh.values(), people, strict=True) if p.id in written]
    _void(conn, [p.model for p, _ in new])
    events = _completions(conn, [(p.model, p.id, person, now) for p, person in new])
    return Recorded(
        ids=[p.id for p in batch],
        new=len(new),
        unknown_actors=sum(1 for _, person in new if person is None),
        events=event_log.append(conn, events, now),
    )


def _void(conn: Connection, models: Sequence[Statement]) -> None:
    """A voiding statement marks its target voided, unless the target voids something itself."""
    targets = [m.object.id for m in models if m.verb.id == VOIDED and isinstance(m.object, StatementRef)]
    stored = [xapi_store.get(conn, t) for t in targets]
    xapi_store.void(conn, [s.id for s in stored if s is not None and s.statement["verb"]["id"] != VOIDED])


def relink_completions(conn: Connection, activity_ids: Sequence[str], now: datetime) -> int:
    """Events for stored completions of ``activity_ids`` that have none yet (after a catalog import); new count."""
    stored = xapi_store.with_activities(conn, activity_ids)
    models = [Statement.model_validate(s.statement) for s in stored]
    people = _resolve(conn, models)
    found = [(m, s.id, person, s.stored) for m, s, person in zip(models, stored, people, strict=True)]
    return event_log.append(conn, _completions(conn, found), now)


def import_statements(db: Database, path: Path | str, *, now: datetime) -> Recorded:
    """``kairos import xapi FILE``: validate the whole file, then store it in one transaction (all or nothing)."""
    batch = read_statements_file(path)
    try:
        with db.transaction() as conn:
            return record_statements(conn, batch, authority=IMPORT_AUTHORITY, now=now)
    except StatementConflict as exc:
        row = next((p.row for p in batch if p.id == exc.statement_id), None)
        raise InputError.at(str(path), "a statement id not already stored with different content (nothing was "
                            "imported)", row=row, field=exc.path, value=exc.statement_id) from None  # fmt: skip
