"""The intervention policy: guardrails first, then diagnosis, then a bounded adaptive choice — and every
decision keeps the rule that made it and everything it saw.

The order is fixed and reviewable (``docs/policy.md``):

1. the focus is reached (evidence at the target level) → a reflection, and the focus closes;
2. a distress signal → a human coaching conversation, for a coach to approve (the person's own moments only:
   what they wrote is never hinted at in their manager's brief);
3. a long stall → escalate to the manager, for a person to approve;
4. nudges ignored in a row → a deliberate pause;
5. otherwise diagnose the bottleneck and choose among the kinds of help the policy file lists for it,
   minus any kind the person has had too often in a row or just called "not relevant";
   the adaptive choice (Thompson sampling, bounded exploration) picks among what is left.

Weighty recommendations — the kinds the policy file names, a raised challenge level, anything
touching a performance concern — are marked for human review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kairos.decide.adaptive import Arm, choose
from kairos.decide.diagnosis import DiagnosisLimits, diagnose
from kairos.decide.policy_file import RULE_ONLY, PolicyFile
from kairos.decide.state import LearnerState
from kairos.domain.decision import Bottleneck, Cadence, Challenge, Decision, InterventionKind

_CHALLENGES = (Challenge.LOW, Challenge.MEDIUM, Challenge.HIGH)
_KIND_VALUES = {k.value for k in InterventionKind}


@dataclass(frozen=True, slots=True)
class Situation:
    """What the moment is, as far as the policy cares."""

    action_kind: str  # brief, nudge, tip
    trigger: str  # the event type
    about_meeting: bool
    recipient_is_subject: bool
    overload_minutes: float
    performance_concern: bool = False  # e.g. a check-in flagged a high-severity gap
    seed: str = ""  # the decision's key (the moment): the adaptive draw is replayable from it


@dataclass(frozen=True, slots=True)
class Learned:
    """What the adaptive choice knows for the person's segment: posteriors, and how much it has explored."""

    arms: Mapping[tuple[Bottleneck, InterventionKind], Arm]
    explored: int = 0
    decided: int = 0


