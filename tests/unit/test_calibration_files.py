"""Calibration files: the exercise (YAML, errors by line) and placements (CSV or JSON, errors by row and field)."""

from __future__ import annotations

import json

import pytest

from kairos.domain.calibration import Placement
from kairos.domain.framework import Framework
from kairos.errors import InputError
from kairos.ingest.calibration import Context, parse_exercise, parse_exercise_text, parse_placements_text
from kairos.ingest.framework import parse_framework
from tests.conftest import DEMO, EXAMPLES, ROOT
from tests.factories import framework

FRAMEWORK = framework()  # acme 2026.1: giving-feedback, levels 1–4 named "Level n"
DEMO_FRAMEWORK = parse_framework(DEMO / "framework.yaml")
CALIBRATION = EXAMPLES / "calibration"


def lookup(fid: str, version: str) -> Framework | None:
    return {(f.id, f.version): f for f in (FRAMEWORK, DEMO_FRAMEWORK)}.get((fid, version))


EXERCISE_YAML = """\
exercise:
  id: cal-1
  name: Spring calibration
  framework: acme
  version: "2026.1"
examples:
  - id: fb-1
    competency: giving-feedback
    behavior: Told a teammate the same day which review comment helped, and why.
    key: 2
  - id: fb-2
    competency: giving-feedback
    behavior: Gave difficult feedback in private and checked it was understood.
    key: 3
    rationale: Level 3 asks for difficult feedback given privately, with a check.
"""


def problems(call, *args, **kwargs) -> list[tuple[int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return [(p.row, p.field, p.expected) for p in info.value.problems]


# --- the exercise ---------------------------------------------------------------------------------------


def test_an_exercise_names_a_framework_version_and_examples_with_their_key() -> None:
    exercise = parse_exercise_text(EXERCISE_YAML, "cal.yaml", lookup)

    assert (exercise.id, exercise.name, exercise.framework_id, exercise.framework_version) == (
        "cal-1", "Spring calibration", "acme", "2026.1"
    )  # fmt: skip
    assert [(e.id, e.competency_id, e.key_level) for e in exercise.examples] == [
        ("fb-1", "giving-feedback", 2), ("fb-2", "giving-feedback", 3)
    ]  # fmt: skip
    assert exercise.examples[0].rationale is None and exercise.examples[1].rationale


def test_the_demo_exercise_parses_against_the_demo_framework() -> None:
    exercise = parse_exercise(CALIBRATION / "northwind-2026.yaml", lookup)

    assert (exercise.framework_id, exercise.framework_version) == ("northwind-leadership", "2026.1")
    assert len(exercise.examples) >= 8
    assert {e.competency_id for e in exercise.examples} <= {c.id for c in DEMO_FRAMEWORK.competencies}


def test_a_key_outside_the_competencys_levels_is_named_by_line_with_the_levels_it_could_be() -> None:
    found = problems(parse_exercise_text, EXERCISE_YAML.replace("key: 3", "key: 5"), "cal.yaml", lookup)

    assert found == [(14, "examples[1].key", "the level the example shows, a level of giving-feedback: "
                      "1 Level 1, 2 Level 2, 3 Level 3, 4 Level 4")]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "row", "field", "expected"),
    [
        (("competency: giving-feedback\n    behavior: Gave", "competency: juggling\n    behavior: Gave"), 12,
         "examples[1].competency", "a competency of acme 2026.1"),
        (('version: "2026.1"', 'version: "2027.1"'), 4, "exercise.framework", "a framework version stored"),
        (('version: "2026.1"', "version: 2026.1"), 5, "exercise.version", "a quoted version string"),
        (("id: fb-2", "id: fb-1"), 11, "examples[1].id", "a unique example id (also on line 7)"),
        (("id: fb-2", "id: fb 2"), 11, "examples[1].id", "an id of letters"),
        (("key: 2", "key: two"), 10, "examples[0].key", "the level the example shows"),
        (("key: 2", "key: true"), 10, "examples[0].key", "the level the example shows"),
        (("    behavior: Told a teammate the same day which review comment helped, and why.\n", ""), 7,
         "examples[0].behavior", "a non-empty text"),
        (("  name: Spring calibration", "  name: Spring calibration\n  title: Spring"), 4, "exercise.title",
         "one of the keys"),
        (("    key: 2\n", "    key: 2\n    level: 2\n"), 11, "examples[0].level", "one of the keys"),
    ],
)  # fmt: skip
def test_each_problem_in_an_exercise_is_named_by_line_and_field(
    change: tuple[str, str], row: int, field: str, expected: str
) -> None:
    found = problems(parse_exercise_text, EXERCISE_YAML.replace(*change, 1), "cal.yaml", lookup)

    assert [(r, f) for r, f, _ in found] == [(row, field)], found
    assert found[0][2].startswith(expected)


