"""The xAPI 1.0.3 statement rules: what a learning platform may send, and the path each refusal names."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kairos.domain.learning import CatalogEntry, LearningRecord, completes, learning_completed
from kairos.errors import InputError
from kairos.ingest.base import Problems
from kairos.ingest.xapi import ParsedStatement, content_hash, parse_batch, parse_statement, read_statements_file
from kairos.ingest.xapi_statement import parse_timestamp

ROOT = Path(__file__).resolve().parents[2]
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
COURSE = "https://learn.example.com/courses/feedback-101"


def statement(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "actor": {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.com"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {"id": COURSE, "definition": {"name": {"en-US": "Feedback 101"}}},
    }
    doc.update(changes)
    return doc


def parse(doc: Any) -> tuple[ParsedStatement | None, list[tuple[str | None, str]]]:
    problems = Problems("request body")
    parsed = parse_statement(doc, problems)
    return parsed, [(p.field, p.expected) for p in problems.items]


def refused_at(doc: Any) -> dict[str, str]:
    parsed, problems = parse(doc)
    assert parsed is None and problems, "the statement was accepted"
    return {str(path): expected for path, expected in problems}


def test_a_minimal_statement_with_an_mbox_actor_is_valid() -> None:
    parsed, problems = parse(statement())
    assert problems == [] and parsed is not None
    assert parsed.model.actor.key() == "mbox mailto:ana@example.com"


def test_a_statement_using_every_part_of_the_standard_is_valid() -> None:
    doc = statement(
        id="6FBD6E1A-3C5C-4A4E-9D1F-8A1F7E3A2B10",
        result={
            "score": {"scaled": -0.5, "raw": 2, "min": 0, "max": 10},
            "success": False,
            "completion": True,
            "response": "b",
            "duration": "PT1H30M5.5S",
            "extensions": {"https://example.com/ext/attempts": 3, "https://example.com/ext/none": None},
        },
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"account": {"homePage": "https://lms.example.com", "name": "coach-7"}},
            "team": {"objectType": "Group", "name": "Platform", "member": [{"mbox_sha1sum": "a" * 40}]},
            "contextActivities": {"parent": {"id": "https://learn.example.com/paths/lead"}, "category": [
                {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]},
            "revision": "2",
            "platform": "Moodle",
            "language": "de-CH",
            "statement": {"objectType": "StatementRef", "id": "1c7a0c7e-0c4b-4d0b-8f5e-0e4c5a1b2c3d"},
            "extensions": {"https://example.com/ext/cohort": {"name": "spring"}},
        },
        timestamp="2026-03-02T09:30:00.123+01:00",
        version="1.0.3",
    )  # fmt: skip
    doc["object"]["definition"].update(
        description={"en-US": "Practise"},
        type="http://adlnet.gov/expapi/activities/assessment",
        moreInfo="https://learn.example.com/feedback-101",
        interactionType="choice",
        correctResponsesPattern=["b"],
        choices=[{"id": "a", "description": {"en-US": "Later"}}, {"id": "b", "description": {"en-US": "Now"}}],
    )
    parsed, problems = parse(doc)
    assert problems == [] and parsed is not None
    assert parsed.id == "6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10"


@pytest.mark.parametrize(
    "actor",
    [
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        {"openid": "https://openid.example.com/ana"},
        {"account": {"homePage": "https://hr.example.com", "name": "p-17"}},
        {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"openid": "https://id.example/b"}]},
        {"objectType": "Group", "name": "Platform", "account": {"homePage": "https://hr.example.com", "name": "t1"}},
    ],
)
def test_an_actor_is_an_agent_with_one_identifier_or_a_group(actor: dict[str, Any]) -> None:
    assert parse(statement(actor=actor))[1] == []


@pytest.mark.parametrize(
    ("actor", "path", "wanted"),
    [
        ({"name": "Ana"}, "$.actor", "exactly one of mbox, mbox_sha1sum, openid or account (found none)"),
        ({"mbox": "mailto:a@example.com", "openid": "https://id.example/a"}, "$.actor", "found mbox, openid"),
        ({"mbox": "ana@example.com"}, "$.actor.mbox", "a mailto: IRI"),
        ({"mbox_sha1sum": "xyz"}, "$.actor.mbox_sha1sum", "SHA-1"),
        ({"account": {"name": "p-17"}}, "$.actor.account.homePage", "required"),
        ({"account": {"homePage": "hr", "name": "p-17"}}, "$.actor.account.homePage", "IRI"),
        ({"account": {"homePage": "https://hr.example.com", "name": " "}}, "$.actor.account.name", "not empty"),
        ({"objectType": "Group"}, "$.actor", "member list"),
        ({"objectType": "Group", "member": [{"objectType": "Group", "member": []}]}, "$.actor.member[0].objectType",
         "'Agent'"),
        ({"objectType": "Person", "mbox": "mailto:a@example.com"}, "$.actor.objectType", "'Agent'"),
        ("ana@example.com", "$.actor", "a JSON object"),
    ],
)  # fmt: skip
def test_an_actor_that_breaks_an_agent_rule_is_refused_at_its_path(actor: Any, path: str, wanted: str) -> None:
    assert wanted in refused_at(statement(actor=actor))[path]


def test_a_verb_needs_an_iri_and_a_display_keyed_by_language_tags() -> None:
    problems = refused_at(statement(verb={"id": "completed", "display": {"en US": "completed", "de": 3}}))
    assert "IRI" in problems["$.verb.id"]
    assert "language tag" in problems['$.verb.display["en US"]']
    assert problems["$.verb.display.de"] == "a valid string"


def test_an_object_without_object_type_is_an_activity_and_an_unknown_type_is_named() -> None:
    parsed, _ = parse(statement(object={"id": COURSE}))
    assert parsed is not None and type(parsed.model.object).__name__ == "Activity"
    problems = refused_at(statement(object={"objectType": "Course", "id": COURSE}))
    assert "Activity (the default), Agent, Group, StatementRef or SubStatement" in problems["$.object.objectType"]


def test_an_agent_object_must_say_its_object_type() -> None:
    parsed, _ = parse(statement(object={"objectType": "Agent", "mbox": "mailto:bo@example.com"}))
    assert parsed is not None
    problems = refused_at(statement(object={"mbox": "mailto:bo@example.com"}))  # read as an Activity
    assert "required" in problems["$.object.id"] and "does not define it" in problems["$.object.mbox"]


def test_an_activity_definition_follows_the_standard() -> None:
    problems = refused_at(
        statement(object={"id": COURSE, "definition": {"type": "course", "interactionType": "essay",
                                                        "extensions": {"not-an-iri": 1}, "title": "x"}})
    )  # fmt: skip
    assert "IRI" in problems["$.object.definition.type"]
    assert "true-false" in problems["$.object.definition.interactionType"]
    assert "IRI" in problems['$.object.definition.extensions["not-an-iri"]']
    assert "does not define it" in problems["$.object.definition.title"]


def test_a_statement_ref_names_a_uuid() -> None:
    problems = refused_at(statement(object={"objectType": "StatementRef", "id": "42"}))
    assert "UUID" in problems["$.object.id"]


def test_a_sub_statement_cannot_nest_another_or_carry_an_id() -> None:
    sub = {"objectType": "SubStatement", "actor": {"mbox": "mailto:bo@example.com"}, "verb": {"id": COMPLETED},
           "object": {"objectType": "SubStatement"}, "id": "6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10"}  # fmt: skip
    problems = refused_at(statement(object=sub))
    assert "cannot nest" in problems["$.object.object.objectType"]
    assert "does not define it" in problems["$.object.id"]
    sub.update(object={"id": COURSE})
    del sub["id"]
    assert parse(statement(object=sub))[1] == []


@pytest.mark.parametrize(
    ("score", "path", "wanted"),
    [
        ({"scaled": 1.5}, "$.result.score.scaled", "less than or equal to 1"),
        ({"scaled": -1.01}, "$.result.score.scaled", "greater than or equal to -1"),
        ({"raw": 11, "min": 0, "max": 10}, "$.result.score", "raw at most max"),
        ({"raw": -1, "min": 0}, "$.result.score", "raw at least min"),
        ({"min": 5, "max": 5}, "$.result.score", "min below max"),
        ({"scaled": "0.5"}, "$.result.score.scaled", "a number"),
    ],
)
def test_a_score_stays_in_its_range(score: dict[str, Any], path: str, wanted: str) -> None:
    assert wanted in refused_at(statement(result={"score": score}))[path]


def test_an_infinite_score_is_refused() -> None:
    doc = json.loads('{"result": {"score": {"raw": 1e999}}}')
    assert "finite" in refused_at(statement(**doc))["$.result.score.raw"]


def test_result_types_are_not_coerced_and_durations_are_iso_8601() -> None:
    problems = refused_at(statement(result={"success": "true", "completion": 1, "duration": "90 minutes"}))
    assert problems["$.result.success"] == "true or false"
    assert problems["$.result.completion"] == "true or false"
    assert "ISO 8601 duration" in problems["$.result.duration"]
    for duration in ("PT1H", "P2D", "P1Y2M3DT4H5M6.5S", "P3W", "PT0.5S"):
        assert parse(statement(result={"duration": duration}))[1] == [], duration
    for duration in ("P", "PT", "P1H", "1H"):
        assert "$.result.duration" in refused_at(statement(result={"duration": duration})), duration


def test_context_fields_follow_their_rules() -> None:
    context = {
        "registration": "not-a-uuid",
        "language": "english please",
        "team": {"mbox": "mailto:t@example.com"},
        "contextActivities": {"parent": {"id": "x"}, "other": [{"id": "y"}]},
    }
    problems = refused_at(statement(context=context))
    assert "UUID" in problems["$.context.registration"]
    assert "language tag" in problems["$.context.language"]
    assert "required" in problems["$.context.team.objectType"]
    assert "IRI" in problems["$.context.contextActivities.parent.id"]
    assert "IRI" in problems["$.context.contextActivities.other[0].id"]


def test_context_revision_and_platform_are_only_for_an_activity_object() -> None:
    doc = statement(object={"objectType": "Agent", "mbox": "mailto:bo@example.com"},
                    context={"revision": "2", "platform": "Moodle"})  # fmt: skip
    problems = refused_at(doc)
    assert set(problems) == {"$.context.revision", "$.context.platform"}


@pytest.mark.parametrize("stamp", ["2026-03-02T09:30:00Z", "2026-03-02T09:30:00.123456+05:30", "2026-03-02T09:30Z",
                                   "2026-03-02T09:30:00"])  # fmt: skip
def test_a_timestamp_is_iso_8601(stamp: str) -> None:
    assert parse(statement(timestamp=stamp))[1] == []


@pytest.mark.parametrize("stamp", ["2026-03-02", "02.03.2026 09:30", "2026-03-02T09:30:00-00:00", "2026-02-30T10:00Z"])
def test_a_timestamp_that_is_not_a_full_iso_8601_time_is_refused(stamp: str) -> None:
    assert "ISO 8601" in refused_at(statement(timestamp=stamp))["$.timestamp"]


def test_a_timestamp_without_a_zone_is_read_as_utc() -> None:
    assert parse_timestamp("2026-03-02T09:30:00") == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert parse_timestamp("2026-03-02T09:30:00+01:00") == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def test_attachments_are_refused_with_a_clear_message() -> None:
    doc = statement(attachments=[{"usageType": "http://adlnet.gov/expapi/attachments/signature"}])
    assert "Kairos does not store xAPI attachments" in refused_at(doc)["$.attachments"]


def test_properties_the_standard_does_not_define_are_refused() -> None:
    assert "does not define it" in refused_at(statement(course="Feedback 101"))["$.course"]


def test_null_is_refused_everywhere_but_in_extension_values() -> None:
    problems = refused_at(statement(result={"success": None}, context={"extensions": None}))
    assert set(problems) == {"$.result.success", "$.context.extensions"}
    assert parse(statement(result={"extensions": {"https://example.com/x": None}}))[1] == []


def test_text_no_database_can_store_is_refused() -> None:
    assert "NUL" in refused_at(statement(actor={"mbox": "mailto:a@example.com", "name": "A\x00"}))["$.actor.name"]
    assert (
        "surrogates" in refused_at(statement(actor={"mbox": "mailto:a@example.com", "name": "\ud800"}))["$.actor.name"]
    )


def test_the_version_is_1_0_x() -> None:
    assert parse(statement(version="1.0.0"))[1] == []
    assert "1.0.x" in refused_at(statement(version="2.0.0"))["$.version"]


def test_a_voiding_statement_names_the_statement_it_voids() -> None:
    doc = statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})
    assert "StatementRef" in refused_at(doc)["$.object"]


def test_a_statement_that_is_not_an_object_is_refused_at_the_root() -> None:
    assert "a statement" in refused_at([1, 2])["$"]


def test_a_statement_without_an_id_gets_a_new_uuid_unless_derived_from_its_content() -> None:
    first, second = parse(statement())[0], parse(statement())[0]
    assert first is not None and second is not None and first.id != second.id
    derived = [parse_statement(statement(), Problems("f"), derive_id=True) for _ in range(2)]
    assert derived[0] is not None and derived[1] is not None and derived[0].id == derived[1].id


def test_a_batch_names_each_problem_with_its_index_and_refuses_repeated_ids() -> None:
    problems = Problems("request body")
    same = "6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10"
    parse_batch([statement(id=same), statement(actor={"mbox": "x"}), statement(id=same.upper())], problems)
    assert [(p.field, p.expected.split(" (")[0]) for p in problems.items] == [
        ("$[1].actor.mbox", "a mailto: IRI such as mailto:ana@example.com"),
        ("$[2].id", "a statement id not used before in the same input"),
    ]


def test_resending_compares_content_but_not_what_the_lrs_or_a_definition_adds() -> None:
    base = statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"},
                                                              {"mbox": "mailto:b@example.com"}]})  # fmt: skip
    again = copy.deepcopy(base)
    again.update(timestamp="2026-03-02T10:00:00Z", stored="2026-03-02T10:00:01Z", version="1.0.3",
                 authority={"mbox": "mailto:lms@example.com"})  # fmt: skip
    again["actor"]["member"].reverse()
    again["object"] = {"objectType": "Activity", "id": COURSE, "definition": {"name": {"fr": "Autre"}}}
    again["verb"]["display"] = {"EN-us": "completed"}

    def digest(doc: dict[str, Any]) -> str:
        parsed, problems = parse(doc)
        assert parsed is not None, problems
        return content_hash(parsed.model)

    assert digest(base) == digest(again)
    assert digest(base) != digest(statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"}))
    assert digest(statement(result={"completion": True})) != digest(statement(result={"completion": False}))


def test_a_file_names_the_statement_index_and_path_or_the_line(tmp_path: Path) -> None:
    listed = tmp_path / "statements.json"
    listed.write_text(json.dumps([statement(), statement(verb={"id": "done"})]))
    with pytest.raises(InputError) as refused:
        read_statements_file(listed)
    assert str(refused.value).startswith(f"{listed}, field '$[1].verb.id': got 'done'; expected an absolute IRI")
    lines = tmp_path / "statements.ndjson"
    lines.write_text("\n".join([json.dumps(statement()), "", json.dumps(statement(result={"success": 1}))]) + "\n")
    with pytest.raises(InputError) as refused:
        read_statements_file(lines)
    assert str(refused.value) == f"{lines}, row 3, field '$.result.success': got 1; expected true or false"


def test_a_completion_of_a_catalogued_activity_becomes_an_event_with_no_personal_data() -> None:
    entry = CatalogEntry(COURSE, "Feedback 101", "", ("giving-feedback",), (2,), 45)
    when = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def record(verb: str = COMPLETED, completion: bool | None = None) -> LearningRecord:
        return LearningRecord("s-1", verb, COURSE, completion, True, 0.9, when)

    event = learning_completed(record(), "p-17", entry)
    assert event is not None and event.subject == "p-17" and event.id == "s-1" and event.time == when
    assert event.data == {"activity_id": COURSE, "title": "Feedback 101", "competencies": ["giving-feedback"],
                          "levels": [2], "minutes": 45, "verb": COMPLETED, "success": True, "score": 0.9,
                          "statement_id": "s-1"}  # fmt: skip
    assert completes(record("http://adlnet.gov/expapi/verbs/passed"))
    assert completes(record("http://adlnet.gov/expapi/verbs/progressed", completion=True))
    assert learning_completed(record("http://adlnet.gov/expapi/verbs/experienced"), "p-17", entry) is None


def test_the_example_statements_are_valid() -> None:
    assert len(read_statements_file(ROOT / "examples" / "learning" / "statements.json")) == 4
