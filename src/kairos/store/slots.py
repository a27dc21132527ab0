"""Moments that compete for one recipient's slot (plays/slots.py decides who keeps it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select, update

from kairos.domain.moment import MomentStatus, StopReason
from kairos.plays.slots import Contender, Loss
from kairos.store.moments import trace_with
from kairos.store.schema import moments, planned_events

_PLANNED = MomentStatus.PLANNED.value


def contenders(conn: Connection, now: datetime) -> list[Contender]:
    """Planned moments sharing a recipient's slot with a moment of an event planned at ``now``: the same due
    time, or both already due."""
    fresh_events = select(planned_events.c.event_seq).where(planned_events.c.planned_at == now)
    fresh = (
        select(moments.c.recipient_id, moments.c.due_at)
        .where(moments.c.status == _PLANNED, moments.c.event_seq.in_(fresh_events))
        .distinct()
        .subquery()
    )
    # A superset of the slots plays/slots.py settles on: it tells meeting moments apart itself.
    same_slot = or_(moments.c.due_at == fresh.c.due_at, and_(moments.c.due_at <= now, fresh.c.due_at <= now))
    meeting = moments.c.context["meeting"].as_string().label("meeting")
    query = (
        select(moments.c.id, moments.c.recipient_id, moments.c.due_at, moments.c.priority, moments.c.play_id,
               moments.c.action, moments.c.time_zone, meeting)
        .join(fresh, and_(moments.c.recipient_id == fresh.c.recipient_id, same_slot))
        .where(moments.c.status == _PLANNED)
        .distinct()
        .order_by(moments.c.id)
    )  # fmt: skip
    return [
        Contender(r.id, r.recipient_id, r.due_at, r.priority, r.play_id, r.action, r.time_zone, r.meeting)
        for r in conn.execute(query)
    ]


def settle(conn: Connection, losses: Sequence[Loss], now: datetime) -> int:
    """Stop each loser that is still planned as deduplicated, and note the win on the winner. Returns how many."""
    stopped = 0
    for loss in losses:
        row = conn.execute(select(moments.c.trace).where(moments.c.id == loss.loser.moment_id)).one()
        done = conn.execute(
            update(moments)
            .where(moments.c.id == loss.loser.moment_id, moments.c.status == _PLANNED)
            .values(status=MomentStatus.DONE.value, stop_reason=StopReason.DEDUPLICATED.value,
                    trace=trace_with(row, loss.loser_step()), finished_at=now)
        )  # fmt: skip
        if not done.rowcount:
            continue  # a worker claimed it meanwhile: it runs, and the slot is shared this once
        stopped += 1
        winner = conn.execute(select(moments.c.trace).where(moments.c.id == loss.winner.moment_id)).one()
        conn.execute(
            update(moments)
            .where(moments.c.id == loss.winner.moment_id, moments.c.status == _PLANNED)
            .values(trace=trace_with(winner, loss.winner_step()))
        )
    return stopped
