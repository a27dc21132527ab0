"""Clocks: the system clock, and a frozen one for tests, demos and simulation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def move_to(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


class ShiftedClock:
    """Real time, shifted to start at a chosen instant: rehearse a future or past week at normal speed."""

    def __init__(self, start: datetime) -> None:
        self.start = start.astimezone(UTC)
        self.began = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)
