"""The calibration report as pure functions: what a talent team and each manager may see, and nothing more."""

from __future__ import annotations

import json

import pytest

from kairos.domain.calibration import (
    CalibrationExample,
    CalibrationReport,
    ExampleResult,
    Exercise,
    Placement,
    calibration_report,
    completed_managers,
)
from kairos.domain.framework import Competency, Framework, ProficiencyLevel


def _competency(cid: str, name: str) -> Competency:
    return Competency(
        id=cid,
        name=name,
        definition=f"{name}, in the organization's words.",
        levels=tuple(
            ProficiencyLevel(n, f"{name} L{n}", (f"{cid} anchor {n}.1 in our words", f"{cid} anchor {n}.2"))
            for n in (1, 2, 3, 4)
        ),
    )


FRAMEWORK = Framework(
    id="acme",
    name="Acme",
    version="2026.1",
    competencies=(_competency("giving-feedback", "Giving feedback"), _competency("clear-writing", "Clear writing")),
)
EXERCISE = Exercise(
    id="cal-1",
    name="Spring calibration",
    framework_id="acme",
    framework_version="2026.1",
    examples=(
        CalibrationExample("fb-1", "giving-feedback", 2, "Told a teammate the same day which review comment helped."),
        CalibrationExample(
            "fb-2",
            "giving-feedback",
            3,
            "Gave hard feedback privately, then checked understanding.",
            rationale="Privately and promptly, with a check: level 3's first anchor.",
        ),
        CalibrationExample("cw-1", "clear-writing", 1, "Ticket needed two follow-up questions."),
        CalibrationExample("cw-2", "clear-writing", 4, "Rewrote the team's design-doc template."),
    ),
)
MANAGERS = [f"m{n}" for n in range(1, 9)]


def placed(example: str, *levels: int, first: int = 0) -> list[Placement]:
    """One placement of ``example`` per level given, by managers m{first+1}, m{first+2}, …"""
    return [Placement(MANAGERS[first + i], example, level) for i, level in enumerate(levels)]


def report(placements: list[Placement], *, min_group_size: int = 5, manager: str | None = None) -> CalibrationReport:
    return calibration_report(EXERCISE, FRAMEWORK, placements, min_group_size=min_group_size, manager_id=manager)


def example(result: CalibrationReport, example_id: str) -> ExampleResult:
    (found,) = [e for e in result.examples if e.example_id == example_id]
    return found


def test_a_distribution_from_four_managers_is_withheld_never_shown() -> None:
    result = report(placed("fb-1", 2, 2, 3, 1))

    fb1 = example(result, "fb-1")
    assert not fb1.shown and fb1.distribution == () and fb1.agreement is None
    assert fb1.withheld == "withheld: fewer than 5 managers"
    assert fb1.wide_disagreement is False and fb1.off_key is False


def test_a_distribution_from_five_managers_is_shown_over_every_level_of_the_competency() -> None:
    result = report(placed("fb-1", 2, 2, 3, 1, 2))

    fb1 = example(result, "fb-1")
    assert fb1.shown and fb1.withheld is None
    assert fb1.distribution == ((1, 1), (2, 3), (3, 1), (4, 0))
    assert fb1.agreement is not None and fb1.agreement.managers == 5


def test_a_withheld_example_leaves_no_number_in_the_report() -> None:
    result = report(placed("cw-2", 1, 1, 1, 1))

    shown = json.dumps(example(result, "cw-2").as_dict())
    assert '"distribution": []' in shown and '"agreement": null' in shown
    assert "managers" not in shown.replace("fewer than 5 managers", "")


def test_the_key_is_quoted_with_the_anchors_of_its_level_in_the_frameworks_words() -> None:
    result = report([])

    fb2 = example(result, "fb-2")
    assert (fb2.key_level, fb2.key_name) == (3, "Giving feedback L3")
    assert fb2.key_anchors == ("giving-feedback anchor 3.1 in our words", "giving-feedback anchor 3.2")
    assert fb2.competency_name == "Giving feedback" and fb2.rationale and fb2.behavior.startswith("Gave hard")
    assert fb2.anchor_refs == (
        "acme@2026.1/giving-feedback/level-3/anchor-1",
        "acme@2026.1/giving-feedback/level-3/anchor-2",
    )


