"""People CSV: parse and validate a whole snapshot, then record what changed as HR events.

The format is documented in ``docs/formats/people.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.org import diff_snapshots, find_manager_cycle
from kairos.domain.person import Person
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import people as people_store

COLUMNS = ("id", "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date")
REQUIRED_VALUES = ("id", "name", "email", "role", "level", "time_zone")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+$")
_ID = re.compile(r"^[\w.\-@:]{1,100}$")
# The sizes of the stored columns (store/schema.py): PostgreSQL refuses longer values mid-import.
_MAX_LENGTH = {"name": 300, "email": 320, "role": 300, "level": 50, "team": 300, "location": 300}


@cache
def is_time_zone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # 'Europe' is a folder; very long names OSError
        return False
    return True


def parse_people(path: Path | str, *, max_chars: int = 2000) -> list[Person]:
    """Every person in the file, or an InputError listing all the file's problems."""
    file = str(path)
    return parse_people_text(read_text(path), file, max_chars=max_chars)


def parse_people_text(text: str, file: str, *, max_chars: int = 2000) -> list[Person]:
    problems = Problems(file)
    found: list[Person] = []
    first_row: dict[str, int] = {}
    emails: dict[str, int] = {}
    for row in read_csv(text, file, required=COLUMNS, max_chars=max_chars, problems=problems):
        v = row.values
        bad = False
        for name in REQUIRED_VALUES:
            if not v[name]:
                problems.add("a value", row=row.number, field=name, value="")
                bad = True
        for name, limit in _MAX_LENGTH.items():
            if len(v[name]) > limit:
                problems.add(f"at most {limit} characters", row=row.number, field=name, value=v[name])
                bad = True
        if v["id"] and not _ID.match(v["id"]):
            problems.add(
                "an id of letters, digits and . - _ @ : (at most 100)", row=row.number, field="id", value=v["id"]
            )
            bad = True
        if v["id"] in first_row:
            problems.add(f"a unique id (also on row {first_row[v['id']]})", row=row.number, field="id", value=v["id"])
            bad = True
        if v["email"] and not _EMAIL.match(v["email"]):
            problems.add("an email address like name@example.com", row=row.number, field="email", value=v["email"])
            bad = True
        elif v["email"].lower() in emails:
            problems.add(
                f"a unique email (also on row {emails[v['email'].lower()]})",
                row=row.number,
                field="email",
                value=v["email"],
            )
            bad = True
        if v["time_zone"] and not is_time_zone(v["time_zone"]):
            problems.add(
                "an IANA time zone such as Europe/Berlin", row=row.number, field="time_zone", value=v["time_zone"]
            )
            bad = True
        start: date | None = None
        if v["start_date"]:
            try:
                start = date.fromisoformat(v["start_date"])
            except ValueError:
                problems.add("a date as YYYY-MM-DD", row=row.number, field="start_date", value=v["start_date"])
                bad = True
        if v["manager_id"] == v["id"] and v["id"]:
            problems.add("a manager other than the person", row=row.number, field="manager_id", value=v["manager_id"])
            bad = True
        first_row.setdefault(v["id"], row.number)
        emails.setdefault(v["email"].lower(), row.number)
        if bad:
            continue
        found.append(
            Person(
                id=v["id"],
                name=v["name"],
                email=v["email"],
                manager_id=v["manager_id"] or None,
                role=v["role"],
                level=v["level"],
                team=v["team"],
                location=v["location"],
                time_zone=v["time_zone"],
                start_date=start,
            )
        )
    for person in found:
        if person.manager_id and person.manager_id not in first_row:
            problems.add(
                "the id of a person in this file", row=first_row[person.id], field="manager_id", value=person.manager_id
            )
    if not problems:
        cycle = find_manager_cycle({p.id: p.manager_id for p in found})
        if cycle:
            problems.add(
                "reporting lines without a cycle", row=first_row[cycle[0]], field="manager_id", value=" → ".join(cycle)
            )
    if not found and not problems:
        problems.add("at least one person", row=2)
    problems.raise_if_any()
    return found


@dataclass(frozen=True, slots=True)
class PeopleImport:
    people: int
    events: int
    changes: dict[str, int]


def import_people(
    db: Database,
    path: Path | str,
    *,
    as_of: date,
    now: datetime,
    max_chars: int = 2000,
    mass_termination_share: float = 0.10,
    allow_mass_termination: bool = False,
) -> PeopleImport:
    """Import a full people snapshot effective ``as_of``: validate it all, then write people and events at once."""
    file = str(path)
    incoming = parse_people(path, max_chars=max_chars)
    source = f"kairos/people-csv/{Path(file).name}"
    effective = datetime.combine(as_of, time(0), tzinfo=UTC)
    with db.transaction() as conn:
        stored = people_store.active(conn)
        if stored:
            changes = diff_snapshots(stored, incoming)
            leaving = sum(1 for c in changes if c.type == EventType.PERSON_TERMINATED)
            if leaving and leaving / len(stored) > mass_termination_share and not allow_mass_termination:
                raise InputError.at(
                    file,
                    f"at most {mass_termination_share:.0%} of people terminated by one snapshot "
                    "(pass --allow-mass-termination if this is real)",
                    value=f"{leaving} of {len(stored)} people missing",
                )
            batch = [
                Event(
                    id=content_id(c.type, c.subject, c.data, as_of),
                    source=source,
                    type=c.type,
                    subject=c.subject,
                    time=effective,
                    data={**c.data, "effective": as_of.isoformat()},
                )
                for c in changes
            ]
            to_save = [p for p in incoming if stored.get(p.id) != p]
            terminated = [c.subject for c in changes if c.type == EventType.PERSON_TERMINATED]
        else:
            batch = [
                Event(
                    id=content_id(EventType.PERSON_IMPORTED, p.id, as_of),
                    source=source,
                    type=EventType.PERSON_IMPORTED,
                    subject=p.id,
                    time=effective,
                    data={"level": p.level, "role": p.role, "team": p.team},
                )
                for p in incoming
            ]
            to_save, terminated = incoming, []
        people_store.save(conn, to_save, now)
        people_store.terminate(conn, terminated, now)
        added = event_log.append(conn, batch, now)
    counts: dict[str, int] = {}
    for e in batch:
        counts[e.type] = counts.get(e.type, 0) + 1
    return PeopleImport(people=len(incoming), events=added, changes=counts)
