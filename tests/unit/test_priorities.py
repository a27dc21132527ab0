"""A person without an agreed focus or review goal is coached inside the organization's priority behaviors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kairos.domain.framework import PriorityBehavior
from kairos.domain.priorities import default_focus
from tests.factories import framework

STAGES = (("frontline", ("IC1", "IC2")), ("mid-level", ("IC3", "M1")))
PRIORITIES = (
    PriorityBehavior("frontline", "giving-feedback", 2, "Name one example in every piece of feedback."),
    PriorityBehavior("frontline", "giving-feedback", 3),
    PriorityBehavior("mid-level", "giving-feedback", 4, "Make feedback part of every retrospective."),
)
FW = replace(framework(), career_stages=STAGES, priority_behaviors=PRIORITIES)


def test_the_priority_with_the_widest_gap_of_the_persons_stage_becomes_the_default_focus() -> None:
    gaps = {2: 0, 3: 1}
    chosen = default_focus(FW, "ic2", lambda p: gaps[p.level])
    assert chosen is not None
    assert chosen.priority == PRIORITIES[1]
    assert chosen.gap == 1
    assert "largest gap among the frontline priority behaviors: 1 level below level 3" in chosen.reason


def test_equal_gaps_are_settled_by_the_order_the_talent_team_listed_them() -> None:
    chosen = default_focus(FW, "IC1", lambda p: 1)
    assert chosen is not None and chosen.priority == PRIORITIES[0]


def test_without_evidence_the_first_listed_priority_of_the_stage_is_the_focus_and_says_so() -> None:
    chosen = default_focus(FW, "IC2", lambda p: None)
    assert chosen is not None
    assert chosen.priority == PRIORITIES[0] and chosen.gap is None
    assert "no evidence yet" in chosen.reason and "priority 1 of 2" in chosen.reason


def test_priorities_of_another_stage_are_never_chosen() -> None:
    chosen = default_focus(FW, "M1", lambda p: 2)
    assert chosen is not None and chosen.priority.stage == "mid-level"


def test_a_level_in_no_stage_or_every_priority_met_gives_no_default_focus() -> None:
    assert default_focus(FW, "E1", lambda p: 3) is None
    assert default_focus(FW, "IC2", lambda p: 0) is None


def test_the_default_focus_reads_as_the_organizations_priority_not_as_an_agreed_goal() -> None:
    chosen = default_focus(FW, "IC2", lambda p: None)
    assert chosen is not None
    goal = chosen.as_goal("p1", FW, date(2026, 3, 1))
    assert goal.origin == "priority" and goal.stage == "frontline"
    assert goal.text == "Name one example in every piece of feedback."
    assert "priority for frontline roles" in goal.agreed
    unnamed = default_focus(FW, "M1", lambda p: None)
    assert unnamed is not None
    assert (
        replace(unnamed, priority=replace(unnamed.priority, behavior=None)).as_goal("p1", FW, date(2026, 3, 1)).text
        == "Giving feedback at level 4 (Level 4)"
    )
