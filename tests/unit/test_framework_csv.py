"""Frameworks kept in a spreadsheet: rows an HR team can keep, and errors naming file, row, column and value."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.framework import FrameworkOptions, import_framework
from kairos.ingest.framework_csv import parse_framework_csv, parse_framework_csv_text
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.schema import events

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "frameworks" / "framework.csv"
EXCEL = ROOT / "examples" / "frameworks" / "framework-excel-semicolon.csv"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HEADER = "competency_id,competency_name,definition,level,level_name,anchors"
NAMED = FrameworkOptions(framework_id="acme", name="Acme Framework", version="2026.1")


def sheet(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


GOOD = [
    "giving-feedback,Giving feedback,Tells people what they did and its effect.,1,Learning,Asks for feedback.",
    "giving-feedback,,,2,Practising,Gives specific feedback within a day.",
    "giving-feedback,,,3,Skilled,Names the behaviour and its effect.",
]


def parse(text: str, options: FrameworkOptions = NAMED, max_chars: int = 2000):  # type: ignore[no-untyped-def]
    return parse_framework_csv_text(text, "framework.csv", options=options, max_chars=max_chars)


def problems_of(text: str, options: FrameworkOptions = NAMED) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse(text, options)
    assert all(p.file == "framework.csv" for p in caught.value.problems)
    return caught.value.problems


def test_the_example_sheet_is_a_framework_with_multi_line_anchor_cells_and_continuation_rows() -> None:
    framework = parse_framework_csv(EXAMPLE)

    assert (framework.id, framework.name, framework.version) == (
        "northwind-support",
        "Northwind Support Framework",
        "2026.1",
    )
    assert [c.id for c in framework.competencies] == ["customer-empathy", "clear-escalation"]
    empathy, escalation = framework.competencies
    assert [lv.name for lv in empathy.levels] == ["Learning", "Practising", "Skilled", "Role model"]
    assert empathy.levels[0].anchors == (
        "Restates the customer's problem in their own words before answering.",
        "Thanks the customer for details they had to dig up.",
    )
    assert len(empathy.levels[3].anchors) == 2  # the second from a row with blank competency and level name
    assert escalation.levels[1].anchors[0] == "States what was tried and what the customer has already been told."


def test_the_excel_export_with_a_byte_order_mark_and_semicolons_is_the_same_framework() -> None:
    assert EXCEL.read_bytes().startswith(b"\xef\xbb\xbf")

    assert parse_framework_csv(EXCEL) == parse_framework_csv(EXAMPLE)


def test_one_row_per_anchor_works_as_well_as_one_row_per_level() -> None:
    per_anchor = sheet(
        "giving-feedback,Giving feedback,Tells people what they did.,1,Learning,Asks for feedback.",
        ",,,,,Thanks people for feedback.",
        ",,,2,Practising,Gives specific feedback.",
        ",,,3,Skilled,Names the behaviour.",
        ",,,3,,Asks for the other view.",
    )

    (competency,) = parse(per_anchor).competencies

    assert [lv.anchors for lv in competency.levels] == [
        ("Asks for feedback.", "Thanks people for feedback."),
        ("Gives specific feedback.",),
        ("Names the behaviour.", "Asks for the other view."),
    ]


def test_bullets_and_blank_lines_in_an_anchor_cell_are_dropped() -> None:
    rows = [*GOOD[:2], 'giving-feedback,,,3,Skilled,"• Names the behaviour.\n\n- Asks for the other view.\n"']

    competency = parse(sheet(*rows)).competencies[0]

    assert competency.levels[2].anchors == ("Names the behaviour.", "Asks for the other view.")


def test_header_names_are_matched_without_case_or_spacing() -> None:
    header = "Competency ID,Competency Name,Definition,Level,Level Name,Anchors"

    assert parse(sheet(*GOOD, header=header)) == parse(sheet(*GOOD))


def test_an_error_names_the_file_row_column_value_and_what_was_expected() -> None:
    rows = [*GOOD[:2], "giving-feedback,,,three,Skilled,Names the behaviour."]

    (problem,) = problems_of(sheet(*rows))

    assert str(problem) == "framework.csv, row 4, field 'level': got 'three'; expected a level number from 1 to 5"


@pytest.mark.parametrize("level", ["0", "6", "²", "2.5", "-1"])
def test_a_level_must_be_a_whole_number_from_one_to_five(level: str) -> None:
    rows = [*GOOD[:2], f"giving-feedback,,,{level},Skilled,Names the behaviour."]

    problems = problems_of(sheet(*rows))

    assert (problems[0].row, problems[0].field, problems[0].value) == (4, "level", level)


def test_a_gap_in_the_levels_is_refused_naming_the_competencys_first_row() -> None:
    rows = [GOOD[0], GOOD[1], GOOD[2].replace(",3,", ",4,")]

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field, problem.value) == (2, "level", "1, 2, 4")
    assert "without gaps" in problem.expected


def test_two_levels_are_too_few() -> None:
    (problem,) = problems_of(sheet(*GOOD[:2]))

    assert (problem.row, problem.field, problem.value) == (2, "level", "1, 2")
    assert "3 to 5" in problem.expected


def test_a_competency_name_written_twice_differently_is_refused_naming_both_rows() -> None:
    rows = [GOOD[0], GOOD[1].replace("giving-feedback,,", "giving-feedback,Feedback,"), GOOD[2]]

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field, problem.value) == (3, "competency_name", "Feedback")
    assert "row 2" in problem.expected and "'Giving feedback'" in problem.expected


def test_a_competency_without_a_definition_on_any_row_is_refused() -> None:
    rows = [GOOD[0].replace("Tells people what they did and its effect.", ""), *GOOD[1:]]

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field) == (2, "definition")


def test_a_level_without_a_name_is_refused_naming_its_row() -> None:
    rows = [*GOOD[:2], "giving-feedback,,,3,,Names the behaviour."]

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field) == (4, "level_name")


def test_a_row_without_anchors_is_refused() -> None:
    rows = [*GOOD[:2], 'giving-feedback,,,3,Skilled,"  \n - "']

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field) == (4, "anchors")


def test_a_blank_competency_id_on_the_first_row_has_nothing_above_it() -> None:
    problems = problems_of(sheet(",Giving feedback,Def.,1,Learning,Asks.", *GOOD[1:]))

    assert (problems[0].row, problems[0].field) == (2, "competency_id")


def test_a_blank_level_after_another_competency_is_refused() -> None:
    rows = [*GOOD, "coaching,Coaching,Helps others grow.,,Learning,Answers questions."]

    problems = problems_of(sheet(*rows))

    assert (problems[0].row, problems[0].field) == (5, "level")


def test_a_competency_id_that_is_not_a_slug_is_refused() -> None:
    rows = [GOOD[0].replace("giving-feedback", "Giving Feedback", 1), *GOOD[1:]]

    problems = problems_of(sheet(*rows))

    assert (problems[0].row, problems[0].field, problems[0].value) == (2, "competency_id", "Giving Feedback")


def test_an_anchor_longer_than_the_field_limit_is_refused() -> None:
    rows = [*GOOD[:2], f"giving-feedback,,,3,Skilled,{'x' * 2001}"]

    (problem,) = problems_of(sheet(*rows))

    assert (problem.row, problem.field) == (4, "anchors")


def test_a_missing_column_is_named_on_row_one() -> None:
    header = HEADER.replace(",level_name", "")
    rows = [r.replace(",Learning", "").replace(",Practising", "").replace(",Skilled", "") for r in GOOD]

    problems = problems_of(sheet(*rows, header=header))

    assert [(p.row, p.field) for p in problems] == [(1, "level_name")]


def test_an_unknown_column_is_refused_because_a_misspelt_column_would_be_ignored() -> None:
    problems = problems_of(sheet(*(r + ",x" for r in GOOD), header=HEADER + ",anchor_notes"))

    assert [(p.row, p.field) for p in problems] == [(1, "anchor_notes")]


def test_the_framework_id_name_and_version_come_from_columns_or_options() -> None:
    header = "framework_id,framework_name,framework_version," + HEADER
    rows = ["acme,Acme Framework,2026.1," + GOOD[0], *(",,," + r for r in GOOD[1:])]

    from_columns = parse(sheet(*rows, header=header), FrameworkOptions())

    assert from_columns == parse(sheet(*GOOD))
    assert parse(sheet(*rows, header=header), NAMED) == from_columns  # the same values twice are fine


def test_a_framework_version_in_the_sheet_and_a_different_option_are_refused() -> None:
    header = "framework_id,framework_name,framework_version," + HEADER
    rows = ["acme,Acme Framework,2026.1," + GOOD[0], *(",,," + r for r in GOOD[1:])]

    (problem,) = problems_of(sheet(*rows, header=header), FrameworkOptions(version="2026.2"))

    assert (problem.row, problem.field, problem.value) == (2, "framework_version", "2026.1")
    assert "--framework-version" in problem.expected


def test_without_a_framework_id_name_or_version_the_sheet_is_refused_saying_how_to_give_them() -> None:
    problems = problems_of(sheet(*GOOD), FrameworkOptions())

    assert [p.field for p in problems] == ["framework_id", "framework_name", "framework_version"]
    assert "--framework-id" in problems[0].expected


def test_a_framework_id_that_is_not_a_slug_is_refused() -> None:
    (problem,) = problems_of(sheet(*GOOD), FrameworkOptions(framework_id="Acme Corp", name="A", version="1"))

    assert (problem.field, problem.value) == ("framework_id", "Acme Corp")


def test_case_only_options_are_refused_for_a_sheet() -> None:
    with pytest.raises(InputError) as caught:
        parse(sheet(*GOOD), FrameworkOptions(default_levels=("a", "b", "c")))

    assert "--levels" in str(caught.value)


def test_a_header_only_sheet_has_no_competencies() -> None:
    (problem,) = problems_of(sheet())

    assert problem.row == 2


def test_importing_a_sheet_stores_it_and_its_event(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "framework.csv"
    path.write_bytes(EXAMPLE.read_bytes())

    framework, stored = import_framework(db, path, now=NOW)
    _, again = import_framework(db, EXCEL, now=NOW)  # the same content from Excel: already stored

    assert (stored, again) == (True, False)
    with db.transaction() as conn:
        assert framework_store.get(conn, "northwind-support", "2026.1") == framework
        assert [r.source for r in conn.execute(select(events.c.source))] == ["kairos/framework-csv/framework.csv"]


def test_a_rejected_sheet_stores_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "framework.csv"
    path.write_text(sheet(*GOOD[:2]), encoding="utf-8")

    with pytest.raises(InputError):
        import_framework(db, path, now=NOW, options=NAMED)

    with db.transaction() as conn:
        assert framework_store.versions(conn) == []


def test_a_file_of_another_type_is_refused_naming_the_types_read(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "framework.xlsx"
    path.write_bytes(b"PK\x03\x04")

    with pytest.raises(InputError) as caught:
        import_framework(db, path, now=NOW)

    (problem,) = caught.value.problems
    assert problem.value == ".xlsx" and ".csv" in problem.expected and "CASE" in problem.expected
