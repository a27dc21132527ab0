"""Relationship insight: how one person may adapt to another, likely friction, and what to do before a 1:1."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from kairos.domain.style import SCALES, AssessmentResult, Instrument, StyleDimension, StyleFact, StyleProfile
from kairos.errors import InputError
from kairos.profiles.insight import default_insight_wording, load_insight_wording, parse_insight_wording
from kairos.profiles.mapping import build_profile, bundled_styles_dir, default_style_mapping, label_problem
from kairos.profiles.relationship import relate

NAMES = {"ali": "Ali", "dana": "Dana"}
PACE, DIRECTNESS, DETAIL = StyleDimension.PACE, StyleDimension.DIRECTNESS, StyleDimension.DETAIL


def fact(
    person: str,
    dimension: StyleDimension,
    statement: str,
    *,
    lean: float | None = None,
    instrument: Instrument = Instrument.DISC,
    rule: str = "rule",
    tags: tuple[str, ...] = (),
) -> StyleFact:
    return StyleFact(person, dimension, statement, instrument, "evidence", rule, lean=lean, tags=tags)


def profile(person: str, *facts: StyleFact) -> StyleProfile:
    return StyleProfile(person, facts, tuple(dict.fromkeys(f.instrument for f in facts)))


def disc_profile(person: str, **scores: float) -> StyleProfile:
    values = {"D": 50.0, "I": 50.0, "S": 50.0, "C": 50.0} | scores
    result = AssessmentResult(person, Instrument.DISC, date(2025, 3, 1), "disc.csv", 2, values)
    return build_profile(person, [result], default_style_mapping())


def test_a_manager_is_told_to_share_the_numbers_ahead_with_someone_who_wants_the_data_first() -> None:
    insight = relate(disc_profile("ali", D=80), disc_profile("dana", C=82), NAMES)
    detail = next(line for line in insight.adapt if line.dimension is DETAIL)
    assert detail.text.startswith("Dana tends to want the data and the reasoning before a discussion:")
    assert "share the numbers" in detail.text
    prepare = next(line for line in insight.before_one_on_one if line.dimension is DETAIL)
    assert "Send the data" in prepare.text and "a day before" in prepare.text
    assert all(f.person_id == "dana" and f.rule == "high-c" for f in prepare.facts)


def test_every_line_cites_facts_of_the_two_people_only() -> None:
    insight = relate(disc_profile("ali", D=85, C=25), disc_profile("dana", S=80, C=82), NAMES)
    lines = (*insight.adapt, *insight.friction, *insight.before_one_on_one)
    assert lines and insight.enough
    for line in lines:
        assert line.facts and {f.person_id for f in line.facts} <= {"ali", "dana"}
        assert line.text.endswith(".") and line.text[0].isupper()
    assert set(insight.facts) == {f for line in lines for f in line.facts}


def test_opposite_leans_far_apart_are_likely_friction_citing_both_people() -> None:
    ali = profile("ali", fact("ali", PACE, "tends to move quickly", lean=0.7))
    dana = profile("dana", fact("dana", PACE, "tends to take time to think", lean=-0.6))
    (friction,) = relate(ali, dana, NAMES).friction
    assert friction.dimension is PACE and friction.weight == pytest.approx(1.3)
    assert "Ali may feel held up" in friction.text and "Dana may feel rushed by Ali" in friction.text
    assert {f.person_id for f in friction.facts} == {"ali", "dana"}


def test_leans_on_opposite_sides_but_close_together_are_not_friction() -> None:
    ali = profile("ali", fact("ali", PACE, "tends to move quickly", lean=0.4))
    dana = profile("dana", fact("dana", PACE, "tends to take time to think", lean=-0.4))
    assert relate(ali, dana, NAMES).friction == ()


def test_one_persons_stressor_meeting_the_others_habit_is_likely_friction() -> None:
    stressor = fact("dana", StyleDimension.STRESSORS, "may find being rushed stressful", tags=("set_off_by:pace+",))
    habit = fact("ali", PACE, "tends to decide on the spot", lean=0.6)
    (line,) = relate(profile("ali", habit), profile("dana", stressor), NAMES).friction
    assert line.text == (
        "Dana may find being rushed stressful, and Ali tends to decide on the spot: "
        "expect this to come up between them."
    )
    assert line.facts == (stressor, habit)


def test_a_stressor_whose_trigger_the_other_does_not_hold_is_not_friction() -> None:
    stressor = fact("dana", StyleDimension.STRESSORS, "may find being rushed stressful", tags=("set_off_by:pace+",))
    calm = fact("ali", PACE, "tends to take time", lean=-0.5)
    assert relate(profile("ali", calm), profile("dana", stressor), NAMES).friction == ()


def test_advice_comes_first_where_the_two_differ_most() -> None:
    ali = profile("ali", fact("ali", DETAIL, "tends to want the data", lean=0.6),
                  fact("ali", DIRECTNESS, "tends to speak plainly", lean=0.7))  # fmt: skip
    dana = profile("dana", fact("dana", DETAIL, "tends to check the numbers", lean=0.7),
                   fact("dana", DIRECTNESS, "tends to raise things gently", lean=-0.5))  # fmt: skip
    adapt = relate(ali, dana, NAMES).adapt
    assert [line.dimension for line in adapt] == [DIRECTNESS, DETAIL]


def test_feedback_stressors_and_motivators_of_the_other_become_advice() -> None:
    dana = profile(
        "dana",
        fact("dana", StyleDimension.FEEDBACK, "tends to take feedback best in writing"),
        fact("dana", StyleDimension.MOTIVATORS, "often gets energy from mastering a subject"),
    )
    insight = relate(profile("ali", fact("ali", PACE, "tends to move quickly", lean=0.5)), dana, NAMES)
    texts = [line.text for line in insight.adapt]
    assert "Dana tends to take feedback best in writing: shape your feedback to fit." in texts
    assert any(t.startswith("Dana often gets energy from mastering a subject:") for t in texts)
    assert any("plan how you will give any feedback" in line.text for line in insight.before_one_on_one)


def test_an_empty_profile_gives_not_enough_to_go_on_instead_of_an_error() -> None:
    insight = relate(disc_profile("ali", D=80), StyleProfile("dana"), NAMES)
    assert not insight.enough and insight.facts == ()
    assert insight.notes == ("There is no style data on Dana yet, so there is not enough to go on.",)
    both = relate(StyleProfile("ali"), StyleProfile("dana"), NAMES)
    assert both.notes == ("There is no style data on Ali or Dana yet, so there is not enough to go on.",)


def test_without_data_on_the_reader_advice_still_comes_but_friction_is_not_judged() -> None:
    insight = relate(StyleProfile("ali"), disc_profile("dana", C=82), NAMES)
    assert insight.adapt and insight.before_one_on_one and insight.friction == ()
    assert insight.notes == ("There is no style data on Ali, so likely friction between them cannot be judged.",)


def test_results_pointing_different_ways_ask_rather_than_assume() -> None:
    dana = profile(
        "dana",
        fact("dana", PACE, "tends to move quickly", lean=0.6, instrument=Instrument.CLIFTONSTRENGTHS),
        fact("dana", PACE, "tends to prefer a steady pace", lean=-0.6, instrument=Instrument.DISC),
    )
    insight = relate(profile("ali", fact("ali", DETAIL, "tends to want the data", lean=0.5)), dana, NAMES)
    (line,) = insight.adapt
    assert (
        line.text
        == "Dana's results point different ways on pace: ask how Dana prefers to work here rather than assume."
    )
    assert len(line.facts) == 2
    assert insight.before_one_on_one == ()


def test_a_name_missing_from_names_falls_back_to_the_person_id() -> None:
    insight = relate(StyleProfile("ali"), disc_profile("p-17", C=82), {})
    assert insight.adapt[0].text.startswith("P-17 tends to")


def test_a_relationship_needs_two_people() -> None:
    with pytest.raises(ValueError, match="two people"):
        relate(StyleProfile("ali"), StyleProfile("ali"), NAMES)


# --- the wording file -----------------------------------------------------------------------------


def test_every_bundled_advice_text_is_a_clause_and_never_a_label() -> None:
    wording = default_insight_wording()
    for dimension in SCALES:
        scale = wording.scales[dimension]
        for side in (scale.high, scale.low):
            for text in (side.label, side.adapt, side.prepare, side.team_may_miss):
                assert text and text[0].islower() and not text.endswith(".") and label_problem(text) is None
            # the same advice is given to a newcomer about the team
            assert "{" not in side.adapt.format(b="the team")


def test_an_organization_can_replace_the_relationship_wording(tmp_path: Path) -> None:
    text = (bundled_styles_dir() / "relationships.yaml").read_text()
    changed = text.replace("share the numbers and your reasoning ahead of the conversation", "send the deck first")
    (tmp_path / "relationships.yaml").write_text(changed)
    wording = load_insight_wording([bundled_styles_dir(), tmp_path])
    insight = relate(StyleProfile("ali"), disc_profile("dana", C=82), NAMES, wording=wording)
    assert any(line.text.endswith(": send the deck first.") for line in insight.adapt)


def _line(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("give {b} time to think", "give {name} time to think", "scales/pace/low/adapt", "only the placeholders {b}"),
        ('"{high} may feel held up while {low} thinks things over, and {low} may feel rushed by {high}"',
         "the two may disagree", "scales/pace/friction", "both {high} and {low}"),
        ("label: toward quick action", "label: toward the driver type", "scales/pace/high/label", "label words"),
        ("      team_may_miss: moving fast when a decision is good enough\n", "", "scales/pace/high",
         "a field named 'team_may_miss'"),
        ("clear_lean: 0.25", "clear_lean: 2", "clear_lean", "a number from 0.05 to 0.95"),
        ("    adapt: watch for it and ease it where you can\n",
         "    adapt: watch for it and ease it where you can\n    tone: warm\n", "lists/stressors/tone",
         "one of the fields adapt, prepare"),
        ("adapt: come with a proposal", "adapt: Come with a proposal", "scales/pace/high/adapt", "a clause"),
    ],
)  # fmt: skip
def test_relationship_wording_errors_name_the_file_line_and_field(
    old: str, new: str, field: str, expected: str
) -> None:
    original = (bundled_styles_dir() / "relationships.yaml").read_text()
    text = original.replace(old, new, 1)
    assert text != original
    with pytest.raises(InputError) as caught:
        parse_insight_wording(text, "org/relationships.yaml")
    problem = next(p for p in caught.value.problems if p.field == field)
    assert expected in problem.expected and problem.file == "org/relationships.yaml"
    assert problem.row is not None
    if new.strip():
        assert problem.row == _line(text, new.strip().splitlines()[-1])


def test_a_style_folder_without_a_relationships_file_is_an_error(tmp_path: Path) -> None:
    shutil.copy(bundled_styles_dir() / "disc.yaml", tmp_path / "disc.yaml")
    with pytest.raises(InputError, match="relationships.yaml"):
        load_insight_wording([tmp_path])
