"""Read-only views that explain plays: one moment with its nudge, every moment of one person's day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from kairos.store.schema import deliveries, events, moments, nudges


def moment(conn: Connection, moment_id: int) -> Any | None:
    """One moment with its event and, when composed, its nudge's subject line and delivery state."""
    query = (
        select(
            moments,
            events.c.type.label("event_type"),
            events.c.id.label("event_id"),
            events.c.time.label("event_time"),
            nudges.c.subject.label("nudge_subject"),
            deliveries.c.status.label("delivery_status"),
        )
        .join(events, events.c.seq == moments.c.event_seq)
        .outerjoin(nudges, nudges.c.moment_id == moments.c.id)
        .outerjoin(deliveries, deliveries.c.moment_id == moments.c.id)
        .where(moments.c.id == moment_id)
    )
    return conn.execute(query).first()


def day_of(conn: Connection, person_id: str, start: datetime, end: datetime) -> list[Any]:
    """Moments about or for ``person_id`` due in [start, end), and those stopped before they had a due time
    whose event happened in it; by due time (or event time), then id."""
    involved = or_(moments.c.recipient_id == person_id, moments.c.subject_id == person_id)
    due_then = and_(moments.c.due_at >= start, moments.c.due_at < end)
    undated = and_(moments.c.due_at.is_(None), events.c.time >= start, events.c.time < end)
    query = (
        select(
            moments,
            events.c.type.label("event_type"),
            events.c.time.label("event_time"),
            nudges.c.subject.label("nudge_subject"),
        )
        .join(events, events.c.seq == moments.c.event_seq)
        .outerjoin(nudges, nudges.c.moment_id == moments.c.id)
        .where(involved, or_(due_then, undated))
    )
    rows = list(conn.execute(query))
    return sorted(rows, key=lambda r: (r.due_at or r.event_time, r.id))


def every_moment(conn: Connection) -> list[Any]:
    """All moments with their nudge's subject line (for a rehearsal's small, temporary database)."""
    query = (
        select(moments, nudges.c.subject.label("nudge_subject"), events.c.type.label("event_type"))
        .join(events, events.c.seq == moments.c.event_seq)
        .outerjoin(nudges, nudges.c.moment_id == moments.c.id)
        .order_by(moments.c.id)
    )
    return list(conn.execute(query))
