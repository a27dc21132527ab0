"""People: parse and validate a whole snapshot (CSV or JSON), then record what changed as HR events.

The format is documented in ``docs/formats/people.md``. Recording goes through
``org_sync.sync_people``, the same path SCIM and HRIS webhooks take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kairos.domain.org import find_manager_cycle
from kairos.domain.person import Person, PersonStatus
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text
from kairos.ingest.org_sync import MassChangeGuard, SyncResult, sync_people
from kairos.store import Database

COLUMNS = ("id", "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date")
OPTIONAL_COLUMNS = ("status", "end_date")
REQUIRED_VALUES = ("id", "name", "email", "role", "level", "time_zone")
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+$")
ID_PATTERN = re.compile(r"^[\w.\-@:]{1,100}$")
# The sizes of the stored columns (store/schema.py): PostgreSQL refuses longer values mid-import.
MAX_LENGTH = {"name": 300, "email": 320, "role": 300, "level": 50, "team": 300, "location": 300}


@cache
def is_time_zone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # 'Europe' is a folder; very long names OSError
        return False
    return True


Progress = Callable[[int, int], None]  # (records done, records in all)


def parse_people(
    path: Path | str, *, max_chars: int = 2000, as_of: date | None = None, progress: Progress | None = None
) -> list[Person]:
    """Every person in the file, or an InputError listing all the file's problems."""
    file = str(path)
    return parse_people_text(read_text(path), file, max_chars=max_chars, as_of=as_of, progress=progress)


