"""The scheduler tick: look for stalls, plan moments from new events, settle competing moments, then claim and
run every due moment."""

from __future__ import annotations

import logging
import time as wall
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kairos.clock import Clock
from kairos.deliver.base import Channel
from kairos.deliver.inbound import drain
from kairos.domain.event import EventType
from kairos.domain.moment import StopReason, TraceStep
from kairos.plays.slots import contest
from kairos.plays.stall import ACTIVITY, READINGS_SINCE, stalls
from kairos.store import events as event_log
from kairos.store import moments as moment_store
from kairos.store import slots as slot_store
from kairos.store import stall as stall_store
from kairos.worker.deliver import due_companions
from kairos.worker.learn import settle_due
from kairos.worker.plan import plan
from kairos.worker.process import process_moment
from kairos.worker.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    events_planned: int = 0
    moments_created: int = 0
    finished: Counter[str] = field(default_factory=Counter)
    deferred: int = 0
    stalls_found: int = 0  # focus.stalled events recorded
    deduplicated: int = 0  # moments that lost their slot to a higher-priority moment
    decisions_settled: int = 0  # decisions whose outcome window passed: their rewards updated the policy
    answers: int = 0  # answers read from channels that are polled (Matrix)
    companions: int = 0  # companion deliveries sent or retried (the calendar copy of a brief)

    def add(self, other: TickReport) -> None:
        self.events_planned += other.events_planned
        self.moments_created += other.moments_created
        self.finished.update(other.finished)
        self.deferred += other.deferred
        self.stalls_found += other.stalls_found
        self.deduplicated += other.deduplicated
        self.decisions_settled += other.decisions_settled
        self.answers += other.answers
        self.companions += other.companions


def tick(rt: Runtime, now: datetime) -> TickReport:
    report = TickReport()
    report.answers = poll_channels(rt, now)
    report.stalls_found = watch_for_stalls(rt, now)
    report.events_planned, report.moments_created = plan(rt, now)
    report.deduplicated = settle_slots(rt, now)
    report.decisions_settled = settle_due(rt.db, rt.policy, now)
    lease = timedelta(seconds=rt.settings.claim_lease_seconds)
    while True:
        with rt.db.transaction() as conn:
            token, ids = moment_store.claim_due(conn, now, rt.settings.claim_batch, lease)
        if not ids:
            report.companions = due_companions(rt, now)
            return report
        for moment_id in ids:
            reason = _run_one(rt, moment_id, token, now)
            if reason is None:
                report.deferred += 1
            else:
                report.finished[reason.value] += 1


def poll_channels(rt: Runtime, now: datetime) -> int:
    """Read the answers waiting on channels that are polled rather than called back; one failing channel is logged
    and does not stop the tick (its cursor stays, so nothing is lost)."""
    taken = 0
    for channel in rt.channels.values():
        if type(channel).poll is Channel.poll:
            continue
        try:
            taken += drain(rt.db, channel, now, working_days=tuple(rt.settings.working_days)).accepted
        except Exception:
            log.exception("reading answers from %s failed", channel.name)
    return taken


def watch_for_stalls(rt: Runtime, now: datetime) -> int:
    """Record a ``focus.stalled`` event for each newly stalled focus (plays/stall.py), if a play listens for them."""
    if EventType.FOCUS_STALLED.value not in rt.trigger_types:
        return 0
    with rt.db.transaction() as conn:
        watched = stall_store.watches(conn, ACTIVITY, now)
        readings = stall_store.gap_readings(conn, [w.person_id for w in watched], (now - READINGS_SINCE).date())
        found = stalls(watched, readings, now)
        return event_log.append(conn, found, now) if found else 0


def settle_slots(rt: Runtime, now: datetime) -> int:
    """Stop the moments this tick's planning made that lost their recipient's slot to a higher priority."""
    with rt.db.transaction() as conn:
        losses = contest(slot_store.contenders(conn, now), now)
        return slot_store.settle(conn, losses, now) if losses else 0


def _run_one(rt: Runtime, moment_id: int, token: str, now: datetime) -> StopReason | None:
    try:
        return process_moment(rt, moment_id, token, now)
    except Exception as exc:  # one broken moment must not stop the others; it is recorded, not swallowed
        log.exception("moment %s failed", moment_id)
        with rt.db.transaction() as conn:
            row = moment_store.get(conn, moment_id)
            step = TraceStep("error", "error", f"{type(exc).__name__}: {exc}")
            moment_store.finish(conn, moment_id, StopReason.ERROR, moment_store.trace_with(row, step), now)
        return StopReason.ERROR


def run_forever(rt: Runtime, clock: Clock, interval_seconds: float, should_stop: Callable[[], bool]) -> None:
    """The embedded worker: tick, sleep, repeat."""
    while not should_stop():
        report = tick(rt, clock.now())
        if report.finished or report.moments_created:
            log.info("tick: %s new moments, finished %s", report.moments_created, dict(report.finished))
        wall.sleep(interval_seconds)


def simulate(
    rt: Runtime, start: datetime, until: datetime, on_tick: Callable[[datetime, TickReport], None] | None = None
) -> TickReport:
    """Run the real engine over simulated time, jumping from one due moment to the next."""
    total = TickReport()
    now = start
    while now <= until:
        report = tick(rt, now)
        total.add(report)
        if on_tick:
            on_tick(now, report)
        with rt.db.transaction() as conn:
            upcoming = moment_store.next_due(conn)
        if upcoming is None:
            break
        now = max(upcoming, now + timedelta(seconds=1))
    return total
