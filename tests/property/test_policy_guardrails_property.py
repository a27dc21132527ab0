"""For any learner state and anything the policy has learned, no decision breaks a guardrail people set."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.decide.adaptive import Arm
from kairos.decide.policy import Learned, Situation, decide
from kairos.decide.policy_file import load_policy
from kairos.decide.state import LearnerState
from kairos.domain.decision import Bottleneck, InterventionKind
from kairos.domain.goal import DevelopmentGoal
from kairos.resources import content_dir

POLICY = load_policy(content_dir() / "policy" / "default.yaml")
KINDS = [k.value for k in InterventionKind]
GOAL = DevelopmentGoal("p", "giving-feedback", 3, "x", date(2026, 1, 1), "acme", "1", origin="review")

states = st.builds(
    LearnerState,
    person_id=st.just("p"),
    active_goal=st.one_of(st.none(), st.just(GOAL)),
    meeting_minutes_today=st.floats(0, 600),
    nudges_this_week=st.integers(0, 5),
    segment=st.sampled_from(["frontline/ic", "mid-level/manager"]),
    gap=st.one_of(st.none(), st.integers(0, 4)),
    self_rated_higher=st.booleans(),
    recent_kinds=st.lists(st.sampled_from(KINDS), max_size=5).map(tuple),
    ignored_in_row=st.integers(0, 6),
    snoozed_recently=st.integers(0, 3),
    not_relevant_kinds=st.lists(st.sampled_from(KINDS), max_size=3, unique=True).map(tuple),
    applied_in_row=st.integers(0, 4),
    reflections_recently=st.integers(0, 3),
    learning_completed=st.integers(0, 3),
    practice_done=st.integers(0, 3),
    overdue_manager_actions=st.integers(0, 2),
    distress=st.booleans(),
    transition=st.one_of(st.none(), st.just("promotion")),
    stalled_weeks=st.integers(0, 10),
    challenge=st.sampled_from(["low", "medium", "high"]),
)
arms = st.dictionaries(
    st.tuples(st.sampled_from(list(Bottleneck)), st.sampled_from(list(InterventionKind))),
    st.builds(Arm, st.floats(1, 50), st.floats(1, 50), st.integers(0, 100)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(states, arms, st.integers(0, 200), st.integers(0, 1000), st.sampled_from(["nudge", "tip", "brief"]),
       st.booleans(), st.text(max_size=8))  # fmt: skip
def test_no_decision_breaks_a_guardrail(
    state: LearnerState,
    learned_arms: dict,
    explored: int,
    extra: int,
    action: str,
    concern: bool,
    seed: str,  # type: ignore[type-arg]
) -> None:
    decided = explored + extra
    situation = Situation(action, "meeting.scheduled", True, action != "brief", 360.0, concern, seed)
    decision = decide(state, situation, POLICY, Learned(learned_arms, explored, decided))
    rails = POLICY.guardrails
    assert decision.rule and decision.reasons and decision.policy_version == POLICY.label
    if decision.explored:  # exploration stays within its bound
        assert explored + 1 <= POLICY.adaptive.max_explore_share * (decided + 1)
    weighty = decision.kind in rails.review.kinds or (concern and rails.review.performance_concern)
    if weighty and decision.kind is not InterventionKind.PAUSE:  # a pause sends nothing to approve
        assert decision.needs_review  # weighty recommendations always wait for a person
    if "raise_challenge_after_applied" in decision.guardrails and decision.kind is not InterventionKind.PAUSE:
        assert decision.needs_review
    reached = state.gap == 0 and state.active_goal is not None
    if state.distress and not reached and situation.recipient_is_subject:
        assert decision.kind is InterventionKind.COACHING_CONVERSATION
    if not situation.recipient_is_subject:
        assert decision.rule != "distress_to_coach"  # a manager's brief never reveals a report's distress
    if decision.kind is InterventionKind.PAUSE and action == "brief":
        assert situation.recipient_is_subject  # a manager's brief for a meeting that happens anyway is never withheld
    stalled = state.stalled_weeks >= rails.escalate_after_stall_weeks and state.active_goal is not None
    ignored = state.ignored_in_row >= rails.pause_after_ignored
    distressed = state.distress and situation.recipient_is_subject
    if action != "brief" and not reached and not distressed and not stalled and ignored:
        assert decision.kind is InterventionKind.PAUSE
    last_two = state.recent_kinds[:2]
    if decision.bottleneck is not None and len(last_two) == 2 and last_two[0] == last_two[1] == decision.kind.value:
        # only when the policy offers nothing else for that bottleneck
        assert len(POLICY.interventions[decision.bottleneck]) == 1 or decision.kind is InterventionKind.PAUSE
    escalated_to_manager = decision.kind is InterventionKind.PAUSE and situation.recipient_is_subject
    if decision.bottleneck is not None and decision.rule not in ("pause_after_ignored", "overloaded_report_brief"):
        assert decision.kind in POLICY.interventions[decision.bottleneck] or escalated_to_manager
    if decision.kind is InterventionKind.ESCALATION:
        assert not situation.recipient_is_subject  # an escalation never reaches the person as a nudge
