"""The 360 anonymity rules and the skill gap, as pure functions: no clock, no database."""

from __future__ import annotations

from datetime import date

import pytest

from kairos.domain.feedback import (
    OTHERS,
    Campaign,
    Comment,
    FeedbackReport,
    LevelEvidence,
    RaterGroup,
    Rating,
    Scale,
    anonymized_report,
    current_evidence,
    skill_gap,
    three_sixty_levels,
)

CAMPAIGN = Campaign("c1", "Spring 360", date(2026, 2, 1), date(2026, 2, 20), Scale(1, 5))
SELF, MANAGER, PEER, REPORT = RaterGroup.SELF, RaterGroup.MANAGER, RaterGroup.PEER, RaterGroup.DIRECT_REPORT


def ratings(group: RaterGroup, *values: int, competency: str = "feedback") -> list[Rating]:
    return [Rating(competency, group, v) for v in values]


def report(
    given: list[Rating], comments: list[Comment] | None = None, respondents: int = 0, min_raters: int = 3,
    min_comment_raters: int = 10,
) -> FeedbackReport:  # fmt: skip
    return anonymized_report(CAMPAIGN, "p1", given, comments or [], respondents, min_raters=min_raters,
                             min_comment_raters=min_comment_raters)  # fmt: skip


def groups(result: FeedbackReport, competency: str = "feedback") -> dict[str, tuple[int, float]]:
    (found,) = [c for c in result.competencies if c.competency_id == competency]
    return {g.group: (g.raters, g.mean) for g in found.groups}


def withheld(result: FeedbackReport, competency: str = "feedback") -> tuple[str, ...]:
    (found,) = [c for c in result.competencies if c.competency_id == competency]
    return found.withheld


def test_a_peer_group_of_two_is_merged_or_withheld_never_shown() -> None:
    alone = report(ratings(PEER, 2, 4) + ratings(REPORT, 3, 3, 3))
    merged = report(ratings(PEER, 2, 4) + ratings(REPORT, 5))

    assert "peer" not in groups(alone) and withheld(alone) == ("peer",)
    assert "peer" not in groups(merged) and groups(merged)[OTHERS] == (3, 3.67)


def test_two_small_groups_that_reach_the_threshold_together_are_shown_as_others() -> None:
    result = report(ratings(PEER, 1, 2) + ratings(REPORT, 4, 5))

    assert groups(result) == {OTHERS: (4, 3.0)}
    (competency,) = result.competencies
    assert competency.groups[0].merged == ("peer", "direct_report")
    assert [r.rule for r in result.rules if r.competency_id] == ["merged-into-others"]


def test_a_withheld_group_leaves_no_number_in_the_report() -> None:
    result = report(ratings(MANAGER, 4) + ratings(REPORT, 1, 1))

    assert groups(result) == {"manager": (1, 4.0)}
    assert withheld(result) == ("direct_report",)
    assert "1.0" not in str(result.as_dict()["competencies"]) and "'raters': 2" not in str(result.as_dict())
    assert [r.rule for r in result.rules if r.competency_id] == ["withheld"]


def test_a_group_at_the_threshold_is_shown_on_its_own() -> None:
    result = report(ratings(PEER, 3, 4, 5) + ratings(REPORT, 2, 2, 2, 3))

    assert groups(result) == {"peer": (3, 4.0), "direct_report": (4, 2.25)}
    assert withheld(result) == ()


def test_self_and_manager_are_shown_whatever_their_size() -> None:
    result = report(ratings(SELF, 2) + ratings(MANAGER, 4))

    assert groups(result) == {"self": (1, 2.0), "manager": (1, 4.0)}


def test_the_minimum_applies_to_each_competency_on_its_own() -> None:
    given = ratings(PEER, 3, 4, 5, competency="feedback") + ratings(PEER, 3, 4, competency="writing")

    result = report(given)

    assert groups(result, "feedback") == {"peer": (3, 4.0)}
    assert groups(result, "writing") == {} and withheld(result, "writing") == ("peer",)


