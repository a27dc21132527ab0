"""The learner state a decision is made from: the person's focus and the load they are under."""

from __future__ import annotations

from dataclasses import dataclass

from kairos.domain.goal import DevelopmentGoal


@dataclass(frozen=True, slots=True)
class LearnerState:
    person_id: str
    active_goal: DevelopmentGoal | None
    meeting_minutes_today: float  # in the person's local day of the moment
    nudges_this_week: int  # delivered, counted against the cap

    def as_inputs(self) -> dict[str, object]:
        return {
            "person": self.person_id,
            "active_goal": (
                f"{self.active_goal.competency_id} → level {self.active_goal.target_level}"
                if self.active_goal
                else None
            ),
            "meeting_minutes_today": round(self.meeting_minutes_today),
            "nudges_this_week": self.nudges_this_week,
        }
