"""The delivery stage: the person's channel, exactly once, with fallbacks, digests and companions (loop step 6).

Routing (``domain/preferences.choose_channel``) picks one primary channel per nudge: the person's choice, else the
organization's order, else the web inbox. A companion channel (the calendar copy of a brief) gets its own delivery
beside it. Every delivery row is a ledger entry keyed by (moment, channel):

    prepared ─▶ sending ─▶ delivered
        │           └──▶ uncertain   (the provider may have it: a worker died or the connection broke after the
        │                             commit point; not resent unless the provider deduplicates)
        ├──▶ retry ─▶ … (backoff with jitter) ─▶ failed  (dead-lettered with the reason after the last try)
        └──▶ digest ─▶ delivered with the person's daily digest (a digest that fails for good hands each of its
                       nudges to the next channel, one by one)

A primary delivery that fails for good, or that cannot reach the person, falls back to the next channel that can
(never to the inbox: every nudge is in the inbox anyway). Only when no channel is left does the moment end
``delivery_failed`` — and the nudge still waits in the inbox, so an outage never loses one.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from kairos.deliver.backoff import retry_delay
from kairos.deliver.base import Channel, Receipt, ReceiptStatus
from kairos.deliver.tokens import Grant, expiry
from kairos.domain.meeting import SINGLE, Meeting
from kairos.domain.moment import StopReason, TraceStep
from kairos.domain.nudge import Links, Nudge
from kairos.domain.person import Person
from kairos.domain.preferences import Pacing, Preference, Route, choose_channel
from kairos.domain.response import ResponseKind
from kairos.plays.timing import QuietWindow, local_wall_time, next_working_day
from kairos.store import channels as channel_store
from kairos.store import deliveries as delivery_store
from kairos.store import digests as digest_store
from kairos.store import meetings as meeting_store
from kairos.store import moments as moment_store
from kairos.store import nudges as nudge_store
from kairos.store import people as people_store
from kairos.worker.runtime import Runtime

INBOX = "inbox"
_LABELS = {"email": "email", "slack": "Slack", "teams": "Microsoft Teams", "matrix": "Matrix", "webhook":
           "your organization's integration", "inbox": "your Kairos inbox", "calendar": "your calendar"}  # fmt: skip


def label(channel: str) -> str:
    return _LABELS.get(channel, channel)


# --- routing, at prepare time --------------------------------------------------------------------------------------


def route(rt: Runtime, conn: Connection, person: Person, pref: Preference | None, *,
          tried: Sequence[str] = ()) -> Route:  # fmt: skip
    """The primary channel for ``person`` (``pref``: their stored preferences, if any): their choice, the
    organization's order, else the inbox."""
    known = channel_store.addresses_of(conn, person.id)
    enabled = [name for name, ch in rt.channels.items() if not ch.companion and name not in tried]

    def reaches(name: str) -> bool:
        return rt.channels[name].reaches(person, known.get(name))

    chosen = choose_channel(pref, rt.settings.delivery.channels, enabled, reaches)
    if chosen.channel is None and not tried:
        return Route(INBOX, chosen.reason)
    return chosen


def person_quiet_window(rt: Runtime, pref: Preference | None) -> QuietWindow:
    own = pref.own_quiet_hours if pref else None
    return QuietWindow(*own) if own else rt.quiet


