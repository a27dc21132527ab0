"""Decide and adapt through the real worker: answers change the next decision, weighty recommendations wait for a
person, outcomes settle into what the policy learns, and every decision is stored with its rule and inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.domain.commitment import CommitmentKind, CommitmentStatus
from kairos.domain.response import ResponseKind
from kairos.errors import InputError
from kairos.ingest.agreements import follow_up_commitment, record_commitment
from kairos.ingest.responses import record_response
from kairos.store import Database
from kairos.store.schema import decisions, moments, policy_arms, review_items
from kairos.worker.learn import learned_report, settle_due
from kairos.worker.review import approve, reject
from kairos.worker.tick import simulate
from tests.integration.test_worker_rules import _event, _org, _runtime

WEEK1 = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC))


def _weekly(db: Database, tmp: Path) -> None:
    _org(db, tmp, [_event("w1", "20260303T100000"), _event("w2", "20260310T100000"), _event("w3", "20260317T100000")])


def _run(db: Database, tmp: Path, start: datetime, end: datetime) -> None:
    with MailSink(tmp / "mail") as sink:
        simulate(_runtime(db, sink.port), start, end)


def _tip(db: Database, on: str) -> object:
    with db.transaction() as conn:
        return conn.execute(
            select(moments)
            .where(moments.c.action == "employee-tip", moments.c.context["meeting"].as_string().like(f"{on}@%"))
            .order_by(moments.c.id.desc())
        ).first()


def _decision(db: Database, moment_id: int) -> object:
    with db.transaction() as conn:
        return conn.execute(select(decisions).where(decisions.c.moment_id == moment_id)).one()


def test_every_delivered_moment_has_a_stored_decision_with_its_rule_bottleneck_and_segment(
    db: Database, tmp_path: Path
) -> None:
    _weekly(db, tmp_path)
    _run(db, tmp_path, *WEEK1)
    with db.transaction() as conn:
        rows = conn.execute(select(moments.c.id, decisions.c.rule, decisions.c.segment, decisions.c.bottleneck)
                            .join(decisions, decisions.c.moment_id == moments.c.id)
                            .where(moments.c.stop_reason == "delivered")).all()  # fmt: skip
        delivered = conn.execute(select(moments.c.id).where(moments.c.stop_reason == "delivered")).all()
    assert rows and len(rows) == len(delivered)
    assert all(r.rule and r.segment and r.bottleneck for r in rows)
    assert {r.segment for r in rows} <= {"frontline/ic", "mid-level/manager", "unstaged/ic", "unstaged/manager"}


def test_not_relevant_switches_the_next_kind_of_help_and_only_the_recipient_may_answer(
    db: Database, tmp_path: Path
) -> None:
    _weekly(db, tmp_path)
    _run(db, tmp_path, *WEEK1)
    first = _tip(db, "w1")
    assert first is not None and first.stop_reason == "delivered"  # type: ignore[attr-defined]
    before = _decision(db, first.id).kind  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="the recipient of moment"):
        record_response(db, first.id, ResponseKind.NOT_RELEVANT, by="boss", now=WEEK1[1])  # type: ignore[attr-defined]
    record_response(db, first.id, ResponseKind.NOT_RELEVANT, by="rep", now=WEEK1[1])  # type: ignore[attr-defined]
    _run(db, tmp_path, datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    second = _tip(db, "w2")
    decided = _decision(db, second.id)  # type: ignore[attr-defined]
    assert decided.kind != before and "switch_after_not_relevant" in str(  # type: ignore[attr-defined]
        _moment_decision(db, second.id)["guardrails"]  # type: ignore[attr-defined]
    )


def _moment_decision(db: Database, moment_id: int) -> dict:  # type: ignore[type-arg]
    with db.transaction() as conn:
        trace = conn.execute(select(moments.c.trace).where(moments.c.id == moment_id)).scalar_one()
    return next(step["values"] for step in trace if step["path"] == "decide")


def test_a_snooze_plans_the_nudge_again_for_the_next_working_morning(db: Database, tmp_path: Path) -> None:
    _weekly(db, tmp_path)
    _run(db, tmp_path, *WEEK1)
    first = _tip(db, "w1")
    tip_id = first.id  # type: ignore[attr-defined]
    # a tip is counted against the cap unless briefs-only: snoozing a counted nudge plans it again
    with db.transaction() as conn:
        conn.execute(moments.update().where(moments.c.id == tip_id).values(cap_exempt=False))
    record_response(db, tip_id, ResponseKind.SNOOZE, by="rep", now=datetime(2026, 3, 3, 9, 40, tzinfo=UTC))
    with db.transaction() as conn:
        again = conn.execute(select(moments).where(moments.c.dedup_key.like("%/snooze-%"))).one()
    assert again.status == "planned" and again.context["snoozed_from"] == tip_id
    assert again.due_at == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 Berlin, the next working day
    assert "snoozed by rep" in again.trace[-1]["detail"]


def test_a_weighty_recommendation_waits_for_approval_then_goes_out_exactly_as_held(
    db: Database, tmp_path: Path
) -> None:
    _weekly(db, tmp_path)
    # Rita's reflection reads as distress: the next decision routes her to a human coach, for a person to approve
    _run(db, tmp_path, *WEEK1)
    first = _tip(db, "w1")
    record_response(db, first.id, ResponseKind.REFLECTION, by="rep", now=WEEK1[1],  # type: ignore[attr-defined]
                    text="Honestly I am overwhelmed and can't sleep before these reviews.")  # fmt: skip
    _run(db, tmp_path, datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    held = _tip(db, "w2")
    assert held.stop_reason == "held_for_review"  # type: ignore[attr-defined]
    with db.transaction() as conn:
        [item] = conn.execute(select(review_items).where(review_items.c.status == "waiting")).all()
    assert item.decision["kind"] == "coaching_conversation" and item.decision["rule"] == "distress_to_coach"
    assert item.reasons == ["coaching conversation is a weighty recommendation"]
    moment_id = approve(
        db, item.id, by="coach-1", note="I will reach out today", now=datetime(2026, 3, 10, 8, tzinfo=UTC)
    )
    _run(db, tmp_path, datetime(2026, 3, 10, 8, tzinfo=UTC), datetime(2026, 3, 10, 9, tzinfo=UTC))
    with db.transaction() as conn:
        carried = conn.execute(select(moments).where(moments.c.id == moment_id)).one()
    assert carried.stop_reason == "delivered"
    steps = {s["path"]: s for s in carried.trace}
    assert "approved by coach-1" in steps["review"]["detail"]
    assert steps["decide"]["values"]["rule"] == "distress_to_coach"
    with pytest.raises(InputError, match="already approved"):
        reject(db, item.id, by="coach-2", note="no", now=datetime(2026, 3, 10, 9, tzinfo=UTC))


def test_outcomes_settle_into_the_posterior_of_the_segment_and_the_report_says_what_it_optimizes(
    db: Database, tmp_path: Path
) -> None:
    _weekly(db, tmp_path)
    _run(db, tmp_path, *WEEK1)
    first = _tip(db, "w1")
    record_response(db, first.id, ResponseKind.APPLIED, by="rep", now=WEEK1[1])  # type: ignore[attr-defined]
    kept = record_commitment(db, person_id="rep", kind=CommitmentKind.NEXT_STEP, text="Ask two reviewers", by="boss",
                             now=WEEK1[1])  # fmt: skip
    follow_up_commitment(db, kept.id, status=CommitmentStatus.DONE, note="did it", by="rep",
                         now=WEEK1[1] + timedelta(days=2))  # fmt: skip
    rt_policy = _runtime(db, 1).policy
    assert settle_due(db, rt_policy, WEEK1[0] + timedelta(days=10)) == 0  # the window is still open
    settled = settle_due(db, rt_policy, WEEK1[0] + timedelta(days=20))
    assert settled >= 2
    with db.transaction() as conn:
        rewarded = conn.execute(select(decisions).where(decisions.c.moment_id == first.id)).one()  # type: ignore[attr-defined]
        arms = conn.execute(select(policy_arms)).all()
    assert rewarded.reward and rewarded.reward_detail["commitment_kept"] == 0.8
    assert arms and all(a.segment for a in arms) and sum(a.pulls for a in arms) >= 1
    report = learned_report(db, rt_policy)
    assert "commitments from 1:1s kept" in report["optimizes"] and "protected" in report["protected_attributes"]
    assert any(seg["settled"] for seg in report["segments"])


def test_a_nudge_that_falls_due_on_a_day_off_waits_for_the_next_working_morning(db: Database, tmp_path: Path) -> None:
    from kairos.domain.moment import TraceStep
    from kairos.store import moments as moment_store

    _weekly(db, tmp_path)
    _run(db, tmp_path, *WEEK1)
    saturday = datetime(2026, 3, 7, 9, tzinfo=UTC)  # 10:00 in Berlin
    with db.transaction() as conn:
        row = conn.execute(select(moments).where(moments.c.id == _tip(db, "w1").id)).one()  # type: ignore[attr-defined]
        step = TraceStep("test", "done", "re-planned")
        again = moment_store.plan_again(conn, row, suffix="weekend", due_at=saturday, expires_at=None, context={},
                                        step=step, now=saturday)  # fmt: skip
        conn.execute(moments.update().where(moments.c.id == again).values(cap_exempt=False))
    _run(db, tmp_path, saturday, saturday + timedelta(hours=1))
    with db.transaction() as conn:
        waiting = conn.execute(select(moments).where(moments.c.id == again)).one()
    assert waiting.status == "planned" and waiting.due_at == datetime(2026, 3, 9, 7, tzinfo=UTC)  # Monday 08:00
    assert waiting.trace[-1]["detail"].startswith("deferred: Saturday is not a working day for rep")
