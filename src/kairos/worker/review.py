"""The review queue's two answers: approve (the moment runs again with exactly the held decision) or reject.

Weighty recommendations wait here by default (``docs/policy.md``). An approval plans the moment
again, due now, carrying the decision that was held, the reviewer and their note, so what goes
out is what was approved; a rejection records the reviewer's reason on the item.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kairos.domain.moment import TraceStep
from kairos.errors import InputError
from kairos.store import Database
from kairos.store import decisions as decision_store
from kairos.store import moments as moment_store


def approve(db: Database, item_id: int, *, by: str, note: str, now: datetime, origin: str = "kairos review") -> int:
    """Approve a waiting item; returns the id of the moment planned to carry it out."""
    with db.transaction() as conn:
        item = _waiting(conn, item_id, origin)
        row = moment_store.get(conn, item.moment_id)
        step = TraceStep("review", "pass", f"approved by {by}: {note or 'no note'}")
        moment_id = moment_store.plan_again(
            conn, row, suffix=f"approved-{item_id}", due_at=now, expires_at=now + timedelta(days=2),
            context={"approved_decision": item.decision, "approved_by": by, "review_note": note}, step=step, now=now,
        )  # fmt: skip
        decision_store.close_review(conn, item_id, "approved", by, note, now)
    assert moment_id is not None, "an item is approved once: its moment is planned again once"
    return moment_id


def reject(db: Database, item_id: int, *, by: str, note: str, now: datetime, origin: str = "kairos review") -> None:
    if not note.strip():
        raise InputError.at(origin, "a reason for rejecting it, for the record", field="note")
    with db.transaction() as conn:
        _waiting(conn, item_id, origin)
        decision_store.close_review(conn, item_id, "rejected", by, note, now)


def _waiting(conn, item_id: int, origin: str):  # type: ignore[no-untyped-def]
    item = decision_store.review_item(conn, item_id)
    if item is None or item.status != "waiting":
        state = "not found" if item is None else f"already {item.status}"
        raise InputError.at(origin, "the id of an item waiting for review", field="item", value=f"{item_id} ({state})")
    return item