def plan_deliveries(rt: Runtime, conn: Connection, row: Any, recipient: Person, pref: Preference | None,
                    nudge_id: int, nudge: Nudge, now: datetime) -> tuple[list[TraceStep], datetime | None]:  # fmt: skip
    """Write the moment's delivery rows (``pref``: the recipient's preferences, as read for the rules); returns
    the trace steps and, for a digest, when the digest goes."""
    steps: list[TraceStep] = []
    chosen = route(rt, conn, recipient, pref)
    assert chosen.channel is not None
    digest_at = _digest_time(rt, pref, recipient, row, now) if chosen.channel != INBOX else None
    delivery_store.prepare(
        conn, key=delivery_store.idempotency_key(row.id, chosen.channel), moment_id=row.id, nudge_id=nudge_id,
        channel=chosen.channel, recipient_id=recipient.id, cap_exempt=row.cap_exempt, now=now,
        status="digest" if digest_at else "prepared", reason=chosen.reason,
    )  # fmt: skip
    steps.append(TraceStep("deliver/route", "pass", f"{chosen.channel}: {chosen.reason}", {"channel": chosen.channel}))
    for name, channel in rt.channels.items():
        if channel.companion and channel.applies_to(nudge):
            delivery_store.prepare(
                conn, key=delivery_store.idempotency_key(row.id, name), moment_id=row.id, nudge_id=nudge_id,
                channel=name, recipient_id=recipient.id, cap_exempt=row.cap_exempt, now=now, primary=False,
                reason="sent beside the person's channel", next_attempt_at=now,
            )  # fmt: skip
            steps.append(TraceStep("deliver/route", "pass", f"{name}: also sent there ({label(name)})"))
    if digest_at is not None:
        zone = ZoneInfo(recipient.time_zone)
        when = f"{digest_at.astimezone(zone):%a %H:%M} {zone.key}"
        steps.append(TraceStep("deliver/digest", "skip", f"held for the daily digest at {when}"))
    return steps, digest_at


def _digest_time(rt: Runtime, pref: Preference | None, person: Person, row: Any, now: datetime) -> datetime | None:
    """When this nudge goes, for someone who chose a daily digest; None when it goes now (they chose real time,
    or it is tied to a meeting or would expire before the digest)."""
    if pref is None or pref.pacing is not Pacing.DIGEST or row.cap_exempt:
        return None
    zone = ZoneInfo(person.time_zone)
    at: time = pref.digest_time or rt.settings.delivery.digest_time
    days = rt.settings.working_days
    local = now.astimezone(zone)
    day = next_working_day(local.date(), days, include_same_day=True)
    due = local_wall_time(day, at, zone)
    if due <= now:
        due = local_wall_time(next_working_day(local.date(), days), at, zone)
    if row.expires_at is not None and row.expires_at <= due:
        return None
    return due


# --- the nudge as a channel receives it ---------------------------------------------------------------------------


def deliverable(rt: Runtime, conn: Connection, row: Any, delivery: Any, now: datetime) -> Nudge | None:
    """The stored nudge with what a channel needs beside it: the moment id, links, the delivery note, the meeting."""
    stored = nudge_store.for_moment(conn, row.id)
    recipient = people_store.get(conn, stored.recipient_id)
    if recipient is None:
        return None
    meeting = meeting_store.get(conn, row.context["meeting"]) if row.context.get("meeting") else None
    links = _links(rt, recipient.id, row.id, now)
    nudge = Nudge(
        recipient_id=recipient.id, recipient_email=recipient.email, recipient_name=recipient.name,
        subject=stored.subject, text=stored.text, html=stored.html, why=stored.why, moment_id=row.id, links=links,
        meeting=meeting_ref(meeting) if meeting is not None else None,
    )  # fmt: skip
    return replace(nudge, delivery_note=_note(rt, delivery.channel, delivery.reason or "", links))


def meeting_ref(meeting: Meeting) -> dict[str, Any]:
    """What channels get of the meeting a brief is about (the calendar finds the event by uid and occurrence)."""
    return {"uid": meeting.uid, "title": meeting.title, "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(), "key": meeting.key, "organizer": meeting.organizer,
            "recurrence_id": None if meeting.occurrence == SINGLE else meeting.occurrence}  # fmt: skip


def _links(rt: Runtime, person_id: str, moment_id: int, now: datetime) -> Links:
    base = rt.settings.delivery.public_url
    if not base:
        return Links()
    sign = rt.signer.issue
    until = expiry(rt.settings, now)
    respond = {
        kind.value: f"{base}/r/{sign(Grant(person_id, 'respond', until, moment_id, kind.value))}"
        for kind in (
            ResponseKind.APPLIED,
            ResponseKind.NOT_RELEVANT,
            ResponseKind.SNOOZE,
            ResponseKind.REFLECTION,
            ResponseKind.RATING,
        )
    }
    return Links(respond=respond, inbox=f"{base}/inbox?token={sign(Grant(person_id, 'inbox', until))}",
                 preferences=f"{base}/preferences?token={sign(Grant(person_id, 'preferences', until))}")  # fmt: skip


