"""A commitment agreed in one 1:1 comes back in the next brief and tip, and its follow-up is recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.store import open_database
from kairos.store.schema import deliveries, events, meetings, moments, nudges, people
from tests.e2e.conftest import Kairos, import_demo_org, plain_text, read_mail
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.e2e


def _weekly_pair(database_url: str):  # type: ignore[no-untyped-def]
    """Two consecutive occurrences of one manager/report 1:1 series, and the report's row."""
    db = open_database(database_url)
    with db.transaction() as conn:
        rows = conn.execute(select(meetings).where(meetings.c.kind == "one_on_one").order_by(meetings.c.start)).all()
        by_uid: dict[str, list] = {}  # type: ignore[type-arg]
        for row in rows:
            by_uid.setdefault(row.uid, []).append(row)
        for series in by_uid.values():
            if len(series) < 2:
                continue
            for pid in series[0].attendee_ids:
                person = conn.execute(select(people).where(people.c.id == pid)).one()
                if person.manager_id in series[0].attendee_ids:
                    db.dispose()
                    return series[0], series[1], person
    raise AssertionError("no weekly 1:1 series with two occurrences in the demo calendar")


def _messages_for(database_url: str, meeting_key: str) -> dict[str, tuple[str, dict]]:  # type: ignore[type-arg]
    """action → (delivery key, why) for the delivered nudges of one meeting."""
    db = open_database(database_url)
    with db.transaction() as conn:
        rows = conn.execute(
            select(moments.c.action, deliveries.c.idempotency_key, nudges.c.why)
            .select_from(
                moments.join(nudges, nudges.c.moment_id == moments.c.id).join(
                    deliveries, deliveries.c.moment_id == moments.c.id
                )
            )  # fmt: skip
            .where(moments.c.context["meeting"].as_string() == meeting_key, deliveries.c.status == "delivered")
        ).all()
    db.dispose()
    return {r.action: (r.idempotency_key, r.why) for r in rows}


def test_a_commitment_from_one_one_on_one_is_in_the_next_brief_and_its_follow_up_is_recorded(
    database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    kairos = Kairos(database_url, tmp_path, smtp.port)
    import_demo_org(kairos, calendar_to="2026-03-16")
    first, second, report = _weekly_pair(database_url)
    manager = report.manager_id

    kairos("run", "--once", "--now", (first.start - timedelta(minutes=30)).isoformat())
    promise = "Send Priya the draft of the onboarding guide and ask for two concrete suggestions."
    feedback = "Your summary at the planning meeting was clear; next time lead with the decision you need."
    after_first = (first.end + timedelta(minutes=5)).isoformat()
    added = kairos("commitments", "add", report.id, promise, "--by", manager, "--meeting", first.key,
                   "--now", after_first)  # fmt: skip
    commitment_id = added.stdout.split()[1]
    kairos("commitments", "add", report.id, feedback, "--by", manager, "--kind", "manager_feedback",
           "--now", after_first)  # fmt: skip

    kairos("run", "--once", "--now", (second.start - timedelta(minutes=30)).isoformat())
    sent = _messages_for(database_url, second.key)
    assert set(sent) == {"manager-brief", "employee-tip"}
    by_key = {read_mail(p)["X-Kairos-Delivery"]: read_mail(p) for p in smtp.messages()}
    brief = " ".join(plain_text(by_key[sent["manager-brief"][0]]).split())
    tip = " ".join(plain_text(by_key[sent["employee-tip"][0]]).split())
    assert "Still open from earlier 1:1s" in brief and promise in brief and feedback in brief
    assert f"{report.name.split()[0]}'s next step" in brief and "your feedback" in brief
    assert "What you and your manager agreed last time" in tip and promise in tip
    cited = {f["ref"] for f in sent["manager-brief"][1]["facts"] if f["source"] == "commitment"}
    assert cited == {f"commitment/{commitment_id}", f"commitment/{int(commitment_id) + 1}"}
    first_brief = _messages_for(database_url, first.key)["manager-brief"][1]
    assert not [f for f in first_brief["facts"] if f["source"] == "commitment"]  # nothing was open before

    note = "Sent on Thursday; two ideas back."
    done = kairos("commitments", "done", commitment_id, "--by", report.id, "--note", note,
                  "--now", (second.end + timedelta(minutes=1)).isoformat())  # fmt: skip
    assert "done" in done.stdout
    listing = kairos("commitments", "list", report.id).stdout
    assert "Sent on Thursday" in listing
    db = open_database(database_url)
    with db.transaction() as conn:
        recorded = [r.type for r in conn.execute(select(events.c.type).where(events.c.subject == report.id))]
    db.dispose()
    assert recorded.count("commitment.recorded") == 2 and recorded.count("commitment.followed_up") == 1
