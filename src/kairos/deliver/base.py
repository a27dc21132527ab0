"""The contract every channel fulfils: send one nudge, return a typed receipt.

A channel is told the delivery's idempotency key and calls ``mark_in_flight`` at its
commit point — the last instant before the provider may have accepted the message. A
worker that dies after that instant leaves the delivery ``sending``; the next worker then
knows a resend could duplicate it, and only resends when the channel says the provider
deduplicates by key (``resend_is_safe``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kairos.domain.nudge import Nudge


class ReceiptStatus(StrEnum):
    DELIVERED = "delivered"
    RETRYABLE = "retryable"  # try again later (server busy, connection refused)
    PERMANENT = "permanent"  # will never work as is (recipient rejected, bad address)


@dataclass(frozen=True, slots=True)
class Receipt:
    status: ReceiptStatus
    provider_id: str | None = None  # the id the provider knows the message by
    detail: str = ""


class Channel(ABC):
    """One way of reaching people. Subclasses declare their name and limits as data."""

    name: str
    resend_is_safe: bool = False  # True when the provider deduplicates by our idempotency key

    @abstractmethod
    def send(self, nudge: Nudge, idempotency_key: str, mark_in_flight: Callable[[], None]) -> Receipt:
        """Deliver ``nudge``; call ``mark_in_flight`` right before the provider can accept it."""
