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
    # "review": agreed in a performance review; "focus": agreed as the active focus; "priority": not agreed by
    # anyone, the organization's priority behavior for the person's career stage (``stage``) with the widest gap
    origin: str = "review"
    stage: str | None = None

    @property
    def agreed(self) -> str:
        """How the goal came about, for a sentence: "in the review of 10 February 2026"."""
        when = f"{self.review_date:%d %B %Y}"
        if self.origin == "priority":
            return f"by the organization as a priority for {self.stage} roles (published {when})"
        return f"in the review of {when}" if self.origin == "review" else f"as your shared focus on {when}"
