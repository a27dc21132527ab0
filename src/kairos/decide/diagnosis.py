"""Diagnosis: what stands between the person and their focus now, with the evidence that led there.

The checks run in a fixed order, most protective first: a person who is overloaded gets a pause
before anything else is considered; a problem that is not theirs to fix is raised with their
manager instead of nudging them again; only then is it a question of what they need to learn,
practise or notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from kairos.decide.state import LearnerState
from kairos.domain.decision import Bottleneck


@dataclass(frozen=True, slots=True)
class Diagnosis:
    bottleneck: Bottleneck
    rule: str  # the name of the check that decided
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiagnosisLimits:
    overload_minutes: float = 360.0  # meeting minutes in the local day
    ignored_in_row: int = 3
    snoozes: int = 2


def diagnose(state: LearnerState, limits: DiagnosisLimits = DiagnosisLimits()) -> Diagnosis:
    """The bottleneck for the person's active focus, and why."""
    if state.meeting_minutes_today >= limits.overload_minutes:
        hours = state.meeting_minutes_today / 60
        return Diagnosis(Bottleneck.OVERLOAD, "overloaded_day", (f"{hours:.1f} h of meetings that day",))
    if state.ignored_in_row >= limits.ignored_in_row:
        return Diagnosis(Bottleneck.OVERLOAD, "ignored_nudges",
                         (f"the last {state.ignored_in_row} nudges went unanswered",))  # fmt: skip
    if state.snoozed_recently >= limits.snoozes:
        return Diagnosis(Bottleneck.OVERLOAD, "snoozed", (f"{state.snoozed_recently} snoozes in two weeks",))
    if state.overdue_manager_actions:
        n = state.overdue_manager_actions
        things = f"{n} thing{'s' if n > 1 else ''} the manager agreed to do in a 1:1 {'are' if n > 1 else 'is'}"
        return Diagnosis(Bottleneck.CONTEXT, "manager_actions_overdue",
                         (f"{things} overdue: more nudges to the person would not fix it",))  # fmt: skip
    if state.transition is not None:
        return Diagnosis(Bottleneck.INTERPRETATION, "recent_transition",
                         (f"a recent {state.transition}: a new situation to make sense of",))  # fmt: skip
    if len(state.not_relevant_kinds) >= 2:
        kinds = ", ".join(state.not_relevant_kinds)
        why = f"answered 'not relevant' to {kinds}: the situation may not be what the data says"
        return Diagnosis(Bottleneck.INTERPRETATION, "repeatedly_not_relevant", (why,))
    if state.active_goal is None:
        return Diagnosis(Bottleneck.AWARENESS, "no_focus", ("no focus agreed yet",))
    if state.gap is None or state.self_rated_higher:
        why = "no evidence of the current level" if state.gap is None else "the self rating is above the others'"
        return Diagnosis(Bottleneck.AWARENESS, "level_unclear", (why,))
    if state.gap >= 2 or (state.gap == 1 and state.learning_completed == 0 and state.practice_done == 0):
        return Diagnosis(Bottleneck.CAPABILITY, "gap_without_learning",
                         (f"{state.gap} level{'s' if state.gap > 1 else ''} below the target",
                          f"{state.learning_completed} learning item(s) completed on it"))  # fmt: skip
    return Diagnosis(Bottleneck.TRANSFER, "known_not_yet_practised",
                     (f"gap {state.gap}", f"{state.learning_completed} learning item(s) completed",
                      f"{state.practice_done} practice(s) applied"))  # fmt: skip
