"""The scheduler tick: plan moments from new events, then claim and run every due moment."""

from __future__ import annotations

import logging
import time as wall
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kairos.clock import Clock
from kairos.domain.moment import StopReason, TraceStep
from kairos.store import moments as moment_store
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

    def add(self, other: TickReport) -> None:
        self.events_planned += other.events_planned
        self.moments_created += other.moments_created
        self.finished.update(other.finished)
        self.deferred += other.deferred


def tick(rt: Runtime, now: datetime) -> TickReport:
    report = TickReport()
    report.events_planned, report.moments_created = plan(rt, now)
    lease = timedelta(seconds=rt.settings.claim_lease_seconds)
    while True:
        with rt.db.transaction() as conn:
            token, ids = moment_store.claim_due(conn, now, rt.settings.claim_batch, lease)
        if not ids:
            return report
        for moment_id in ids:
            reason = _run_one(rt, moment_id, token, now)
            if reason is None:
                report.deferred += 1
            else:
                report.finished[reason.value] += 1


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
