"""The append-only event log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select

from kairos.domain.event import Event
from kairos.store.rows import insert_ignoring_duplicates
from kairos.store.schema import events, planned_events


def append(conn: Connection, batch: Sequence[Event], recorded_at: datetime) -> int:
    """Record events; ones already recorded (same source and id) are skipped. Returns the new count."""
    rows = [
        {
            "id": e.id,
            "source": e.source,
            "type": e.type,
            "subject": e.subject,
            "time": e.time,
            "data": e.data,
            "recorded_at": recorded_at,
        }
        for e in batch
    ]
    return insert_ignoring_duplicates(conn, events, rows, ("source", "id"))


def unplanned(conn: Connection, types: Sequence[str], limit: int) -> list[tuple[int, Event]]:
    """Events of the given types that no planner run has matched against plays yet, oldest first."""
    query = (
        select(events)
        .outerjoin(planned_events, planned_events.c.event_seq == events.c.seq)
        .where(planned_events.c.event_seq.is_(None), events.c.type.in_(list(types)))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [
        (r.seq, Event(id=r.id, source=r.source, type=r.type, subject=r.subject, time=r.time, data=r.data))
        for r in conn.execute(query)
    ]


def mark_planned(conn: Connection, seqs: Sequence[int], at: datetime) -> None:
    insert_ignoring_duplicates(conn, planned_events, [{"event_seq": s, "planned_at": at} for s in seqs], ("event_seq",))


def get(conn: Connection, seq: int) -> Event:
    r = conn.execute(select(events).where(events.c.seq == seq)).one()
    return Event(id=r.id, source=r.source, type=r.type, subject=r.subject, time=r.time, data=r.data)


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())
