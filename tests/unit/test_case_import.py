"""1EdTech CASE packages: the real CASE 1.0 export and a 1.1 variant import; every error names its JSON path."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.case import parse_case, parse_case_text
from kairos.ingest.framework import FrameworkOptions, import_framework
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.schema import events
from tests.conftest import CONFORMANCE, require_conformance

ROOT = Path(__file__).resolve().parents[2]
REAL = CONFORMANCE / "case" / "ccss-math-ratios-what-standards-could-be.case.json"
SCHEMA_1_1 = CONFORMANCE / "case" / "case-v1p1-cfpackage.official-schema.json"
EXAMPLE = ROOT / "examples" / "frameworks" / "framework.case.json"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SCALE = FrameworkOptions(default_levels=("Learning", "Practising", "Skilled"))


def real_path() -> Path:
    """The real CASE package, or a skip (a failure under CI=true) where it is not available."""
    require_conformance(REAL)
    return REAL


def schema_1_1() -> Path:
    require_conformance(SCHEMA_1_1)
    return SCHEMA_1_1


def real() -> dict[str, Any]:
    return json.loads(real_path().read_text(encoding="utf-8"))


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def parse(package: object, options: FrameworkOptions = SCALE, *, max_chars: int = 2000):  # type: ignore[no-untyped-def]
    return parse_case_text(json.dumps(package), "package.json", options=options, max_chars=max_chars)


def problems_of(package: object, options: FrameworkOptions = SCALE) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse(package, options)
    assert all(p.file == "package.json" for p in caught.value.problems)
    return caught.value.problems


def item_index(package: dict[str, Any], code: str) -> int:
    return next(i for i, item in enumerate(package["CFItems"]) if item.get("humanCodingScheme") == code)


def as_case_1_1(package: dict[str, Any]) -> dict[str, Any]:
    """The same framework in CASE 1.1's shape: no 1.0-only URI fields, educationLevel a list, caseVersion set."""
    out = copy.deepcopy(package)
    out["CFDocument"].pop("CFPackageURI")
    out["CFDocument"]["caseVersion"] = "1.1"
    for item in out["CFItems"]:
        item.pop("CFDocumentURI")
        item.pop("CFItemAssociationURI")
        item["educationLevel"] = [item.pop("educationalLevel")]
    for association in out["CFAssociations"]:
        association.pop("CFDocumentURI")
        if "sequenceNumber" in association:  # CASE 1.0 exports write it as text
            association["sequenceNumber"] = int(association["sequenceNumber"])
    for item_type in out["CFDefinitions"]["CFItemTypes"]:
        item_type["description"] = item_type["description"] or item_type["title"]
        item_type["typeCode"] = item_type["typeCode"] or item_type["title"]
    return out


