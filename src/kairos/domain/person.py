"""People as the organization describes them, and the order of their levels."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any

_LEVEL = re.compile(r"^\s*(?P<track>[A-Za-z]*)[\s\-_]*(?P<rank>\d+)\s*$")


class PersonStatus(StrEnum):
    ACTIVE = "active"
    LEAVE = "leave"  # employed, but away: no nudges, pending moments cancelled
    TERMINATED = "terminated"


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
    status: PersonStatus = PersonStatus.ACTIVE
    end_date: date | None = None  # the last day of employment, when known

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, as hire events carry it."""
        out: dict[str, Any] = {f: getattr(self, f) for f in _FIELD_NAMES}
        for key in ("start_date", "end_date"):
            out[key] = out[key].isoformat() if out[key] else None
        out["status"] = self.status.value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        values: dict[str, Any] = {f.name: data.get(f.name) for f in fields(cls)}
        for key in ("start_date", "end_date"):
            values[key] = date.fromisoformat(values[key]) if values[key] else None
        values["status"] = PersonStatus(values["status"] or "active")
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(Person))


def is_executive(level: str, prefixes: tuple[str, ...] = ("E",)) -> bool:
    """An executive level such as ``E1``: its track starts with one of ``prefixes``."""
    match = _LEVEL.match(level)
    return bool(match) and match.group("track").upper().startswith(prefixes)  # type: ignore[union-attr]


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
