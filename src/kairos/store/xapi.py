"""Stored xAPI statements, what each names, and the learning catalog.

Statements are written once and never changed, except for the ``voided`` mark a voiding statement
sets. Look-ups by agent, verb, activity and registration go through ``xapi_statement_links``, keyed
by the SHA-256 of the identifier (IRIs are unbounded; index entries are not).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kairos.domain.framework import Framework
from kairos.domain.learning import CatalogEntry
from kairos.domain.person import PersonStatus
from kairos.store.rows import rows_where_in, upsert
from kairos.store.schema import learning_catalog, people, xapi_statement_links, xapi_statements

_EMPLOYED = (PersonStatus.ACTIVE.value, PersonStatus.LEAVE.value)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewStatement:
    id: str
    content_hash: str
    statement: dict[str, Any]
    person_id: str | None
    stored: datetime
    links: Mapping[tuple[str, str], bool]  # (kind, identifier) -> direct


@dataclass(frozen=True, slots=True)
class StoredStatement:
    seq: int
    id: str
    statement: dict[str, Any]
    stored: datetime
    voided: bool


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """A filtered list request; every filter given must match (xAPI GET /statements)."""

    agent: str | None = None  # an agent or identified group's key
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: datetime | None = None  # stored after
    until: datetime | None = None  # stored at or before
    ascending: bool = False
    limit: int = 100
    after: tuple[datetime, int] | None = None  # the (stored, seq) of the last statement of the previous page


def _stored(r: Any) -> StoredStatement:
    return StoredStatement(seq=r.seq, id=r.id, statement=r.statement, stored=r.stored, voided=r.voided)


def content_hashes(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The content hash of each of ``ids`` already stored."""
    wanted = sorted(set(ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = select(xapi_statements.c.id, xapi_statements.c.content_hash).where(
            xapi_statements.c.id.in_(wanted[start : start + 500])
        )
        found.update({r.id: r.content_hash for r in conn.execute(query)})
    return found


def insert(conn: Connection, batch: Sequence[NewStatement]) -> dict[str, int]:
    """Store statements with their links; returns the seq of each one written (an id already stored is skipped)."""
    written: dict[str, int] = {}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(batch), 500):
        chunk = batch[start : start + 500]
        rows = [
            {"id": s.id, "content_hash": s.content_hash, "statement": s.statement, "person_id": s.person_id,
             "voided": False, "stored": s.stored}
            for s in chunk
        ]  # fmt: skip
        stmt = dialect.insert(xapi_statements).on_conflict_do_nothing(index_elements=["id"])
        written.update(
            {r.id: r.seq for r in conn.execute(stmt.returning(xapi_statements.c.id, xapi_statements.c.seq), rows)}
        )
    links = [
        {"statement_seq": written[s.id], "kind": kind, "key_hash": key_hash(key), "direct": direct}
        for s in batch
        if s.id in written
        for (kind, key), direct in s.links.items()
    ]
    for start in range(0, len(links), 1000):
        conn.execute(xapi_statement_links.insert(), links[start : start + 1000])
    return written


def void(conn: Connection, ids: Sequence[str]) -> int:
    """Mark statements voided; returns how many were not voided before."""
    if not ids:
        return 0
    stmt = update(xapi_statements).where(xapi_statements.c.id.in_(list(ids)), xapi_statements.c.voided.is_(False))
    return int(conn.execute(stmt.values(voided=True)).rowcount or 0)


def get(conn: Connection, statement_id: str) -> StoredStatement | None:
    r = conn.execute(select(xapi_statements).where(xapi_statements.c.id == statement_id)).first()
    return _stored(r) if r else None


def _linked(kind: str, key: str, related: bool) -> Any:
    query = select(xapi_statement_links.c.statement_seq).where(
        xapi_statement_links.c.kind == kind, xapi_statement_links.c.key_hash == key_hash(key)
    )
    if not related:
        query = query.where(xapi_statement_links.c.direct.is_(True))
    return xapi_statements.c.seq.in_(query)


def find(conn: Connection, q: StatementQuery) -> list[StoredStatement]:
    """Statements matching ``q`` and not voided, newest stored first (oldest with ``ascending``), up to the limit."""
    c = xapi_statements.c
    query = select(xapi_statements).where(c.voided.is_(False))
    for kind, key, related in (
        ("agent", q.agent, q.related_agents),
        ("verb", q.verb, False),
        ("activity", q.activity, q.related_activities),
        ("registration", q.registration, False),
    ):
        if key is not None:
            query = query.where(_linked(kind, key, related))
    if q.since is not None:
        query = query.where(c.stored > q.since)
    if q.until is not None:
        query = query.where(c.stored <= q.until)
    if q.after is not None:
        stored, seq = q.after
        if q.ascending:
            query = query.where(or_(c.stored > stored, and_(c.stored == stored, c.seq > seq)))
        else:
            query = query.where(or_(c.stored < stored, and_(c.stored == stored, c.seq < seq)))
    order = (c.stored.asc(), c.seq.asc()) if q.ascending else (c.stored.desc(), c.seq.desc())
    return [_stored(r) for r in conn.execute(query.order_by(*order).limit(q.limit))]


def with_activities(conn: Connection, activity_ids: Iterable[str]) -> list[StoredStatement]:
    """Statements not voided whose object is one of ``activity_ids``, oldest first."""
    hashes = sorted({key_hash(a) for a in activity_ids})
    found: list[StoredStatement] = []
    for start in range(0, len(hashes), 500):
        seqs = select(xapi_statement_links.c.statement_seq).where(
            xapi_statement_links.c.kind == "activity",
            xapi_statement_links.c.direct.is_(True),
            xapi_statement_links.c.key_hash.in_(hashes[start : start + 500]),
        )
        query = select(xapi_statements).where(xapi_statements.c.seq.in_(seqs), xapi_statements.c.voided.is_(False))
        found.extend(_stored(r) for r in conn.execute(query))
    return sorted(found, key=lambda s: s.seq)


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(xapi_statements)).scalar_one())


