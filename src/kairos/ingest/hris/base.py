"""What every HRIS webhook shape shares: reading the body, delivery ids, dates, and validating people.

A vendor module turns a request body into a :class:`Delivery`: the people it describes, as
whole :class:`Person` states, the date the change is effective and an id that makes a
redelivery recognisable. Parsing is pure: the only outside knowledge a parser gets is a
``stored`` lookup (the person Kairos already has, or None), so a payload that names only
the fields that changed keeps everything else as stored.

Validation reuses the people-file rules (``kairos.ingest.people``): the same required values,
lengths, id and email shapes, IANA zones and dates, so a person is refused or accepted the
same way whether a CSV or a webhook brings them. Problems name the path in the payload
(``people[2].email``, ``employees[0].fields.workEmail``, ``Worker.Worker_ID``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kairos.domain.person import Person, PersonStatus
from kairos.errors import InputError, Problem
from kairos.ingest import people as people_rules
from kairos.ingest.base import MAX_PROBLEMS, Problems, decode_text

VENDORS = ("generic", "bamboohr", "workday")
# A webhook describes a few people; anything this big is not a webhook.
MAX_BODY_BYTES = 5 * 1024 * 1024
# Delivery ids become event ids (64 characters in the schema).
_DELIVERY_ID = re.compile(r"^[\w.\-@:]{1,64}$")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:?\d{2}|T.*)?$")
_ALSO_ON_ROW = re.compile(r"\(also on row (\d+)\)")
# The Kairos person fields, in the people file's order.
FIELDS = (*people_rules.COLUMNS, *people_rules.OPTIONAL_COLUMNS)

StoredLookup = Callable[[str], Person | None]


def nobody(_: str) -> Person | None:
    """A stored lookup for an empty organization."""
    return None


def source(vendor: str) -> str:
    """The event source of everything one vendor's webhooks record."""
    return f"kairos/webhook/{vendor}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery, parsed and validated: whole person states, effective on one date."""

    vendor: str
    id: str
    effective: date
    people: tuple[Person, ...]


@dataclass(slots=True)
class Draft:
    """One person as a payload gives them, in the people file's text form, with where each value came from.

    ``values`` holds every Kairos field as text (as a CSV row would); ``paths`` the payload
    path each field is read from, so a problem names the place to fix.
    """

    where: str
    values: dict[str, str]
    paths: dict[str, str] = field(default_factory=dict)

    def path(self, name: str) -> str:
        return self.paths.get(name, f"{self.where}.{name}")


def body_id(body: bytes) -> str:
    """A delivery id for payloads that carry none: the SHA-256 of the exact bytes."""
    return hashlib.sha256(body).hexdigest()


def read_json(body: bytes, name: str) -> Any:
    """The body as JSON, or an InputError saying why not (size, encoding, syntax)."""
    if len(body) > MAX_BODY_BYTES:
        raise InputError.at(name, f"a body under {MAX_BODY_BYTES // (1024 * 1024)} MB", value=len(body))
    text = decode_text(body, name)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError.at(name, "valid JSON", field="$", value=str(exc)) from None


def delivery_id(value: object, path: str, name: str) -> str:
    """A sender-given delivery id: letters, digits and ``. - _ @ :``, at most 64 characters."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _DELIVERY_ID.match(text):
        raise InputError.at(
            name, "a delivery id of letters, digits and . - _ @ : (at most 64)", field=path, value=value
        )
    return text


def text_value(value: object, path: str, problems: Problems, max_chars: int) -> str | None:
    """A payload value as text: strings and integers are text, null is empty; anything else is a problem."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add("a text", field=path, value=value)
        return None
    text = str(value).strip()
    if len(text) > max_chars:
        problems.add(f"at most {max_chars} characters", field=path, value=text)
        return None
    return text


def iso_date(value: object, path: str, problems: Problems, *, lenient: bool = False) -> date | None:
    """A ``YYYY-MM-DD`` date; ``lenient`` also takes a trailing zone or time (``2026-03-09-08:00``, ``…T12:00Z``)."""
    if isinstance(value, str):
        text = value.strip()
        match = _DATE_PREFIX.match(text) if lenient else None
        try:
            return date.fromisoformat(match.group(1) if match else text)
        except ValueError:
            pass
    problems.add("a date as YYYY-MM-DD", field=path, value=value)
    return None


def person_values(person: Person | None) -> dict[str, str]:
    """A stored person in the people file's text form: the starting point for a partial change."""
    if person is None:
        return {name: "" for name in FIELDS}
    data = person.as_dict()
    return {name: "" if data.get(name) is None else str(data[name]) for name in FIELDS}


def _add(problems: Problems, problem: Problem) -> None:
    problems.items.append(problem)
    if len(problems.items) >= MAX_PROBLEMS:
        problems.items.append(Problem(problems.file, f"at most {MAX_PROBLEMS} problems; stopped reading"))
        raise InputError(problems.items)


def validate(
    drafts: Sequence[Draft], *, name: str, effective: date, stored: StoredLookup, problems: Problems | None = None
) -> list[Person]:
    """Check every draft with the people-file rules, then the reporting lines against the stored organization.

    Raises one InputError listing every problem, each naming its payload path.
    """
    problems = problems if problems is not None else Problems(name)
    first_row: dict[str, int] = {}
    emails: dict[str, int] = {}
    found: list[tuple[Draft, Person]] = []
    for row, draft in enumerate(drafts):
        local = Problems(name)
        person = people_rules.validate_record(row, draft.values, local, first_row, emails, effective)
        for problem in local.items:
            expected = _ALSO_ON_ROW.sub(lambda m: f"(also at {drafts[int(m.group(1))].where})", problem.expected)
            where = draft.path(problem.field) if problem.field else draft.where
            _add(problems, Problem(name, expected, field=where, value=problem.value))
        first_row.setdefault(draft.values.get("id", ""), row)
        emails.setdefault(draft.values.get("email", "").lower(), row)
        if person is not None:
            found.append((draft, person))
    if not problems.items:
        _check_reporting_lines(found, stored, problems)
    problems.raise_if_any()
    return [person for _, person in found]


def _check_reporting_lines(found: list[tuple[Draft, Person]], stored: StoredLookup, problems: Problems) -> None:
    incoming = {person.id: person for _, person in found}

    def lookup(pid: str) -> Person | None:
        return incoming.get(pid) or stored(pid)

    for draft, person in found:
        if not person.manager_id or person.status is PersonStatus.TERMINATED:
            continue
        manager = lookup(person.manager_id)
        if manager is None:
            problems.add(
                "the id of a person in this payload or already known to Kairos",
                field=draft.path("manager_id"),
                value=person.manager_id,
            )
        elif manager.status is PersonStatus.TERMINATED:
            problems.add("a manager who has not left", field=draft.path("manager_id"), value=person.manager_id)
    if problems.items:
        return
    for draft, person in found:
        cycle = _cycle_from(person.id, lookup)
        if cycle:
            problems.add("reporting lines without a cycle", field=draft.path("manager_id"), value=" → ".join(cycle))
            return


def _cycle_from(start: str, lookup: Callable[[str], Person | None], limit: int = 10_000) -> list[str] | None:
    path: list[str] = []
    node: str | None = start
    while node is not None and len(path) < limit:
        if node in path:
            return path[path.index(node) :] + [node]
        path.append(node)
        person = lookup(node)
        node = person.manager_id if person is not None and person.status is not PersonStatus.TERMINATED else None
    return None


def as_list(value: Any) -> list[Any]:
    """XML-derived JSON writes one repeated element as an object and several as a list: always a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
