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
    origin: str = "review"  # "review": agreed in a performance review; "focus": agreed as the active focus

    @property
    def agreed(self) -> str:
        """How the goal came about, for a sentence: "in the review of 10 February 2026"."""
        when = f"{self.review_date:%d %B %Y}"
        return f"in the review of {when}" if self.origin == "review" else f"as your shared focus on {when}"
