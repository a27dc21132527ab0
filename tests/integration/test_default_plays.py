"""The default plays through the real worker, a real database and a real SMTP sink: what arrives, when, and why
the moments that did not fire stopped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.domain.commitment import CommitmentKind
from kairos.domain.event import Event, EventType
from kairos.ingest.agreements import record_commitment
from kairos.ingest.checkins import import_checkins
from kairos.ingest.framework import import_framework
from kairos.ingest.goals import import_goals
from kairos.ingest.ical import import_calendar
from kairos.ingest.people import import_people
from kairos.ingest.reviews import import_reviews
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store.schema import events, moments
from kairos.worker.runtime import Runtime
from kairos.worker.tick import simulate
from tests.conftest import ROOT
from tests.factories import FRAMEWORK_YAML, people_csv
from tests.integration.test_worker_rules import _runtime

BEFORE = datetime(2026, 2, 27, 12, tzinfo=UTC)
BOSS = "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01"
REP = "rep,Rita Report,rep@example.com,{manager},Engineer,IC2,{team},Berlin,Europe/Berlin,2022-01-01"
LEAD = "lead,Lena Lead,lead@example.com,,Design Manager,M1,Design,New York,America/New_York,2019-01-01"
GOAL = "Give specific feedback after each design review."


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(tmp_path / "mail") as server:
        yield server


def _org(db: Database, tmp: Path, *, goals: bool = True) -> None:
    import_people(db, people_csv(tmp / "people.csv", [BOSS, REP.format(manager="boss", team="Core"), LEAD]),
                  as_of=date(2026, 2, 27), now=BEFORE)  # fmt: skip
    (tmp / "fw.yaml").write_text(FRAMEWORK_YAML)
    import_framework(db, tmp / "fw.yaml", now=BEFORE)
    if goals:
        (tmp / "goals.csv").write_text(
            f"person_id,competency_id,target_level,goal,review_date\nrep,giving-feedback,3,{GOAL},2026-02-10\n"
        )
        import_goals(db, tmp / "goals.csv", now=BEFORE)


def _mail(tmp: Path) -> list[tuple[str, str, str]]:
    """(recipient, subject, body text) of every message the sink received, in order."""
    found = []
    for path in sorted((tmp / "mail").glob("*.eml")):
        message: EmailMessage = message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[assignment]
        body = message.get_body(("plain",))
        assert body is not None
        found.append((str(message["To"]), str(message["Subject"]), " ".join(body.get_content().split())))
    return found


def _moments(db: Database, play_id: str) -> list[Any]:
    with db.transaction() as conn:
        return list(conn.execute(select(moments).where(moments.c.play_id == play_id).order_by(moments.c.id)))


def _policy(tmp: Path) -> Path:
    """The bundled policy without human review and without exploration, so these tests see each play's own
    message go out deterministically (the review queue and the adaptive choice have tests of their own)."""
    text = (ROOT / "content" / "policy" / "default.yaml").read_text()
    for held, free in (
        ("kinds: [coaching_conversation, stretch_assignment]", "kinds: []"),
        ("performance_concern: true", "performance_concern: false"),
        ("enabled: true", "enabled: false"),
    ):
        text = text.replace(held, free)
    (tmp / "policy.yaml").write_text(text)
    return tmp / "policy.yaml"


def _runtime_for(db: Database, sink: MailSink, tmp: Path) -> Runtime:
    return _runtime(db, sink.port, policy_file=_policy(tmp))


def _run(db: Database, sink: MailSink, start: datetime, days: int, tmp: Path) -> None:
    simulate(_runtime_for(db, sink, tmp), start, start + timedelta(days=days))


def test_a_completed_review_activates_its_goal_and_the_goals_own_nudge_gives_way(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    _org(db, tmp_path, goals=False)
    (tmp_path / "reviews.csv").write_text(
        "person_id,reviewer_id,review_date,competency_id,rating,target_level,goal,summary\n"
        f"rep,boss,2026-03-03,giving-feedback,2,3,{GOAL},A good first year.\n"
    )
    import_reviews(db, tmp_path / "reviews.csv", now=datetime(2026, 3, 3, 16, tzinfo=UTC))
    _run(db, sink, datetime(2026, 3, 3, 17, tzinfo=UTC), 3, tmp_path)

    [(to, subject, text)] = _mail(tmp_path)
    assert to == "Rita Report <rep@example.com>" and subject == "From your review to this week: Giving feedback"
    assert "Your review of 2026-03-03 is on record with 1 development goal" in text and GOAL in text
    [review] = _moments(db, "review-goals")
    assert review.stop_reason == "delivered"
    assert review.trace[-1]["detail"] == "sent: email, Wed 04 Mar 09:00 Europe/Berlin"
    [goal] = _moments(db, "goal-updated")
    assert goal.stop_reason == "deduplicated"
    assert goal.trace[-1]["detail"] == (
        "deduplicated: review-goals/activate-goals (priority 60) has rep's slot at Wed 04 Mar 09:00 Europe/Berlin; "
        "this moment has priority 40"
    )
    assert any(s["path"] == "rules/priority" and s["outcome"] == "pass" for s in review.trace)


def test_a_flagged_gap_brings_a_nudge_the_next_morning_and_ways_to_learn_on_monday(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    _org(db, tmp_path)
    (tmp_path / "check-ins.csv").write_text(
        "person_id,checkin_date,competency_id,severity,note\n"
        "rep,2026-03-05,giving-feedback,medium,Held back feedback on a design that was not ready.\n"
    )
    import_checkins(db, tmp_path / "check-ins.csv", now=datetime(2026, 3, 5, 17, tzinfo=UTC))
    _run(db, sink, datetime(2026, 3, 5, 17, tzinfo=UTC), 5, tmp_path)

    (to1, subject1, nudge), (to2, subject2, learning) = _mail(tmp_path)
    assert to1 == to2 == "Rita Report <rep@example.com>"
    assert subject1 == "After your check-in: a first step on giving feedback"
    assert "flagged room to grow in giving feedback, marked medium" in nudge and "where this skill mattered" in nudge
    assert subject2 == "Three ways to build giving feedback"
    assert "Names the behaviour and its effect, then asks for the other view." in learning
    gap, learn = _moments(db, "checkin-gap")
    assert gap.trace[-1]["detail"] == "sent: email, Fri 06 Mar 09:00 Europe/Berlin"
    assert learn.trace[-1]["detail"] == "sent: email, Mon 09 Mar 10:00 Europe/Berlin"


def test_a_completed_course_gets_a_next_step_that_names_it(db: Database, tmp_path: Path, sink: MailSink) -> None:
    _org(db, tmp_path)
    done = Event(id="stmt-1", source="lrs.example", type=EventType.LEARNING_COMPLETED, subject="rep",
                 time=datetime(2026, 3, 3, 15, tzinfo=UTC), data={"title": "Feedback that lands"})  # fmt: skip
    with db.transaction() as conn:
        event_log.append(conn, [done], datetime(2026, 3, 3, 15, tzinfo=UTC))
    _run(db, sink, datetime(2026, 3, 3, 15, tzinfo=UTC), 3, tmp_path)

    [(to, subject, text)] = _mail(tmp_path)
    assert to == "Rita Report <rep@example.com>" and subject == "After “Feedback that lands”: use it this week"
    assert "You finished “Feedback that lands” yesterday" in text and GOAL in text
    assert _moments(db, "learning-completed")[0].trace[-1]["detail"] == "sent: email, Wed 04 Mar 09:30 Europe/Berlin"


def test_a_manager_change_reaches_both_sides_and_the_new_manager_gets_one_style_briefing_and_a_plan(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    _org(db, tmp_path)
    moved = REP.format(manager="lead", team="Design")
    import_people(db, people_csv(tmp_path / "b.csv", [BOSS, moved, LEAD]), as_of=date(2026, 3, 5),
                  now=datetime(2026, 3, 5, 6, tzinfo=UTC))  # fmt: skip
    _run(db, sink, datetime(2026, 3, 5, 6, tzinfo=UTC), 5, tmp_path)

    mail = {(to.split("<")[1][:-1], subject): text for to, subject, text in _mail(tmp_path)}
    report = mail[("rep@example.com", "A new manager: make the first 1:1 count")]
    assert GOAL in report and "how you like to receive feedback" in report
    manager = mail[("lead@example.com", "Rita now reports to you: start with their story")]
    assert "Rita (Engineer, IC2) now reports to you" in manager and GOAL in manager
    briefings = [k for k in mail if k[1] == "Rita joins your team: how their style fits in"]
    assert briefings == [("lead@example.com", "Rita joins your team: how their style fits in")]
    assert "Rita has joined your team as Engineer" in mail[briefings[0]]
    joined, moved_team = _moments(db, "new-team-member-joined") + _moments(db, "new-team-member-moved")
    assert {joined.stop_reason, moved_team.stop_reason} == {"delivered", "deduplicated"}
    assert (joined.subject_id, joined.recipient_id) == ("rep", "lead")
    plan = mail[("lead@example.com", "Your first direct report: a plan for the first month")]
    assert "Someone now reports to you: your first time as a manager" in plan
    first = _moments(db, "first-direct-report")[0]
    timing = next(s for s in first.trace if s["path"] == "actions/0/timing")
    assert timing["detail"] == "09:00 America/New_York on Mon 09 Mar, 2 d after the event of Thu 05 Mar"


def test_a_stalled_focus_alerts_the_manager_once_with_talking_points(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    _org(db, tmp_path)
    record_commitment(db, person_id="rep", kind=CommitmentKind.NEXT_STEP, text="Draft the review checklist.",
                      by="boss", now=datetime(2026, 3, 2, 10, tzinfo=UTC))  # fmt: skip
    rt = _runtime_for(db, sink, tmp_path)
    day = datetime(2026, 3, 2, 5, tzinfo=UTC)
    for _ in range(30):  # a tick every morning and at every due moment for a month, as a running worker would
        simulate(rt, day, day + timedelta(hours=23, minutes=59))
        day += timedelta(days=1)

    with db.transaction() as conn:
        stalled = list(conn.execute(select(events).where(events.c.type == EventType.FOCUS_STALLED.value)))
    assert [(e.subject, e.data["reason"], e.data["last_activity"]) for e in stalled] == [
        ("rep", "no_activity", "2026-03-02")
    ]
    # Three weeks after the commitment (Monday 2 March, 10:00 UTC) is Monday 23 March, 10:00: the next tick.
    assert stalled[0].time == datetime(2026, 3, 24, 5, tzinfo=UTC)
    alerts = [(to, subject, text) for to, subject, text in _mail(tmp_path) if "gone quiet" in subject]
    [(to, subject, text)] = alerts
    assert to == "Bea Boss <boss@example.com>" and subject == "Rita's development focus has gone quiet"
    assert "Nothing has moved on Rita's development focus for 3 weeks" in text
    assert "Draft the review checklist." in text  # still open between them
    assert "Talking points for your next 1:1" in text


def test_after_a_performance_conversation_both_get_a_reflection_fifteen_minutes_after_it_ends(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    _org(db, tmp_path)
    (tmp_path / "cal.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:perf-1\r\n"
        "DTSTAMP:20260220T120000Z\r\nDTSTART;TZID=Europe/Berlin:20260304T140000\r\nDURATION:PT45M\r\n"
        "SUMMARY:Mid-year review\r\nORGANIZER:mailto:boss@example.com\r\nATTENDEE:mailto:boss@example.com\r\n"
        "ATTENDEE:mailto:rep@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    import_calendar(db, tmp_path / "cal.ics", window=(datetime(2026, 3, 2, tzinfo=UTC),
                    datetime(2026, 3, 9, tzinfo=UTC)), now=BEFORE)  # fmt: skip
    _run(db, sink, datetime(2026, 3, 2, tzinfo=UTC), 4, tmp_path)

    mail = {to.split("<")[1][:-1]: (subject, text) for to, subject, text in _mail(tmp_path)}
    assert mail["rep@example.com"][0] == "After your performance conversation: while it is fresh"
    assert mail["boss@example.com"][0] == "After your conversation with Rita: while it is fresh"
    assert "kairos commitments add" in mail["boss@example.com"][1]
    reflections = _moments(db, "reflect-after-performance-conversation")
    assert {m.trace[-1]["detail"] for m in reflections} == {"sent: email, Wed 04 Mar 15:00 Europe/Berlin"}
    assert {m.audience for m in reflections} == {"subject", "manager"}
    [one_on_one] = _moments(db, "upcoming-one-on-one")  # a performance conversation is not a 1:1
    assert one_on_one.stop_reason == "condition_not_met"
