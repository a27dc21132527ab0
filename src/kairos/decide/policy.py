"""The intervention policy: ordered rules, the first that applies decides, and says why.

This is the first, fixed policy. Issue-tracked work makes it a reviewable YAML file with
guardrails and bounded learning; the contract stays: state in, ``Decision`` with its rule out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kairos.decide.state import LearnerState
from kairos.domain.decision import Decision, InterventionKind

POLICY_VERSION = "builtin-1"


@dataclass(frozen=True, slots=True)
class Situation:
    """What the moment is, as far as the policy cares."""

    action_kind: str  # brief, nudge, tip
    trigger: str  # the event type
    about_meeting: bool
    recipient_is_subject: bool
    overload_minutes: float


Rule = Callable[[LearnerState, Situation], tuple[InterventionKind, str] | None]


def overload_pause(state: LearnerState, s: Situation) -> tuple[InterventionKind, str] | None:
    if s.action_kind != "brief" and state.meeting_minutes_today >= s.overload_minutes:
        hours = state.meeting_minutes_today / 60
        return (
            InterventionKind.PAUSE,
            f"{hours:.1f} h of meetings that day: a deliberate pause instead of one more nudge",
        )
    return None


def transition_reflection(state: LearnerState, s: Situation) -> tuple[InterventionKind, str] | None:
    if s.trigger == "person.promoted":
        return InterventionKind.REFLECTION, "a new level starts with noticing what it asks for that the last did not"
    return None


def practice_in_meeting(state: LearnerState, s: Situation) -> tuple[InterventionKind, str] | None:
    if s.about_meeting and state.active_goal is not None:
        goal = state.active_goal
        who = "their" if not s.recipient_is_subject else "the"
        return InterventionKind.PRACTICE, (
            f"an upcoming meeting is a chance to practise {who} active goal "
            f"({goal.competency_id}, level {goal.target_level})"
        )
    return None


def reflection_without_goal(state: LearnerState, s: Situation) -> tuple[InterventionKind, str] | None:
    if state.active_goal is None:
        return InterventionKind.REFLECTION, "no active development goal: a reflection helps choose a focus"
    return None


def reflection_on_goal(state: LearnerState, s: Situation) -> tuple[InterventionKind, str] | None:
    return InterventionKind.REFLECTION, "keeps the active goal in view between practice opportunities"


RULES: tuple[tuple[str, Rule], ...] = (
    ("overload_pause", overload_pause),
    ("transition_reflection", transition_reflection),
    ("practice_in_meeting", practice_in_meeting),
    ("reflection_without_goal", reflection_without_goal),
    ("reflection_on_goal", reflection_on_goal),
)


def decide(state: LearnerState, situation: Situation) -> Decision:
    """The first rule that applies decides; the decision keeps the rule's name and everything it saw."""
    inputs = {
        **state.as_inputs(),
        "action_kind": situation.action_kind,
        "trigger": situation.trigger,
        "about_meeting": situation.about_meeting,
    }
    for name, rule in RULES:
        outcome = rule(state, situation)
        if outcome is not None:
            kind, reason = outcome
            return Decision(kind=kind, rule=name, policy_version=POLICY_VERSION, reasons=(reason,), inputs=inputs)
    raise AssertionError("the last rule always applies")