def test_agreement_counts_exact_and_within_one_level_of_the_key() -> None:
    result = report(placed("fb-1", 2, 2, 3, 1, 4))  # key 2: two exact, two one away, one two away

    agreement = example(result, "fb-1").agreement
    assert agreement is not None
    assert (agreement.placements, agreement.exact, agreement.within_one) == (5, 2, 4)
    assert (agreement.exact_share, agreement.within_one_share) == (0.4, 0.8)
    assert agreement.mean_offset == 0.4  # (0 + 0 + 1 − 1 + 2) / 5: placed a little above the key


def test_spread_is_how_far_managers_are_from_each_other_not_the_distance_between_keys() -> None:
    same = report(placed("cw-1", 1, 1, 1, 1, 1) + placed("cw-2", 4, 4, 4, 4, 4))
    apart = report(placed("cw-1", 1, 1, 2, 2, 3) + placed("cw-2", 4, 4, 4, 4, 4))

    assert same.competency("clear-writing").agreement.spread == 0.0  # type: ignore[union-attr]
    assert example(apart, "cw-1").agreement.spread == 0.75  # type: ignore[union-attr]
    assert apart.competency("clear-writing").agreement.spread == 0.53  # type: ignore[union-attr]


def test_a_manager_sees_their_own_placements_against_the_key_and_no_other_manager() -> None:
    placements = placed("fb-1", 1, 2, 2, 2, 2) + placed("fb-2", 3, 3) + [Placement("m1", "cw-1", 3)]
    result = report(placements, manager="m1")

    own = result.own
    assert own is not None and own.manager_id == "m1"
    assert [(p.example_id, p.level, p.key_level, p.offset) for p in own.placements] == [
        ("fb-1", 1, 2, -1), ("fb-2", 3, 3, 0), ("cw-1", 3, 1, 2)
    ]  # fmt: skip
    assert own.unplaced == ("cw-2",) and not own.completed
    assert (own.exact, own.within_one) == (1, 2)
    text = json.dumps(result.as_dict())
    assert not {f"m{n}" for n in range(2, 9)} & set(text.replace('"', " ").split())


def test_the_talent_team_view_names_no_manager_and_holds_no_individual_result() -> None:
    placements = [p for e in ("fb-1", "fb-2", "cw-1", "cw-2") for p in placed(e, 1, 2, 3, 4, 2, 3)]
    result = report(placements)

    assert result.own is None
    text = json.dumps(result.as_dict())
    assert not any(m in text for m in MANAGERS)
    assert (result.managers_taking_part, result.managers_completed) == (6, 6)


def test_a_manager_without_placements_sees_every_example_unplaced() -> None:
    result = report(placed("fb-1", 2, 2, 2, 2, 2), manager="m8")

    assert result.own is not None and result.own.placements == () and len(result.own.unplaced) == 4


def test_competency_and_overall_agreement_use_only_shown_examples_so_nothing_withheld_is_recovered() -> None:
    # fb-1 is shown (5 managers); fb-2 has one placement: counting it in the competency's agreement would let
    # anyone subtract the shown fb-1 numbers and learn whether that one manager matched the key
    result = report(placed("fb-1", 2, 2, 2, 2, 2) + [Placement("m6", "fb-2", 1)])

    competency = result.competency("giving-feedback")
    assert competency.agreement is not None
    assert competency.examples_shown == ("fb-1",) and competency.examples_withheld == ("fb-2",)
    assert (competency.agreement.placements, competency.agreement.exact) == (5, 5)
    assert result.overall is not None and (result.overall.placements, result.overall.exact) == (5, 5)
    assert result.overall.managers == 5


def test_a_competency_with_no_shown_example_has_its_agreement_and_spread_withheld() -> None:
    result = report(placed("fb-1", 2, 2, 2, 2, 2) + placed("cw-1", 1, 1, 1, 1))

    writing = result.competency("clear-writing")
    assert writing.agreement is None and writing.withheld == "withheld: fewer than 5 managers"


def test_overall_agreement_is_withheld_when_no_example_reaches_the_minimum() -> None:
    result = report(placed("fb-1", 2, 2, 2, 2) + placed("cw-1", 1, 1, 1, 1, first=4))

    assert result.overall is None and result.overall_withheld == "withheld: fewer than 5 managers"
    assert result.managers_taking_part == 8  # people taking part are counted; their placements are not shown


