"""Assessment result files: eight instruments read into results, or refused with every problem named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kairos.domain.style import AssessmentResult, Instrument
from kairos.errors import InputError, Problem
from kairos.ingest.base import decode_text
from kairos.ingest.people import parse_people
from kairos.profiles.instruments import FORMATS, instrument_named, parse_results, read_results
from kairos.profiles.reference import CLIFTONSTRENGTHS_THEMES, VIA_STRENGTHS
from tests.conftest import DEMO, EXAMPLES, ROOT

DEMO_PEOPLE = parse_people(DEMO / "people.csv")
PEOPLE = {**{p.id: p.id for p in DEMO_PEOPLE}, **{p.email.lower(): p.id for p in DEMO_PEOPLE}}
DISC_HEADER = "person_id,taken_on,D,I,S,C"
TOP_FIVE = "theme_1,theme_2,theme_3,theme_4,theme_5"


def parse(text: str, file: str = "results.csv", instrument: Instrument | None = None) -> list[AssessmentResult]:
    return parse_results(text, file, instrument=instrument, people=PEOPLE)


def problems(text: str, file: str = "results.csv", instrument: Instrument | None = None) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse(text, file, instrument)
    return caught.value.problems


def where(found: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.field) for p in found]


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


# --- the examples ------------------------------------------------------------------------------------

EXAMPLE_INSTRUMENTS = {
    "disc.csv": Instrument.DISC,
    "cliftonstrengths.csv": Instrument.CLIFTONSTRENGTHS,
    "enneagram.csv": Instrument.ENNEAGRAM,
    "insights.json": Instrument.INSIGHTS,
    "hbdi.csv": Instrument.HBDI,
    "big-five.csv": Instrument.BIG_FIVE,
    "via.csv": Instrument.VIA,
    "sixteen-type.csv": Instrument.SIXTEEN_TYPE,
}


@pytest.mark.parametrize("name", sorted(EXAMPLE_INSTRUMENTS))
def test_each_example_file_parses_against_the_demo_people_and_is_told_apart_by_its_columns(name: str) -> None:
    results = read_results(EXAMPLES / "assessments" / name, instrument=None, people=PEOPLE)

    assert results and {r.instrument for r in results} == {EXAMPLE_INSTRUMENTS[name]}
    assert all(r.person_id in PEOPLE for r in results)


def test_every_example_file_is_one_of_the_eight() -> None:
    assert sorted(p.name for p in (EXAMPLES / "assessments").iterdir()) == sorted(EXAMPLE_INSTRUMENTS)


def test_every_instrument_has_a_format_and_a_documented_section_that_links_its_example() -> None:
    guide = (ROOT / "docs" / "formats" / "assessments.md").read_text()

    assert set(FORMATS) == set(Instrument)
    assert all(f"## {format_.title}" in guide for format_ in FORMATS.values())
    linked = [part.split(")")[0] for part in guide.split("](../../")[1:]]
    assert sorted(Path(link).name for link in linked) == sorted(EXAMPLE_INSTRUMENTS)
    assert all((ROOT / link).is_file() for link in linked)


def test_a_result_keeps_its_provenance() -> None:
    (result,) = parse(lines(DISC_HEADER, "nw-011,2025-11-12,31,22,58,86"), "team/disc.csv")

    assert (result.person_id, result.source_file, result.source_row) == ("nw-011", "team/disc.csv", 2)
    assert result.taken_on == date(2025, 11, 12)
    assert result.provenance == "disc, taken 2025-11-12 (team/disc.csv row 2)"


# --- CSV and JSON --------------------------------------------------------------------------------------


def test_excel_semicolon_csv_with_a_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "disc.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"Person ID;Taken On;D;I;S;C\r\nnw-014;2026-01-20;45;81,5;60;28\r\n")

    (result,) = read_results(path, instrument=None, people=PEOPLE)

    assert result.scores == {"D": 45, "I": 81.5, "S": 60, "C": 28}


def test_a_bom_left_in_decoded_text_is_ignored() -> None:
    text = decode_text(b"\xef\xbb\xbf" + lines(DISC_HEADER, "nw-014,,1,2,3,4").encode(), "disc.csv")

    assert parse(text)[0].person_id == parse("\ufeff" + text)[0].person_id == "nw-014"


def test_json_as_a_list_or_under_results_gives_what_csv_gives() -> None:
    row = {"person_id": "nw-021", "taken_on": "2026-01-20", "D": 62, "I": "38", "S": 44.5, "C": 71}
    from_csv = parse(lines(DISC_HEADER, "nw-021,2026-01-20,62,38,44.5,71"))
    as_list = parse(json.dumps([row]), "disc.json")
    as_object = parse(json.dumps({"instrument": "disc", "results": [row]}), "disc.json")

    assert [r.scores for r in from_csv] == [r.scores for r in as_list] == [r.scores for r in as_object]
    assert as_object[0].source_row == 1


def test_csv_and_json_give_the_same_error_for_the_same_value() -> None:
    (in_csv,) = problems(lines(DISC_HEADER, "nw-021,,62,38,44,171"))
    (in_json,) = problems(json.dumps([{"person_id": "nw-021", "D": 62, "I": 38, "S": 44, "C": "171"}]), "d.json")

    assert (in_csv.field, in_csv.value, in_csv.expected) == (in_json.field, in_json.value, in_json.expected)


def test_a_json_value_that_is_neither_text_nor_a_number_is_one_problem() -> None:
    found = problems(json.dumps([{"person_id": "nw-006", "red": 1, "yellow": True, "green": [2], "blue": 3}]), "i.json")

    assert where(found) == [(1, "yellow"), (1, "green")]
    assert all(p.expected == "a text or a number" for p in found)


def test_json_top_level_keys_other_than_instrument_and_results_are_refused() -> None:
    text = json.dumps({"instrument": "disc", "results": [{"person_id": "nw-002", "D": 1, "I": 2, "S": 3, "C": 4}],
                       "org": "northwind"})  # fmt: skip

    assert where(problems(text, "d.json")) == [(None, "org")]


def test_json_that_is_not_a_list_of_results_is_refused() -> None:
    (problem,) = problems('{"results": {"person_id": "nw-002"}}', "d.json")

    assert "a list of results" in problem.expected


# --- the file as a whole -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n", "\ufeff"])
def test_an_empty_file_is_refused(text: str) -> None:
    (problem,) = problems(text)

    assert problem.row == 1 and "a header row" in problem.expected


@pytest.mark.parametrize(("text", "file"), [(DISC_HEADER + "\n", "d.csv"), ("[]", "d.json"), ('{"results": []}', "j")])
def test_a_file_without_results_is_refused(text: str, file: str) -> None:
    (problem,) = problems(text, file)

    assert problem.expected == "at least one result"


def test_a_required_column_missing_is_named_with_the_header() -> None:
    found = problems(lines("person_id,D,S,C", "nw-002,1,2,3"), instrument=Instrument.DISC)

    assert where(found) == [(1, "I")]
    assert found[0].value == ["person_id", "D", "S", "C"]


def test_an_unknown_column_is_refused_as_written_in_the_header() -> None:
    found = problems(lines("person_id,D,I,S,C,Notes", "nw-002,1,2,3,4,Calm"))

    assert where(found) == [(1, "Notes")]
    assert "person_id, email, name, first_name, last_name, taken_on and D, I, S, C" in found[0].expected


def test_a_file_without_a_person_column_is_refused() -> None:
    (problem,) = problems(lines("name,D,I,S,C", "Kofi,1,2,3,4"))

    assert problem.row == 1 and "'person_id' or 'email'" in problem.expected


def test_an_over_long_cell_is_one_problem() -> None:
    found = problems(lines(DISC_HEADER, f"nw-002,,{'7' * 300},1,2,3"))

    assert where(found) == [(2, "d")]
    assert found[0].expected == "at most 256 characters"


def test_every_problem_is_reported_at_once_in_row_order() -> None:
    found = problems(lines(DISC_HEADER, "nw-002,,1,2,3,4", "nw-077,,1,2,3,4", f"nw-003,,1,2,{'x' * 300},4",
                           "nw-004,2026-02-30,1,2,3,101"))  # fmt: skip

    assert where(found) == [(3, "person_id"), (4, "s"), (5, "taken_on"), (5, "C")]


# --- people --------------------------------------------------------------------------------------------


def test_a_person_may_be_named_by_email_in_any_case() -> None:
    (result,) = parse(lines("email,D,I,S,C", "Kofi.Owusu@Northwind.example,78,64,35,42"))

    assert result.person_id == "nw-002"


def test_a_person_not_among_the_current_people_is_refused() -> None:
    found = problems(lines("person_id,email,D,I,S,C", "nw-077,,1,2,3,4", ",ghost@northwind.example,1,2,3,4",
                           ",nw-002,1,2,3,4"))  # fmt: skip

    assert where(found) == [(2, "person_id"), (3, "email"), (4, "email")]
    assert "import people first" in found[0].expected


def test_an_email_is_not_taken_for_a_person_id() -> None:
    (problem,) = problems(lines("person_id,D,I,S,C", "kofi.owusu@northwind.example,1,2,3,4"))

    assert (problem.field, problem.value) == ("person_id", "kofi.owusu@northwind.example")


def test_a_person_id_and_an_email_naming_different_people_are_refused() -> None:
    (problem,) = problems(lines("person_id,email,D,I,S,C", "nw-002,joost.visser@northwind.example,1,2,3,4"))

    assert problem.field == "email" and "the email of nw-002" in problem.expected


def test_a_row_naming_nobody_is_refused() -> None:
    (problem,) = problems(lines("person_id,email,D,I,S,C", ",,1,2,3,4"))

    assert (problem.row, problem.field) == (2, "person_id")


def test_the_same_person_twice_on_the_same_date_is_refused_but_another_date_is_kept() -> None:
    found = problems(lines(DISC_HEADER, "nw-002,2026-01-01,1,2,3,4", "nw-002,2026-02-01,1,2,3,4",
                           "nw-002,2026-02-01,5,6,7,8"))  # fmt: skip

    assert where(found) == [(4, "person_id")]
    assert "also on row 3" in found[0].expected


def test_the_same_person_by_id_and_then_by_email_is_the_same_person() -> None:
    found = problems(lines("person_id,email,D,I,S,C", "nw-002,,1,2,3,4", ",kofi.owusu@northwind.example,1,2,3,4"))

    assert where(found) == [(3, "email")]


# --- which instrument ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "instrument"),
    [
        ("D,I,S,C", "1,2,3,4", Instrument.DISC),
        ("A,B,C,D", "1,2,3,4", Instrument.HBDI),
        ("red,yellow,green,blue", "1,2,3,4", Instrument.INSIGHTS),
        ("openness,conscientiousness,extraversion,agreeableness,neuroticism", "1,2,3,4,5", Instrument.BIG_FIVE),
        (TOP_FIVE, "Woo,Input,Focus,Belief,Empathy", Instrument.CLIFTONSTRENGTHS),
        ("strength_1,strength_2,strength_3,strength_4,strength_5", "Zest,Hope,Love,Humor,Bravery", Instrument.VIA),
        ("type,wing", "5,", Instrument.ENNEAGRAM),
        ("type", "5w4", Instrument.ENNEAGRAM),
        ("type", "intj", Instrument.SIXTEEN_TYPE),
    ],
)
def test_the_instrument_is_told_from_the_columns(header: str, row: str, instrument: Instrument) -> None:
    (result,) = parse(lines(f"person_id,{header}", f"nw-002,{row}"))

    assert result.instrument is instrument


def test_a_file_with_one_misspelt_column_still_finds_its_instrument_and_names_the_column() -> None:
    found = problems(lines("person_id,openness,conscientiousness,extroversion,agreeableness,neuroticism",
                           "nw-002,1,2,3,4,5"))  # fmt: skip

    assert where(found) == [(1, "extraversion"), (1, "extroversion")]


def test_columns_that_fit_disc_and_hbdi_alike_are_refused_with_what_identifies_each() -> None:
    (problem,) = problems(lines("person_id,C,D", "nw-002,1,2"))

    assert problem.row == 1 and "these fit DISC and HBDI alike" in problem.expected
    assert "DISC: D, I, S, C" in problem.expected and "HBDI: A, B, C, D" in problem.expected


def test_a_type_column_holding_numbers_and_letters_is_refused_as_ambiguous() -> None:
    (problem,) = problems(lines("person_id,type", "nw-002,5", "nw-003,INTJ"))

    assert "these fit Enneagram and 16-type alike" in problem.expected


def test_a_file_no_instrument_recognizes_lists_the_columns_of_each() -> None:
    (problem,) = problems(lines("person_id,score", "nw-002,4"))

    assert all(f"{format_.title}: " in problem.expected for format_ in FORMATS.values())
    assert "theme_1 … theme_34" in problem.expected and "name the instrument" in problem.expected


def test_the_named_instrument_wins_over_the_columns() -> None:
    found = problems(lines("person_id,C,D", "nw-002,1,2"), instrument=Instrument.HBDI)

    assert where(found) == [(1, "A"), (1, "B")]


@pytest.mark.parametrize("name", ["insights", "Insights Discovery", "INSIGHTS"])
def test_a_json_file_may_name_its_instrument_by_value_or_title(name: str) -> None:
    text = json.dumps({"instrument": name, "results": [{"person_id": "nw-006", "red": 1, "yellow": 2, "green": 3,
                                                        "blue": 4}]})  # fmt: skip

    assert parse(text, "i.json")[0].instrument is Instrument.INSIGHTS


def test_a_json_instrument_other_than_the_one_named_when_importing_is_refused() -> None:
    (problem,) = problems(json.dumps({"instrument": "hbdi", "results": [{}]}), "x.json", Instrument.DISC)

    assert (problem.field, problem.value) == ("instrument", "hbdi")


def test_a_json_instrument_kairos_does_not_know_is_refused() -> None:
    (problem,) = problems(json.dumps({"instrument": "myers", "results": [{}]}), "x.json")

    assert problem.field == "instrument" and "big_five" in problem.expected


def test_instruments_are_named_by_value_or_title() -> None:
    assert instrument_named("16-type") is Instrument.SIXTEEN_TYPE
    assert instrument_named("Big Five") is instrument_named("big-five") is Instrument.BIG_FIVE
    assert instrument_named("MBTI") is None


# --- scores --------------------------------------------------------------------------------------------


def test_disc_score_above_100_is_rejected() -> None:
    (problem,) = problems(lines(DISC_HEADER, "nw-002,,78,64,35,186"))

    assert (problem.row, problem.field, problem.value) == (2, "C", "186")
    assert problem.expected == "a number from 0 to 100 (the DISC C score)"


@pytest.mark.parametrize("value", ["-1", "high", "nan", "NaN", "inf", "-inf", "1e999", "1,000", "72%", "", "½", "٣"])
def test_a_disc_score_that_is_not_a_number_from_0_to_100_is_rejected(value: str) -> None:
    (problem,) = problems(lines(DISC_HEADER, f'nw-002,,"{value}",1,2,3'))

    assert (problem.field, problem.value) == ("D", value)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_json_score_that_is_not_finite_is_rejected(literal: str) -> None:
    found = problems(f'[{{"person_id": "nw-002", "D": {literal}, "I": 1, "S": 2, "C": 3}}]', "d.json")

    assert where(found) == [(1, "D")]


@pytest.mark.parametrize(("written", "read"), [("72", 72), ("72.5", 72.5), ("72,5", 72.5), ("0", 0), ("100", 100),
                                               (".5", 0.5), ("7.25e1", 72.5), ("+3", 3)])  # fmt: skip
def test_a_disc_score_may_have_decimals_and_a_decimal_comma(written: str, read: float) -> None:
    (result,) = parse(lines(DISC_HEADER, f'nw-002,,"{written}",1,2,3'))

    assert result.scores["D"] == read


def test_insights_energies_run_from_0_to_6_with_decimals() -> None:
    header = "person_id,red,yellow,green,blue"
    (result,) = parse(lines(header, "nw-006,3.2,5.6,0,6"))
    (problem,) = problems(lines(header, "nw-006,3.2,6.4,0,6"))

    assert result.scores == {"red": 3.2, "yellow": 5.6, "green": 0, "blue": 6}
    assert (problem.field, problem.expected) == ("yellow", "a number from 0 to 6 (the Insights Discovery yellow score)")


def test_hbdi_quadrants_run_from_0_to_200() -> None:
    (result,) = parse(lines("person_id,A,B,C,D", "nw-005,200,104,0,48"))
    found = problems(lines("person_id,A,B,C,D", "nw-005,201,-4,61,48"))

    assert result.scores == {"A": 200, "B": 104, "C": 0, "D": 48}
    assert where(found) == [(2, "A"), (2, "B")]


def test_big_five_needs_all_five_percentiles() -> None:
    header = "person_id,openness,conscientiousness,extraversion,agreeableness"
    found = problems(lines(header, "nw-003,71,88,42,65"), instrument=Instrument.BIG_FIVE)
    (empty,) = problems(lines(f"{header},neuroticism", "nw-003,71,88,42,65,"))

    assert where(found) == [(1, "neuroticism")]
    assert (empty.row, empty.field) == (2, "neuroticism")


def test_a_big_five_percentile_above_100_is_rejected() -> None:
    (problem,) = problems(lines("person_id,openness,conscientiousness,extraversion,agreeableness,neuroticism",
                                "nw-003,71,88,42,65,100.5"))  # fmt: skip

    assert problem.expected == "a number from 0 to 100 (the Big Five neuroticism score)"


# --- rankings ------------------------------------------------------------------------------------------


def test_clifton_strengths_names_are_matched_without_case_spaces_or_hyphens() -> None:
    (result,) = parse(lines(f"person_id,{TOP_FIVE}", "nw-012,self assurance,WOO,Ideation,INDIVIDUALIZATION,learner"))

    assert result.ranking == ("Self-Assurance", "Woo", "Ideation", "Individualization", "Learner")


def test_clifton_strengths_gallup_export_headers_with_all_34_themes_read() -> None:
    themes = list(CLIFTONSTRENGTHS_THEMES)[::-1]
    header = "First Name,Last Name,Email," + ",".join(f"Theme {n}" for n in range(1, 35))

    (result,) = parse(lines(header, "Kavya,Menon,kavya.menon@northwind.example," + ",".join(themes)))

    assert result.ranking == tuple(themes) and result.person_id == "nw-012"


def test_clifton_strengths_file_with_an_unknown_theme_names_the_row_and_column() -> None:
    (problem,) = problems(lines(f"person_id,{TOP_FIVE}", "nw-012,Strategic,Learnr,Ideation,Input,Focus"))

    assert (problem.row, problem.field, problem.value) == (2, "theme_2", "Learnr")
    assert "did you mean Learner?" in problem.expected


def test_clifton_strengths_theme_ranked_twice_names_the_row_and_both_columns() -> None:
    (problem,) = problems(lines(f"person_id,{TOP_FIVE}", "nw-012,Woo,Input,Focus,woo,Empathy"))

    assert (problem.row, problem.field) == (2, "theme_4")
    assert problem.expected == "each theme ranked once (Woo is also in theme_1)"


def test_clifton_strengths_need_at_least_the_top_five() -> None:
    found = problems(lines(f"person_id,{TOP_FIVE}", "nw-012,Woo,Input,Focus,,"))
    header_only = problems(lines("person_id,theme_1,theme_2,theme_3,theme_4", "nw-012,Woo,Input,Focus,Belief"))

    assert where(found) == [(2, "theme_4"), (2, "theme_5")]
    assert where(header_only) == [(1, "theme_5")]


def test_clifton_strengths_ranks_run_without_gaps() -> None:
    header = f"person_id,{TOP_FIVE},theme_6,theme_7"
    (problem,) = problems(lines(header, "nw-012,Woo,Input,Focus,Belief,Empathy,,Arranger"))

    assert (problem.field, problem.value) == ("theme_6", "")
    assert "without gaps" in problem.expected


def test_a_ranking_may_stop_after_any_rank_from_five_on() -> None:
    results = parse(lines(f"person_id,{TOP_FIVE},theme_6,theme_7", "nw-012,Woo,Input,Focus,Belief,Empathy,,",
                          "nw-013,Woo,Input,Focus,Belief,Empathy,Harmony,"))  # fmt: skip

    assert [len(r.ranking) for r in results] == [5, 6]


def test_via_strengths_read_ampersands_and_british_spellings() -> None:
    header = "person_id," + ",".join(f"strength_{n}" for n in range(1, 6))
    row = "nw-031,Appreciation of Beauty & Excellence,Judgement,humour,love-of-learning,Zest"
    (result,) = parse(lines(header, row))

    assert result.ranking == ("Appreciation of Beauty and Excellence", "Judgment", "Humor", "Love of Learning", "Zest")


def test_via_with_all_24_strengths_reads_and_an_unknown_one_is_rejected() -> None:
    strengths = list(VIA_STRENGTHS)
    header = "person_id," + ",".join(f"strength_{n}" for n in range(1, 25))
    (result,) = parse(lines(header, "nw-031," + ",".join(strengths)))
    (problem,) = problems(lines(header, "nw-031," + ",".join(["Curiousity", *strengths[1:]])))

    assert result.ranking == tuple(strengths)
    assert (problem.field, problem.value) == ("strength_1", "Curiousity") and "VIA strengths" in problem.expected


def test_a_clifton_strengths_theme_is_not_a_via_strength() -> None:
    header = "person_id," + ",".join(f"strength_{n}" for n in range(1, 6))
    (problem,) = problems(lines(header, "nw-031,Zest,Hope,Love,Humor,Woo"))

    assert problem.field == "strength_5"


# --- types ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "wing", "code"), [("5", "4", "5w4"), ("5", "6", "5w6"), ("1", "9", "1w9"),
                                                    ("9", "1", "9w1"), ("6", "", "6"), ("7w8", "", "7w8"),
                                                    ("7W8", "w8", "7w8"), ("3", "w2", "3w2")])  # fmt: skip
def test_an_enneagram_type_is_stored_with_its_wing(kind: str, wing: str, code: str) -> None:
    (result,) = parse(lines("person_id,type,wing", f"nw-012,{kind},{wing}"))

    assert result.type_code == code


def test_enneagram_wing_that_is_not_adjacent_is_rejected() -> None:
    found = problems(lines("person_id,type,wing", "nw-012,5,7", "nw-013,5w3,"))

    assert where(found) == [(2, "wing"), (3, "type")]
    assert found[0].expected == "a wing adjacent to type 5: 4 or 6"


@pytest.mark.parametrize(("kind", "wing", "field"), [("0", "", "type"), ("10", "", "type"), ("five", "", "type"),
                                                     ("5", "x", "wing"), ("5w4", "6", "wing")])  # fmt: skip
def test_an_enneagram_type_or_wing_that_is_not_one_is_rejected(kind: str, wing: str, field: str) -> None:
    (problem,) = problems(lines("person_id,type,wing", f"nw-012,{kind},{wing}"))

    assert problem.field == field


@pytest.mark.parametrize(("written", "code"), [("INTJ", "INTJ"), ("enfp", "ENFP"), ("IsTj", "ISTJ"),
                                               ("INTP-T", "INTP"), ("entj-a", "ENTJ")])  # fmt: skip
def test_a_sixteen_type_is_stored_upper_case_without_its_suffix(written: str, code: str) -> None:
    (result,) = parse(lines("person_id,type", f"nw-022,{written}"), instrument=Instrument.SIXTEEN_TYPE)

    assert result.type_code == code


@pytest.mark.parametrize("written", ["XNTP", "INT", "INTJP", "NITJ", "INTJ-X", "IŇTJ", "5w4", ""])
def test_a_sixteen_type_that_is_not_one_letter_from_each_pair_is_rejected(written: str) -> None:
    (problem,) = problems(lines("person_id,type", f"nw-022,{written}"), instrument=Instrument.SIXTEEN_TYPE)

    assert (problem.field, problem.value) == ("type", written)
    assert "E/I, S/N, T/F, J/P" in problem.expected