def _note(rt: Runtime, channel: str, reason: str, links: Links) -> str:
    """Why it came here and how to change that — in every message."""
    if channel in rt.channels and rt.channels[channel].companion:
        return f"Kairos added this to {label(channel)} beside your usual channel, as your organization set it up."
    said = f"You got this on {label(channel)} because {reason}." if reason else f"You got this on {label(channel)}."
    if links.preferences:
        how = f"Change your channel, real time or a daily digest, or your quiet hours: {links.preferences}"
    else:
        how = "To change your channel, choose a daily digest or set quiet hours, ask your Kairos administrator."
    answer = rt.channels[channel].answers if channel in rt.channels else ""
    return " ".join(part for part in (said, answer, how) if part)


# --- sending ------------------------------------------------------------------------------------------------------


def send_one(rt: Runtime, channel: Channel, nudge: Nudge, key: str, person_id: str, now: datetime) -> Receipt:
    """Send through ``channel`` with the person's stored address; store an address the channel learned."""
    with rt.db.transaction() as conn:
        address = channel_store.address(conn, person_id, channel.name)

    def mark_in_flight() -> None:
        with rt.db.transaction() as c:
            delivery_store.mark_sending(c, key, now)

    receipt = channel.send(nudge, address, key, mark_in_flight)
    if receipt.learned is not None:
        with rt.db.transaction() as conn:
            channel_store.set_address(conn, person_id, receipt.learned, "lookup", now)
    return receipt


def record_primary(rt: Runtime, conn: Connection, row: Any, delivery: Any, receipt: Receipt,
                   now: datetime) -> StopReason | None:  # fmt: skip
    """Write down what the channel answered: delivered, a retry with backoff, a fallback, or a dead letter."""
    attempts = delivery.attempts + 1
    key, channel = delivery.idempotency_key, delivery.channel
    if receipt.status is ReceiptStatus.DELIVERED:
        delivery_store.set_status(conn, key, "delivered", now, provider_id=receipt.provider_id, detail=receipt.detail,
                                  delivered_at=now, attempts=attempts)  # fmt: skip
        zone = ZoneInfo(row.time_zone)
        sent = f"sent: {channel}, {now.astimezone(zone):%a %d %b %H:%M} {zone.key}"
        step = TraceStep("deliver", "done", sent, {"provider_id": receipt.provider_id, "channel": channel})
        moment_store.finish(conn, row.id, StopReason.DELIVERED, moment_store.trace_with(row, step), now)
        return StopReason.DELIVERED
    max_attempts = rt.settings.delivery.max_attempts
    if receipt.status is ReceiptStatus.UNCERTAIN and not _resend_is_safe(rt, channel):
        detail = f"{channel} may have it: {receipt.detail}; not sent again, to avoid a duplicate"
        delivery_store.set_status(conn, key, "uncertain", now, detail=detail, attempts=attempts)
        step = TraceStep("deliver", "error", detail)
        moment_store.finish(conn, row.id, StopReason.DELIVERY_UNCERTAIN, moment_store.trace_with(row, step), now)
        return StopReason.DELIVERY_UNCERTAIN
    if receipt.status in _AGAIN and attempts < max_attempts:
        retry_at = now + _wait(receipt, attempts, key)
        delivery_store.set_status(conn, key, "retry", now, detail=receipt.detail, attempts=attempts)
        note = f"{channel} attempt {attempts} failed ({receipt.detail}); retry at {retry_at.isoformat()}"
        moment_store.reschedule(conn, row.id, retry_at, moment_store.trace_with(row, TraceStep("deliver", "error",
                                                                                                note)))  # fmt: skip
        return None
    why = {ReceiptStatus.RETRYABLE: f"dead-lettered after {attempts} attempts", ReceiptStatus.PERMANENT: "refused",
           ReceiptStatus.UNREACHABLE: "cannot reach the person",
           ReceiptStatus.UNCERTAIN: f"dead-lettered after {attempts} attempts"}[receipt.status]  # fmt: skip
    detail = f"{why}: {receipt.detail}"
    delivery_store.set_status(conn, key, "failed", now, detail=detail, attempts=attempts)
    return fall_back(rt, conn, row, delivery, f"{channel} {detail}", now)


