"""A course completed in the organization's learning platform, sent as an xAPI statement over HTTP, becomes the next
recommendation in the person's inbox — and counts in the learner state of the next decision."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.demo.mail_sink import MailSink
from kairos.ingest.catalog import import_catalog
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import events, moments, nudges
from kairos.worker.tick import simulate
from tests.integration.test_worker_rules import _event, _org, _runtime

COMPLETED_AT = datetime(2026, 3, 3, 15, tzinfo=UTC)
HEADERS = {"Authorization": "Basic " + base64.b64encode(b"lms:s3cret").decode(), "X-Experience-API-Version": "1.0.3"}


def test_an_xapi_completion_becomes_the_next_recommendation_and_feeds_the_next_decision(
    db: Database, tmp_path: Path
) -> None:
    # Rita's goal is giving feedback at level 3; she has a 1:1 a week after finishing the course.
    _org(db, tmp_path, [_event("later", "20260310T100000")])
    (tmp_path / "catalog.csv").write_text(
        "activity_id,title,description,competencies,levels,minutes\n"
        "https://learn.example/feedback-that-lands,Feedback that lands,Specific feedback within a day,"
        "giving-feedback,2;3,45\n"
    )
    import_catalog(db, tmp_path / "catalog.csv", now=COMPLETED_AT)
    statement = {
        "actor": {"mbox": "mailto:rep@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"id": "https://learn.example/feedback-that-lands"},
        "result": {"completion": True, "score": {"scaled": 0.9}},
        "timestamp": "2026-03-03T15:00:00Z",
    }
    settings = load_settings(xapi={"username": "lms", "password": "s3cret"})
    with TestClient(create_app(settings, db, FrozenClock(COMPLETED_AT))) as lrs:
        answer = lrs.post("/xapi/statements", json=statement, headers=HEADERS)
    assert answer.status_code == 200, answer.text
    with db.transaction() as conn:
        [done] = conn.execute(select(events).where(events.c.type == "learning.completed")).all()
    assert done.subject == "rep" and done.data["competencies"] == ["giving-feedback"]

    with MailSink(tmp_path / "mail") as sink:
        simulate(_runtime(db, sink.port), COMPLETED_AT, datetime(2026, 3, 11, tzinfo=UTC))
    with db.transaction() as conn:
        rows = conn.execute(
            select(moments.c.play_id, moments.c.action, moments.c.trace, nudges.c.subject, nudges.c.why)
            .join(nudges, nudges.c.moment_id == moments.c.id)
            .where(moments.c.stop_reason == "delivered")
        ).all()
    by_play = {(r.play_id, r.action): r for r in rows}
    next_step = next(r for (play, _), r in by_play.items() if play == "learning-completed")
    assert "Feedback that lands" in next_step.subject
    assert next_step.why["event"]["type"] == "learning.completed"
    tip = by_play[("upcoming-one-on-one", "employee-tip")]
    decided = next(step for step in tip.trace if step["path"] == "decide")["values"]
    assert decided["inputs"]["learning_completed"] == 1  # the course counts toward the next decision
    assert decided["bottleneck"] in ("transfer", "awareness")  # learning done: now practise it (or find the level)
