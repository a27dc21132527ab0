"""Learning from outcomes: settle decisions whose outcome window has passed and update the posteriors.

A decision is settled once ``settle_after_days`` have passed: the behavior evidence in that window
becomes its reward (``decide/rewards.py``), and the reward updates the Beta posterior of its
segment, bottleneck and kind. Rule-only decisions (pause, escalation) and decisions of another
policy version are settled without a reward: the adaptive choice never learns from them. Evidence
in overlapping windows credits every decision it follows (shared credit), which the report states.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from kairos.decide.adaptive import Arm
from kairos.decide.policy_file import RULE_ONLY, PolicyFile
from kairos.decide.rewards import Outcomes, reward
from kairos.domain.decision import Bottleneck, InterventionKind
from kairos.domain.response import ResponseKind
from kairos.store import Database
from kairos.store import decisions as decision_store
from kairos.store.schema import commitments, events, observations, people, review_ratings, reviews

_PRACTICE = ("practice", "role_play")


def settle_due(db: Database, policy: PolicyFile, now: datetime) -> int:
    """Settle every decision whose window has passed; returns how many were settled."""
    window = timedelta(days=policy.adaptive.settle_after_days)
    settled = 0
    while True:
        with db.transaction() as conn:
            batch = decision_store.unsettled_before(conn, now - window, limit=500)
            if not batch:
                return settled
            for row in batch:
                _settle(conn, row, policy, window, now)
            settled += len(batch)


def _settle(conn: Connection, row: Any, policy: PolicyFile, window: timedelta, now: datetime) -> None:
    # Only choices the adaptive policy made are learned from; a kind a guardrail or a single-option rule imposed
    # says nothing about which help works better.
    learnable = (row.policy == policy.label and row.bottleneck and row.rule.endswith("+thompson")
                 and row.kind not in {k.value for k in RULE_ONLY})  # fmt: skip
    outcomes = _outcomes(conn, row, row.decided_at, row.decided_at + window)
    value, detail = reward(outcomes, policy.rewards)
    if not learnable:
        why = "decided by a rule, not by the adaptive choice, or under another policy version"
        decision_store.settle(conn, row.id, None, {"not_learned": why}, now)
        return
    arms = decision_store.arms(conn, row.policy, row.segment)
    key = (Bottleneck(row.bottleneck), InterventionKind(row.kind))
    updated = arms.get(key, Arm()).updated(value)
    decision_store.save_arm(conn, row.policy, row.segment, row.bottleneck, row.kind, updated, now)
    decision_store.settle(conn, row.id, value, detail, now)


def _outcomes(conn: Connection, row: Any, start: datetime, end: datetime) -> Outcomes:
    answers = decision_store.responses_to(conn, row.moment_id)
    applied = any(a.kind is ResponseKind.APPLIED for a in answers)
    kept = conn.execute(select(commitments.c.id).where(
        commitments.c.person_id == row.person_id, commitments.c.status == "done",
        commitments.c.followed_up_at > start, commitments.c.followed_up_at <= end).limit(1)).first()  # fmt: skip
    manager = conn.execute(select(people.c.manager_id).where(people.c.id == row.person_id)).scalar()
    observation = conn.execute(select(observations.c.id).where(
        observations.c.person_id == row.person_id, observations.c.author_id == manager,
        observations.c.recorded_at > start, observations.c.recorded_at <= end).limit(1)).first()  # fmt: skip
    observed = manager is not None and observation is not None
    learned = conn.execute(select(events.c.id).where(
        events.c.subject == row.person_id, events.c.type == "learning.completed", events.c.time > start,
        events.c.time <= end).limit(1)).first()  # fmt: skip
    return Outcomes(
        practice_done=applied and row.kind in _PRACTICE,
        commitment_kept=kept is not None,
        manager_observation=observed,
        level_gain=_level_gain(conn, row, start, end),
        applied=applied and row.kind not in _PRACTICE,
        reflection=any(a.kind is ResponseKind.REFLECTION for a in answers),
        rating_4_or_5=any(a.kind is ResponseKind.RATING and (a.rating or 0) >= 4 for a in answers),
        learning_completed=learned is not None,
    )


def _level_gain(conn: Connection, row: Any, start: datetime, end: datetime) -> bool:
    """A review inside the window rated the focus competency above the last review before the decision."""
    if not row.competency_id:
        return False
    query = (
        select(reviews.c.review_date, review_ratings.c.level)
        .join(review_ratings, review_ratings.c.review_id == reviews.c.id)
        .where(reviews.c.person_id == row.person_id, review_ratings.c.competency_id == row.competency_id)
        .order_by(reviews.c.review_date)
    )
    before = [r.level for r in conn.execute(query) if r.review_date <= start.date()]
    after = [r.level for r in conn.execute(query) if start.date() < r.review_date <= end.date()]
    return bool(before and after) and max(after) > before[-1]


def learned_report(db: Database, policy: PolicyFile) -> dict[str, Any]:
    """What the policy optimizes, and per segment what it has learned and how much it explored."""
    with db.transaction() as conn:
        arms = decision_store.all_arms(conn, policy.label)
        segments = sorted({a.segment for a in arms} | set(decision_store.segments(conn, policy.label)))
        share = {s: decision_store.exploration(conn, policy.label, s) for s in segments}
        settled = decision_store.settled_summary(conn, policy.label)
    return {
        "policy": policy.label,
        "optimizes": policy.optimizes,
        "segments_by": list(policy.adaptive.segment_by),
        "protected_attributes": "protected attributes are never used: segments come only from career stage and track",
        "max_explore_share": policy.adaptive.max_explore_share,
        "credit": f"outcomes within {policy.adaptive.settle_after_days} days after a decision count toward it; "
        "overlapping windows share credit",
        "segments": [
            {
                "segment": s,
                "adaptive_decisions": share[s][1],
                "exploratory": share[s][0],
                "settled": settled.get(s, {}).get("count", 0),
                "mean_reward": settled.get(s, {}).get("mean"),
                "arms": [
                    {
                        "bottleneck": a.bottleneck,
                        "kind": a.kind,
                        "outcomes": a.pulls,
                        "posterior_mean": round(a.alpha / (a.alpha + a.beta), 3),
                    }
                    for a in arms
                    if a.segment == s
                ],  # fmt: skip
            }
            for s in segments
        ],
    }