def decide(state: LearnerState, situation: Situation, policy: PolicyFile, learned: Learned | None = None) -> Decision:
    """The decision for this moment, with its rule, reasons, evidence and review flags."""
    learned = learned or Learned({})
    inputs = {
        **state.as_inputs(),
        "action_kind": situation.action_kind,
        "trigger": situation.trigger,
        "about_meeting": situation.about_meeting,
        "performance_concern": situation.performance_concern,
    }
    if not situation.recipient_is_subject:
        inputs.pop("distress")  # what a person wrote in a reflection is theirs: not recorded against another's message
    rails = policy.guardrails

    def make(kind: InterventionKind, rule: str, reason: str, **extra: Any) -> Decision:
        return Decision(kind, rule, policy.label, (reason,), inputs, segment=state.segment, **extra)

    goal = state.active_goal
    if goal is not None and state.gap == 0 and goal.origin in ("focus", "review"):
        return _reviewed(make(
            InterventionKind.REFLECTION, "target_reached",
            f"the evidence shows level {goal.target_level} reached in {goal.competency_id}: time to notice "
            "what changed and agree the next focus",
            closes_focus=True, cadence=_cadence(state)), policy, situation)  # fmt: skip
    if state.distress and rails.coach_after_distress and situation.recipient_is_subject:
        # Only the person's own moments change: their manager's brief neither waits nor hints at what they wrote.
        return _reviewed(make(
            InterventionKind.COACHING_CONVERSATION, "distress_to_coach",
            "a recent reflection reads as distress: a person, not a nudge, should answer it",
            guardrails=("coach_after_distress",), cadence=Cadence.PAUSED), policy, situation)  # fmt: skip
    if state.stalled_weeks >= rails.escalate_after_stall_weeks and goal is not None:
        return _escalated(make(
            InterventionKind.ESCALATION, "stall_escalation",
            f"no activity on the focus for {state.stalled_weeks} weeks: the manager is asked to step in",
            guardrails=("escalate_after_stall_weeks",)), policy, situation)  # fmt: skip
    if state.ignored_in_row >= rails.pause_after_ignored and situation.action_kind != "brief":
        return make(
            InterventionKind.PAUSE, "pause_after_ignored",
            f"the last {state.ignored_in_row} nudges went unanswered: a deliberate pause",
            bottleneck=Bottleneck.OVERLOAD, guardrails=("pause_after_ignored",), cadence=Cadence.PAUSED)  # fmt: skip

    diagnosis = diagnose(state, DiagnosisLimits(overload_minutes=situation.overload_minutes,
                                                ignored_in_row=rails.pause_after_ignored))  # fmt: skip
    bottleneck = diagnosis.bottleneck
    if bottleneck is Bottleneck.OVERLOAD and situation.action_kind == "brief":
        # A brief prepares the manager for a meeting that happens anyway: it goes out, suggesting a lighter touch.
        return _reviewed(make(
            InterventionKind.REFLECTION, "overloaded_report_brief",
            "the report is under heavy load: the brief suggests asking what could come off their plate",
            bottleneck=bottleneck, evidence=diagnosis.evidence, cadence=Cadence.SLOWER), policy, situation)  # fmt: skip
    candidates = list(policy.interventions[bottleneck])
    applied: list[str] = []
    in_a_row = state.recent_kinds[: rails.max_same_kind_in_row]
    if len(in_a_row) == rails.max_same_kind_in_row and len(set(in_a_row)) == 1:
        repeated = InterventionKind(in_a_row[0]) if in_a_row[0] in _KIND_VALUES else None
        if repeated in candidates and repeated is not InterventionKind.PAUSE and len(candidates) > 1:
            candidates.remove(repeated)
            applied.append("max_same_kind_in_row")
    switched = [k for k in candidates if k.value in state.not_relevant_kinds]
    if switched and len(switched) < len(candidates):
        candidates = [k for k in candidates if k not in switched]
        applied.append("switch_after_not_relevant")

    learnable = [k for k in candidates if k not in RULE_ONLY]
    if not learnable or not policy.adaptive.enabled or len(learnable) == 1:
        kind, explored, rule = candidates[0], False, diagnosis.rule
        detail = f"the first kind of help the policy lists for {bottleneck.value}"
    else:
        arms = {k: learned.arms.get((bottleneck, k), Arm()) for k in learnable}
        allowed = (learned.explored + 1) <= policy.adaptive.max_explore_share * (learned.decided + 1)
        choice = choose(learnable, arms, situation.seed or state.person_id, may_explore=allowed)
        kind, explored, rule = choice.kind, choice.explored, f"{diagnosis.rule}+thompson"
        inputs["adaptive"] = {"draws": choice.draws, "means": choice.means, "exploration_capped": choice.capped}
        detail = ("tried to learn which help works for this segment" if explored
                  else "the kind with the best outcomes so far for this segment")  # fmt: skip
    # The challenge of the help itself; an escalation to the manager has none to raise.
    escalating = kind is InterventionKind.ESCALATION
    challenge, raised = (Challenge.MEDIUM, False) if escalating else _challenge(state, policy)
    if raised:
        applied.append("raise_challenge_after_applied")
    decision = make(
        kind, rule, f"{bottleneck.value}: {diagnosis.evidence[0]}; {kind.value.replace('_', ' ')} — {detail}",
        bottleneck=bottleneck, evidence=diagnosis.evidence, challenge=challenge, cadence=_cadence(state),
        explored=explored, guardrails=tuple(applied))  # fmt: skip
    if kind is InterventionKind.ESCALATION:
        return _escalated(decision, policy, situation)
    return _reviewed(decision, policy, situation, raised_challenge=raised)


def _escalated(decision: Decision, policy: PolicyFile, situation: Situation) -> Decision:
    """An escalation goes to the manager, never as one more nudge to the person: a moment for the person pauses,
    saying the matter was raised with their manager; a moment for the manager carries it (reviewed if the policy
    file says so)."""
    if situation.recipient_is_subject:
        return replace(
            decision, kind=InterventionKind.PAUSE, cadence=Cadence.PAUSED,
            reasons=(*decision.reasons, "not sent to the person: this is for their manager to take up"),
        )  # fmt: skip
    return _reviewed(decision, policy, situation)


def _challenge(state: LearnerState, policy: PolicyFile) -> tuple[Challenge, bool]:
    current = Challenge(state.challenge) if state.challenge in {c.value for c in Challenge} else Challenge.MEDIUM
    if state.applied_in_row >= policy.guardrails.raise_challenge_after_applied and current is not Challenge.HIGH:
        return _CHALLENGES[_CHALLENGES.index(current) + 1], True
    return current, False


def _cadence(state: LearnerState) -> Cadence:
    return Cadence.SLOWER if state.snoozed_recently else Cadence.NORMAL


def _reviewed(
    decision: Decision, policy: PolicyFile, situation: Situation, *, raised_challenge: bool = False
) -> Decision:
    """The decision with the reasons a person must approve it first (none: it may go out)."""
    review = policy.guardrails.review
    why: list[str] = []
    if decision.kind in review.kinds:
        why.append(f"{decision.kind.value.replace('_', ' ')} is a weighty recommendation")
    if raised_challenge and review.raised_challenge:
        why.append(f"the challenge level rises to {decision.challenge.value}")
    if situation.performance_concern and review.performance_concern:
        why.append("it touches a performance concern")
    if not why:
        return decision
    return replace(decision, needs_review=tuple(why))
