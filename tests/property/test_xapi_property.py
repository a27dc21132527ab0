"""xAPI statements: any JSON is accepted or refused with a JSON path for every problem, never a crash or a 500.

Two kinds of input: arbitrary JSON, and a full valid statement with one part replaced, removed or
added, so most examples get past the first checks and reach the deeper rules.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.errors import InputError
from kairos.ingest.base import Problems
from kairos.ingest.xapi import parse_batch
from kairos.settings import load_settings
from kairos.store import Database

QUICK = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADERS = {"Authorization": "Basic " + base64.b64encode(b"lms:pw").decode(), "X-Experience-API-Version": "1.0.3",
           "Content-Type": "application/json"}  # fmt: skip

FULL: dict[str, Any] = {
    "id": "6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10",
    "actor": {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {"objectType": "Activity", "id": "https://learn.example.com/c/1",
               "definition": {"name": {"en-US": "C1"}, "type": "http://adlnet.gov/expapi/activities/course",
                              "extensions": {"https://example.com/x": [1, None]}}},
    "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": True, "completion": True,
               "duration": "PT1H"},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "instructor": {"account": {"homePage": "https://lms.example.com", "name": "c7"}},
                "team": {"objectType": "Group", "member": [{"openid": "https://id.example/b"}]},
                "contextActivities": {"parent": [{"id": "https://learn.example.com/p"}]}, "language": "en"},
    "timestamp": "2026-03-02T09:30:00Z",
}  # fmt: skip

NAMES = ["id", "objectType", "mbox", "member", "account", "homePage", "name", "verb", "object", "display", "score",
         "scaled", "raw", "min", "max", "context", "extensions", "statement", "SubStatement", "Group", "Agent",
         "StatementRef", "attachments", "version", "definition", "contextActivities", "parent", "\x00", "\ud800",
         "é"]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["mailto:a@b.c", "https://x.example/y", "6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10", "PT1H",
                      "2026-03-02T09:30:00Z", "1.0.3", "Group", "SubStatement", "StatementRef", "en-US", ""])
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=25,
)  # fmt: skip


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


PLACES = [p for p in _places(FULL) if p]


@st.composite
def near_statements(draw: st.DrawFn) -> Any:
    """A valid statement with one part replaced, removed, or given a sibling."""
    doc = copy.deepcopy(FULL)
    place = draw(st.sampled_from(PLACES))
    parent: Any = doc
    for step in place[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace":
        parent[place[-1]] = draw(JSON)
    elif action == "remove":
        del parent[place[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.sampled_from(NAMES))] = draw(JSON)
    else:
        parent.append(draw(JSON))
    return doc


INPUTS = JSON | near_statements() | st.lists(near_statements(), min_size=1, max_size=3)


def _assert_problems_have_paths(problems: list[Any]) -> None:
    for problem in problems:
        assert problem.field is not None and problem.field.startswith("$"), problem
        assert problem.expected, problem


@QUICK
@given(INPUTS)
def test_any_json_is_a_valid_statement_or_problems_each_with_a_json_path(doc: Any) -> None:
    problems = Problems("request body")
    try:
        batch = parse_batch(doc, problems)
    except InputError as exc:  # more than the listing limit
        _assert_problems_have_paths(exc.problems[:-1])
        return
    if problems:
        _assert_problems_have_paths(problems.items)
    else:
        assert len(batch) == (len(doc) if isinstance(doc, list) else 1)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    settings = load_settings(xapi={"username": "lms", "password": "pw"})
    app = create_app(settings, db, FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@WITH_DB
@given(doc=INPUTS)
def test_the_statements_endpoint_answers_any_json_with_200_400_or_409_never_500(client: TestClient, doc: Any) -> None:
    answer = client.post("/xapi/statements", content=json.dumps(doc), headers=HEADERS)
    assert answer.status_code in (200, 400, 409), answer.text
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"
    if answer.status_code == 400:
        body = answer.json()
        assert body["problems"] and all(p["path"].startswith("$") for p in body["problems"]), body
    elif answer.status_code == 200:
        for statement_id in answer.json():
            found = client.get("/xapi/statements", params={"statementId": statement_id}, headers=HEADERS)
            assert found.status_code == 200 and found.json()["id"] == statement_id


PARAMETERS = ["statementId", "voidedStatementId", "agent", "verb", "activity", "registration", "related_agents",
              "related_activities", "since", "until", "limit", "format", "attachments", "ascending", "more",
              "x"]  # fmt: skip
VALUES = (
    st.text(max_size=30)
    | JSON.map(json.dumps)
    | JSON.map(lambda doc: base64.urlsafe_b64encode(json.dumps(doc).encode()).decode())
)


@WITH_DB
@given(params=st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=4))
def test_any_query_of_the_statements_list_answers_200_400_or_404_never_500(
    client: TestClient, params: dict[str, str]
) -> None:
    answer = client.get("/xapi/statements", params=params, headers=HEADERS)
    assert answer.status_code in (200, 400, 404), answer.text
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"
