"""Answers from every channel, checked the same way and stored as responses (loop step 7).

A channel's parser has already verified that the request came from its provider (a signature, a token) and
turned it into an :class:`Answer`. Here, in one transaction:

1. **Seen?** The provider's id for the answer is noted; a second copy (a retried or replayed request) is
   recorded as rejected (``replayed``) and changes nothing.
2. **Which nudge?** The moment the answer names (a button's value, a reply address) or the delivery whose
   provider id it answers (a thread, a Matrix event replied to or reacted to).
3. **Who?** The sender's channel address must belong to the nudge's recipient: nobody answers for someone else.
4. **Stored** through ``ingest/responses.record_in`` — a snooze plans the moment again; a reflection's text is
   kept with the response, never in an event.

Every refusal is a ``channel.rejected`` event: channel, reason, a short detail, where it came from and its
size — never the payload, which is untrusted personal data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, select

from kairos.deliver.base import Answer, Channel, Rejected
from kairos.domain.event import Event, EventType
from kairos.errors import InputError
from kairos.ingest.responses import answerable, record_in
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import events as event_log
from kairos.store import moments as moment_store
from kairos.store import people as people_store
from kairos.store.schema import deliveries


@dataclass(frozen=True, slots=True)
class Accepted:
    response_id: int
    moment_id: int
    person_id: str
    kind: str


def accept(db: Database, answer: Answer, now: datetime, *, working_days: tuple[int, ...] = (0, 1, 2, 3, 4),
           remote: str = "", size: int = 0) -> Accepted:  # fmt: skip
    """Store ``answer`` as a response; raise :class:`Rejected` (already recorded) when it cannot be."""
    try:
        with db.transaction() as conn:
            return _accept(conn, answer, now, working_days)
    except Rejected as refused:
        record_rejection(db, refused, now, remote=remote, size=size)
        raise


def _accept(conn: Connection, answer: Answer, now: datetime, working_days: tuple[int, ...]) -> Accepted:
    answer = _storable(answer)
    receipt = channel_store.claim_receipt(conn, answer.channel, answer.external_id, now)
    if receipt is None:
        raise Rejected(answer.channel, "replayed", f"answer {answer.external_id[:80]} was received before")
    moment_id = answer.moment_id if answer.moment_id is not None else _answered(conn, answer)
    row = moment_store.find(conn, moment_id)
    if row is None:
        raise Rejected(answer.channel, "unknown_message", f"no nudge {moment_id}")
    if not answerable(row, answer.channel):
        raise Rejected(answer.channel, "not_delivered", f"nudge {moment_id} was not delivered")
    person = _sender(conn, answer)
    if person is None:
        raise Rejected(answer.channel, "unknown_sender", "the sender is nobody Kairos knows on this channel")
    if person != row.recipient_id:
        raise Rejected(answer.channel, "not_recipient", f"nudge {moment_id} was not sent to the sender")
    try:
        response_id = record_in(conn, moment_id, answer.kind, by=person, now=now, channel=answer.channel,
                                text=answer.text, rating=answer.rating, working_days=working_days,
                                origin=f"{answer.channel} answer")  # fmt: skip
    except InputError as exc:  # say what was wrong, never the value (it is the person's text)
        said = "; ".join(f"{p.field or 'answer'}: expected {p.expected}" for p in exc.problems)
        raise Rejected(answer.channel, "malformed", said[:300]) from None
    channel_store.settle_receipt(conn, receipt, response_id)
    return Accepted(response_id, moment_id, person, answer.kind.value)


def _storable(answer: Answer) -> Answer:
    """PostgreSQL keeps no NUL character in text: drop it from what the person sent rather than fail the request."""
    if "\x00" not in answer.external_id and "\x00" not in (answer.text or "") and "\x00" not in answer.sender:
        return answer
    return replace(answer, external_id=answer.external_id.replace("\x00", ""), sender=answer.sender.replace(
        "\x00", ""), text=answer.text.replace("\x00", "") if answer.text is not None else None)  # fmt: skip


def _answered(conn: Connection, answer: Answer) -> int:
    """The moment whose delivery on this channel the provider knows by ``answer.provider_ref``."""
    if not answer.provider_ref:
        raise Rejected(answer.channel, "unknown_message", "the answer names no nudge")
    found = conn.execute(
        select(deliveries.c.moment_id)
        .where(deliveries.c.channel == answer.channel, deliveries.c.provider_id == answer.provider_ref)
        .limit(2)
    ).all()
    if not found:
        raise Rejected(answer.channel, "unknown_message", "the message answered is not a Kairos nudge")
    if len(found) > 1:  # every nudge of a digest shares the digest's message: a reply cannot say which it means
        raise Rejected(answer.channel, "unknown_message", "a reply to a digest; answer one of its notes instead")
    return int(found[0].moment_id)


def _sender(conn: Connection, answer: Answer) -> str | None:
    if answer.channel == "email":
        return people_store.by_email(conn, answer.sender)
    if answer.channel == "inbox":
        return answer.sender  # the inbox's signed link already names the person
    return channel_store.person_at(conn, answer.channel, answer.sender)


def record_rejection(db: Database, refused: Rejected, now: datetime, *, remote: str = "", size: int = 0) -> None:
    """Note a refused inbound request as a ``channel.rejected`` event (never its body)."""
    with db.transaction() as conn:
        event_log.append(conn, [Event(id=uuid.uuid4().hex, source=f"kairos/channels/{refused.channel}",
                                      type=EventType.CHANNEL_REJECTED, subject=None, time=now,
                                      data={"channel": refused.channel, "reason": refused.reason,
                                            "detail": _clean(refused.detail)[:300], "remote": _clean(remote)[:100],
                                            "size": size})], now)  # fmt: skip


@dataclass
class Drained:
    accepted: int = 0
    rejected: int = 0


def drain(db: Database, channel: Channel, now: datetime, *, working_days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> Drained:
    """For a channel that is read rather than called (Matrix): take what came in since the stored cursor, store
    each answer or rejection, then move the cursor — after, so a crash re-reads rather than loses (replays are
    recognised by their provider id)."""
    with db.transaction() as conn:
        since = channel_store.cursor(conn, channel.name)
    items, cursor = channel.poll(since)
    counts = Drained()
    for item in items:
        if isinstance(item, Rejected):
            record_rejection(db, item, now)
            counts.rejected += 1
            continue
        try:
            accept(db, item, now, working_days=working_days)
            counts.accepted += 1
        except Rejected:
            counts.rejected += 1
    if cursor is not None and cursor != since:
        with db.transaction() as conn:
            channel_store.set_cursor(conn, channel.name, cursor, now)
    return counts


def _clean(text: str) -> str:
    return text.replace("\x00", "")