_AGAIN = (ReceiptStatus.RETRYABLE, ReceiptStatus.UNCERTAIN)  # an uncertain send is retried only where that is safe


def _resend_is_safe(rt: Runtime, channel: str) -> bool:
    found = rt.channels.get(channel)
    return found is not None and found.resend_is_safe


def _wait(receipt: Receipt, attempts: int, key: str) -> timedelta:
    """The backoff with jitter, or longer when the provider said how long to wait (capped at a day)."""
    ours = retry_delay(attempts, key)
    if receipt.retry_after is None:
        return ours
    return max(ours, min(receipt.retry_after, timedelta(days=1)))


def fall_back(rt: Runtime, conn: Connection, row: Any, failed: Any, detail: str, now: datetime) -> StopReason | None:
    """Try the next channel that reaches the person; with none left the moment ends ``delivery_failed`` (the nudge
    stays readable in the inbox)."""
    recipient = people_store.get(conn, row.recipient_id)
    tried = [d.channel for d in delivery_store.for_moment(conn, row.id) if d.is_primary] + [INBOX]
    if recipient is None:
        nxt = Route(None, "recipient inactive")
    else:
        nxt = route(rt, conn, recipient, channel_store.preference(conn, recipient.id), tried=tried)
    if nxt.channel is None:
        step = TraceStep("deliver", "error", f"{detail}; no other channel reaches {row.recipient_id} — the nudge "
                                             f"waits in their inbox")  # fmt: skip
        moment_store.finish(conn, row.id, StopReason.DELIVERY_FAILED, moment_store.trace_with(row, step), now)
        return StopReason.DELIVERY_FAILED
    delivery_store.prepare(
        conn, key=delivery_store.idempotency_key(row.id, nxt.channel), moment_id=row.id, nudge_id=failed.nudge_id,
        channel=nxt.channel, recipient_id=row.recipient_id, cap_exempt=row.cap_exempt, now=now,
        reason=f"{label(failed.channel)} could not deliver it, and {nxt.reason}",
    )  # fmt: skip
    step = TraceStep("deliver/fallback", "skip", f"{detail}; falling back to {nxt.channel} ({nxt.reason})")
    moment_store.reschedule(conn, row.id, now, moment_store.trace_with(row, step))
    return None


def send_companions(rt: Runtime, due: list[Any], row: Any, now: datetime) -> None:
    """Send companion deliveries (the calendar copy of a brief); they never change how the moment ended."""
    for delivery in due:
        channel = rt.channels.get(delivery.channel)
        if channel is None:
            with rt.db.transaction() as conn:
                delivery_store.set_status(conn, delivery.idempotency_key, "failed", now,
                                          detail=f"{delivery.channel} is no longer configured")  # fmt: skip
            continue
        if delivery.status == "sending" and not channel.resend_is_safe:
            with rt.db.transaction() as conn:
                delivery_store.set_status(
                    conn,
                    delivery.idempotency_key,
                    "uncertain",
                    now,
                    detail="a worker stopped while it was being accepted; not sent again",
                )
            continue
        with rt.db.transaction() as conn:
            nudge = deliverable(rt, conn, row, delivery, now)
        if nudge is None:
            continue
        receipt = send_one(rt, channel, nudge, delivery.idempotency_key, row.recipient_id, now)
        with rt.db.transaction() as conn:
            _record_companion(rt, conn, delivery, receipt, now)


def _record_companion(rt: Runtime, conn: Connection, delivery: Any, receipt: Receipt, now: datetime) -> None:
    attempts = delivery.attempts + 1
    key = delivery.idempotency_key
    if receipt.status is ReceiptStatus.DELIVERED:
        delivery_store.set_status(conn, key, "delivered", now, provider_id=receipt.provider_id, detail=receipt.detail,
                                  delivered_at=now, attempts=attempts, next_attempt_at=None)  # fmt: skip
    elif receipt.status is ReceiptStatus.UNCERTAIN and not _resend_is_safe(rt, delivery.channel):
        delivery_store.set_status(conn, key, "uncertain", now, detail=f"may have it: {receipt.detail}",
                                  attempts=attempts, next_attempt_at=None)  # fmt: skip
    elif receipt.status in _AGAIN and attempts < rt.settings.delivery.max_attempts:
        delivery_store.set_status(conn, key, "retry", now, detail=receipt.detail, attempts=attempts,
                                  next_attempt_at=now + _wait(receipt, attempts, key))  # fmt: skip
    else:
        delivery_store.set_status(conn, key, "failed", now, detail=f"after {attempts} attempt(s): {receipt.detail}",
                                  attempts=attempts, next_attempt_at=None)  # fmt: skip


