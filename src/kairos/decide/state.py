"""The learner state a decision is made from: the person's focus, the evidence, their answers, and their load.

Everything here is gathered from stored data before the decision (``worker/learner.py``) and
recorded with it, so a decision can always be explained and replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from kairos.domain.goal import DevelopmentGoal


@dataclass(frozen=True, slots=True)
class LearnerState:
    person_id: str
    active_goal: DevelopmentGoal | None
    meeting_minutes_today: float  # in the person's local day of the moment
    nudges_this_week: int  # delivered, counted against the cap
    segment: str = ""  # e.g. "frontline/ic": who the adaptive choice pools outcomes with
    gap: int | None = None  # levels between the focus's target and the current evidence; None without evidence
    self_rated_higher: bool = False  # a 360 self rating above the others' on the focus competency
    recent_kinds: tuple[str, ...] = ()  # the interventions decided for the person, newest first
    ignored_in_row: int = 0  # delivered nudges in a row with no answer within a week
    snoozed_recently: int = 0  # snoozes in the last 14 days
    not_relevant_kinds: tuple[str, ...] = ()  # kinds answered "not relevant" in the last 30 days
    applied_in_row: int = 0  # "applied it" answers in a row, newest first
    reflections_recently: int = 0  # reflections written in the last 30 days
    learning_completed: int = 0  # learning on the focus competency completed since the focus began
    practice_done: int = 0  # practice answered "applied" since the focus began
    overdue_manager_actions: int = 0  # things the manager committed to in a 1:1, past due and still open
    distress: bool = False  # a recent reflection reads as distress (see decide/distress.py)
    transition: str | None = None  # a recent promotion, new manager or first direct report (last 60 days)
    stalled_weeks: int = 0  # weeks without any activity on the focus
    challenge: str = "medium"  # the challenge level of the last decision

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
            "segment": self.segment,
            "gap": self.gap,
            "self_rated_higher": self.self_rated_higher,
            "recent_kinds": list(self.recent_kinds[:5]),
            "ignored_in_row": self.ignored_in_row,
            "snoozed_recently": self.snoozed_recently,
            "not_relevant_kinds": list(self.not_relevant_kinds),
            "applied_in_row": self.applied_in_row,
            "reflections_recently": self.reflections_recently,
            "learning_completed": self.learning_completed,
            "practice_done": self.practice_done,
            "overdue_manager_actions": self.overdue_manager_actions,
            "distress": self.distress,
            "transition": self.transition,
            "stalled_weeks": self.stalled_weeks,
            "challenge": self.challenge,
        }
