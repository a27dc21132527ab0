"""From the example files to an email a real SMTP server received, with every step explained in stored data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.store import frameworks as framework_store
from kairos.store import goals as goal_store
from kairos.store import open_database
from kairos.store.schema import deliveries, meetings, moments, nudges, people
from tests.e2e.conftest import Kairos, import_demo_org, plain_text, read_mail
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.e2e


def _first_one_on_one_with_a_goal(database_url: str):  # type: ignore[no-untyped-def]
    """The earliest 1:1 in the imported calendar whose report has an active goal, and that report's goal."""
    db = open_database(database_url)
    with db.transaction() as conn:
        rows = conn.execute(select(meetings).where(meetings.c.kind == "one_on_one").order_by(meetings.c.start))
        for meeting in rows:
            for pid in meeting.attendee_ids:
                person = conn.execute(select(people).where(people.c.id == pid)).one()
                goals = goal_store.active_for(conn, pid)
                if goals and person.manager_id in meeting.attendee_ids:
                    framework = framework_store.get(conn, goals[0].framework_id, goals[0].framework_version)
                    db.dispose()
                    return meeting, person, goals[0], framework
    raise AssertionError("the demo calendar has no 1:1 with a report who has a goal")


def test_a_one_on_one_brief_reaches_the_manager_quoting_the_framework_anchor_and_the_goal(
    database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    kairos = Kairos(database_url, tmp_path, smtp.port)
    import_demo_org(kairos)
    meeting, report, goal, framework = _first_one_on_one_with_a_goal(database_url)
    due = meeting.start - timedelta(minutes=30)

    result = kairos("run", "--once", "--now", due.isoformat())
    assert "delivered" in result.stdout

    db = open_database(database_url)
    with db.transaction() as conn:
        brief = conn.execute(
            select(moments).where(
                moments.c.context["meeting"].as_string() == meeting.key, moments.c.action == "manager-brief"
            )
        ).one()
        nudge = conn.execute(select(nudges).where(nudges.c.moment_id == brief.id)).one()
        delivery = conn.execute(select(deliveries).where(deliveries.c.moment_id == brief.id)).one()
    db.dispose()
    assert brief.stop_reason == "delivered"
    assert brief.recipient_id == report.manager_id
    assert delivery.status == "delivered" and delivery.idempotency_key == f"moment-{brief.id}/email"

    competency = framework.competency(goal.competency_id)
    level = competency.level(goal.target_level)
    received = [read_mail(p) for p in smtp.messages()]
    mine = [m for m in received if m["X-Kairos-Delivery"] == delivery.idempotency_key]
    assert len(mine) == 1, f"expected exactly one message for the brief, got {len(mine)}"
    text = plain_text(mine[0])
    assert goal.text in " ".join(text.split()) or goal.text[:60] in text
    assert level.anchors[0] in " ".join(text.split())
    assert competency.definition.split()[0] in text
    assert "Why you are seeing this" in text
    assert mine[0].get_body(("html",)) is not None

    why = nudge.why
    assert why["event"]["type"] == "meeting.scheduled" and why["event"]["id"]
    assert why["play"] == {
        "id": "upcoming-one-on-one",
        "version": 1,
        "title": "Before a one-on-one",
        "action": "manager-brief",
    }
    decision = why["decision"]
    assert decision["policy_version"] == "default@2026.11" and decision["rule"] and decision["reasons"]
    assert decision["bottleneck"] and decision["evidence"] and decision["segment"]
    fitting = {"capability": {"learning_content", "practice"}, "awareness": {"reflection", "feedback_request"},
               "transfer": {"practice", "role_play", "feedback_request"}}  # fmt: skip
    assert decision["kind"] in fitting[decision["bottleneck"]], decision
    assert why["framework"] == {"id": framework.id, "version": framework.version, "name": framework.name}
    cited = {f["text"] for f in why["facts"]}
    assert goal.text in cited and level.anchors[0] in cited
    paths = [step["path"] for step in brief.trace]
    assert paths[:3] == ["trigger", "audience", "conditions/0"]
    assert "decide" in paths and paths[-1] == "deliver"


def test_running_the_same_tick_again_sends_nothing_more(database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:
    kairos = Kairos(database_url, tmp_path, smtp.port)
    import_demo_org(kairos)
    meeting, _, _, _ = _first_one_on_one_with_a_goal(database_url)
    now = (meeting.start - timedelta(minutes=30)).isoformat()
    kairos("run", "--once", "--now", now)
    first = len(smtp.messages())
    assert first >= 2
    kairos(
        "import",
        "calendar",
        str(Path(__file__).resolve().parents[2] / "examples/demo-org/calendar.ics"),
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-09",
        "--now",
        now,
    )
    kairos("run", "--once", "--now", now)
    assert len(smtp.messages()) == first


def test_the_running_worker_delivers_as_time_passes_and_stops_cleanly_on_sigterm(
    database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    import signal
    import time

    kairos = Kairos(database_url, tmp_path, smtp.port)
    import_demo_org(kairos)
    meeting, _, _, _ = _first_one_on_one_with_a_goal(database_url)
    # Start the clock two seconds before the brief is due; the worker ticks every 0.2 s.
    start = meeting.start - timedelta(minutes=30, seconds=2)
    worker = kairos.start("run", "--interval", "0.2", "--now", start.isoformat())
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages()) < 2 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert len(smtp.messages()) >= 2, worker.stderr.read() if worker.poll() is not None else "no mail in 60 s"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert worker.returncode == 0
