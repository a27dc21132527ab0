"""Coaching moments and their traces: every moment records why it fired or why it did not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MomentStatus(StrEnum):
    PLANNED = "planned"  # waiting for its due time
    CLAIMED = "claimed"  # a worker holds it
    DONE = "done"  # finished; see the stop reason


class StopReason(StrEnum):
    """How a moment ended: exactly one per finished moment."""

    DELIVERED = "delivered"
    CONDITION_NOT_MET = "condition_not_met"
    NO_RECIPIENT = "no_recipient"
    QUIET_HOURS = "quiet_hours"
    WEEKLY_CAP = "weekly_cap"
    COOLDOWN = "cooldown"
    EXPIRED = "expired"
    PAUSED = "paused"
    RECIPIENT_INACTIVE = "recipient_inactive"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_UNCERTAIN = "delivery_uncertain"
    PLAY_UNAVAILABLE = "play_unavailable"
    CANCELLED = "cancelled"  # the person left or went on leave before it was due
    DEDUPLICATED = "deduplicated"  # another moment with a higher priority had the same recipient and due time
    ERROR = "error"  # an unexpected failure while running the moment; the trace holds it
    OUTSIDE_WORKING_DAYS = "outside_working_days"  # a nudge due on a day off that expired before the next working day
    HELD_FOR_REVIEW = "held_for_review"  # a weighty recommendation waits for a person's approval (kairos review)


@dataclass(slots=True)
class TraceStep:
    """One step of a play's run, addressed by its path in the play's YAML (``conditions/0``, ``timing``)."""

    path: str
    outcome: str  # "pass", "fail", "skip", "done", "error"
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "outcome": self.outcome, "detail": self.detail}
        if self.values:
            out["values"] = self.values
        return out


@dataclass(slots=True)
class PlannedMoment:
    dedup_key: str
    play_id: str
    play_version: int
    action: str
    subject_id: str | None
    recipient_id: str | None
    audience: str
    time_zone: str | None
    due_at: datetime | None
    expires_at: datetime | None
    priority: int
    cap_exempt: bool
    cooldown_days: float
    stop_reason: StopReason | None  # None: planned, waiting for its due time
    trace: list[TraceStep] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
