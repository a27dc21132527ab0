"""Competency frameworks in YAML: errors name the line and the field; stored versions never change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.framework import import_framework, parse_framework_text
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.schema import events, frameworks
from tests.factories import FRAMEWORK_YAML

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def level(n: int, indent: str = "      ") -> str:
    return f'{indent}- level: {n}\n{indent}  name: Level {n}\n{indent}  anchors: ["Anchor {n}."]\n'


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse_framework_text(text, "framework.yaml")
    assert all(p.file == "framework.yaml" for p in caught.value.problems)
    return caught.value.problems


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_framework_is_valid() -> None:
    framework = parse_framework_text(FRAMEWORK_YAML, "framework.yaml")

    assert (framework.id, framework.name, framework.version) == ("acme", "Acme Framework", "2026.1")
    (competency,) = framework.competencies
    assert competency.id == "giving-feedback"
    assert [lv.level for lv in competency.levels] == [1, 2, 3]
    assert competency.levels[2].anchors == ("Names the behaviour and its effect, then asks for the other view.",)


def test_two_levels_are_too_few_naming_the_levels_line() -> None:
    text = FRAMEWORK_YAML.split("      - level: 3")[0]

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "levels:"), "competencies[0].levels")
    assert problem.value == 2
    assert "3 to 5" in problem.expected


def test_six_levels_are_too_many_naming_the_levels_line() -> None:
    text = FRAMEWORK_YAML + level(4) + level(5) + level(6)

    (problem,) = problems_of(text)

    assert (problem.row, problem.field, problem.value) == (line_of(text, "levels:"), "competencies[0].levels", 6)


def test_five_levels_are_fine() -> None:
    framework = parse_framework_text(FRAMEWORK_YAML + level(4) + level(5), "framework.yaml")

    assert len(framework.competencies[0].levels) == 5


def test_levels_out_of_order_are_rejected_naming_each_misplaced_level() -> None:
    text = (
        FRAMEWORK_YAML.replace("level: 2", "level: X").replace("level: 3", "level: 2").replace("level: X", "level: 3")
    )

    problems = problems_of(text)

    assert {(p.row, p.field) for p in problems} == {
        (line_of(text, "level: 3"), "competencies[0].levels[1].level"),
        (line_of(text, "level: 2"), "competencies[0].levels[2].level"),
    }


def test_a_duplicate_competency_id_is_rejected_naming_its_line_and_the_first() -> None:
    competency = FRAMEWORK_YAML[FRAMEWORK_YAML.index("  - id: giving-feedback") :]
    text = FRAMEWORK_YAML + competency.replace("name: Giving feedback", "name: Feedback again")

    (problem,) = problems_of(text)

    second = [i for i, line in enumerate(text.splitlines(), start=1) if "id: giving-feedback" in line][1]
    assert (problem.row, problem.field, problem.value) == (second, "competencies[1].id", "giving-feedback")
    assert f"line {line_of(text, 'id: giving-feedback')}" in problem.expected


def test_an_unquoted_float_version_is_rejected_because_yaml_drops_the_trailing_zero() -> None:
    text = FRAMEWORK_YAML.replace('version: "2026.1"', "version: 2026.10")

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "version:"), "framework.version")
    assert "quoted" in problem.expected


def test_an_unquoted_integer_version_is_read_as_text() -> None:
    framework = parse_framework_text(FRAMEWORK_YAML.replace('"2026.1"', "7"), "framework.yaml")

    assert framework.version == "7"


def test_a_missing_definition_is_rejected_naming_the_competency_line_and_field() -> None:
    text = FRAMEWORK_YAML.replace(
        "    definition: Tells people what they did and its effect, soon and specifically.\n", ""
    )

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "- id: giving-feedback"), "competencies[0].definition")


def test_invalid_yaml_is_rejected_naming_the_line() -> None:
    text = FRAMEWORK_YAML.replace("    name: Giving feedback", "    name: [Giving feedback")

    (problem,) = problems_of(text)

    assert problem.expected == "valid YAML"
    assert problem.row is not None and problem.row >= line_of(text, "[Giving feedback")


def test_a_key_yaml_reads_as_a_boolean_is_rejected_with_a_clear_message() -> None:
    text = FRAMEWORK_YAML.replace("    name: Giving feedback", "    on: Giving feedback")

    (problem,) = problems_of(text)

    assert problem.row == line_of(text, "on: Giving feedback")
    assert "'on'" in str(problem.value) and "quote it" in str(problem.value)


def test_several_problems_are_reported_together() -> None:
    text = FRAMEWORK_YAML.replace('"2026.1"', "2026.10").replace(
        "    definition: Tells people what they did and its effect, soon and specifically.\n", ""
    )

    problems = problems_of(text)

    assert {p.field for p in problems} == {"framework.version", "competencies[0].definition"}


def test_a_document_without_a_framework_header_is_rejected() -> None:
    (problem,) = problems_of("- just\n- a list\n")

    assert problem.row == 1 and "framework" in problem.expected


def test_importing_stores_the_framework_and_one_event(db: Database, tmp_path: Path) -> None:
    framework, stored = import_framework(db, write(tmp_path, "fw.yaml", FRAMEWORK_YAML), now=NOW)

    assert stored is True
    with db.transaction() as conn:
        assert framework_store.get(conn, "acme", "2026.1") == framework
        assert [(r.type, r.subject, r.data["version"]) for r in conn.execute(select(events))] == [
            ("framework.imported", "acme", "2026.1")
        ]


def test_importing_the_same_version_twice_is_a_no_op(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "fw.yaml", FRAMEWORK_YAML)
    import_framework(db, path, now=NOW)

    framework, stored = import_framework(db, path, now=LATER)

    assert stored is False
    with db.transaction() as conn:
        assert len(conn.execute(select(frameworks)).all()) == 1
        assert len(conn.execute(select(events)).all()) == 1
        assert conn.execute(select(frameworks.c.imported_at)).scalar_one() == NOW


def test_the_same_version_with_different_content_is_refused(db: Database, tmp_path: Path) -> None:
    import_framework(db, write(tmp_path, "a.yaml", FRAMEWORK_YAML), now=NOW)
    edited = write(tmp_path, "b.yaml", FRAMEWORK_YAML.replace("Asks for feedback", "Seeks feedback"))

    with pytest.raises(InputError) as caught:
        import_framework(db, edited, now=LATER)

    (problem,) = caught.value.problems
    assert (problem.file, problem.field, problem.value) == (str(edited), "framework.version", "2026.1")
    with db.transaction() as conn:
        kept = framework_store.get(conn, "acme", "2026.1")
    assert kept is not None
    assert kept.competencies[0].levels[0].anchors == ("Asks for feedback on own work.",)


def test_a_new_version_is_stored_alongside_the_old(db: Database, tmp_path: Path) -> None:
    import_framework(db, write(tmp_path, "a.yaml", FRAMEWORK_YAML), now=NOW)
    newer = FRAMEWORK_YAML.replace('"2026.1"', '"2026.2"') + level(4)

    _, stored = import_framework(db, write(tmp_path, "b.yaml", newer), now=LATER)

    assert stored is True
    with db.transaction() as conn:
        old = framework_store.get(conn, "acme", "2026.1")
        new = framework_store.get(conn, "acme", "2026.2")
        latest = framework_store.latest(conn)
    assert old is not None and new is not None
    assert len(old.competencies[0].levels) == 3
    assert len(new.competencies[0].levels) == 4
    assert latest == new


def test_a_rejected_framework_stores_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        import_framework(db, write(tmp_path, "fw.yaml", FRAMEWORK_YAML.replace("level: 2", "level: 9")), now=NOW)

    with db.transaction() as conn:
        assert conn.execute(select(frameworks)).all() == []
        assert conn.execute(select(events)).all() == []


@pytest.mark.parametrize("value", ["2026-02-30", "1" * 5000])
def test_a_scalar_yaml_cannot_convert_is_an_error_naming_its_line(value: str) -> None:
    # PyYAML raises a plain ValueError for an impossible date or an integer over Python's 4300-digit limit
    text = FRAMEWORK_YAML.replace("  name: Acme Framework", f"  name: {value}")

    (problem,) = problems_of(text)

    assert (problem.expected, problem.row) == ("valid YAML", line_of(text, "  name: "))
    assert "quote it" in str(problem.value)
