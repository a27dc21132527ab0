"""Through the real worker: someone with no agreed focus and no review goal gets a brief and a tip on their career
stage's priority behavior with the widest gap, in the organization's words, cited in the why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from kairos.ingest.framework import import_framework
from kairos.ingest.ical import import_calendar
from kairos.ingest.people import import_people
from kairos.ingest.reviews import import_reviews
from kairos.store import Database
from kairos.store.schema import moments, nudges
from kairos.worker.tick import simulate
from tests.factories import people_csv
from tests.integration.test_worker_rules import BEFORE, _event, _runtime

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "examples/frameworks/framework-with-benchmarks.yaml"


def _org_without_goals(db: Database, tmp: Path, reviews: str | None) -> None:
    people_csv(
        tmp / "people.csv",
        [
            "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    (tmp / "cal.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + _event("one-on-one", "20260303T100000")
        + "END:VCALENDAR\r\n"
    )
    import_people(db, tmp / "people.csv", as_of=date(2026, 2, 27), now=BEFORE)
    import_framework(db, FRAMEWORK, now=BEFORE)
    if reviews is not None:
        (tmp / "reviews.csv").write_text("person_id,reviewer_id,review_date,competency_id,rating\n" + reviews)
        import_reviews(db, tmp / "reviews.csv", now=BEFORE)
    window = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    import_calendar(db, tmp / "cal.ics", window=window, now=BEFORE)


def _delivered(db: Database, tmp: Path) -> dict[str, tuple[str, dict]]:  # type: ignore[type-arg]
    from kairos.demo.mail_sink import MailSink

    with MailSink(tmp / "mail") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))
    with db.transaction() as conn:
        rows = conn.execute(select(moments.c.action, nudges.c.text, nudges.c.why).join(nudges)).all()
    return {r.action: (" ".join(r.text.split()), r.why) for r in rows}


def test_brief_without_a_goal_coaches_the_frontline_priority_with_the_widest_gap_and_cites_it(
    db: Database, tmp_path: Path
) -> None:
    # Frontline priorities (IC1–IC3): giving-feedback 2, clear-writing 2, decision-making 2, stakeholder-alignment 1.
    # Rita's review puts her at level 2 in feedback and writing, but level 1 in decision-making.
    ratings = "".join(
        f"rep,boss,2026-02-10,{cid},{n}\n"
        for cid, n in (("giving-feedback", 2), ("clear-writing", 2), ("decision-making", 1),
                       ("stakeholder-alignment", 1))
    )  # fmt: skip
    _org_without_goals(db, tmp_path, ratings)
    sent = _delivered(db, tmp_path)
    brief, why = sent["manager-brief"]
    assert "Rita has no agreed focus or review goal yet" in brief
    assert "priority behaviors for frontline roles" in brief
    assert "Making decisions" in brief
    assert "agree a focus together" in brief
    priority_facts = [f for f in why["facts"] if f["source"] == "priority"]
    assert [f["ref"] for f in priority_facts] == [
        "northwind-leadership@2026.2/priorities/frontline/decision-making/level-2"
    ]
    assert why["framework"]["version"] == "2026.2"
    anchors = [f for f in why["facts"] if "/decision-making/level-2/anchor-" in f["ref"]]
    assert anchors and all(a["text"] in brief for a in anchors)
    assert "the organization's priority behaviors for frontline roles" in brief
    tip, _ = sent["employee-tip"]
    assert "You have no agreed focus yet" in tip


def test_without_any_evidence_the_first_listed_priority_is_the_focus(db: Database, tmp_path: Path) -> None:
    _org_without_goals(db, tmp_path, None)
    brief, why = _delivered(db, tmp_path)["manager-brief"]
    assert "Lead every update with the decision or the ask." not in brief
    [fact] = [f for f in why["facts"] if f["source"] == "priority"]
    assert fact["text"] == "Name one concrete example and its effect in every piece of feedback."
    assert fact["text"] in brief
