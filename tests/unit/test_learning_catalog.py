"""The learning catalog: activities tagged with the framework's competencies and levels, every error located."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kairos.domain.learning import CatalogEntry
from kairos.errors import InputError
from kairos.ingest.catalog import parse_catalog
from kairos.ingest.framework import parse_framework_file
from tests.factories import framework

ROOT = Path(__file__).resolve().parents[2]
HEADER = "activity_id,title,description,competencies,levels,minutes"
COURSE = "https://learn.example.com/courses/feedback-101"


def catalog_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as refused:
        parse_catalog(path, framework())
    return [str(p) for p in refused.value.problems]


def test_a_catalog_row_becomes_an_activity_tagged_with_competencies_and_levels(tmp_path: Path) -> None:
    path = catalog_csv(tmp_path, f'{COURSE},Feedback 101,"Say it soon, say it plainly",giving-feedback,3;1;3,45')
    assert parse_catalog(path, framework()) == [
        CatalogEntry(COURSE, "Feedback 101", "Say it soon, say it plainly", ("giving-feedback",), (1, 3), 45)
    ]


def test_levels_description_and_minutes_may_be_left_out(tmp_path: Path) -> None:
    path = catalog_csv(tmp_path, f"{COURSE},Feedback 101,giving-feedback", header="activity_id,title,competencies")
    assert parse_catalog(path, framework()) == [
        CatalogEntry(COURSE, "Feedback 101", "", ("giving-feedback",), (), None)
    ]


def test_every_catalog_error_names_the_file_row_field_and_what_was_expected(tmp_path: Path) -> None:
    path = catalog_csv(
        tmp_path,
        f"{COURSE},Feedback 101,,giving-feedback;listening,2,45",
        "not an iri,,,giving-feedback,5,-3",
        f"{COURSE},Again,,,,",
    )
    found = problems(path)
    assert found[0] == (
        f"{path}, row 2, field 'competencies': got 'listening'; expected competency ids of framework acme 2026.1 "
        "(giving-feedback), separated by ;"
    )
    assert found[1].startswith(f"{path}, row 3, field 'activity_id': got 'not an iri'; expected the activity's IRI")
    assert f"{path}, row 3, field 'title': got ''; expected the activity's title" in found
    assert (
        f"{path}, row 3, field 'levels': got '5'; expected levels from 1 to 4 (of its competencies), separated by ;"
        in found
    )
    assert f"{path}, row 3, field 'minutes': got '-3'; expected a whole number of minutes from 1 to 100000" in found
    assert any(
        re.match(rf"{re.escape(str(path))}, row 4, field 'competencies'.*at least one competency", p) for p in found
    )
    assert len(found) == 6


def test_an_activity_listed_twice_is_refused(tmp_path: Path) -> None:
    path = catalog_csv(tmp_path, f"{COURSE},A,,giving-feedback,,", f"{COURSE},B,,giving-feedback,,")
    assert problems(path) == [
        f"{path}, row 3, field 'activity_id': got '{COURSE}'; expected each activity once (also on row 2)"
    ]


def test_an_unknown_column_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    path = catalog_csv(tmp_path, f"{COURSE},A,giving-feedback,2", header="activity_id,title,competencies,level")
    assert "one of the columns" in problems(path)[0]


def test_a_json_catalog_takes_lists_or_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"activities": [
        {"activity_id": COURSE, "title": "Feedback 101", "competencies": ["giving-feedback"], "levels": [2, 3],
         "minutes": 45},
        {"activity_id": COURSE + "-2", "title": "Feedback 102", "competencies": "giving-feedback", "levels": "4"},
    ]}))  # fmt: skip
    entries = parse_catalog(path, framework())
    assert [(e.levels, e.minutes) for e in entries] == [((2, 3), 45), ((4,), None)]
    path.write_text(
        json.dumps([{"activity_id": COURSE, "title": "T", "competencies": ["giving-feedback"], "hours": 1}])
    )
    assert problems(path)[0].startswith(f"{path}, row 1, field 'hours'; expected only the fields activity_id, title")
    path.write_text(json.dumps([{"activity_id": COURSE, "title": "T", "competencies": ["giving-feedback"],
                                 "levels": [True]}]))  # fmt: skip
    wanted = "levels from 1 to 4 (of its competencies), separated by ;"
    assert problems(path) == [f"{path}, row 1, field 'levels': got True; expected {wanted}"]


def test_a_catalog_needs_a_framework_first(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a competency framework imported first"):
        parse_catalog(catalog_csv(tmp_path, f"{COURSE},A,,giving-feedback,,"), None)


def test_the_example_catalog_uses_the_demo_frameworks_competencies() -> None:
    demo, _ = parse_framework_file(ROOT / "examples" / "demo-org" / "framework.yaml")
    entries = parse_catalog(ROOT / "examples" / "learning" / "catalog.csv", demo)
    assert len(entries) == 6 and all(e.competencies for e in entries)


@pytest.mark.parametrize("page", ["xapi", "catalog"])
def test_the_learning_formats_are_documented_with_existing_examples(page: str) -> None:
    text = (ROOT / "docs" / "formats" / f"{page}.md").read_text()
    examples = [part.split(")")[0] for part in text.split("](../../")[1:]]
    assert examples and all((ROOT / example).is_file() for example in examples)