def test_a_higher_configured_minimum_is_respected() -> None:
    result = report(ratings(PEER, 3, 4, 5, 5) + ratings(REPORT, 1), min_raters=5)

    assert groups(result) == {OTHERS: (5, 3.6)}


def test_comments_are_withheld_below_the_comment_threshold() -> None:
    result = report(ratings(PEER, 3, 4, 5), [Comment("feedback", "Great.")], respondents=9)

    assert not result.comments_shown and result.comments == ()
    assert "comments-withheld" in [r.rule for r in result.rules]
    assert "Great." not in str(result.as_dict())


def test_comments_are_shown_unattributed_and_sorted_at_the_threshold() -> None:
    comments = [Comment("writing", "Zest."), Comment(None, "Overall fine."), Comment("feedback", "Apt.")]

    result = report(ratings(PEER, 3, 4, 5), comments, respondents=10)

    assert result.comments_shown
    assert [(c.competency_id, c.text) for c in result.comments] == [
        (None, "Overall fine."), ("feedback", "Apt."), ("writing", "Zest.")
    ]  # fmt: skip
    assert set(result.as_dict()["comments"][0]) == {"competency_id", "text"}


def test_the_report_lists_the_rules_that_applied() -> None:
    result = report(ratings(PEER, 1, 2) + ratings(REPORT, 4, competency="writing"))

    rules = [(r.rule, r.competency_id) for r in result.rules]
    assert rules == [
        ("identities-never-shown", None),
        ("minimum-group-size", None),
        ("withheld", "feedback"),
        ("withheld", "writing"),
        ("comments-none", None),
    ]


def test_thresholds_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        report([], min_raters=0)


# --- skill gap ---------------------------------------------------------------------------------------


def test_skill_gap_is_none_without_a_benchmark_or_without_evidence() -> None:
    assert skill_gap(None, [2]) is None
    assert skill_gap(3, []) is None


def test_skill_gap_counts_the_levels_still_to_climb_and_never_goes_below_zero() -> None:
    assert skill_gap(4, [2]) == 2
    assert skill_gap(3, [3]) == 0
    assert skill_gap(2, [4]) == 0


@pytest.mark.parametrize(
    ("evidence", "current"),
    [([2, 3], 2), ([2, 3, 3, 3], 3), ([2, 2, 3], 2), ([3, 3, 4], 3), ([1, 4], 2), ([4, 4, 4, 3], 4)],
)
def test_skill_gap_rounds_the_mean_evidence_to_the_nearest_level_with_halves_down(
    evidence: list[int], current: int
) -> None:
    assert skill_gap(5, evidence) == 5 - current


def test_the_latest_review_is_the_evidence_unless_a_360_is_strictly_newer() -> None:
    review = LevelEvidence("review", date(2026, 2, 10), (2,))
    newer = LevelEvidence("360", date(2026, 2, 20), (3, 4, 4))
    same_day = LevelEvidence("360", date(2026, 2, 10), (4,))
    older = LevelEvidence("360", date(2025, 9, 1), (4,))

    assert current_evidence(review, newer) == [3, 4, 4]
    assert current_evidence(review, same_day) == [2]
    assert current_evidence(review, older) == [2]
    assert current_evidence(None, older) == [4]
    assert current_evidence(review, LevelEvidence("360", date(2026, 3, 1), ())) == [2]
    assert current_evidence(None, None) == []


def test_360_evidence_is_the_manager_and_the_shown_groups_never_self_or_withheld() -> None:
    given = ratings(SELF, 5) + ratings(MANAGER, 2) + ratings(PEER, 3, 3, 3) + ratings(REPORT, 1, 1)

    assert sorted(three_sixty_levels(given, "feedback", 3)) == [2, 3, 3, 3]
    assert sorted(three_sixty_levels(given + ratings(REPORT, 1), "feedback", 3)) == [1, 1, 1, 2, 3, 3, 3]
    assert three_sixty_levels(given, "writing", 3) == ()
