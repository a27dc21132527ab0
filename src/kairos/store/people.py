"""The organization as of the latest snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kairos.domain.person import Person
from kairos.store.schema import people

_FIELDS = ("name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date")


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
    )


def active(conn: Connection) -> dict[str, Person]:
    rows = conn.execute(select(people).where(people.c.status == "active"))
    return {r.id: _person(r) for r in rows}


def get(conn: Connection, person_id: str) -> Person | None:
    r = conn.execute(select(people).where(people.c.id == person_id, people.c.status == "active")).first()
    return _person(r) if r else None


def get_many(conn: Connection, ids: Iterable[str]) -> dict[str, Person]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(people).where(people.c.id.in_(wanted), people.c.status == "active"))
    return {r.id: _person(r) for r in rows}


def ids_by_email(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(people.c.id, people.c.email).where(people.c.status == "active"))
    return {r.email.lower(): r.id for r in rows}


def save(conn: Connection, batch: Sequence[Person], at: datetime) -> None:
    """Insert or update people (they become active)."""
    if not batch:
        return
    rows = [{"id": p.id, **{f: getattr(p, f) for f in _FIELDS}, "status": "active", "updated_at": at} for p in batch]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(people)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={f: stmt.excluded[f] for f in (*_FIELDS, "status", "updated_at")},
    )
    conn.execute(stmt, rows)


def terminate(conn: Connection, ids: Sequence[str], at: datetime) -> None:
    if ids:
        conn.execute(update(people).where(people.c.id.in_(list(ids))).values(status="terminated", updated_at=at))