def due_companions(rt: Runtime, now: datetime) -> int:
    """A tick step, after the moments ran: companion deliveries that are new or whose retry time has come."""
    with rt.db.transaction() as conn:
        due = delivery_store.companions_due(conn, now, now - timedelta(seconds=rt.settings.claim_lease_seconds))
        moments = {d.moment_id: moment_store.get(conn, d.moment_id) for d in due}
    for delivery in due:
        send_companions(rt, [delivery], moments[delivery.moment_id], now)
    return len(due)


# --- digests ------------------------------------------------------------------------------------------------------


def send_digest(rt: Runtime, row: Any, delivery: Any, now: datetime) -> StopReason | None:
    """Send the recipient's digest that holds this moment (gathering it first if no digest has taken it yet)."""
    channel = rt.channels.get(delivery.channel)
    with rt.db.transaction() as conn:
        key = delivery.digest_key or _gather(conn, row, delivery, now)
        digest = digest_store.get(conn, key)
        members = delivery_store.in_digest(conn, key)
        if digest.status == "delivered":
            return _settle_digest(conn, key, members, digest.provider_id, now, note="already delivered")
        if channel is None:
            return _digest_failed(rt, conn, key, members, f"{delivery.channel} is no longer configured", now)
        if digest.status == "sending" and not channel.resend_is_safe:
            detail = f"a worker stopped while {channel.name} was accepting the digest; not sent again"
            return _digest_failed(rt, conn, key, members, detail, now, status="uncertain")
        parts = []
        for member in members:
            moment = moment_store.get(conn, member.moment_id)
            nudge = deliverable(rt, conn, moment, member, now)
            if nudge is not None:
                parts.append(nudge)
        if not parts:
            return _digest_failed(rt, conn, key, members, "recipient no longer active", now)
        attempts = digest.attempts
    digest_nudge = _digest_nudge(rt, parts, delivery, now)

    def mark_in_flight() -> None:
        with rt.db.transaction() as c:
            digest_store.set_status(c, key, "sending", now)

    with rt.db.transaction() as conn:
        address = channel_store.address(conn, row.recipient_id, channel.name)
    receipt = channel.send(digest_nudge, address, key, mark_in_flight)
    with rt.db.transaction() as conn:
        if receipt.learned is not None:
            channel_store.set_address(conn, row.recipient_id, receipt.learned, "lookup", now)
        if receipt.status is ReceiptStatus.DELIVERED:
            digest_store.set_status(conn, key, "delivered", now, provider_id=receipt.provider_id,
                                    detail=receipt.detail, delivered_at=now, attempts=attempts + 1)  # fmt: skip
            return _settle_digest(conn, key, members, receipt.provider_id, now, note=f"sent: {channel.name} digest")
        if receipt.status is ReceiptStatus.UNCERTAIN and not channel.resend_is_safe:
            return _digest_failed(
                rt,
                conn,
                key,
                members,
                f"{channel.name} may have it: {receipt.detail}; not sent again",
                now,
                status="uncertain",
                attempts=attempts + 1,
            )
        if receipt.status in _AGAIN and attempts + 1 < rt.settings.delivery.max_attempts:
            retry_at = now + _wait(receipt, attempts + 1, key)
            digest_store.set_status(conn, key, "retry", now, detail=receipt.detail, attempts=attempts + 1)
            for member in members:
                moment = moment_store.get(conn, member.moment_id)
                step = TraceStep("deliver/digest", "error", f"digest attempt {attempts + 1} failed ({receipt.detail});"
                                                            f" retry at {retry_at.isoformat()}")  # fmt: skip
                moment_store.reschedule(conn, member.moment_id, retry_at, moment_store.trace_with(moment, step))
            return None
        return _digest_failed(rt, conn, key, members, receipt.detail, now, attempts=attempts + 1)


