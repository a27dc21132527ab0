"""The xAPI statements resource over HTTP on a real database: auth, idempotency, conflicts, filters, paging, events."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.ingest.catalog import import_catalog
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import events
from tests.conftest import DEMO, EXAMPLES

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
FEEDBACK = "https://learn.northwind.example/courses/feedback-that-lands"
WRITING = "https://learn.northwind.example/courses/writing-for-busy-readers"
KAVYA = "mailto:kavya.menon@northwind.example"  # nw-012
LOGIN = {"Authorization": "Basic " + base64.b64encode(b"lms:s3cret").decode(), "X-Experience-API-Version": "1.0.3"}


def statement(actor: str = KAVYA, verb: str = COMPLETED, activity: str = FEEDBACK, **more: Any) -> dict[str, Any]:
    return {"actor": {"mbox": actor}, "verb": {"id": verb}, "object": {"id": activity}, **more}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def lrs(db: Database, clock: FrozenClock) -> Iterator[TestClient]:
    """The demo organization and framework, the example catalog, and the app with xAPI switched on."""
    import_people(db, DEMO / "people.csv", as_of=date(2026, 3, 2), now=NOW)
    import_framework(db, DEMO / "framework.yaml", now=NOW)
    import_catalog(db, EXAMPLES / "learning" / "catalog.csv", now=NOW)
    settings = load_settings(xapi={"username": "lms", "password": "s3cret", "token": "t0ken", "max_results": 3})
    with TestClient(create_app(settings, db, clock)) as client:
        yield client


def completions(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(select(events).where(events.c.type == "learning.completed").order_by(events.c.seq)))


def post(client: TestClient, body: Any, headers: dict[str, str] = LOGIN) -> Any:
    return client.post(
        "/xapi/statements", content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


def test_about_is_public_and_says_the_version(lrs: TestClient) -> None:
    answer = lrs.get("/xapi/about")
    assert answer.status_code == 200 and answer.json() == {"version": ["1.0.3"]}
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"


def test_requests_without_the_right_credentials_are_refused_with_401(lrs: TestClient) -> None:
    version = {"X-Experience-API-Version": "1.0.3"}
    wrong = {**version, "Authorization": "Basic " + base64.b64encode(b"lms:guess").decode()}
    for headers in (
        version,
        wrong,
        {**version, "Authorization": "Bearer nope"},
        {**version, "Authorization": "Basic !"},
    ):
        answer = lrs.get("/xapi/statements", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["X-Experience-API-Version"] == "1.0.3"
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="Kairos xAPI", Bearer realm="Kairos xAPI"'
    bearer = {**version, "Authorization": "Bearer t0ken"}
    assert lrs.get("/xapi/statements", headers=bearer).status_code == 200


def test_xapi_is_off_until_credentials_are_set(db: Database) -> None:
    with TestClient(create_app(load_settings(), db, FrozenClock(NOW))) as client:
        answer = client.get("/xapi/statements", headers=LOGIN)
    assert answer.status_code == 503 and "KAIROS_XAPI__USERNAME" in answer.json()["error"]


def test_the_version_header_is_required_on_statement_requests(lrs: TestClient) -> None:
    auth = {"Authorization": LOGIN["Authorization"]}
    assert lrs.get("/xapi/statements", headers=auth).status_code == 400
    assert lrs.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": "0.95"}).status_code == 400
    assert lrs.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": "1.0.0"}).status_code == 200


def test_a_posted_statement_gets_an_id_and_is_stored_with_what_the_lrs_adds(
    lrs: TestClient, clock: FrozenClock
) -> None:
    answer = post(lrs, statement())
    assert answer.status_code == 200
    [statement_id] = answer.json()
    assert uuid.UUID(statement_id)
    stored = lrs.get("/xapi/statements", params={"statementId": statement_id}, headers=LOGIN)
    assert stored.status_code == 200 and stored.headers["Last-Modified"] == "Mon, 02 Mar 2026 09:00:00 GMT"
    assert stored.json() == {
        **statement(),
        "id": statement_id,
        "timestamp": "2026-03-02T09:00:00.000Z",
        "stored": "2026-03-02T09:00:00.000Z",
        "authority": {"objectType": "Agent", "account": {"homePage": "urn:kairos", "name": "lms"}},
        "version": "1.0.0",
    }


def test_resending_the_same_statement_is_accepted_once_and_a_changed_one_conflicts(
    lrs: TestClient, db: Database
) -> None:
    given = statement(id="6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10", timestamp="2026-03-01T17:00:00Z")
    assert post(lrs, given).json() == [given["id"]]
    again = {**given, "id": given["id"].upper(), "timestamp": "2026-03-01T18:00:00Z"}  # the time is not compared
    assert post(lrs, again).json() == [given["id"]]
    assert len(completions(db)) == 1
    changed = {**given, "result": {"completion": False}}
    answer = post(lrs, [statement(), changed])
    assert answer.status_code == 409 and given["id"] in answer.json()["error"] and "$[1].id" in answer.json()["error"]
    listed = lrs.get("/xapi/statements", headers=LOGIN).json()["statements"]
    assert [s["id"] for s in listed] == [given["id"]], "a batch with a conflict stores nothing"


def test_put_stores_under_the_given_id_and_answers_204(lrs: TestClient) -> None:
    statement_id = "0b6a3c1e-5d2f-4e8a-9c71-2f4d6e8a0b13"
    url = f"/xapi/statements?statementId={statement_id}"
    answer = lrs.put(url, content=json.dumps(statement()), headers=LOGIN)
    assert answer.status_code == 204 and answer.headers["X-Experience-API-Version"] == "1.0.3"
    assert lrs.put(url, content=json.dumps(statement(id=statement_id)), headers=LOGIN).status_code == 204
    assert lrs.put(url, content=json.dumps(statement(verb=EXPERIENCED)), headers=LOGIN).status_code == 409
    other = lrs.put(url, content=json.dumps(statement(id=str(uuid.uuid4()))), headers=LOGIN)
    assert other.status_code == 400 and other.json()["problems"][0]["path"] == "$.id"
    number = lrs.put(url, content=json.dumps(statement(id=42)), headers=LOGIN)
    assert number.status_code == 400 and number.json()["problems"][0]["path"] == "$.id"
    assert lrs.put("/xapi/statements?statementId=42", content="{}", headers=LOGIN).status_code == 400
    assert lrs.put("/xapi/statements", content=json.dumps(statement()), headers=LOGIN).status_code == 400


def test_an_invalid_statement_is_refused_with_the_path_of_every_problem(lrs: TestClient, db: Database) -> None:
    bad = statement(actor="ana@example.com", result={"score": {"scaled": 2}}, attachments=[])
    answer = post(lrs, [statement(), bad])
    assert answer.status_code == 400 and answer.headers["X-Experience-API-Version"] == "1.0.3"
    body = answer.json()
    assert body["error"] == "invalid statement" and body["problem_count"] == 3
    assert [p["path"] for p in body["problems"]] == ["$[1].actor.mbox", "$[1].result.score.scaled", "$[1].attachments"]
    assert lrs.get("/xapi/statements", headers=LOGIN).json()["statements"] == [], "all or nothing"
    assert completions(db) == []


@pytest.mark.parametrize(
    ("body", "content_type", "wanted"),
    [
        ("{", "application/json", "not JSON"),
        ('{"x": NaN}', "application/json", "not JSON"),
        ("{}", "multipart/mixed; boundary=abc", "attachments are not supported"),
        ("actor=x", "application/x-www-form-urlencoded", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_statement_is_refused(
    lrs: TestClient, body: str, content_type: str, wanted: str
) -> None:
    answer = lrs.post("/xapi/statements", content=body, headers={**LOGIN, "Content-Type": content_type})
    assert answer.status_code == 400 and wanted in answer.json()["error"]


def test_completing_a_catalogued_activity_records_one_learning_completed_event(lrs: TestClient, db: Database) -> None:
    done = statement(
        id="3d9e7f21-8a4b-4c6d-b2e1-7f0a9c8b6d54",
        actor="mailto:Kavya.Menon@NorthWind.example",
        result={"score": {"raw": 17, "min": 0, "max": 20}, "success": True},
        timestamp="2026-03-01T16:05:00+01:00",
    )
    assert post(lrs, done).status_code == 200
    assert post(lrs, done).status_code == 200
    [event] = completions(db)
    assert (event.source, event.id, event.subject) == ("xapi", done["id"], "nw-012")
    assert event.time == datetime(2026, 3, 1, 15, 5, tzinfo=UTC)
    assert event.data == {
        "activity_id": FEEDBACK, "title": "Feedback that lands", "competencies": ["giving-feedback"], "levels": [1, 2],
        "minutes": 45, "verb": COMPLETED, "success": True, "score": 0.85, "statement_id": done["id"],
    }  # fmt: skip
    assert "kavya" not in json.dumps(event.data).lower()


def test_only_completions_by_known_people_of_catalogued_activities_make_events(lrs: TestClient, db: Database) -> None:
    account = {"objectType": "Agent", "account": {"homePage": "https://hr.northwind.example", "name": "nw-031"}}
    batch = [
        statement(actor="mailto:guest@partner.example"),  # nobody Kairos knows: stored, no event
        statement(verb=EXPERIENCED),  # not a completion
        statement(activity="https://learn.example.com/not-in-the-catalog"),
        {**statement(verb=EXPERIENCED, activity=WRITING), "actor": account, "result": {"completion": True}},
    ]
    assert post(lrs, batch).status_code == 200
    assert [(e.subject, e.data["activity_id"]) for e in completions(db)] == [("nw-031", WRITING)]
    assert len(lrs.get("/xapi/statements", params={"limit": 10}, headers=LOGIN).json()["statements"]) == 3


def test_statements_are_filtered_by_agent_verb_activity_registration_and_time(
    lrs: TestClient, clock: FrozenClock
) -> None:
    registration = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
    ids = {}
    for name, body in {
        "kavya-feedback": statement(context={"registration": registration}),
        "kavya-writing": statement(activity=WRITING, verb=EXPERIENCED),
        "daniel-feedback": statement(actor="mailto:daniel.brooks@northwind.example"),
        "instructed": statement(actor="mailto:daniel.brooks@northwind.example", activity=WRITING,
                                context={"instructor": {"mbox": KAVYA},
                                         "contextActivities": {"parent": {"id": FEEDBACK}}}),
    }.items():  # fmt: skip
        clock.move_to(clock.now() + timedelta(minutes=10))
        ids[name] = post(lrs, body).json()[0]

    def found(**params: str) -> list[str]:
        answer = lrs.get("/xapi/statements", params={"limit": "10", **params}, headers=LOGIN)
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Experience-API-Consistent-Through"].startswith("2026-03-02T09:40:00")
        names = {v: k for k, v in ids.items()}
        return [names[s["id"]] for s in answer.json()["statements"]]

    assert found(agent=json.dumps({"mbox": KAVYA})) == ["kavya-writing", "kavya-feedback"]
    assert found(agent=json.dumps({"mbox": KAVYA}), related_agents="true") == ["instructed", "kavya-writing",
                                                                               "kavya-feedback"]  # fmt: skip
    assert found(verb=EXPERIENCED) == ["kavya-writing"]
    assert found(activity=FEEDBACK) == ["daniel-feedback", "kavya-feedback"]
    assert found(activity=FEEDBACK, related_activities="true") == ["instructed", "daniel-feedback", "kavya-feedback"]
    assert found(registration=registration) == ["kavya-feedback"]
    assert found(since="2026-03-02T09:10:00Z", until="2026-03-02T09:30:00Z") == ["daniel-feedback", "kavya-writing"]
    assert found(ascending="true") == ["kavya-feedback", "kavya-writing", "daniel-feedback"]  # a page holds 3
    assert found(agent=json.dumps({"mbox": KAVYA}), verb=COMPLETED, activity=FEEDBACK) == ["kavya-feedback"]


def test_bad_query_parameters_answer_400(lrs: TestClient) -> None:
    for params in ({"agent": '{"mbox": "kavya"}'}, {"agent": "kavya"}, {"limit": "-1"}, {"since": "yesterday"},
                   {"verb": "completed"}, {"ascending": "maybe"}, {"format": "full"}, {"colour": "blue"},
                   {"registration": "42"}, {"attachments": "true"}, {"more": "garbage"},
                   {"statementId": str(uuid.uuid4()), "verb": COMPLETED}):  # fmt: skip
        answer = lrs.get("/xapi/statements", params=params, headers=LOGIN)
        assert answer.status_code == 400, params
    bad_agent = lrs.get("/xapi/statements", params={"agent": '{"mbox": "kavya"}'}, headers=LOGIN).json()
    assert bad_agent["problems"][0]["path"] == "agent.mbox"


def test_a_long_list_comes_in_pages_linked_by_more(lrs: TestClient, clock: FrozenClock) -> None:
    posted = post(lrs, [statement() for _ in range(4)]).json()  # stored at the same instant: seq orders them
    clock.move_to(NOW + timedelta(minutes=1))
    posted += post(lrs, [statement(verb=EXPERIENCED) for _ in range(3)]).json()
    seen: list[str] = []
    page = lrs.get("/xapi/statements", headers=LOGIN).json()  # max_results is 3
    while True:
        assert len(page["statements"]) <= 3
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        assert page["more"].startswith("/xapi/statements?more=")
        clock.move_to(clock.now() + timedelta(minutes=1))
        post(lrs, statement())  # stored later: never shows up on a later page of a newest-first list
        page = lrs.get(page["more"], headers=LOGIN).json()
    assert seen == list(reversed(posted))
    ascending = lrs.get("/xapi/statements", params={"ascending": "true", "limit": "2", "verb": EXPERIENCED},
                        headers=LOGIN).json()  # fmt: skip
    rest = lrs.get(ascending["more"], headers=LOGIN).json()
    assert [s["id"] for s in ascending["statements"] + rest["statements"]] == posted[4:] and rest["more"] == ""


def test_a_voided_statement_is_found_only_as_voided(lrs: TestClient) -> None:
    [target] = post(lrs, statement()).json()
    voiding = statement(verb="http://adlnet.gov/expapi/verbs/voided")
    voiding["object"] = {"objectType": "StatementRef", "id": target}
    [voider] = post(lrs, voiding).json()
    assert lrs.get("/xapi/statements", params={"statementId": target}, headers=LOGIN).status_code == 404
    voided = lrs.get("/xapi/statements", params={"voidedStatementId": target}, headers=LOGIN)
    assert voided.status_code == 200 and voided.json()["id"] == target
    listed = lrs.get("/xapi/statements", headers=LOGIN).json()["statements"]
    assert [s["id"] for s in listed] == [voider]
    assert lrs.get("/xapi/statements", params={"voidedStatementId": voider}, headers=LOGIN).status_code == 404


def test_the_ids_format_keeps_only_identifiers(lrs: TestClient) -> None:
    body = statement()
    body["actor"]["name"] = "Kavya Menon"
    body["verb"]["display"] = {"en-US": "completed"}
    body["object"]["definition"] = {"name": {"en-US": "Feedback that lands"}}
    [statement_id] = post(lrs, body).json()
    shown = lrs.get("/xapi/statements", params={"statementId": statement_id, "format": "ids"}, headers=LOGIN).json()
    assert (
        shown["actor"] == {"mbox": KAVYA} and shown["verb"] == {"id": COMPLETED} and shown["object"] == {"id": FEEDBACK}
    )
    exact = lrs.get("/xapi/statements", params={"statementId": statement_id}, headers=LOGIN).json()
    expected = copy.deepcopy(body)
    assert exact["actor"] == expected["actor"] and exact["object"] == expected["object"]
