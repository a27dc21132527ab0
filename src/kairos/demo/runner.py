"""``kairos demo``: import the demo organization, simulate two weeks, print what was sent and why."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import distinct, func, select

from kairos.demo.mail_sink import MailSink
from kairos.domain.commitment import CommitmentKind
from kairos.domain.response import ResponseKind
from kairos.domain.style import StyleSharing
from kairos.errors import KairosError
from kairos.ingest.agreements import record_commitment
from kairos.ingest.assessments import import_assessments, set_style_sharing
from kairos.ingest.checkins import import_checkins
from kairos.ingest.framework import import_framework
from kairos.ingest.goals import import_goals
from kairos.ingest.ical import import_calendar
from kairos.ingest.idp import import_plans
from kairos.ingest.people import import_people
from kairos.ingest.preferences import Change, change_preferences
from kairos.ingest.responses import record_response
from kairos.ingest.reviews import import_reviews
from kairos.ingest.three_sixty import import_three_sixty
from kairos.resources import examples_dir
from kairos.settings import load_settings
from kairos.store import Database, open_database
from kairos.store import decisions as decision_store
from kairos.store import frameworks as framework_store
from kairos.store import people as people_store
from kairos.store.queries import sent_nudges, stop_reason_counts
from kairos.store.schema import digests, feedback_campaigns, feedback_raters, meetings, moments
from kairos.store.schema import goals as goal_rows
from kairos.worker.learn import settle_due
from kairos.worker.runtime import build_runtime
from kairos.worker.tick import simulate

START = datetime(2026, 3, 2, tzinfo=UTC)
SECOND_SNAPSHOT = datetime(2026, 3, 4, tzinfo=UTC)
END = datetime(2026, 3, 16, tzinfo=UTC)


def _fresh(data_dir: Path) -> None:
    if data_dir.exists():
        unexpected = [
            p.name
            for p in data_dir.iterdir()
            if p.name not in {"kairos.db", "kairos.db-wal", "kairos.db-shm", "mail", "secret.key", "cache"}
        ]
        if unexpected:
            raise KairosError(
                f"{data_dir} holds files the demo did not make ({', '.join(unexpected[:3])}); choose another --data-dir"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)


def run_demo(data_dir: Path, out: Console) -> None:
    org = examples_dir() / "demo-org"
    _fresh(data_dir)
    mail = data_dir / "mail"
    with MailSink(mail) as sink:
        settings = load_settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{(data_dir / 'kairos.db').resolve()}",
            smtp={"host": "127.0.0.1", "port": sink.port, "sender": "Kairos <kairos@northwind.example>"},
        )
        db = open_database(settings.effective_database_url)
        db.migrate()
        before = datetime(2026, 2, 27, 12, tzinfo=UTC)
        people = import_people(db, org / "people.csv", as_of=date(2026, 2, 27), now=before)
        # The same framework as a 1EdTech CASE package, stored as its own framework id; the talent team says
        # which of the two goals and feedback are read against.
        framework, _ = import_framework(db, org / "framework.yaml", now=before - timedelta(minutes=1))
        case, _ = import_framework(db, org / "framework.case.json", now=before)
        with db.transaction() as conn:
            framework_store.use(conn, framework.id, "the talent team", before)
        goals = import_goals(db, org / "goals.csv", now=before) + import_goals(db, org / "goals.json", now=before)
        calendar = import_calendar(db, org / "calendar.ics", window=(START, END), now=before)
        # Feedback from the January–February review cycle, checked against 2026.1 like the goals above.
        feedback_at = before + timedelta(minutes=30)
        import_three_sixty(db, org / "three-sixty.csv", now=feedback_at)
        reviews = import_reviews(db, org / "reviews.csv", now=feedback_at)
        checkins = import_checkins(db, org / "check-ins.csv", now=feedback_at)
        plans = import_plans(db, org / "plans.csv", now=feedback_at)
        assessed = [import_assessments(db, p, now=feedback_at) for p in sorted((org / "assessments").glob("*.csv"))]
        # Consent is each person's own: one report keeps their style to themself, two managers share theirs
        # with their teams (their reports' tips then say how they tend to work).
        for person_id, sharing in (("nw-012", StyleSharing.PRIVATE), ("nw-006", StyleSharing.TEAM),
                                   ("nw-009", StyleSharing.TEAM)):  # fmt: skip
            set_style_sharing(db, person_id, sharing, by=person_id, now=feedback_at)
        # How people chose to be reached: two take a daily digest, one wants nothing pushed (their inbox only), one
        # keeps quiet mornings.
        for person_id, change in _PREFERENCES:
            change_preferences(db, person_id, change, by=person_id, enabled=["email"], now=feedback_at)
        with db.transaction() as conn:
            campaign = conn.execute(select(feedback_campaigns.c.name)).scalar_one()
            rated, responses = conn.execute(
                select(func.count(distinct(feedback_raters.c.subject_id)), func.count()).select_from(feedback_raters)
            ).one()
            review_goals = conn.execute(select(func.count()).select_from(goal_rows)).scalar_one() - goals
        # The talent team then publishes version 2026.2 with role benchmarks: goals keep citing 2026.1,
        # and transition nudges quote what the new level expects from 2026.2.
        updated, _ = import_framework(
            db, examples_dir() / "frameworks" / "framework-with-benchmarks.yaml", now=before + timedelta(hours=1)
        )
        out.print(
            f"Imported {people.people} people, {framework.name} {framework.version} (then {updated.version}, with role "
            f"benchmarks), {goals} goals, {calendar.meetings} meeting occurrences."
        )
        out.print(
            f"Also imported: the framework as 1EdTech CASE ({case.id} {case.version}, {len(case.competencies)} "
            f"competencies); the 360 campaign '{campaign}' ({rated} people rated, {responses} rater responses); "
            f"{reviews.records} reviews with {review_goals} new goals; {checkins.records} check-ins "
            f"({checkins.events} skill gaps flagged); "
            f"{plans.records} development plans."
        )
        out.print(
            "Assessments: "
            + ", ".join(f"{a.results} {a.instrument.value}" for a in assessed)
            + " (some people have two instruments, some none); nw-012 keeps their style private, "
            "nw-006 and nw-009 share theirs with their teams."
        )
        out.print("Preferences: nw-032 and nw-036 chose a daily digest (16:00 and the default 08:30), nw-047 reads "
                  "Kairos in the inbox only, nw-015 keeps quiet hours until 10:00.")  # fmt: skip
        rt = build_runtime(settings, db)
        simulate(rt, START, SECOND_SNAPSHOT)
        recorded = _record_commitments(db, SECOND_SNAPSHOT)
        out.print(f"Recorded {recorded} commitments from this week's 1:1s; the next briefs bring them back.")
        answers = _record_responses(db, SECOND_SNAPSHOT)
        out.print("People answered this week's tips: " + ", ".join(f"{n} {k}" for k, n in sorted(answers.items()))
                  + "; the next decisions take them into account.")  # fmt: skip
        second = import_people(db, org / "people-2026-03-04.csv", as_of=SECOND_SNAPSHOT.date(), now=SECOND_SNAPSHOT)
        out.print(
            f"Second snapshot on {SECOND_SNAPSHOT:%d %b}: " + ", ".join(f"{n} {t}" for t, n in second.changes.items())
        )
        simulate(rt, SECOND_SNAPSHOT, END)
        # Two weeks after the last moment every decision's outcome window has closed: settle them into the policy.
        settled = settle_due(db, rt.policy, END + timedelta(days=rt.policy.adaptive.settle_after_days + 1))
        with db.transaction() as conn:
            waiting = len(decision_store.waiting_reviews(conn))
    _print_report(db, out, mail)
    out.print(f"{settled} decisions settled into what the policy learned (kairos policy report); {waiting} weighty "
              "recommendations wait for a person (kairos review list).")  # fmt: skip
    db.dispose()


_PREFERENCES = (
    ("nw-032", Change(pacing="digest", digest_time="16:00")),
    ("nw-036", Change(pacing="digest")),
    ("nw-047", Change(channel="inbox")),
    ("nw-015", Change(quiet_hours="18:00-10:00")),
)

_COMMITMENTS = (
    (CommitmentKind.NEXT_STEP, "Send the draft to two reviewers before Friday and ask each for one concrete change."),
    (CommitmentKind.MANAGER_FEEDBACK, "In the planning meeting, open with the decision you need, then the context."),
    (CommitmentKind.MANAGER_ACTION, "Introduce you to the data team lead so you can agree the hand-over together."),
)


def _record_commitments(db: Database, now: datetime) -> int:
    """A few commitments from 1:1s held before ``now`` whose series meets again later, as a manager records them."""
    with db.transaction() as conn:
        held = conn.execute(
            select(meetings.c.uid, meetings.c.key, meetings.c.end, meetings.c.attendee_ids)
            .where(meetings.c.kind == "one_on_one", meetings.c.end < now)
            .order_by(meetings.c.start)
        ).all()
        again = {
            uid for (uid,) in conn.execute(select(meetings.c.uid).where(meetings.c.start > now + timedelta(days=1)))
        }
        people = people_store.active(conn)
    recorded = 0
    for meeting in held:
        pair = [people[p] for p in meeting.attendee_ids if p in people]
        report = next((p for p in pair if p.manager_id in meeting.attendee_ids), None)
        if meeting.uid not in again or report is None or report.manager_id is None:
            continue
        kind, text = _COMMITMENTS[recorded % len(_COMMITMENTS)]
        record_commitment(db, person_id=report.id, kind=kind, text=text, by=report.manager_id,
                          now=meeting.end + timedelta(minutes=10), meeting_key=meeting.key)  # fmt: skip
        recorded += 1
        if recorded == 6:
            break
    return recorded


_REFLECTIONS = (
    "I tried opening with the decision I needed; the meeting was half as long.",
    "Honestly I am overwhelmed this month and can't sleep before these reviews.",
    "Asked two people for feedback on the draft. One of them found a gap I had missed.",
)


def _record_responses(db: Database, now: datetime) -> Counter[str]:
    """Answers to the week's tips, as people would give them: most nothing, some applied, a few reflections, one
    snooze, one "not relevant" — and one reflection that reads as distress, which routes that person to a coach."""
    delivered = (moments.c.action == "employee-tip", moments.c.stop_reason == "delivered", moments.c.finished_at < now)
    with db.transaction() as conn:
        tips = conn.execute(select(moments.c.id, moments.c.recipient_id).where(*delivered).order_by(moments.c.id)).all()
    answers: Counter[str] = Counter()
    reflections = iter(_REFLECTIONS)
    at = now - timedelta(hours=1)
    for n, tip in enumerate(tips):
        text = None
        if n == 5:
            kind = ResponseKind.NOT_RELEVANT
        elif n == 9:
            kind = ResponseKind.SNOOZE
        elif n % 4 == 0:
            kind = ResponseKind.APPLIED
        elif n % 7 == 1 and (text := next(reflections, None)):
            kind = ResponseKind.REFLECTION
        else:
            continue
        record_response(db, tip.id, kind, by=tip.recipient_id, now=at, channel="demo", text=text)
        answers[kind.value] += 1
    return answers


def _print_report(db, out: Console, mail: Path) -> None:  # type: ignore[no-untyped-def]
    table = Table(
        "sent (recipient's local time)",
        "to",
        "play / action",
        "subject",
        "why (rule → intervention)",
        title="What Kairos sent",
    )
    for r in sent_nudges(db):
        local = r.delivered_at.astimezone(ZoneInfo(r.time_zone))
        decision = r.why["decision"]
        table.add_row(
            f"{local:%a %d %b %H:%M} {r.time_zone}",
            r.name,
            f"{r.play_id} / {r.action}",
            r.subject,
            f"{decision['rule']} → {decision['kind']}",
        )
    out.print(table)
    channels = Counter(r.channel for r in sent_nudges(db))
    with db.transaction() as conn:
        digests_sent = conn.execute(select(func.count()).select_from(digests).where(digests.c.status == "delivered"))
        digest_count = digests_sent.scalar_one()
    out.print("Delivered by channel: " + ", ".join(f"{n} {c}" for c, n in channels.most_common())
              + f"; {digest_count} daily digests gathered some of them. Every nudge is also in its recipient's "
              "inbox (kairos inbox link PERSON).")  # fmt: skip
    counts = Counter(stop_reason_counts(db))
    out.print("Moments by how they ended: " + ", ".join(f"{n} {reason}" for reason, n in counts.most_common()))
    out.print(f"Read the messages in {mail.resolve()} (.eml files).")
    out.print(f"Every moment's trace: KAIROS_DATA_DIR={mail.parent} ./kairos.sh moments --trace --limit 10")
