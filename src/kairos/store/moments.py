"""Coaching moments: planned with a due time, claimed by one worker at a time, finished with one stop reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from kairos.domain.moment import MomentStatus, PlannedMoment, StopReason, TraceStep
from kairos.store.rows import insert_ignoring_duplicates
from kairos.store.schema import moments, nudges


def _row(p: PlannedMoment, now: datetime) -> dict[str, Any]:
    done = p.stop_reason is not None
    return {
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


def add_planned(conn: Connection, planned: Sequence[PlannedMoment], now: datetime) -> int:
    """Store moments; one whose dedup key exists is not stored again. Returns the new count."""
    return insert_ignoring_duplicates(conn, moments, [_row(p, now) for p in planned], ("dedup_key",))


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


def find(conn: Connection, moment_id: int) -> Any | None:
    return conn.execute(select(moments).where(moments.c.id == moment_id)).first()


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
    """Plan the moment for ``due_at``: a retry, a deferral, or a finished moment opened again (a dead letter an
    operator sends again), which loses its stop reason."""
    conn.execute(
        update(moments)
        .where(moments.c.id == moment_id)
        .values(
            status=MomentStatus.PLANNED.value,
            due_at=due_at,
            trace=trace,
            claimed_by=None,
            lease_until=None,
            stop_reason=None,
            finished_at=None,
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


def _of_meeting(meeting_key: str) -> Any:
    return moments.c.context["meeting"].as_string() == meeting_key


def _composed(conn: Connection, ids: Sequence[int]) -> set[int]:
    """Which of these moments already have a composed nudge: those are under way and are not re-planned."""
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(r.moment_id for r in conn.execute(select(nudges.c.moment_id).where(nudges.c.moment_id.in_(chunk))))
    return found


def pending_of_meetings(conn: Connection, meeting_keys: Sequence[str]) -> dict[str, set[int]]:
    """The ids of the not-yet-run moments planned for these meeting occurrences, by occurrence.

    One pass over the pending moments for every 500 occurrences: asking occurrence by occurrence reads every
    pending moment each time (no index holds the occurrence), which made a large calendar change quadratic.
    """
    meeting = moments.c.context["meeting"].as_string()
    found: dict[str, set[int]] = {}
    wanted = sorted(set(meeting_keys))
    for start in range(0, len(wanted), 500):
        query = select(moments.c.id, meeting.label("meeting")).where(
            moments.c.status == MomentStatus.PLANNED.value, meeting.in_(wanted[start : start + 500])
        )
        for row in conn.execute(query):
            found.setdefault(row.meeting, set()).add(row.id)
    return found


def newest_id(conn: Connection) -> int:
    """The highest moment id so far (0 for none): moments stored later have higher ids."""
    return int(conn.execute(select(func.coalesce(func.max(moments.c.id), 0))).scalar_one())


def cancel_for_meeting(
    conn: Connection,
    meeting_key: str,
    detail: Callable[[str | None], str],
    now: datetime,
    among: Collection[int] | None = None,
) -> int:
    """End every not-yet-run moment planned for this meeting occurrence as cancelled, saying why in its trace.

    ``detail`` words the reason for a recipient's time zone. Delivered and running moments stay as they are.
    ``among``: the occurrence's pending moment ids from ``pending_of_meetings`` in the same transaction, so only
    those rows are read instead of every pending moment.
    """
    query = select(moments.c.id, moments.c.trace, moments.c.time_zone).where(
        moments.c.status == MomentStatus.PLANNED.value, _of_meeting(meeting_key)
    )
    if among is not None:
        if not among:
            return 0
        query = query.where(moments.c.id.in_(sorted(among)))
    pending = conn.execute(query).all()
    for row in pending:
        step = TraceStep("cancel", "done", detail(row.time_zone))
        finish(conn, row.id, StopReason.CANCELLED, trace_with(row, step), now)
    return len(pending)


# Stops decided while planning, or by a cancellation: a changed meeting may make such a moment worth running.
_REPLANNABLE = frozenset(
    {StopReason.CANCELLED, StopReason.EXPIRED, StopReason.QUIET_HOURS, StopReason.CONDITION_NOT_MET,
     StopReason.NO_RECIPIENT}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Replan:
    added: int  # new moments (a new recipient or action)
    replanned: int  # existing moments given the new plan in place
    cancelled: int  # pending moments the new plan no longer makes


def replan_for_meeting(
    conn: Connection,
    meeting_key: str,
    planned: Sequence[PlannedMoment],
    plays: Collection[str],
    now: datetime,
    among: set[int] | None = None,
    after_id: int = 0,
) -> Replan:
    """Apply a new plan for a changed meeting occurrence to the moments planned for it before.

    A moment with the same dedup key that has not run yet (or stopped at planning, or was cancelled) takes the
    new due time, expiry and outcome in place, so one occurrence never has two briefs and none stays at the old
    time; its trace keeps the old steps and adds the new ones. Pending moments of ``plays`` that the new plan
    does not make again are cancelled. Delivered, running or composed moments stay as they are.

    ``among`` and ``after_id``: the occurrence's pending moment ids from ``pending_of_meetings`` and
    ``newest_id`` earlier in the same transaction. Pending moments are then looked for only among those, the ones
    stored since (a higher id) and the ones an earlier call re-planned in place (this call adds the ids it
    re-plans to ``among``), instead of reading every pending moment.
    """
    wanted = {p.dedup_key: p for p in planned}
    keys = list(wanted)
    existing: dict[str, Any] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update({r.dedup_key: r for r in conn.execute(select(moments).where(moments.c.dedup_key.in_(chunk)))})
    if among is None:
        query = select(moments).where(moments.c.status == MomentStatus.PLANNED.value, _of_meeting(meeting_key))
    else:
        # By id alone, with the status checked below: a status condition makes SQLite walk every pending moment.
        ids = or_(moments.c.id.in_(sorted(among)), moments.c.id > after_id)
        query = select(moments).where(_of_meeting(meeting_key), ids)
    stale = [
        r
        for r in conn.execute(query)
        if r.status == MomentStatus.PLANNED.value and r.dedup_key not in wanted and r.play_id in plays
    ]
    composed = _composed(conn, [r.id for r in [*existing.values(), *stale]])
    fresh, replanned = [], 0
    for key, plan in wanted.items():
        row = existing.get(key)
        if row is None:
            fresh.append(plan)
            continue
        open_ = row.status == MomentStatus.PLANNED.value
        stopped_early = row.status == MomentStatus.DONE.value and row.stop_reason in _REPLANNABLE
        if row.id in composed or not (open_ or stopped_early):
            continue
        values = _row(plan, now)
        for fixed in ("dedup_key", "created_at", "action", "recipient_id"):
            values.pop(fixed)
        values["trace"] = [*row.trace, *values["trace"]]
        conn.execute(update(moments).where(moments.c.id == row.id).values(**values))
        if among is not None:
            among.add(row.id)
        replanned += 1
    cancelled = 0
    for row in stale:
        if row.id in composed:
            continue
        detail = f"cancelled: the meeting changed and play {row.play_id} no longer plans this {row.action} moment"
        finish(conn, row.id, StopReason.CANCELLED, trace_with(row, TraceStep("cancel", "done", detail)), now)
        cancelled += 1
    return Replan(added=add_planned(conn, fresh, now), replanned=replanned, cancelled=cancelled)


def set_trace(conn: Connection, moment_id: int, trace: list[dict[str, Any]]) -> None:
    conn.execute(update(moments).where(moments.c.id == moment_id).values(trace=trace))


def next_due(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(moments.c.due_at)).where(moments.c.status == MomentStatus.PLANNED.value)
    ).scalar_one_or_none()


def trace_with(row: Any, *steps: TraceStep) -> list[dict[str, Any]]:
    return [*row.trace, *(s.as_dict() for s in steps)]


def plan_again(conn: Connection, row: Any, *, suffix: str, due_at: datetime, expires_at: datetime | None,
               context: dict[str, Any], step: TraceStep, now: datetime) -> int | None:  # fmt: skip
    """A new planned moment copying ``row`` (a snoozed nudge, an approved review item) under a derived de-dup key;
    None when one with that key exists already."""
    values = {
        c: getattr(row, c)
        for c in (
            "play_id",
            "play_version",
            "action",
            "event_seq",
            "subject_id",
            "recipient_id",
            "audience",
            "time_zone",
            "priority",
            "cap_exempt",
            "cooldown_days",
        )  # fmt: skip
    }
    values.update(
        dedup_key=f"{row.dedup_key[: 380 - len(suffix)]}/{suffix}", due_at=due_at, expires_at=expires_at,
        status=MomentStatus.PLANNED.value, stop_reason=None, context={**row.context, **context},
        trace=[*row.trace, step.as_dict()], claimed_by=None, lease_until=None, created_at=now, finished_at=None,
    )  # fmt: skip
    if insert_ignoring_duplicates(conn, moments, [values], ("dedup_key",)) == 0:
        return None
    return int(conn.execute(select(moments.c.id).where(moments.c.dedup_key == values["dedup_key"])).scalar_one())