def test_wide_disagreement_is_flagged_when_no_two_neighbouring_levels_hold_two_thirds() -> None:
    split = report(placed("fb-1", 1, 1, 3, 3, 3))  # {2,3} hold 3 of 5
    spread_out = report(placed("fb-1", 1, 2, 2, 3, 4))  # {2,3} hold 3 of 5

    assert example(split, "fb-1").wide_disagreement and example(spread_out, "fb-1").wide_disagreement
    assert split.flagged == ("fb-1",)
    assert [r.rule for r in spread_out.rules if r.example_id == "fb-1"] == ["wide-disagreement"]


def test_a_single_outlier_does_not_flag_an_example() -> None:
    result = report(placed("fb-1", 1, 3, 3, 3, 3))  # {3,4} hold 4 of 5

    assert not example(result, "fb-1").wide_disagreement and result.flagged == ()


def test_a_majority_on_another_level_than_the_key_is_flagged_as_off_key() -> None:
    result = report(placed("fb-2", 2, 2, 2, 3, 3))  # key 3; three of five chose 2

    fb2 = example(result, "fb-2")
    assert fb2.off_key and not fb2.wide_disagreement
    assert [r.rule for r in result.rules if r.example_id == "fb-2"] == ["off-key-majority"]
    assert not example(report(placed("fb-2", 2, 2, 3, 3, 4)), "fb-2").off_key  # no majority on one level


def test_the_rules_that_applied_are_listed() -> None:
    result = report(placed("fb-1", 2, 2, 2, 2, 2) + placed("cw-1", 1, 1))

    rules = [(r.rule, r.example_id or r.competency_id) for r in result.rules]
    assert ("individual-placements-private", None) in rules
    assert ("minimum-group-size", None) in rules
    assert ("aggregates-from-shown-examples", None) in rules
    assert ("withheld", "cw-1") in rules and ("withheld", "cw-2") in rules and ("withheld", "fb-2") in rules
    assert ("competency-withheld", "clear-writing") in rules
    assert ("withheld", "fb-1") not in rules
    text = " ".join(r.detail for r in result.rules)
    assert "at least 5 managers" in text


def test_the_manager_view_says_it_holds_only_their_own_placements() -> None:
    result = report(placed("fb-1", 2, 2, 2, 2, 2), manager="m1")

    assert ("own-results", None) in [(r.rule, r.example_id) for r in result.rules]


def test_a_lower_configured_minimum_is_honoured() -> None:
    result = report(placed("fb-1", 2, 3, 2), min_group_size=3)

    assert example(result, "fb-1").shown and example(result, "fb-1").distribution == ((1, 0), (2, 2), (3, 1), (4, 0))


def test_a_minimum_below_two_is_refused_a_group_of_one_is_a_person() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        report([], min_group_size=1)


def test_placements_the_importer_would_refuse_are_refused_here_too() -> None:
    with pytest.raises(ValueError, match="unknown example"):
        report([Placement("m1", "nope", 1)])
    with pytest.raises(ValueError, match="twice"):
        report([Placement("m1", "fb-1", 1), Placement("m1", "fb-1", 2)])
    with pytest.raises(ValueError, match="level"):
        report([Placement("m1", "fb-1", 5)])


def test_a_framework_that_does_not_match_the_exercise_is_refused() -> None:
    other = Framework("acme", "Acme", "2027.1", FRAMEWORK.competencies)
    with pytest.raises(ValueError, match="2026.1"):
        calibration_report(EXERCISE, other, [], min_group_size=5)


def test_a_manager_who_placed_every_example_has_completed() -> None:
    placements = [Placement("m1", e.id, 2) for e in EXERCISE.examples] + [Placement("m2", "fb-1", 2)]

    assert completed_managers(EXERCISE, placements) == ("m1",)
    assert report(placements, manager="m1").own.completed  # type: ignore[union-attr]


def test_a_manager_view_needs_the_minimum_besides_that_manager_so_subtracting_their_own_leaves_no_small_group() -> None:
    placements = placed("fb-1", 2, 2, 3, 1, 2)  # m1…m5

    assert example(report(placements), "fb-1").shown  # the talent team: five managers
    assert not example(report(placements, manager="m1"), "fb-1").shown  # m1 would see the other four
    assert example(report(placements, manager="m8"), "fb-1").shown  # m8 did not place it: five besides m8
    assert example(report(placements + placed("fb-1", 4, first=5), manager="m1"), "fb-1").shown  # five besides m1
