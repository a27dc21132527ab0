"""When moments compete: one recipient, one due time, several moments. The highest priority keeps the slot.

Two moments compete when they are for the same recipient at the same instant — two plays on one
meeting, a review and its goals planned for the same morning, three nudges moved to the end of the
same quiet hours. Moments not tied to a meeting that are already due when they are planned (an import
that arrived late) all compete for one slot: now. Meeting moments keep their own slot, so the briefs
for two imminent meetings both go out. Sending them together would bury the one that matters, so the moment with the
highest play priority keeps the slot and the others stop as ``deduplicated``; on equal priority the
one planned first keeps it. Both traces say what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kairos.domain.moment import TraceStep


@dataclass(frozen=True, slots=True)
class Contender:
    """A planned moment, as far as competing for a slot goes."""

    moment_id: int
    recipient_id: str
    due_at: datetime
    priority: int
    play_id: str
    action: str
    time_zone: str | None
    meeting: str | None = None  # the occurrence a meeting moment prepares for or follows

    def slot_time(self, now: datetime) -> datetime:
        """The instant this moment competes for: its due time, or now when it is overdue and not a meeting's."""
        return now if self.meeting is None and self.due_at <= now else self.due_at

    @property
    def name(self) -> str:
        return f"{self.play_id}/{self.action} (priority {self.priority})"

    def slot(self, now: datetime) -> str:
        zone = ZoneInfo(self.time_zone) if self.time_zone else None
        at = self.slot_time(now)
        local = at.astimezone(zone) if zone else at
        late = " (already due when planned)" if at == now and self.due_at < now else ""
        return f"{self.recipient_id}'s slot at {local:%a %d %b %H:%M} {zone.key if zone else 'UTC'}{late}"


@dataclass(frozen=True, slots=True)
class Loss:
    """One moment that gives up its slot to another."""

    loser: Contender
    winner: Contender
    now: datetime  # when the contest was held: already-due moments compete for this instant

    def loser_step(self) -> TraceStep:
        slot = self.winner.slot(self.now)
        detail = f"deduplicated: {self.winner.name} has {slot}; this moment has priority {self.loser.priority}"
        return TraceStep("rules/priority", "fail", detail, {"winner": self.winner.moment_id})

    def winner_step(self) -> TraceStep:
        detail = f"kept {self.winner.slot(self.now)} over {self.loser.name}"
        return TraceStep("rules/priority", "pass", detail, {"loser": self.loser.moment_id})


def contest(contenders: Iterable[Contender], now: datetime) -> list[Loss]:
    """Every loss among ``contenders``: per recipient and slot, all but the slot's winner lose to it."""
    slots: dict[tuple[str, datetime], list[Contender]] = {}
    for contender in contenders:
        slots.setdefault((contender.recipient_id, contender.slot_time(now)), []).append(contender)
    losses: list[Loss] = []
    for group in slots.values():
        if len(group) < 2:
            continue
        winner = min(group, key=lambda c: (-c.priority, c.moment_id))
        losses.extend(Loss(c, winner, now) for c in sorted(group, key=lambda c: c.moment_id) if c is not winner)
    return losses