def _records(text: str, file: str, max_chars: int, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    """(row, values) from CSV, or from JSON (a list of people or ``{"people": [...]}``)."""
    if Path(file).suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return json_records(text, file, max_chars, problems)
    return [
        (row.number, row.values)
        for row in read_csv(
            text, file, required=COLUMNS, optional=OPTIONAL_COLUMNS, max_chars=max_chars, problems=problems
        )
    ]


def json_records(text: str, file: str, max_chars: int, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    try:
        doc: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError.at(file, "valid JSON", row=getattr(exc, "lineno", None), value=str(exc)) from None
    items = doc.get("people") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InputError.at(file, 'a list of people, or an object {"people": [...]}', value=type(doc).__name__)
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    records = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add("a person object", row=index, value=item)
            continue
        for key in sorted(set(item) - known):
            problems.add(f"only the fields {', '.join(sorted(known))}", row=index, field=key)
        values: dict[str, str] = {}
        for key in known:
            value = item.get(key)
            if value is not None and not isinstance(value, str | int):
                problems.add("a text", row=index, field=key, value=value)
                value = None
            text_value = "" if value is None else str(value).strip()
            if len(text_value) > max_chars:
                problems.add(f"at most {max_chars} characters", row=index, field=key, value=text_value)
                text_value = ""
            values[key] = text_value
        records.append((index, values))
    return records


def parse_people_text(
    text: str, file: str, *, max_chars: int = 2000, as_of: date | None = None, progress: Progress | None = None
) -> list[Person]:
    problems = Problems(file)
    found: list[Person] = []
    first_row: dict[str, int] = {}
    emails: dict[str, int] = {}
    records = _records(text, file, max_chars, problems)
    for done, (number, v) in enumerate(records, start=1):
        if progress is not None and done % 5000 == 0:
            progress(done, len(records))
        person = validate_record(number, v, problems, first_row, emails, as_of)
        first_row.setdefault(v.get("id", ""), number)
        emails.setdefault(v.get("email", "").lower(), number)
        if person is not None:
            found.append(person)
    by_id = {p.id: p for p in found}
    for person in found:
        manager = by_id.get(person.manager_id) if person.manager_id else None
        if person.manager_id and person.manager_id not in first_row:
            problems.add(
                "the id of a person in this file", row=first_row[person.id], field="manager_id", value=person.manager_id
            )
        elif (
            manager is not None
            and manager.status is PersonStatus.TERMINATED
            and person.status is not PersonStatus.TERMINATED
        ):
            problems.add(
                "a manager who has not left (this person's manager is terminated in this file)",
                row=first_row[person.id],
                field="manager_id",
                value=person.manager_id,
            )
    if not problems:
        cycle = find_manager_cycle({p.id: p.manager_id for p in found if p.status is not PersonStatus.TERMINATED})
        if cycle:
            problems.add(
                "reporting lines without a cycle", row=first_row[cycle[0]], field="manager_id", value=" → ".join(cycle)
            )
    if not found and not problems:
        problems.add("at least one person", row=2)
    problems.raise_if_any()
    return found


def _date(value: str, field: str, row: int, problems: Problems) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.add("a date as YYYY-MM-DD", row=row, field=field, value=value)
        return None


def validate_record(
    row: int,
    v: dict[str, str],
    problems: Problems,
    first_row: dict[str, int],
    emails: dict[str, int],
    as_of: date | None,
) -> Person | None:
    """One record checked field by field; None when it has a problem (which is added to ``problems``)."""
    before = len(problems.items)
    for name in REQUIRED_VALUES:
        if not v.get(name):
            problems.add("a value", row=row, field=name, value="")
    for name, limit in MAX_LENGTH.items():
        if len(v.get(name, "")) > limit:
            problems.add(f"at most {limit} characters", row=row, field=name, value=v[name])
    pid, email = v.get("id", ""), v.get("email", "")
    if pid and not ID_PATTERN.match(pid):
        problems.add("an id of letters, digits and . - _ @ : (at most 100)", row=row, field="id", value=pid)
    if pid in first_row:
        problems.add(f"a unique id (also on row {first_row[pid]})", row=row, field="id", value=pid)
    if email and not EMAIL_PATTERN.match(email):
        problems.add("an email address like name@example.com", row=row, field="email", value=email)
    elif email.lower() in emails:
        problems.add(f"a unique email (also on row {emails[email.lower()]})", row=row, field="email", value=email)
    zone = v.get("time_zone", "")
    if zone and not is_time_zone(zone):
        problems.add("an IANA time zone such as Europe/Berlin", row=row, field="time_zone", value=zone)
    if v.get("manager_id") and v.get("manager_id") == pid:
        problems.add("a manager other than the person", row=row, field="manager_id", value=v["manager_id"])
    start = _date(v.get("start_date", ""), "start_date", row, problems)
    end = _date(v.get("end_date", ""), "end_date", row, problems)
    if start and as_of and start > as_of:
        problems.add(
            f"a start date on or before the snapshot date {as_of.isoformat()} (add people once they have started)",
            row=row,
            field="start_date",
            value=v["start_date"],
        )
    if start and end and end < start:
        problems.add(f"an end date on or after the start date {start.isoformat()}", row=row, field="end_date",
                     value=v["end_date"])  # fmt: skip
    status_text = (v.get("status") or "active").lower()
    if status_text not in {s.value for s in PersonStatus}:
        problems.add("active, leave or terminated", row=row, field="status", value=v.get("status"))
    if len(problems.items) > before:
        return None
    return Person(
        id=pid,
        name=v["name"],
        email=email,
        manager_id=v.get("manager_id") or None,
        role=v["role"],
        level=v["level"],
        team=v.get("team", ""),
        location=v.get("location", ""),
        time_zone=zone,
        start_date=start,
        status=PersonStatus(status_text),
        end_date=end,
    )


def import_people(
    db: Database,
    path: Path | str,
    *,
    as_of: date,
    now: datetime,
    max_chars: int = 2000,
    mass_termination_share: float = 0.10,
    allow_mass_termination: bool = False,
    dry_run: bool = False,
    executive_prefixes: tuple[str, ...] = ("E",),
    progress: Progress | None = None,
) -> SyncResult:
    """Import a full people snapshot effective ``as_of``: validate it all, then record what changed at once."""
    file = str(path)
    incoming = parse_people(path, max_chars=max_chars, as_of=as_of, progress=progress)
    if progress is not None:
        progress(len(incoming), len(incoming))
    return sync_people(
        db,
        incoming,
        source=f"kairos/people/{Path(file).name}",
        input_name=file,
        full=True,
        as_of=as_of,
        now=now,
        guard=MassChangeGuard(mass_termination_share, allow_mass_termination),
        dry_run=dry_run,
        executive_prefixes=executive_prefixes,
    )
