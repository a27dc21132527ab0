"""Assessment results become one style profile through reviewable rule files, one per instrument."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from kairos.domain.style import SCALES, AssessmentResult, Instrument, StyleDimension, StyleProfile
from kairos.errors import InputError
from kairos.profiles.conditions import instrument_title
from kairos.profiles.mapping import (
    CONDITION_KINDS,
    STATEMENT_OPENERS,
    StyleMapping,
    build_profile,
    bundled_styles_dir,
    default_style_mapping,
    evaluate_rules,
    load_style_mapping,
    parse_instrument_mapping,
    set_off_by,
    statement_problem,
    strengths_domain,
)
from kairos.profiles.reference import StrengthsDomain


def result(
    instrument: Instrument,
    *,
    person: str = "dana",
    taken_on: date | None = date(2025, 3, 1),
    scores: dict[str, float] | None = None,
    ranking: tuple[str, ...] = (),
    type_code: str | None = None,
) -> AssessmentResult:
    return AssessmentResult(
        person, instrument, taken_on, f"{instrument.value}.csv", 2, scores or {}, ranking, type_code
    )


def profile_of(*results: AssessmentResult, person: str = "dana") -> StyleProfile:
    return build_profile(person, results, default_style_mapping())


def statements(profile: StyleProfile, dimension: StyleDimension) -> list[str]:
    return [f.statement for f in profile.on(dimension)]


def disc(
    d: float = 50, i: float = 50, s: float = 50, c: float = 50, *, person: str = "dana",
    taken_on: date | None = date(2025, 3, 1),
) -> AssessmentResult:  # fmt: skip
    return result(Instrument.DISC, person=person, taken_on=taken_on, scores={"D": d, "I": i, "S": s, "C": c})


# --- one or more per instrument ------------------------------------------------------------------


def test_high_c_disc_profile_tends_to_want_data_before_discussion() -> None:
    profile = profile_of(disc(c=82))
    detail = profile.on(StyleDimension.DETAIL)
    assert any("want the data" in f.statement and "before a discussion" in f.statement for f in detail)
    assert (profile.lean(StyleDimension.DETAIL) or 0) > 0
    assert detail[0].evidence == "DISC C 82 (at least 70)"


def test_high_d_disc_profile_leans_quick_and_direct() -> None:
    profile = profile_of(disc(d=88))
    assert (profile.lean(StyleDimension.PACE) or 0) > 0
    assert (profile.lean(StyleDimension.DIRECTNESS) or 0) > 0
    assert any("short, direct" in s for s in statements(profile, StyleDimension.FEEDBACK))


def test_middling_disc_scores_say_nothing() -> None:
    assert profile_of(disc(50, 50, 50, 50)).empty


def test_cliftonstrengths_analytical_in_the_top_five_leans_toward_detail() -> None:
    ranking = ("Analytical", "Learner", "Input", "Achiever", "Focus")
    profile = profile_of(result(Instrument.CLIFTONSTRENGTHS, ranking=ranking))
    fact = next(f for f in profile.on(StyleDimension.DETAIL) if f.rule == "analytical")
    assert fact.lean and fact.lean > 0
    assert fact.evidence == "CliftonStrengths Analytical #1 (in the top 5)"


def test_a_cliftonstrengths_theme_below_the_top_five_is_not_read() -> None:
    ranking = ("Achiever", "Focus", "Learner", "Input", "Relator", "Empathy", "Analytical")
    profile = profile_of(result(Instrument.CLIFTONSTRENGTHS, ranking=ranking))
    assert "analytical" not in {f.rule for f in profile.facts}


def test_two_themes_of_one_domain_in_the_top_five_mark_the_domain_a_person_leads_with() -> None:
    ranking = ("Achiever", "Discipline", "Ideation", "Woo", "Relator")
    profile = profile_of(result(Instrument.CLIFTONSTRENGTHS, ranking=ranking))
    domains = {strengths_domain(f) for f in profile.facts} - {None}
    assert domains == {StrengthsDomain.EXECUTING}


def test_a_theme_beyond_a_short_ranking_cannot_be_decided_rather_than_failing() -> None:
    text = "instrument: cliftonstrengths\nrules:\n  - id: analytical-top-ten\n    when: {theme: Analytical, top: 10}\n    yields:\n      - dimension: detail\n        lean: 0.5\n        statement: tends to ask for the evidence\n"  # noqa: E501
    mapping = parse_instrument_mapping(text, "cliftonstrengths.yaml", Instrument.CLIFTONSTRENGTHS)
    five = result(Instrument.CLIFTONSTRENGTHS, ranking=("Achiever", "Focus", "Learner", "Input", "Relator"))
    (outcome,) = evaluate_rules(five, StyleMapping({Instrument.CLIFTONSTRENGTHS: mapping}))
    assert outcome.verdict.holds is None
    assert "not among the 5 listed" in outcome.verdict.evidence


def test_enneagram_type_and_wing_rules_both_apply_to_a_type_with_that_wing() -> None:
    profile = profile_of(result(Instrument.ENNEAGRAM, type_code="6w5"))
    assert {"type-6", "type-6-wing-5"} <= {f.rule for f in profile.facts}
    assert next(f for f in profile.facts if f.rule == "type-6-wing-5").evidence == "Enneagram 6w5 (type 6 with wing 5)"


def test_an_enneagram_type_without_a_wing_leaves_wing_rules_undecided() -> None:
    outcomes = evaluate_rules(result(Instrument.ENNEAGRAM, type_code="6"), default_style_mapping())
    verdicts = {o.rule.id: o.verdict.holds for o in outcomes}
    assert verdicts["type-6"] is True and verdicts["type-6-wing-5"] is None and verdicts["type-5"] is False


def test_enneagram_five_tends_to_want_time_alone_to_think() -> None:
    profile = profile_of(result(Instrument.ENNEAGRAM, type_code="5w4"))
    assert (profile.lean(StyleDimension.PACE) or 0) < 0
    assert set_off_by(profile.on(StyleDimension.STRESSORS)[0]) == (StyleDimension.PACE, 1)


def test_insights_leading_blue_energy_leans_toward_detail() -> None:
    profile = profile_of(result(Instrument.INSIGHTS, scores={"red": 2, "yellow": 1.5, "green": 3.2, "blue": 5.1}))
    assert (profile.lean(StyleDimension.DETAIL) or 0) > 0
    assert profile.on(StyleDimension.DETAIL)[0].evidence.startswith("Insights Discovery blue 5.1 (the highest")


def test_a_flat_insights_profile_says_nothing() -> None:
    assert profile_of(result(Instrument.INSIGHTS, scores={"red": 3, "yellow": 3, "green": 3, "blue": 3.2})).empty


def test_hbdi_primary_d_and_a_lean_both_ways_on_detail_and_average_out() -> None:
    profile = profile_of(result(Instrument.HBDI, scores={"A": 90, "B": 40, "C": 30, "D": 120}))
    assert {f.rule for f in profile.facts} == {"primary-a", "primary-d"}
    assert profile.lean(StyleDimension.DETAIL) == pytest.approx((0.4 - 0.6) / 2)


def test_big_five_low_extraversion_tends_to_think_before_speaking() -> None:
    scores = {"openness": 50, "conscientiousness": 50, "extraversion": 15, "agreeableness": 50, "neuroticism": 50}
    profile = profile_of(result(Instrument.BIG_FIVE, scores=scores))
    assert (profile.lean(StyleDimension.PACE) or 0) < 0
    assert any("one to one" in s for s in statements(profile, StyleDimension.FEEDBACK))


def test_via_honesty_as_a_signature_strength_leans_direct() -> None:
    ranking = ("Honesty", "Kindness", "Fairness", "Curiosity", "Hope")
    profile = profile_of(result(Instrument.VIA, ranking=ranking))
    assert (profile.lean(StyleDimension.DIRECTNESS) or 0) > 0


def test_sixteen_type_letters_are_read_one_by_one() -> None:
    profile = profile_of(result(Instrument.SIXTEEN_TYPE, type_code="ESTJ"))
    assert {f.rule for f in profile.facts} == {"letter-e", "letter-s", "letter-t", "letter-j"}
    assert (profile.lean(StyleDimension.DETAIL) or 0) > 0 and (profile.lean(StyleDimension.CHANGE) or 0) < 0
    assert profile.on(StyleDimension.DETAIL)[0].evidence == "16-type ESTJ (letter S)"


# --- the bundled mapping as a whole ---------------------------------------------------------------


def test_every_instrument_has_a_bundled_mapping_file() -> None:
    assert set(default_style_mapping().instruments) == set(Instrument)


def test_every_statement_is_worded_as_a_tendency() -> None:
    for mapping in default_style_mapping().instruments.values():
        for rule in mapping.rules:
            for fact in rule.yields:
                assert fact.statement.startswith(tuple(o + " " for o in STATEMENT_OPENERS)), (rule.id, fact)
                assert statement_problem(fact.statement) is None, (rule.id, fact.statement)


@pytest.mark.parametrize(
    "statement",
    ["is an analytical type", "is a red", "tends to be a natural leader", "often acts like an introvert",
     "tends to want the data.", "Tends to want the data", "wants the data first"],
)  # fmt: skip
def test_labels_and_non_tendencies_are_refused_as_statements(statement: str) -> None:
    assert statement_problem(statement) is not None


def test_every_dimension_is_covered_and_every_scale_from_both_sides() -> None:
    yields = [f for m in default_style_mapping().instruments.values() for r in m.rules for f in r.yields]
    assert {f.dimension for f in yields} == set(StyleDimension)
    for dimension in SCALES:
        leans = [f.lean or 0 for f in yields if f.dimension is dimension]
        assert min(leans) < 0 < max(leans), dimension


# --- combining ------------------------------------------------------------------------------------


def test_two_instruments_combine_and_each_fact_names_its_instrument() -> None:
    disc_result = disc(c=82)
    strengths = result(Instrument.CLIFTONSTRENGTHS, ranking=("Analytical", "Learner", "Input", "Relator", "Woo"))
    profile = profile_of(disc_result, strengths)
    detail = profile.on(StyleDimension.DETAIL)
    assert {f.instrument for f in detail} == {Instrument.DISC, Instrument.CLIFTONSTRENGTHS}
    assert profile.lean(StyleDimension.DETAIL) == pytest.approx((0.7 + 0.6) / 2)
    for fact in profile.facts:
        assert fact.evidence.startswith(instrument_title(fact.instrument))
        source = disc_result if fact.instrument is Instrument.DISC else strengths
        assert fact.source == source.provenance and fact.taken_on == source.taken_on
        assert fact.ref == f"style/dana/{fact.instrument.value}/{fact.rule}"
    assert profile.instruments == (Instrument.DISC, Instrument.CLIFTONSTRENGTHS)


def test_an_instrument_with_many_matching_rules_weighs_the_same_as_one_rule_of_another() -> None:
    strengths = result(Instrument.CLIFTONSTRENGTHS, ranking=("Activator", "Command", "Self-Assurance", "Woo", "Focus"))
    profile = profile_of(disc(s=80), strengths)  # DISC S: pace -0.6; Activator 0.6 and Self-Assurance 0.3
    assert profile.instrument_leans(StyleDimension.PACE)[Instrument.CLIFTONSTRENGTHS] == pytest.approx(0.45)
    assert profile.lean(StyleDimension.PACE) == pytest.approx((0.45 - 0.6) / 2)


def test_instruments_pointing_opposite_ways_are_reported_as_disagreeing() -> None:
    strengths = result(Instrument.CLIFTONSTRENGTHS, ranking=("Activator", "Command", "Woo", "Focus", "Learner"))
    profile = profile_of(disc(s=85), strengths)
    assert profile.instruments_disagree(StyleDimension.PACE)
    assert not profile.instruments_disagree(StyleDimension.DETAIL)


def test_the_latest_result_of_an_instrument_is_used() -> None:
    old = disc(c=85, taken_on=date(2021, 5, 1))
    new = disc(d=85, taken_on=date(2025, 5, 1))
    undated = disc(s=85, taken_on=None)
    profile = profile_of(new, old, undated)
    assert {f.rule for f in profile.facts} == {"high-d"}
    assert all(f.taken_on == date(2025, 5, 1) for f in profile.facts)


def test_facts_come_in_the_same_order_whatever_the_order_of_the_results() -> None:
    results = [disc(c=82, i=75), result(Instrument.SIXTEEN_TYPE, type_code="INFP"),
               result(Instrument.ENNEAGRAM, type_code="9w1")]  # fmt: skip
    forward, backward = profile_of(*results), profile_of(*reversed(results))
    assert forward.facts == backward.facts
    order = list(StyleDimension)
    assert [order.index(f.dimension) for f in forward.facts] == sorted(order.index(f.dimension) for f in forward.facts)


def test_a_result_of_someone_else_is_refused() -> None:
    with pytest.raises(ValueError, match="ali"):
        build_profile("dana", [disc(c=80), disc(c=80, person="ali")], default_style_mapping())


def test_a_missing_score_leaves_its_rules_undecided_rather_than_false() -> None:
    partial = result(Instrument.DISC, scores={"D": 80})
    verdicts = {o.rule.id: o.verdict for o in evaluate_rules(partial, default_style_mapping())}
    assert verdicts["high-d"].holds is True
    assert verdicts["high-c"].holds is None and "C missing" in verdicts["high-c"].evidence


# --- organization mappings and file errors -------------------------------------------------------

VALID = """\
instrument: disc
rules:
  - id: high-c
    when: {score: C, at_least: 70}
    yields:
      - dimension: detail
        lean: 0.7
        statement: tends to want the data before a discussion
