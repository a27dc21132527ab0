"""A real third-party xAPI client, TinCanPython (Rustici's ``tincan``), against a real `kairos serve` on each backend.

It saves statements (POST without an id, PUT with one, a batch), reads one back, queries by agent,
verb and activity and follows the ``more`` link, exactly as a learning platform built on it would.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    LanguageMap,
    RemoteLRS,
    Result,
    Score,
    Statement,
    Verb,
)

from kairos.ingest.catalog import import_catalog
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.store import open_database
from kairos.store.schema import events
from tests.conftest import DEMO, EXAMPLES
from tests.support.servers import ServerProcess, free_port

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMPLETED = Verb(id="http://adlnet.gov/expapi/verbs/completed", display=LanguageMap({"en-US": "completed"}))
ATTEMPTED = Verb(id="http://adlnet.gov/expapi/verbs/attempted", display=LanguageMap({"en-US": "attempted"}))
FEEDBACK = "https://learn.northwind.example/courses/feedback-that-lands"
WRITING = "https://learn.northwind.example/courses/writing-for-busy-readers"
KAVYA = Agent(name="Kavya Menon", mbox="mailto:kavya.menon@northwind.example")  # nw-012


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def lrs(database_url: str, tmp_path: Path) -> Iterator[RemoteLRS]:
    db = open_database(database_url)
    db.migrate()
    import_people(db, DEMO / "people.csv", as_of=date(2026, 3, 1), now=NOW)
    import_framework(db, DEMO / "framework.yaml", now=NOW)
    import_catalog(db, EXAMPLES / "learning" / "catalog.csv", now=NOW)
    db.dispose()
    port = free_port()
    env = {"KAIROS_DATABASE_URL": database_url, "KAIROS_DATA_DIR": str(tmp_path), "KAIROS_XAPI__USERNAME": "lms",
           "KAIROS_XAPI__PASSWORD": "s3cret", "KAIROS_XAPI__MAX_RESULTS": "2"}  # fmt: skip
    server = ServerProcess(
        [sys.executable, "-m", "kairos", "serve", "--port", str(port)],
        tmp_path / "serve.log",
        lambda: _healthy(port),
        env=env,
    )
    try:
        yield RemoteLRS(endpoint=f"http://127.0.0.1:{port}/xapi/", version="1.0.3", username="lms", password="s3cret")
    finally:
        server.stop()


def course(activity_id: str, title: str) -> Activity:
    return Activity(
        id=activity_id,
        definition=ActivityDefinition(
            name=LanguageMap({"en-US": title}), type="http://adlnet.gov/expapi/activities/course"
        ),
    )


def test_tincan_saves_reads_and_queries_statements_on_a_real_server(lrs: RemoteLRS, database_url: str) -> None:
    about = lrs.about()
    assert about.success and "1.0.3" in about.content.version

    registration = uuid.uuid4()
    done = Statement(
        actor=KAVYA,
        verb=COMPLETED,
        object=course(FEEDBACK, "Feedback that lands"),
        result=Result(score=Score(scaled=0.9, raw=18, min=0, max=20), success=True, completion=True,
                      duration=timedelta(minutes=47)),
        context=Context(registration=registration, platform="Northwind Learning", language="en-US"),
        timestamp=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
    )  # fmt: skip
    saved = lrs.save_statement(done)  # no id: POST, the LRS assigns one
    assert saved.success, saved.data
    assert saved.content.id is not None

    chosen = uuid.uuid4()
    attempt = Statement(id=chosen, actor=KAVYA, verb=ATTEMPTED, object=course(WRITING, "Writing for busy readers"))
    put = lrs.save_statement(attempt)  # an id: PUT ?statementId=
    assert put.success and put.response.status == 204, put.data

    other = Agent(account=AgentAccount(home_page="https://hr.northwind.example", name="nw-031"))
    batch = lrs.save_statements(
        [
            Statement(actor=other, verb=ATTEMPTED, object=course(FEEDBACK, "Feedback")),
            Statement(actor=other, verb=COMPLETED, object=course(WRITING, "Writing")),
        ]
    )
    assert batch.success, batch.data
    assert all(s.id is not None for s in batch.content)

    read = lrs.retrieve_statement(str(saved.content.id))
    assert read.success, read.data
    back = read.content
    assert back.verb.id == COMPLETED.id and back.actor.mbox == KAVYA.mbox and back.object.id == FEEDBACK
    assert back.result.score.scaled == 0.9 and back.result.duration == timedelta(minutes=47)
    assert back.context.registration == registration and back.stored is not None and back.authority is not None

    mine = lrs.query_statements({"agent": KAVYA})
    assert mine.success, mine.data
    assert [s.verb.id for s in mine.content.statements] == [ATTEMPTED.id, COMPLETED.id]  # newest stored first
    completed = lrs.query_statements({"verb": COMPLETED, "activity": Activity(id=WRITING)})
    assert [s.actor.account.name for s in completed.content.statements] == ["nw-031"]

    first = lrs.query_statements({"since": datetime(2026, 1, 1, tzinfo=UTC), "ascending": "true"})
    assert first.success and len(first.content.statements) == 2 and first.content.more
    rest = lrs.more_statements(first.content)
    assert rest.success, rest.data
    ids = [str(s.id) for s in first.content.statements + rest.content.statements]
    assert ids == [str(saved.content.id), str(chosen), *(str(s.id) for s in batch.content)]

    refused = RemoteLRS(endpoint=lrs.endpoint, version="1.0.3", username="lms", password="guess").save_statement(done)
    assert not refused.success and refused.response.status == 401

    db = open_database(database_url)
    with db.engine.connect() as conn:
        found = list(conn.execute(select(events.c.subject, events.c.data).where(events.c.type == "learning.completed")))
    db.dispose()
    assert sorted((r.subject, r.data["activity_id"]) for r in found) == [("nw-012", FEEDBACK), ("nw-031", WRITING)]
