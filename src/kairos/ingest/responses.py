"""A person's answer to a nudge — applied it, not relevant, snooze, a reflection, a rating — into the loop.

Every channel's inbound handler ends here (the CLI, and through ``deliver/inbound.py`` Slack, Teams,
Matrix, email replies and the inbox), so all answers are checked and stored the same way: only the
recipient may answer their own delivered nudge; a snooze plans the moment again for the next
working morning; a reflection's text is stored with the response, never put in an event.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.moment import TraceStep
from kairos.domain.response import ResponseKind
from kairos.errors import InputError
from kairos.plays.timing import local_wall_time, next_working_day
from kairos.store import Database
from kairos.store import decisions as decision_store
from kairos.store import events as event_log
from kairos.store import moments as moment_store
from kairos.store import people as people_store

MAX_REFLECTION = 5000
SNOOZE_UNTIL = time(9, 0)  # the next working morning, in the recipient's zone


def record_response(
    db: Database, moment_id: int, kind: ResponseKind, *, by: str, now: datetime, channel: str = "cli",
    text: str | None = None, rating: int | None = None, working_days: tuple[int, ...] = (0, 1, 2, 3, 4),
    origin: str = "kairos respond",
) -> int:  # fmt: skip
    """Store one answer and its event; a snooze plans the moment again. Returns the response id."""
    with db.transaction() as conn:
        return record_in(conn, moment_id, kind, by=by, now=now, channel=channel, text=text, rating=rating,
                         working_days=working_days, origin=origin)  # fmt: skip


def answerable(row: Any, channel: str) -> bool:
    """A delivered nudge can be answered anywhere; one whose channels all failed only from the inbox, where it
    still waits."""
    if row.stop_reason == "delivered":
        return True
    return channel == "inbox" and row.stop_reason in ("delivery_failed", "delivery_uncertain")


def record_in(
    conn: Connection, moment_id: int, kind: ResponseKind, *, by: str, now: datetime, channel: str,
    text: str | None = None, rating: int | None = None, working_days: tuple[int, ...] = (0, 1, 2, 3, 4),
    origin: str = "kairos respond",
) -> int:  # fmt: skip
    """:func:`record_response` inside the caller's transaction (an inbound channel also notes the answer's id)."""
    if kind is ResponseKind.REFLECTION and not (text or "").strip():
        raise InputError.at(origin, "the text of the reflection", field="text")
    if text is not None and len(text) > MAX_REFLECTION:
        raise InputError.at(origin, f"at most {MAX_REFLECTION} characters", field="text", value=text)
    if kind is ResponseKind.RATING and (rating is None or not 1 <= rating <= 5):
        raise InputError.at(origin, "a rating from 1 to 5", field="rating", value=rating)
    row = moment_store.find(conn, moment_id)
    if row is None:
        raise InputError.at(origin, "the id of a delivered moment", field="moment", value=moment_id)
    if not answerable(row, channel):
        raise InputError.at(origin, "a moment that was delivered", field="moment",
                            value=f"{moment_id} ({row.stop_reason or row.status})")  # fmt: skip
    if by != row.recipient_id:
        raise InputError.at(origin, f"the recipient of moment {moment_id} ({row.recipient_id})", field="by",
                            value=by)  # fmt: skip
    cleaned = (text or "").strip() or None
    response_id = decision_store.add_response(conn, moment_id=moment_id, person_id=by, kind=kind,
                                              channel=channel, now=now, text=cleaned, rating=rating)  # fmt: skip
    event_log.append(conn, [Event(id=content_id("response", response_id), source=f"kairos/responses/{channel}",
                                  type=EventType.RESPONSE_CAPTURED, subject=by, time=now,
                                  data={"moment": moment_id, "kind": kind.value, "channel": channel})],
                     now)  # fmt: skip
    if kind is ResponseKind.SNOOZE and not row.cap_exempt:
        person = people_store.get(conn, by)
        zone = ZoneInfo(person.time_zone if person else row.time_zone or "UTC")
        day = next_working_day(now.astimezone(zone).date(), working_days)
        due = local_wall_time(day, SNOOZE_UNTIL, zone)
        step = TraceStep("response/snooze", "done", f"snoozed by {by}; planned again for {due.isoformat()}")
        moment_store.plan_again(conn, row, suffix=f"snooze-{response_id}", due_at=due,
                                expires_at=due + timedelta(days=1), context={"snoozed_from": moment_id},
                                step=step, now=now)  # fmt: skip
    return response_id
