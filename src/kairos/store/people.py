"""The organization as its latest known state: everyone ever imported, with their status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from kairos.domain.person import Person, PersonStatus
from kairos.store.rows import upsert
from kairos.store.schema import email_aliases, people

_FIELDS = (
    "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date", "status",
    "end_date",
)  # fmt: skip
_EMPLOYED = (PersonStatus.ACTIVE.value, PersonStatus.LEAVE.value)


def _person(r: Any) -> Person:
    return Person(
        id=r.id,
        name=r.name,
        email=r.email,
        manager_id=r.manager_id,
        role=r.role,
        level=r.level,
        team=r.team,
        location=r.location,
        time_zone=r.time_zone,
        start_date=r.start_date,
        status=PersonStatus(r.status),
        end_date=r.end_date,
    )


def active(conn: Connection) -> dict[str, Person]:
    """People at work now: the ones Kairos may send to."""
    rows = conn.execute(select(people).where(people.c.status == PersonStatus.ACTIVE.value))
    return {r.id: _person(r) for r in rows}


def employed(conn: Connection) -> dict[str, Person]:
    """Everyone not terminated, including people on leave: the organization a new snapshot is compared with."""
    rows = conn.execute(select(people).where(people.c.status.in_(_EMPLOYED)))
    return {r.id: _person(r) for r in rows}


def _employed_where(conn: Connection, column: Any, values: Iterable[str]) -> dict[str, Person]:
    """Employed people whose ``column`` is one of ``values``, queried in chunks the databases accept."""
    wanted = list(set(values))
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(select(people).where(column.in_(chunk), people.c.status.in_(_EMPLOYED)))
        found.update({r.id: _person(r) for r in rows})
    return found


def employed_among(conn: Connection, ids: Iterable[str]) -> dict[str, Person]:
    return _employed_where(conn, people.c.id, ids)


def get(conn: Connection, person_id: str) -> Person | None:
    """The person if they are active (at work, not on leave or gone)."""
    r = conn.execute(
        select(people).where(people.c.id == person_id, people.c.status == PersonStatus.ACTIVE.value)
    ).first()
    return _person(r) if r else None


def get_any(conn: Connection, person_id: str) -> Person | None:
    """The person whatever their status."""
    r = conn.execute(select(people).where(people.c.id == person_id)).first()
    return _person(r) if r else None


def ids_by_email(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(people.c.id, people.c.email).where(people.c.status == PersonStatus.ACTIVE.value))
    return {r.email.lower(): r.id for r in rows}


def save(conn: Connection, batch: Sequence[Person], at: datetime) -> None:
    """Insert or update people with their status."""
    if not batch:
        return
    rows = [
        {"id": p.id, **{f: getattr(p, f) for f in _FIELDS}, "status": p.status.value, "updated_at": at} for p in batch
    ]
    upsert(conn, people, rows, ("id",), (*_FIELDS, "updated_at"))


def reports_of(conn: Connection, manager_ids: Iterable[str]) -> dict[str, Person]:
    """Employed people who report to any of ``manager_ids``."""
    return _employed_where(conn, people.c.manager_id, manager_ids)


def neighbourhood(conn: Connection, changed: Iterable[Person]) -> dict[str, Person]:
    """The part of the organization a change to ``changed`` can affect, complete enough to diff it exactly.

    That is the changed people; their old and new managers and those managers' managers
    (who may gain a first report, or a first manager among their reports); everyone reporting
    to any of these; and everyone reporting to those (to know who among them manages).
    """
    changed = list(changed)
    core = employed_among(conn, (p.id for p in changed))
    managers = {p.manager_id for p in (*core.values(), *changed) if p.manager_id}
    org = {**employed_among(conn, managers), **core}
    grand = {p.manager_id for p in org.values() if p.manager_id}
    org.update(employed_among(conn, grand - org.keys()))
    first = reports_of(conn, managers | grand | {p.id for p in changed})
    org.update(first)
    org.update(reports_of(conn, first.keys()))
    return org


def count_employed(conn: Connection) -> int:
    return int(
        conn.execute(select(func.count()).select_from(people).where(people.c.status.in_(_EMPLOYED))).scalar_one()
    )


def has_reports(conn: Connection, person_id: str) -> bool:
    """Whether anyone at work reports to the person."""
    return (
        conn.execute(
            select(people.c.id).where(people.c.manager_id == person_id, people.c.status.in_(_EMPLOYED)).limit(1)
        ).first()
        is not None
    )


def by_email(conn: Connection, email: str) -> str | None:
    """The active person with this address (their own or an alias), compared without case."""
    wanted = email.strip().lower()
    found = conn.execute(
        select(people.c.id).where(func.lower(people.c.email) == wanted, people.c.status == PersonStatus.ACTIVE.value)
    ).scalar()
    if found is not None:
        return str(found)
    alias = conn.execute(select(email_aliases.c.person_id).where(email_aliases.c.email == wanted)).scalar()
    return str(alias) if alias is not None else None