def _gather(conn: Connection, row: Any, delivery: Any, now: datetime) -> str:
    """Take every held nudge of this recipient on this channel into one new digest."""
    members = delivery_store.waiting_for_digest(conn, row.recipient_id, delivery.channel)
    key = f"digest-{row.recipient_id}-{now:%Y%m%dT%H%M%S}/{delivery.channel}"
    digest_store.create(conn, key, row.recipient_id, delivery.channel, [m.moment_id for m in members], now)
    for member in members:
        delivery_store.set_status(conn, member.idempotency_key, "digest", now, digest_key=key)
    return key


def _settle_digest(conn: Connection, key: str, members: list[Any], provider_id: str | None, now: datetime, *,
                   note: str) -> StopReason:  # fmt: skip
    for member in members:
        delivery_store.set_status(conn, member.idempotency_key, "delivered", now, provider_id=provider_id,
                                  delivered_at=now, attempts=member.attempts + 1,
                                  detail=f"in digest {key}")  # fmt: skip
        moment = moment_store.get(conn, member.moment_id)
        if moment.stop_reason is None:
            step = TraceStep("deliver", "done", f"{note} ({key})", {"provider_id": provider_id, "digest": key})
            moment_store.finish(conn, member.moment_id, StopReason.DELIVERED, moment_store.trace_with(moment, step),
                                now)  # fmt: skip
    return StopReason.DELIVERED


def _digest_failed(rt: Runtime, conn: Connection, key: str, members: list[Any], detail: str, now: datetime, *,
                   status: str = "failed", attempts: int | None = None) -> StopReason | None:  # fmt: skip
    """The digest could not be delivered. Failed for good: each of its nudges falls back on its own to the next
    channel that reaches the person. Uncertain: none is sent again."""
    values: dict[str, Any] = {"detail": detail}
    if attempts is not None:
        values["attempts"] = attempts
    digest_store.set_status(conn, key, status, now, **values)
    said = f"digest {key}: {detail}"
    ended: set[StopReason | None] = set()
    for member in members:
        delivery_store.set_status(conn, member.idempotency_key, status, now, detail=said)
        moment = moment_store.get(conn, member.moment_id)
        if moment.stop_reason is not None:
            continue
        if status == "failed":
            ended.add(fall_back(rt, conn, moment, member, said, now))
        else:
            step = TraceStep("deliver/digest", "error", said)
            moment_store.finish(conn, member.moment_id, StopReason.DELIVERY_UNCERTAIN,
                                moment_store.trace_with(moment, step), now)  # fmt: skip
            ended.add(StopReason.DELIVERY_UNCERTAIN)
    return ended.pop() if len(ended) == 1 else None


def _digest_nudge(rt: Runtime, parts: list[Nudge], delivery: Any, now: datetime) -> Nudge:
    first = parts[0]
    count = len(parts)
    subject = first.subject if count == 1 else f"Your Kairos digest: {count} notes"
    text = "\n\n".join(f"{i}. {p.subject}\n\n{p.text}" for i, p in enumerate(parts, 1))
    html_body = "".join(f"<section><h2>{i}. {html.escape(p.subject)}</h2>{_inner(p.html)}</section>"
                        for i, p in enumerate(parts, 1))  # fmt: skip
    note = _note(rt, delivery.channel, "you chose a daily digest", first.links)
    return Nudge(
        recipient_id=first.recipient_id, recipient_email=first.recipient_email, recipient_name=first.recipient_name,
        subject=subject, text=text, html=f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Kairos'
                                         f"</title></head><body>{html_body}</body></html>",
        why={"digest": [p.moment_id for p in parts]}, links=first.links, delivery_note=note, digest=tuple(parts),
    )  # fmt: skip


def _inner(document: str) -> str:
    """The body of a stored nudge's HTML, to nest it in a digest."""
    start, end = document.find("<body"), document.rfind("</body>")
    if start < 0 or end < 0:
        return document
    return document[document.index(">", start) + 1 : end]
