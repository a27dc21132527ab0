"""The intervention policy: diagnosis by scenario, guardrails, review flags, adjustment — each decision with its rule
and the evidence that led there."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from kairos.decide.adaptive import Arm
from kairos.decide.diagnosis import diagnose
from kairos.decide.policy import Learned, Situation, decide
from kairos.decide.policy_file import load_policy, parse_policy
from kairos.decide.state import LearnerState
from kairos.domain.decision import Bottleneck, Cadence, Challenge, InterventionKind
from kairos.domain.goal import DevelopmentGoal
from kairos.errors import InputError
from kairos.resources import content_dir

POLICY_PATH = content_dir() / "policy" / "default.yaml"
POLICY = load_policy(POLICY_PATH)
GOAL = DevelopmentGoal("p1", "giving-feedback", 3, "Give specific feedback within a day.", date(2026, 2, 10),
                       "acme", "2026.1", origin="focus")  # fmt: skip
NUDGE = Situation(action_kind="nudge", trigger="meeting.scheduled", about_meeting=True, recipient_is_subject=True,
                  overload_minutes=360, seed="moment-1")  # fmt: skip


def state(**changes: object) -> LearnerState:
    base = LearnerState(person_id="p1", active_goal=GOAL, meeting_minutes_today=60, nudges_this_week=0,
                        segment="frontline/ic", gap=1, learning_completed=1)  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# --- diagnosis, by scenario ----------------------------------------------------------------------------------


def test_a_two_level_gap_with_no_learning_yet_is_a_missing_capability_and_gets_learning_content() -> None:
    diagnosis = diagnose(state(gap=2, learning_completed=0))
    assert diagnosis.bottleneck is Bottleneck.CAPABILITY
    assert "2 levels below the target" in diagnosis.evidence[0]
    assert decide(state(gap=2, learning_completed=0), NUDGE, POLICY).kind is InterventionKind.LEARNING_CONTENT


def test_someone_who_has_done_the_learning_but_not_the_practice_needs_transfer() -> None:
    decision = decide(state(gap=1, learning_completed=2), NUDGE, POLICY)
    assert decision.bottleneck is Bottleneck.TRANSFER and decision.kind is InterventionKind.PRACTICE
    assert decision.evidence == ("gap 1", "2 learning item(s) completed", "0 practice(s) applied")


def test_no_evidence_of_the_current_level_is_an_awareness_question_answered_with_reflection() -> None:
    decision = decide(state(gap=None), NUDGE, POLICY)
    assert decision.bottleneck is Bottleneck.AWARENESS and decision.kind is InterventionKind.REFLECTION


def test_a_self_rating_above_everyone_elses_is_an_awareness_gap() -> None:
    assert diagnose(state(self_rated_higher=True)).bottleneck is Bottleneck.AWARENESS


def test_a_new_manager_or_promotion_is_a_situation_to_interpret_first_with_reflection() -> None:
    decision = decide(state(transition="promotion"), NUDGE, POLICY)
    assert decision.bottleneck is Bottleneck.INTERPRETATION and decision.kind is InterventionKind.REFLECTION
    assert decision.evidence == ("a recent promotion: a new situation to make sense of",)


def test_when_outcomes_favour_a_human_coach_for_a_transition_it_waits_for_review() -> None:
    arms = {(Bottleneck.INTERPRETATION, InterventionKind.COACHING_CONVERSATION): Arm(20, 2, 20),
            (Bottleneck.INTERPRETATION, InterventionKind.REFLECTION): Arm(2, 20, 20)}  # fmt: skip
    decision = decide(state(transition="promotion"), NUDGE, POLICY, Learned(arms, 0, 100))
    assert decision.kind is InterventionKind.COACHING_CONVERSATION
    assert decision.needs_review == ("coaching conversation is a weighty recommendation",)


def test_overdue_manager_actions_are_raised_with_the_manager_instead_of_nudging_the_person() -> None:
    to_person = decide(state(overdue_manager_actions=2), NUDGE, POLICY)
    assert to_person.bottleneck is Bottleneck.CONTEXT and to_person.kind is InterventionKind.PAUSE
    assert "more nudges to the person would not fix it" in to_person.evidence[0]
    assert "this is for their manager to take up" in to_person.reasons[-1]
    for_manager = dataclasses.replace(NUDGE, action_kind="brief", recipient_is_subject=False)
    brief = decide(state(overdue_manager_actions=2), for_manager, POLICY)
    assert brief.kind is InterventionKind.ESCALATION and not brief.needs_review  # a brief is never held back


def test_a_day_full_of_meetings_gets_a_deliberate_pause_but_a_brief_still_goes_out() -> None:
    assert decide(state(meeting_minutes_today=420), NUDGE, POLICY).kind is InterventionKind.PAUSE
    brief = decide(state(meeting_minutes_today=420), dataclasses.replace(NUDGE, action_kind="brief"), POLICY)
    assert brief.kind is InterventionKind.REFLECTION and brief.rule == "overloaded_report_brief"


# --- guardrails ----------------------------------------------------------------------------------------------


def test_three_ignored_nudges_in_a_row_bring_a_deliberate_pause() -> None:
    decision = decide(state(ignored_in_row=3), NUDGE, POLICY)
    assert decision.kind is InterventionKind.PAUSE and decision.rule == "pause_after_ignored"
    assert decision.guardrails == ("pause_after_ignored",)


def test_a_distress_signal_goes_to_a_human_coach_and_pauses_the_nudges() -> None:
    decision = decide(state(distress=True, gap=2), NUDGE, POLICY)
    assert decision.kind is InterventionKind.COACHING_CONVERSATION and decision.rule == "distress_to_coach"
    assert decision.cadence is Cadence.PAUSED and decision.needs_review


def test_a_managers_brief_neither_waits_for_nor_hints_at_a_reports_distress() -> None:
    brief = dataclasses.replace(NUDGE, action_kind="brief", recipient_is_subject=False)
    decision = decide(state(distress=True, gap=2), brief, POLICY)
    assert decision.rule != "distress_to_coach" and not decision.needs_review
    assert "distress" not in " ".join(decision.reasons)


def test_a_long_stall_asks_the_manager_to_step_in_and_stops_nudging_the_person() -> None:
    to_person = decide(state(stalled_weeks=7), NUDGE, POLICY)
    assert to_person.kind is InterventionKind.PAUSE and to_person.rule == "stall_escalation"
    to_manager = decide(state(stalled_weeks=7), dataclasses.replace(NUDGE, recipient_is_subject=False), POLICY)
    assert to_manager.kind is InterventionKind.ESCALATION and "7 weeks" in to_manager.reasons[0]


def test_never_more_than_two_of_one_kind_in_a_row() -> None:
    decision = decide(state(recent_kinds=("practice", "practice", "reflection")), NUDGE, POLICY)
    assert decision.kind is not InterventionKind.PRACTICE
    assert "max_same_kind_in_row" in decision.guardrails


def test_not_relevant_switches_the_kind_of_help() -> None:
    decision = decide(state(not_relevant_kinds=("practice",)), NUDGE, POLICY)
    assert decision.kind is not InterventionKind.PRACTICE and "switch_after_not_relevant" in decision.guardrails


def test_applying_twice_in_a_row_raises_the_challenge_and_a_person_approves_that() -> None:
    decision = decide(state(applied_in_row=2, challenge="medium"), NUDGE, POLICY)
    assert decision.challenge is Challenge.HIGH
    assert "the challenge level rises to high" in decision.needs_review


def test_a_snooze_slows_the_cadence() -> None:
    assert decide(state(snoozed_recently=1), NUDGE, POLICY).cadence is Cadence.SLOWER


def test_anything_touching_a_performance_concern_waits_for_review() -> None:
    decision = decide(state(), dataclasses.replace(NUDGE, performance_concern=True), POLICY)
    assert "it touches a performance concern" in decision.needs_review


def test_evidence_at_the_target_level_closes_the_focus_with_a_reflection() -> None:
    decision = decide(state(gap=0), NUDGE, POLICY)
    assert decision.closes_focus and decision.kind is InterventionKind.REFLECTION and decision.rule == "target_reached"


# --- learning, bounded -----------------------------------------------------------------------------------------


def test_the_adaptive_choice_takes_the_kind_with_the_best_outcomes_when_exploration_is_used_up() -> None:
    arms = {(Bottleneck.TRANSFER, InterventionKind.ROLE_PLAY): Arm(30, 5, 33),
            (Bottleneck.TRANSFER, InterventionKind.PRACTICE): Arm(5, 30, 33)}  # fmt: skip
    learned = Learned(arms, explored=20, decided=100)  # 20 % explored already: the bound is reached
    for seed in range(20):
        decision = decide(state(), dataclasses.replace(NUDGE, seed=f"m{seed}"), POLICY, learned)
        assert decision.kind is InterventionKind.ROLE_PLAY and not decision.explored
    assert decision.rule.endswith("+thompson") and "adaptive" in decision.inputs


def test_the_same_moment_always_gets_the_same_decision() -> None:
    first = decide(state(), NUDGE, POLICY, Learned({}, 0, 50))
    assert all(decide(state(), NUDGE, POLICY, Learned({}, 0, 50)) == first for _ in range(5))


def test_every_decision_keeps_its_rule_reasons_and_inputs() -> None:
    for variant in (state(), state(gap=None), state(ignored_in_row=4), state(distress=True), state(gap=0)):
        decision = decide(variant, NUDGE, POLICY)
        assert decision.rule and decision.reasons and decision.inputs["person"] == "p1"
        assert decision.policy_version == "default@2026.11"


# --- the policy file -------------------------------------------------------------------------------------------


def test_the_policy_file_refuses_protected_attributes_as_segments_naming_the_line(tmp_path: Path) -> None:
    text = POLICY_PATH.read_text().replace("segment_by: [career_stage, track]", "segment_by: [career_stage, gender]")
    with pytest.raises(InputError) as caught:
        parse_policy(text, "policy.yaml")
    [problem] = caught.value.problems
    assert problem.field == "adaptive.segment_by" and "protected attributes" in problem.expected and problem.row


def test_the_policy_file_refuses_clicks_weighed_like_behavior(tmp_path: Path) -> None:
    text = POLICY_PATH.read_text().replace("applied: 0.15", "applied: 0.9")
    with pytest.raises(InputError, match="weak signals"):
        parse_policy(text, "policy.yaml")


def test_an_overloaded_person_can_only_get_a_pause(tmp_path: Path) -> None:
    text = POLICY_PATH.read_text().replace("overload: [pause]", "overload: [practice]")
    with pytest.raises(InputError, match="deliberate pause"):
        parse_policy(text, "policy.yaml")