# A small JSON Schema checker (structure only: type, properties, required, additionalProperties: false,
# items, enum, oneOf, pattern; formats are not checked, as real exports break date-time anyway).
def schema_errors(value: object, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return schema_errors(value, (root.get("$defs") or root["definitions"])[name], root, path)
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not schema_errors(value, s, root, path)]
        return [] if len(matching) == 1 else [f"{path}: matches {len(matching)} of oneOf"]
    types = {"object": dict, "array": list, "string": str, "integer": int, "number": int | float, "null": type(None)}
    wanted = schema.get("type")
    if wanted is not None:
        names = wanted if isinstance(wanted, list) else [wanted]
        if not any(isinstance(value, types[n]) and not isinstance(value, bool) for n in names):
            return [f"{path}: not {wanted}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in enum"]
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        return [f"{path}: {value!r} does not match {schema['pattern']}"]
    errors: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}: {key} is required" for key in schema.get("required", []) if key not in value]
        for key, inner in value.items():
            if key in properties:
                errors += schema_errors(inner, properties[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: {key} is not allowed")
    if isinstance(value, list) and "items" in schema:
        for i, inner in enumerate(value):
            errors += schema_errors(inner, schema["items"], root, f"{path}[{i}]")
    return errors


def check_1_1(package: object) -> list[str]:
    schema = json.loads(schema_1_1().read_text(encoding="utf-8"))
    return schema_errors(package, schema, schema)


# --- the real package and its 1.1 twin -----------------------------------------------------------------


def test_the_real_case_1_0_package_imports_with_a_default_scale() -> None:
    package = real()

    framework = parse_case(real_path(), options=SCALE)

    assert (framework.id, framework.name) == ("what-standards-could-be", "What Standards Could Be")
    assert framework.version == "2017-05-25T18:05:33"  # no version: lastChangeDateTime, zone-less as exported
    assert framework.source_id == package["CFDocument"]["identifier"]
    assert framework.uri == package["CFDocument"]["uri"]
    # the leaves of the isChildOf tree, in the tree's order: clusters and the standards that have components group
    assert [c.id for c in framework.competencies] == [
        "ccss.math.content.6.rp.a.1",
        "ccss.math.content.6.rp.a.2",
        "ccss.math.content.6.rp.a.3a",
        "ccss.math.content.6.rp.a.3b",
        "ccss.math.content.6.rp.a.3c",
        "ccss.math.content.6.rp.a.3d",
        "ccss.math.content.7.rp.a.1",
        "ccss.math.content.7.rp.a.2a",
        "ccss.math.content.7.rp.a.2b",
        "ccss.math.content.7.rp.a.2c",
        "ccss.math.content.7.rp.a.2d",
        "ccss.math.content.7.rp.a.3",
    ]
    source = package["CFItems"][item_index(package, "CCSS.Math.Content.6.RP.A.1")]
    first = framework.competencies[0]
    assert (first.source_id, first.uri) == (source["identifier"], source["uri"])
    assert first.definition == source["fullStatement"]
    assert first.name == f"CCSS.Math.Content.6.RP.A.1 {source['fullStatement']}"
    assert [(lv.level, lv.name, lv.anchors) for lv in first.levels] == [
        (1, "Learning", (source["fullStatement"],)),
        (2, "Practising", (source["fullStatement"],)),
        (3, "Skilled", (source["fullStatement"],)),
    ]


def test_without_a_rubric_or_a_default_scale_the_import_refuses_naming_each_item() -> None:
    package = real()

    problems = problems_of(package, FrameworkOptions())

    assert len(problems) == 12
    index = item_index(package, "CCSS.Math.Content.6.RP.A.1")
    first = problems[0]
    assert (first.row, first.field, first.value) == (index + 1, f"CFItems[{index}]", "CCSS.Math.Content.6.RP.A.1")
    assert "CFRubricCriterion" in first.expected and "--levels" in first.expected


def test_a_case_1_1_variant_of_the_real_package_is_valid_1_1_and_imports_the_same() -> None:
    original = real()
    variant = as_case_1_1(original)

    assert check_1_1(variant) == []
    assert any("CFPackageURI is not allowed" in e for e in check_1_1(original))  # 1.0's shape is not 1.1's
    assert parse(variant) == parse_case(real_path(), options=SCALE)


def test_the_example_package_is_valid_case_1_1() -> None:
    assert check_1_1(example()) == []


def test_the_hierarchy_orders_competencies_by_sequence_number_written_as_text_or_number() -> None:
    package = real()
    tops = [a for a in package["CFAssociations"] if "sequenceNumber" in a]
    tops[0]["sequenceNumber"], tops[1]["sequenceNumber"] = 2, "1"  # grade 7 first now

    ids = [c.id for c in parse(package).competencies]

    assert ids[0] == "ccss.math.content.7.rp.a.1" and ids[-1] == "ccss.math.content.6.rp.a.3d"


def test_item_types_given_by_the_admin_choose_the_competencies() -> None:
    framework = parse(real(), FrameworkOptions(default_levels=("A", "B", "C"), item_types=("standard",)))

    assert [c.id for c in framework.competencies] == [
        "ccss.math.content.6.rp.a.1",
        "ccss.math.content.6.rp.a.2",
        "ccss.math.content.6.rp.a.3",
        "ccss.math.content.7.rp.a.1",
        "ccss.math.content.7.rp.a.2",
        "ccss.math.content.7.rp.a.3",
    ]


def test_an_item_type_the_package_does_not_have_is_refused_listing_the_types_it_has() -> None:
    (problem,) = problems_of(real(), FrameworkOptions(default_levels=("A", "B", "C"), item_types=("Competency",)))

    assert (problem.field, problem.value) == ("--item-type", "competency")
    assert "Cluster, Component, Standard" in problem.expected


@pytest.mark.parametrize("names", [("Low", "High"), ("1", "2", "3", "4", "5", "6"), ("Low", " ", "High")])
def test_a_default_scale_needs_three_to_five_named_levels(names: tuple[str, ...]) -> None:
    problems = problems_of(real(), FrameworkOptions(default_levels=names))

    assert problems[0].field == "--levels"


# --- rubrics ------------------------------------------------------------------------------------------


def test_rubric_levels_give_names_from_quality_and_anchors_from_description_lines() -> None:
    framework = parse(example(), FrameworkOptions())

    assert (framework.id, framework.version) == ("northwind-leadership-essentials", "2026.1")
    assert [c.id for c in framework.competencies] == ["le.p.1", "le.p.2"]  # the domain above them groups
    feedback = framework.competencies[0]
    assert feedback.name == "LE.P.1 Giving feedback"  # human coding scheme and abbreviated statement
    assert [lv.name for lv in feedback.levels] == ["Learning", "Practising", "Skilled", "Role model"]
    assert feedback.levels[1].anchors == (
        "Names a concrete example and its effect.",
        "Gives appreciative feedback as readily as corrective feedback.",
    )


def test_rubric_levels_are_ordered_by_score_lowest_first_whatever_their_listing() -> None:
    package = example()
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    for level, score in zip(levels, (40, 30, 20, 10), strict=True):
        level["score"] = score
        level.pop("position")

    feedback = parse(package, FrameworkOptions()).competencies[0]

    assert [lv.name for lv in feedback.levels] == ["Role model", "Skilled", "Practising", "Learning"]


def test_equal_scores_are_refused_because_they_leave_the_order_open() -> None:
    package = example()
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    levels[1]["score"] = levels[0]["score"]

    (problem,) = problems_of(package, FrameworkOptions())

    assert (problem.row, problem.field) == (1, "CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels")
    assert "distinct scores" in problem.expected


def test_two_criteria_for_one_competency_give_each_level_the_anchors_of_both() -> None:
    package = example()
    criteria = package["CFRubrics"][0]["CFRubricCriteria"]
    second = copy.deepcopy(criteria[0])
    for n, level in enumerate(second["CFRubricCriterionLevels"], start=1):
        level["description"] = f"Timeliness at level {n}."
    criteria.append(second)

    feedback = parse(package, FrameworkOptions()).competencies[0]

    assert feedback.levels[0].anchors == (
        "Shares feedback when asked, mostly in general terms.",
        "Timeliness at level 1.",
    )


def test_items_below_a_competency_with_a_rubric_are_part_of_it_not_competencies() -> None:
    package = example()
    feedback = package["CFItems"][1]
    indicator = {**copy.deepcopy(feedback), "identifier": "0f0f0f0f-0000-4000-8000-000000000001"}
    indicator.update(humanCodingScheme="LE.P.1.a", fullStatement="Gives feedback within a day.", CFItemType="Indicator")
    package["CFItems"].append(indicator)
    association = copy.deepcopy(package["CFAssociations"][1])
    association["identifier"] = "0f0f0f0f-0000-4000-8000-000000000002"
    association["originNodeURI"] = {"title": "a", "identifier": indicator["identifier"], "uri": "https://x.example/a"}
    association["destinationNodeURI"] = {"title": "b", "identifier": feedback["identifier"], "uri": feedback["uri"]}
    package["CFAssociations"].append(association)

    assert [c.id for c in parse(package, FrameworkOptions()).competencies] == ["le.p.1", "le.p.2"]


def test_a_rubric_criterion_with_two_levels_is_refused_naming_its_path() -> None:
    package = example()
    levels = package["CFRubrics"][0]["CFRubricCriteria"][1]["CFRubricCriterionLevels"]
    del levels[2:]

    (problem,) = problems_of(package, FrameworkOptions())

    assert (problem.row, problem.field, problem.value) == (
        1,
        "CFRubrics[0].CFRubricCriteria[1].CFRubricCriterionLevels",
        2,
    )


def test_a_rubric_level_without_a_description_is_refused_naming_it() -> None:
    package = example()
    del package["CFRubrics"][0]["CFRubricCriteria"][1]["CFRubricCriterionLevels"][2]["description"]

    (problem,) = problems_of(package, FrameworkOptions())

    assert problem.field == "CFRubrics[0].CFRubricCriteria[1].CFRubricCriterionLevels[2].description"


def test_a_rubric_criterion_for_an_item_not_in_the_package_is_refused() -> None:
    package = example()
    package["CFRubrics"][0]["CFRubricCriteria"][1]["CFItemURI"]["identifier"] = "9d9d9d9d-0000-4000-8000-000000000000"

    problems = problems_of(package, FrameworkOptions())

    assert (problems[0].row, problems[0].field, problems[0].value) == (
        1,
        "CFRubrics[0].CFRubricCriteria[1].CFItemURI",
        "9d9d9d9d-0000-4000-8000-000000000000",
    )
    # and the coaching competency, now without a rubric, is named too
    assert problems[1].field == "CFItems[2]" and problems[1].value == "LE.P.2"


# --- associations -------------------------------------------------------------------------------------


def test_a_dangling_is_child_of_is_refused_naming_the_json_path_row_and_identifier() -> None:
    package = real()
    index = next(i for i, a in enumerate(package["CFAssociations"]) if a["associationType"] == "isChildOf")
    package["CFAssociations"][index]["destinationNodeURI"]["identifier"] = "00000000-0000-4000-8000-00000000dead"

    (problem,) = problems_of(package)

    assert (problem.row, problem.field, problem.value) == (
        index + 1,
        f"CFAssociations[{index}].destinationNodeURI",
        "00000000-0000-4000-8000-00000000dead",
    )
    assert "isChildOf" in problem.expected


def test_associations_to_things_outside_the_package_are_fine_when_they_carry_an_absolute_uri() -> None:
    package = real()  # 16 exactMatchOf, 2 exemplar, 2 isRelatedTo and 1 precedes point outside it
    outside = [
        i
        for i, a in enumerate(package["CFAssociations"])
        if a["destinationNodeURI"]["identifier"] not in {x["identifier"] for x in package["CFItems"]}
        and a["associationType"] != "isChildOf"
        and a["destinationNodeURI"]["identifier"] != package["CFDocument"]["identifier"]
    ]
    assert len(outside) == 21
    parse(package)  # no error
    package["CFAssociations"][outside[0]]["destinationNodeURI"]["uri"] = "5b6c487e-04f1-5ba9-9722-d099849b9167"

    (problem,) = problems_of(package)

    assert (problem.row, problem.field) == (outside[0] + 1, f"CFAssociations[{outside[0]}].destinationNodeURI")
    assert "absolute uri" in problem.expected


def test_an_unknown_association_type_is_refused_and_an_extension_type_is_fine() -> None:
    package = real()
    package["CFAssociations"][3]["associationType"] = "isCousinOf"
    package["CFAssociations"][5]["associationType"] = "ext:alignsWith"

    (problem,) = problems_of(package)

    assert (problem.row, problem.field, problem.value) == (4, "CFAssociations[3].associationType", "isCousinOf")
    assert "isChildOf" in problem.expected and "ext:" in problem.expected


def test_an_association_without_an_origin_link_is_refused() -> None:
    package = real()
    del package["CFAssociations"][0]["originNodeURI"]

    (problem,) = problems_of(package)

    assert (problem.row, problem.field) == (1, "CFAssociations[0].originNodeURI")


def test_a_duplicate_item_identifier_is_refused_naming_the_first() -> None:
    package = real()
    package["CFItems"][5]["identifier"] = package["CFItems"][1]["identifier"].upper()

    problems = problems_of(package)

    assert (problems[0].row, problems[0].field) == (6, "CFItems[5].identifier")
    assert "also CFItems[1]" in problems[0].expected


def test_codes_that_make_the_same_id_fall_back_to_the_item_identifiers() -> None:
    package = example()
    package["CFItems"][2]["humanCodingScheme"] = "le.p.1"  # the same id as LE.P.1 once lower-cased

    framework = parse(package, FrameworkOptions())

    assert [c.id for c in framework.competencies] == [
        package["CFItems"][1]["identifier"],
        package["CFItems"][2]["identifier"],
    ]


# --- the document -------------------------------------------------------------------------------------


def test_the_document_version_wins_over_the_last_change_and_the_options_win_over_both() -> None:
    package = real()
    package["CFDocument"]["version"] = "3.2"

    assert parse(package).version == "3.2"
    options = FrameworkOptions(
        framework_id="ratios", name="Ratios", version="2026.1", default_levels=SCALE.default_levels
    )
    framework = parse(package, options)
    assert (framework.id, framework.name, framework.version) == ("ratios", "Ratios", "2026.1")


@pytest.mark.parametrize("stamp", ["2017-05-25T18:05:33", "2017-05-25T18:05:33Z", "2017-05-25T18:05:33+02:00"])
def test_a_last_change_with_or_without_a_zone_is_a_version(stamp: str) -> None:
    package = real()
    package["CFDocument"]["lastChangeDateTime"] = stamp

    assert parse(package).version == stamp


def test_a_last_change_that_is_not_a_date_time_is_refused() -> None:
    package = real()
    package["CFDocument"]["lastChangeDateTime"] = "last Tuesday"

    (problem,) = problems_of(package)

    assert (problem.field, problem.value) == ("CFDocument.lastChangeDateTime", "last Tuesday")


def test_a_numeric_version_is_refused_rather_than_guessed() -> None:
    package = real()
    package["CFDocument"]["version"] = 2.10

    (problem,) = problems_of(package)

    assert (problem.field, problem.value) == ("CFDocument.version", 2.1)
    assert parse(package, replace(SCALE, version="2.10")).version == "2.10"


def test_an_invalid_framework_id_option_is_refused() -> None:
    (problem,) = problems_of(real(), FrameworkOptions(framework_id="Not A Slug", default_levels=("a", "b", "c")))

    assert problem.field == "--framework-id"


# --- not CASE at all ----------------------------------------------------------------------------------


def test_invalid_json_is_refused_naming_its_line() -> None:
    original = real_path().read_text(encoding="utf-8")
    text = original.replace('"title": "What Standards Could Be",', '"title": "What" Standards')

    with pytest.raises(InputError) as caught:
        parse_case_text(text, "package.json", options=SCALE)

    (problem,) = caught.value.problems
    assert problem.expected == "valid JSON"
    assert problem.row == next(i for i, line in enumerate(text.splitlines(), 1) if '"What" Standards' in line)


@pytest.mark.parametrize("text", ['{"CFDocument": NaN}', "[1, 2]", '{"goals": []}', '{"CFDocument": []}', "1" * 5000])
def test_json_that_is_not_a_case_package_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_case_text(text, "package.json")

    assert caught.value.problems[0].file == "package.json"


def test_a_package_without_items_has_no_competencies() -> None:
    package = real()
    package["CFItems"] = []
    package["CFAssociations"] = []

    (problem,) = problems_of(package)

    assert (problem.field, problem.value) == ("CFItems", 0)


def test_a_statement_longer_than_the_field_limit_is_refused() -> None:
    package = real()
    index = item_index(package, "CCSS.Math.Content.6.RP.A.1")
    package["CFItems"][index]["fullStatement"] = "x" * 2001

    (problem,) = problems_of(package)

    assert (problem.row, problem.field) == (index + 1, f"CFItems[{index}].fullStatement")


# --- storing ------------------------------------------------------------------------------------------


def test_importing_a_case_package_stores_it_with_its_case_identifiers(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "ratios.json"
    path.write_bytes(b"\xef\xbb\xbf" + real_path().read_bytes())

    framework, stored = import_framework(db, path, now=NOW, options=SCALE)
    _, again = import_framework(db, path, now=NOW, options=SCALE)

    assert (stored, again) == (True, False)
    with db.transaction() as conn:
        kept = framework_store.get(conn, "what-standards-could-be", "2017-05-25T18:05:33")
        sources = [r.source for r in conn.execute(select(events.c.source))]
    assert kept == framework
    assert kept is not None and kept.source_id == "20c5134f-423d-4097-a971-3dd5152bf507"
    assert kept.competencies[0].source_id == "b6f61076-aa12-450b-8f9d-b86bc071f85e"
    assert sources == ["kairos/framework-case/ratios.json"]