def test_every_problem_in_an_exercise_is_reported_at_once() -> None:
    text = EXERCISE_YAML.replace("key: 2", "key: 9").replace("key: 3", "key: 0").replace("id: cal-1", "id: ''")

    assert len(problems(parse_exercise_text, text, "cal.yaml", lookup)) == 3


@pytest.mark.parametrize(
    "text",
    ["", "- a\n- b\n", "exercise: 1\n", "exercise:\n  id: x\nexamples: []\n", "exercise: {id: [\n",
     "exercise:\n  id: x\nexamples:\n  - 3\n"],
)  # fmt: skip
def test_an_exercise_file_of_the_wrong_shape_is_an_input_error(text: str) -> None:
    assert problems(parse_exercise_text, text, "cal.yaml", lookup)


# --- placements -----------------------------------------------------------------------------------------

EXERCISE = parse_exercise_text(EXERCISE_YAML, "cal.yaml", lookup)
STATUSES = {"m1": "active", "m2": "leave", "p1": "active", "gone": "terminated"}
CONTEXT = Context(
    exercises={"cal-1": (EXERCISE, FRAMEWORK)},
    statuses=STATUSES,
    managers=frozenset({"m1", "m2", "gone"}),
    stored={("cal-1", "m2", "fb-1"): 2},
)
HEADER = "exercise_id,manager_id,example_id,level"


def csv(*rows: str) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def test_placements_are_read_from_csv_with_a_level_by_number_or_by_name() -> None:
    found = parse_placements_text(csv("cal-1,m1,fb-1,2", "cal-1,m1,fb-2,level 3", "cal-1,m2,fb-2,4"), "p.csv", CONTEXT)

    assert found == {"cal-1": (Placement("m1", "fb-1", 2), Placement("m1", "fb-2", 3), Placement("m2", "fb-2", 4))}


def test_placements_are_read_from_json_as_a_list_or_under_placements() -> None:
    items = [{"exercise_id": "cal-1", "manager_id": "m1", "example_id": "fb-1", "level": 2},
             {"exercise_id": "cal-1", "manager_id": "m1", "example_id": "fb-2", "level": "Level 4"}]  # fmt: skip

    as_list = parse_placements_text(json.dumps(items), "p.json", CONTEXT)
    wrapped = parse_placements_text(json.dumps({"placements": items}), "p.json", CONTEXT)

    assert as_list == wrapped == {"cal-1": (Placement("m1", "fb-1", 2), Placement("m1", "fb-2", 4))}


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ("cal-2,m1,fb-1,2", "exercise_id", "the id of a calibration exercise stored in Kairos"),
        ("cal-1,ghost,fb-1,2", "manager_id", "the id of a known person"),
        ("cal-1,gone,fb-1,2", "manager_id", "a person who has not left"),
        ("cal-1,p1,fb-1,2", "manager_id", "a manager: a person with at least one direct report"),
        ("cal-1,m1,fb-9,2", "example_id", "an example of exercise cal-1 (fb-1, fb-2)"),
        ("cal-1,m1,fb-1,5", "level", "a level of giving-feedback, by number or name: 1 Level 1"),
        ("cal-1,m1,fb-1,Expert", "level", "a level of giving-feedback"),
        ("cal-1,m1,fb-1,", "level", "a level of giving-feedback"),
        ("cal-1,m2,fb-1,3", "level", "the level stored for this placement in an earlier import (2)"),
    ],
)
def test_each_problem_in_a_placements_file_is_named_by_row_and_field(row: str, field: str, expected: str) -> None:
    found = problems(parse_placements_text, csv("cal-1,m1,fb-2,3", row), "p.csv", CONTEXT)

    assert [(r, f) for r, f, _ in found] == [(3, field)], found
    assert found[0][2].startswith(expected), found


