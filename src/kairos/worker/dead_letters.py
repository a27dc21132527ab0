"""Dead letters: deliveries that failed for good, and sending one again once an operator fixed the cause."""

from __future__ import annotations

from datetime import datetime

from kairos.domain.moment import TraceStep
from kairos.errors import InputError
from kairos.store import Database
from kairos.store import deliveries as delivery_store
from kairos.store import moments as moment_store

RETRYABLE_ENDS = ("delivery_failed", "delivery_uncertain")


def retry_dead_letter(db: Database, moment_id: int, *, by: str, now: datetime) -> str:
    """Plan a moment whose delivery failed (or is uncertain) again, on the channel that last failed; returns it.

    For an uncertain delivery the operator confirms the person did not get it — resending is their call, made here.
    """
    origin = "kairos deliveries retry"
    with db.transaction() as conn:
        row = moment_store.find(conn, moment_id)
        if row is None or row.stop_reason not in RETRYABLE_ENDS:
            got = f"{moment_id} ({row.stop_reason or row.status})" if row is not None else moment_id
            raise InputError.at(origin, "a moment whose delivery failed or is uncertain", field="moment", value=got)
        primary = [d for d in delivery_store.for_moment(conn, moment_id) if d.is_primary]
        if not primary:
            raise InputError.at(origin, "a moment that has a delivery", field="moment", value=moment_id)
        last = primary[-1]
        delivery_store.requeue(conn, last.idempotency_key, now, f"sent again by {by} after: {last.detail}")
        step = TraceStep("deliver/retry", "done", f"{by} had it sent again on {last.channel} (was {last.status}: "
                                                  f"{last.detail})")  # fmt: skip
        moment_store.reschedule(conn, moment_id, now, moment_store.trace_with(row, step))
    return str(last.channel)