"""


def test_an_organization_mapping_overrides_one_instrument(tmp_path: Path) -> None:
    (tmp_path / "disc.yaml").write_text(VALID.replace("at_least: 70", "at_least: 60"))
    mapping = load_style_mapping([bundled_styles_dir(), tmp_path])
    assert [r.id for r in mapping.rules_for(Instrument.DISC)] == ["high-c"]
    assert mapping.instruments[Instrument.DISC].source == str(tmp_path / "disc.yaml")
    assert mapping.rules_for(Instrument.ENNEAGRAM) == default_style_mapping().rules_for(Instrument.ENNEAGRAM)
    profile = build_profile("dana", [disc(c=65)], mapping)
    assert [f.evidence for f in profile.facts] == ["DISC C 65 (at least 60)"]


def test_an_organization_can_switch_an_instrument_off_with_an_empty_rule_list(tmp_path: Path) -> None:
    (tmp_path / "big_five.yaml").write_text("instrument: big_five\nrules: []\n")
    mapping = load_style_mapping([bundled_styles_dir(), tmp_path])
    assert mapping.rules_for(Instrument.BIG_FIVE) == ()


def test_a_misspelt_file_in_an_organization_folder_is_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "disk.yaml").write_text(VALID)
    with pytest.raises(InputError, match="disk.yaml"):
        load_style_mapping([bundled_styles_dir(), tmp_path])


def test_a_file_must_name_the_instrument_it_is_for(tmp_path: Path) -> None:
    shutil.copy(bundled_styles_dir() / "via.yaml", tmp_path / "disc.yaml")
    with pytest.raises(InputError) as caught:
        load_style_mapping([tmp_path])
    line = _line((tmp_path / "disc.yaml").read_text(), "instrument: via")
    assert any(p.field == "instrument" and p.row == line for p in caught.value.problems)


def _line(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("  - id: high-c\n", "  - id: high-c\n    weight: 2\n", "rules/0/weight", "one of the fields"),
        ("dimension: detail", "dimension: detial", "rules/0/yields/0/dimension", "did you mean 'detail'"),
        ("lean: 0.7", "lean: 1.5", "rules/0/yields/0/lean", "a number from -1 to 1"),
        ("dimension: detail", "dimension: feedback", "rules/0/yields/0/lean", "no lean on feedback"),
        ("        lean: 0.7\n", "", "rules/0/yields/0/lean", "a lean from -1 to 1"),
        ("tends to want the data before a discussion", "is an analytical type", "rules/0/yields/0/statement",
         "starts with one of"),
        ("tends to want the data before a discussion", "tends to act like the thinking type",
         "rules/0/yields/0/statement", "label words"),
        ("score: C,", "score: X,", "rules/0/when/score", "a DISC score: D, I, S, C"),
        ("at_least: 70", "at_least: 170", "rules/0/when/at_least", "a number from 0 to 100"),
        ("{score: C, at_least: 70}", "{theme: Analytical, top: 5}", "rules/0/when/theme", "DISC results can meet"),
        ("{score: C, at_least: 70}", "{score: C}", "rules/0/when", "at_least, at_most or both"),
    ],
)  # fmt: skip
def test_mapping_file_errors_name_the_file_line_and_field(old: str, new: str, field: str, expected: str) -> None:
    text = VALID.replace(old, new)
    assert text != VALID
    with pytest.raises(InputError) as caught:
        parse_instrument_mapping(text, "styles/disc.yaml", Instrument.DISC)
    problem = next(p for p in caught.value.problems if p.field == field)
    assert expected in problem.expected
    assert problem.file == "styles/disc.yaml"
    leaf = field.rsplit("/", 1)[-1]
    wanted_line = _line(text, leaf + ":") if leaf + ":" in text else None
    if wanted_line is not None:
        assert problem.row == wanted_line
    assert "styles/disc.yaml, row" in str(caught.value) and f"field '{field}'" in str(caught.value)


def test_every_problem_in_a_file_is_reported_together() -> None:
    text = VALID.replace("lean: 0.7", "lean: 3").replace("score: C,", "score: Q,") + VALID.split("rules:\n")[1]
    with pytest.raises(InputError) as caught:
        parse_instrument_mapping(text, "disc.yaml", Instrument.DISC)
    fields = {p.field for p in caught.value.problems}
    assert {"rules/0/yields/0/lean", "rules/0/when/score", "rules/1/id"} <= fields


def test_a_wing_must_neighbour_its_type() -> None:
    text = "instrument: enneagram\nrules:\n  - id: odd\n    when: {type: 5, wing: 7}\n    yields:\n      - dimension: motivators\n        statement: often gets energy from study\n"  # noqa: E501
    with pytest.raises(InputError, match="a wing next to type 5: 4 or 6"):
        parse_instrument_mapping(text, "enneagram.yaml", Instrument.ENNEAGRAM)


def test_every_condition_kind_and_rule_file_is_documented() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "styles.md").read_text()
    assert not [kind for kind in CONDITION_KINDS if f"| `{kind}` |" not in guide]
    assert not [i.value for i in Instrument if f"`{i.value}.yaml`" not in guide]
    assert not [d.value for d in StyleDimension if f"| `{d.value}` |" not in guide]