def test_a_duplicate_placement_is_named_with_the_row_it_repeats() -> None:
    found = problems(parse_placements_text, csv("cal-1,m1,fb-1,2", "cal-1,m1,fb-2,3", "cal-1,m1,fb-1,3"), "p.csv",
                     CONTEXT)  # fmt: skip

    assert found == [(4, "example_id", "one placement per manager and example (also on row 2)")]


def test_a_placement_stored_before_at_the_same_level_is_accepted_again() -> None:
    assert parse_placements_text(csv("cal-1,m2,fb-1,2"), "p.csv", CONTEXT) == {"cal-1": (Placement("m2", "fb-1", 2),)}


@pytest.mark.parametrize(
    ("text", "file"),
    [
        ("", "p.csv"),
        (HEADER + "\n", "p.csv"),
        ("exercise_id,manager_id,example_id\ncal-1,m1,fb-1\n", "p.csv"),
        (HEADER + ",comment\ncal-1,m1,fb-1,2,hi\n", "p.csv"),
        ("{}", "p.json"),
        ('{"placements": [1]}', "p.json"),
        ('[{"exercise_id": "cal-1", "manager_id": "m1", "example_id": "fb-1", "level": 2.5}]', "p.json"),
        ('[{"exercise_id": "cal-1", "manager_id": "m1", "example_id": "fb-1", "level": 2, "x": 1}]', "p.json"),
        ("[", "p.json"),
    ],
)
def test_a_placements_file_of_the_wrong_shape_is_an_input_error(text: str, file: str) -> None:
    assert problems(parse_placements_text, text, file, CONTEXT)


def test_every_problem_in_a_placements_file_is_reported_at_once() -> None:
    found = problems(parse_placements_text, csv("cal-9,m1,fb-1,2", "cal-1,p1,fb-1,2", "cal-1,m1,fb-1,7"), "p.csv",
                     CONTEXT)  # fmt: skip

    assert [r for r, _, _ in found] == [2, 3, 4]


# --- the documentation and the examples keep up -------------------------------------------------------------


def test_the_format_page_links_only_examples_that_exist_and_every_example_is_linked() -> None:
    text = (ROOT / "docs" / "formats" / "calibration.md").read_text()
    linked = {part.split(")")[0] for part in text.split("](../../")[1:]}

    assert linked == {f"examples/calibration/{p.name}" for p in CALIBRATION.iterdir()}
    assert all((ROOT / path).is_file() for path in linked)


def test_the_demo_placements_name_only_managers_of_the_demo_organization() -> None:
    import csv as csv_module

    people = list(csv_module.DictReader((DEMO / "people.csv").open(encoding="utf-8-sig")))
    managers = {p["manager_id"] for p in people if p["manager_id"]}
    rows = list(csv_module.DictReader((CALIBRATION / "placements.csv").open(encoding="utf-8")))
    items = json.loads((CALIBRATION / "placements.json").read_text())["placements"]

    assert {r["manager_id"] for r in rows} | {i["manager_id"] for i in items} <= managers


def test_the_calibration_guide_explains_the_privacy_rules_and_the_commands() -> None:
    guide = (ROOT / "docs" / "calibration.md").read_text()

    phrases = ("kairos calibration create", "kairos calibration import", "kairos calibration report", "--manager",
               "KAIROS_MIN_GROUP_SIZE", "withheld: fewer than 5 managers", "`calibration.completed`")  # fmt: skip
    for phrase in phrases:
        assert phrase in guide, phrase