def people_by_email(conn: Connection, emails: Iterable[str]) -> dict[str, str]:
    """Employed people (at work or on leave) by lowercase email, for the given lowercase addresses."""
    wanted = sorted(set(emails))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = select(people.c.id, people.c.email).where(
            func.lower(people.c.email).in_(wanted[start : start + 500]), people.c.status.in_(_EMPLOYED)
        )
        found.update({r.email.lower(): r.id for r in conn.execute(query)})
    return found


def employed_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        query = select(people.c.id).where(people.c.id.in_(wanted[start : start + 500]), people.c.status.in_(_EMPLOYED))
        found.update(r.id for r in conn.execute(query))
    return found


# --- the learning catalog -------------------------------------------------------------------------------------


def save_catalog(
    conn: Connection, entries: Sequence[CatalogEntry], framework: Framework, source_file: str, now: datetime
) -> int:
    """Add or replace catalog entries (by activity id); returns how many activities were not catalogued before."""
    keys = [key_hash(e.activity_id) for e in entries]
    known = {r.activity_key for r in rows_where_in(conn, learning_catalog, learning_catalog.c.activity_key, keys)}
    rows = [
        {
            "activity_key": key,
            "activity_id": e.activity_id,
            "title": e.title,
            "description": e.description,
            "competencies": list(e.competencies),
            "levels": list(e.levels),
            "minutes": e.minutes,
            "framework_id": framework.id,
            "framework_version": framework.version,
            "source_file": source_file[:300],
            "imported_at": now,
        }
        for key, e in zip(keys, entries, strict=True)
    ]
    columns = [c for c in rows[0] if c != "activity_key"] if rows else []
    upsert(conn, learning_catalog, rows, ("activity_key",), columns)
    return len(set(keys) - known)


def _entry(r: Any) -> CatalogEntry:
    return CatalogEntry(
        activity_id=r.activity_id,
        title=r.title,
        description=r.description,
        competencies=tuple(r.competencies),
        levels=tuple(r.levels),
        minutes=r.minutes,
    )


def catalog_entries(conn: Connection, activity_ids: Iterable[str]) -> dict[str, CatalogEntry]:
    """The catalogued activities among ``activity_ids``, by activity id."""
    keys = sorted({key_hash(a) for a in activity_ids})
    return {
        r.activity_id: _entry(r) for r in rows_where_in(conn, learning_catalog, learning_catalog.c.activity_key, keys)
    }


def catalog(conn: Connection) -> list[CatalogEntry]:
    """The whole catalog, by title."""
    return [_entry(r) for r in conn.execute(select(learning_catalog).order_by(learning_catalog.c.title))]
