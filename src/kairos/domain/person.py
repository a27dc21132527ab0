"""People as the organization describes them, and the order of their levels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_LEVEL = re.compile(r"^\s*(?P<track>[A-Za-z]*)[\s\-_]*(?P<rank>\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str
    manager_id: str | None
    role: str
    level: str
    team: str
    location: str
    time_zone: str
    start_date: date | None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


def level_rank(level: str) -> int | None:
    """The number in a level such as ``L4``, ``IC-3`` or ``M2``; None when the level has none."""
    match = _LEVEL.match(level)
    return int(match.group("rank")) if match else None


def is_promotion(old_level: str, new_level: str) -> bool:
    """A move to a higher-numbered level, or from an individual track to a manager track (IC3 → M1)."""
    old_rank, new_rank = level_rank(old_level), level_rank(new_level)
    if old_rank is None or new_rank is None:
        return False
    old_track = _LEVEL.match(old_level).group("track").upper()  # type: ignore[union-attr]
    new_track = _LEVEL.match(new_level).group("track").upper()  # type: ignore[union-attr]
    if old_track == new_track:
        return new_rank > old_rank
    return new_track.startswith("M") and not old_track.startswith("M")
