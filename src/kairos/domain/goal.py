"""Development goals agreed in a performance review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DevelopmentGoal:
    person_id: str
    competency_id: str
    target_level: int
    text: str
    review_date: date
    framework_id: str
    framework_version: str
