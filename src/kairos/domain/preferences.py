"""How a person wants to be reached, and the rule that picks a channel for each nudge (D, G1).

The rule, in order:

1. A person who opted out of a channel is never sent anything on it.
2. Their chosen channel, if it is enabled and can reach them.
3. Else the organization's order (``KAIROS_DELIVERY__CHANNELS``): the first enabled channel that can reach them and
   that they did not opt out of.
4. Else nothing is sent: the nudge waits in their web inbox, and the trace says why.

The web inbox is not a choice: every nudge is readable there, whatever the channel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Address:
    """Where a person is on one channel: the channel's own id for them and what else it needs to reach them."""

    channel: str
    value: str  # Slack user id, Teams user id, Matrix user id, email address
    detail: dict[str, Any] = field(default_factory=dict)  # Teams conversation reference, Matrix direct room, …


class Pacing(StrEnum):
    REALTIME = "realtime"  # each nudge when it is due
    DIGEST = "digest"  # gathered into one message a day, at the digest time (briefs for a meeting still go on time)


@dataclass(frozen=True, slots=True)
class Preference:
    person_id: str
    channel: str | None = None  # None: the organization's order
    opted_out: frozenset[str] = field(default_factory=frozenset)
    pacing: Pacing = Pacing.REALTIME
    digest_time: time | None = None  # None: the organization's digest time
    quiet_start: time | None = None  # both None: the organization's quiet hours
    quiet_end: time | None = None

    @property
    def own_quiet_hours(self) -> tuple[time, time] | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end


@dataclass(frozen=True, slots=True)
class Route:
    channel: str | None  # None: no channel can reach them; the nudge stays in the inbox
    reason: str  # said in the trace and, shortened, in the message itself


def choose_channel(
    preference: Preference | None, order: Sequence[str], enabled: Sequence[str], reaches: Callable[[str], bool]
) -> Route:
    """The one channel a nudge goes to for this person (rules in the module docstring)."""
    pref = preference or Preference(person_id="")
    usable = [c for c in enabled if c not in pref.opted_out]
    if pref.channel is not None:
        if pref.channel in pref.opted_out:
            pass  # a contradiction the setter refuses; opting out wins if one is stored anyway
        elif pref.channel not in enabled:
            fallback = _first(order, usable, reaches)
            if fallback:
                return Route(fallback, f"your chosen channel {pref.channel} is not enabled here; {fallback} is the "
                                       f"organization's next choice")  # fmt: skip
        elif reaches(pref.channel):
            return Route(pref.channel, f"{pref.channel} is your chosen channel")
        else:
            fallback = _first(order, usable, reaches)
            if fallback:
                return Route(fallback, f"{pref.channel} (your choice) cannot reach you yet; sent on {fallback}, the "
                                       f"organization's next choice")  # fmt: skip
    chosen = _first(order, usable, reaches)
    if chosen:
        return Route(chosen, f"{chosen} is the organization's first channel that reaches you")
    if pref.opted_out:
        out = ", ".join(sorted(pref.opted_out))
        return Route(None, f"no enabled channel reaches you (opted out of {out}); it waits in your inbox")
    return Route(None, "no enabled channel reaches you; it waits in your inbox")


def _first(order: Sequence[str], usable: Sequence[str], reaches: Callable[[str], bool]) -> str | None:
    return next((c for c in order if c in usable and reaches(c)), None)
