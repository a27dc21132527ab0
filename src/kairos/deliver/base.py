"""The two contracts of every channel: send one nudge and return a typed receipt; turn what came back into answers.

Outbound. A channel is told the delivery's idempotency key and calls ``mark_in_flight`` at its
commit point — the last instant before the provider may have accepted the message. A worker
that dies after that instant leaves the delivery ``sending``; the next worker then knows a
resend could duplicate it, and only resends when the channel says the provider deduplicates by
key (``resend_is_safe``).

Inbound. A channel that can be answered parses its provider's payloads into :class:`Answer`
objects (after verifying the request is the provider's: a signature, a token) or raises
:class:`Rejected` with the reason. ``deliver/inbound.py`` turns answers into responses — the
same checks and storage for every channel — and records every rejection.

Adding a channel is one module in ``deliver/channels/`` and one line in ``deliver/registry.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.preferences import Address
from kairos.domain.response import ResponseKind


class ReceiptStatus(StrEnum):
    DELIVERED = "delivered"
    RETRYABLE = "retryable"  # try again later (server busy, connection refused)
    PERMANENT = "permanent"  # will never work as is (recipient rejected, bad address)
    UNREACHABLE = "unreachable"  # this person cannot be reached on this channel (no account, app not installed)
    UNCERTAIN = "uncertain"  # the connection failed after the commit point: the provider may have the message


@dataclass(frozen=True, slots=True)
class Receipt:
    status: ReceiptStatus
    provider_id: str | None = None  # the id the provider knows the message by (replies are matched by it)
    detail: str = ""
    learned: Address | None = None  # an address the channel found or created on the way (stored for next time)
    retry_after: timedelta | None = None  # the provider asked us to wait at least this long (Retry-After)


@dataclass(frozen=True, slots=True)
class Check:
    """Whether a channel can work as configured (``kairos channels check``), and what was tried."""

    ok: bool
    detail: str


class Channel(ABC):
    """One way of reaching people. Subclasses declare their name and limits as data."""

    name: str
    resend_is_safe: bool = False  # True when the provider deduplicates by our idempotency key
    companion: bool = False  # True: sent beside the person's own channel when it applies (the calendar copy)
    answers: str = ""  # how a person answers on this channel, said in every message ("" when they cannot)

    def reaches(self, person: Person, address: Address | None) -> bool:
        """Can this channel reach ``person`` without asking anyone (an address on record, or one it can find)?"""
        return address is not None

    def applies_to(self, nudge: Nudge) -> bool:
        """For a companion channel: does this nudge go here too? (The calendar: briefs about a synced meeting.)"""
        return not self.companion

    @abstractmethod
    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        """Deliver ``nudge`` to ``address``; call ``mark_in_flight`` right before the provider can accept it."""

    def check(self) -> Check:
        """Sign in and reach the provider without sending anything to anyone (an operator's first test)."""
        return Check(True, "nothing to check")

    def poll(self, since: str | None) -> tuple[list[Answer | Rejected], str | None]:
        """For a channel that is read rather than called (Matrix): what came in since the cursor, and the new one."""
        return [], since

    def close(self) -> None:  # noqa: B027 - most channels hold nothing open
        """Release connections; called when the worker stops."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a person said back through a channel, before it is checked against the delivery it answers."""

    channel: str
    external_id: str  # the provider's id for this answer: a replay carries the same one and changes nothing
    sender: str  # the channel's id for who answered (Slack user, Teams user, Matrix user, email address)
    kind: ResponseKind
    moment_id: int | None = None  # when the answer names its nudge (a button's value, a reply address)
    provider_ref: str | None = None  # else the provider id of the message it answers (a thread, an event replied to)
    text: str | None = None
    rating: int | None = None
    received_at: datetime | None = None


class Rejected(Exception):
    """A payload that is not a trustworthy answer. ``reason`` is one word for counting; ``detail`` never holds
    the payload itself (it is untrusted personal data)."""

    REASONS = (
        "unsigned", "forged", "stale", "malformed", "oversized", "replayed", "unknown_sender", "unknown_message",
        "not_recipient", "not_delivered", "not_configured", "unsupported",
    )  # fmt: skip

    def __init__(self, channel: str, reason: str, detail: str = "") -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{channel}: {reason}{': ' + detail if detail else ''}")
        self.channel, self.reason, self.detail = channel, reason, detail


__all__ = ["Address", "Answer", "Channel", "Check", "Receipt", "ReceiptStatus", "Rejected"]
