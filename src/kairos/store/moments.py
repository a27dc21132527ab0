"""Coaching moments: planned with a due time, claimed by one worker at a time, finished with one stop reason."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from kairos.domain.moment import MomentStatus, PlannedMoment, StopReason, TraceStep
from kairos.store.rows import insert_ignoring_duplicates
from kairos.store.schema import moments


def add_planned(conn: Connection, planned: Sequence[PlannedMoment], now: datetime) -> int:
    """Store moments; one whose dedup key exists is not stored again. Returns the new count."""
    rows: list[dict[str, Any]] = []
    for p in planned:
        done = p.stop_reason is not None
        rows.append(
            {
                "dedup_key": p.dedup_key,
                "play_id": p.play_id,
                "play_version": p.play_version,
                "action": p.action,
                "event_seq": p.context["event_seq"],
                "subject_id": p.subject_id,
                "recipient_id": p.recipient_id,
                "audience": p.audience,
                "time_zone": p.time_zone,
                "due_at": p.due_at,
                "expires_at": p.expires_at,
                "priority": p.priority,
                "cap_exempt": p.cap_exempt,
                "cooldown_days": p.cooldown_days,
                "status": MomentStatus.DONE.value if done else MomentStatus.PLANNED.value,
                "stop_reason": p.stop_reason.value if p.stop_reason else None,
                "trace": [s.as_dict() for s in p.trace],
                "context": p.context,
                "claimed_by": None,
                "lease_until": None,
                "created_at": now,
                "finished_at": now if done else None,
            }
        )
    return insert_ignoring_duplicates(conn, moments, rows, ("dedup_key",))


def claim_due(conn: Connection, now: datetime, limit: int, lease: timedelta) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due moments (or ones whose worker's lease ran out) for this caller.

    Safe with several workers: on PostgreSQL the candidates are locked with SKIP LOCKED;
    everywhere the UPDATE re-checks the claimable condition, and the caller gets back only
    the rows stamped with its own token.
    """
    token = uuid.uuid4().hex
    claimable = or_(
        and_(moments.c.status == MomentStatus.PLANNED.value, moments.c.due_at <= now),
        and_(moments.c.status == MomentStatus.CLAIMED.value, moments.c.lease_until < now),
    )
    order = (moments.c.priority.desc(), moments.c.due_at, moments.c.id)
    candidates = select(moments.c.id).where(claimable).order_by(*order).limit(limit)
    if conn.dialect.name == "postgresql":
        ids = [r.id for r in conn.execute(candidates.with_for_update(skip_locked=True))]
        if not ids:
            return token, []
        target = moments.c.id.in_(ids)
    else:
        # SQLite has one writer at a time: choosing and stamping in one UPDATE makes the choice atomic.
        target = moments.c.id.in_(candidates.scalar_subquery())
    conn.execute(
        update(moments)
        .where(target, claimable)
        .values(status=MomentStatus.CLAIMED.value, claimed_by=token, lease_until=now + lease)
    )
    mine = conn.execute(select(moments.c.id).where(moments.c.claimed_by == token).order_by(*order))
    return token, [r.id for r in mine]


def get(conn: Connection, moment_id: int) -> Any:
    return conn.execute(select(moments).where(moments.c.id == moment_id)).one()


def finish(conn: Connection, moment_id: int, reason: StopReason, trace: list[dict[str, Any]], now: datetime) -> None:
    conn.execute(
        update(moments)
        .where(moments.c.id == moment_id)
        .values(
            status=MomentStatus.DONE.value,
            stop_reason=reason.value,
            trace=trace,
            finished_at=now,
            claimed_by=None,
            lease_until=None,
        )
    )


def reschedule(conn: Connection, moment_id: int, due_at: datetime, trace: list[dict[str, Any]]) -> None:
    conn.execute(
        update(moments)
        .where(moments.c.id == moment_id)
        .values(
            status=MomentStatus.PLANNED.value,
            due_at=due_at,
            trace=trace,
            claimed_by=None,
            lease_until=None,
        )
    )


def cancel_for_person(conn: Connection, person_id: str, detail: str, now: datetime) -> int:
    """End every not-yet-run moment about or for ``person_id`` as cancelled, saying why in its trace."""
    pending = conn.execute(
        select(moments.c.id, moments.c.trace).where(
            moments.c.status == MomentStatus.PLANNED.value,
            or_(moments.c.recipient_id == person_id, moments.c.subject_id == person_id),
        )
    ).all()
    for row in pending:
        finish(conn, row.id, StopReason.CANCELLED, trace_with(row, TraceStep("cancel", "done", detail)), now)
    return len(pending)


def set_trace(conn: Connection, moment_id: int, trace: list[dict[str, Any]]) -> None:
    conn.execute(update(moments).where(moments.c.id == moment_id).values(trace=trace))


def next_due(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(moments.c.due_at)).where(moments.c.status == MomentStatus.PLANNED.value)
    ).scalar_one_or_none()


def trace_with(row: Any, *steps: TraceStep) -> list[dict[str, Any]]:
    return [*row.trace, *(s.as_dict() for s in steps)]
