"""Decisions as made, what the adaptive policy learned, people's responses, and the review queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, func, select, update

from kairos.decide.adaptive import Arm
from kairos.domain.decision import Bottleneck, Decision, InterventionKind
from kairos.domain.response import Response, ResponseKind
from kairos.store.rows import upsert
from kairos.store.schema import decisions, policy_arms, responses, review_items


def record(conn: Connection, moment_id: int, person_id: str, recipient_id: str, decision: Decision,
           competency_id: str | None, now: datetime) -> None:  # fmt: skip
    """One decision per moment (a retried moment keeps its first)."""
    if conn.execute(select(decisions.c.id).where(decisions.c.moment_id == moment_id)).first():
        return
    conn.execute(decisions.insert().values(
        moment_id=moment_id, person_id=person_id, recipient_id=recipient_id, policy=decision.policy_version,
        segment=decision.segment, bottleneck=decision.bottleneck.value if decision.bottleneck else None,
        kind=decision.kind.value, rule=decision.rule, explored=decision.explored, challenge=decision.challenge.value,
        needs_review=list(decision.needs_review), competency_id=competency_id, decided_at=now,
    ))  # fmt: skip


def recent_for(conn: Connection, person_id: str, limit: int = 10) -> list[Any]:
    return list(conn.execute(
        select(decisions).where(decisions.c.person_id == person_id)
        .order_by(decisions.c.decided_at.desc(), decisions.c.id.desc()).limit(limit)
    ))  # fmt: skip


def exploration(conn: Connection, policy: str, segment: str) -> tuple[int, int]:
    """(exploratory decisions, all adaptive decisions) of a segment under a policy."""
    row = conn.execute(
        select(func.count(), func.coalesce(func.sum(func.cast(decisions.c.explored, Integer)), 0)).where(
            decisions.c.policy == policy, decisions.c.segment == segment, decisions.c.rule.like("%+thompson")
        )
    ).one()
    return int(row[1]), int(row[0])


def arms(conn: Connection, policy: str, segment: str) -> dict[tuple[Bottleneck, InterventionKind], Arm]:
    rows = conn.execute(select(policy_arms).where(policy_arms.c.policy == policy, policy_arms.c.segment == segment))
    return {(Bottleneck(r.bottleneck), InterventionKind(r.kind)): Arm(r.alpha, r.beta, r.pulls) for r in rows}


def all_arms(conn: Connection, policy: str) -> list[Any]:
    order = (policy_arms.c.segment, policy_arms.c.bottleneck, policy_arms.c.kind)
    return list(conn.execute(select(policy_arms).where(policy_arms.c.policy == policy).order_by(*order)))


def save_arm(conn: Connection, policy: str, segment: str, bottleneck: str, kind: str, arm: Arm,
             now: datetime) -> None:  # fmt: skip
    upsert(conn, policy_arms, [{"policy": policy, "segment": segment, "bottleneck": bottleneck, "kind": kind,
                                "alpha": arm.alpha, "beta": arm.beta, "pulls": arm.pulls, "updated_at": now}],
           ("policy", "segment", "bottleneck", "kind"), ("alpha", "beta", "pulls", "updated_at"))  # fmt: skip


def unsettled_before(conn: Connection, before: datetime, limit: int = 1000) -> list[Any]:
    return list(conn.execute(
        select(decisions).where(decisions.c.settled_at.is_(None), decisions.c.decided_at <= before)
        .order_by(decisions.c.decided_at, decisions.c.id).limit(limit)
    ))  # fmt: skip


def settle(conn: Connection, decision_id: int, reward: float | None, detail: dict[str, Any], now: datetime) -> None:
    conn.execute(update(decisions).where(decisions.c.id == decision_id)
                 .values(settled_at=now, reward=reward, reward_detail=detail))  # fmt: skip


def decided_kinds(conn: Connection, moment_ids: Sequence[int]) -> dict[int, str]:
    if not moment_ids:
        return {}
    rows = conn.execute(select(decisions.c.moment_id, decisions.c.kind).where(decisions.c.moment_id.in_(moment_ids)))
    return {r.moment_id: r.kind for r in rows}


# --- responses -------------------------------------------------------------------------------------------


def add_response(conn: Connection, *, moment_id: int, person_id: str, kind: ResponseKind, channel: str,
                 now: datetime, text: str | None = None, rating: int | None = None) -> int:  # fmt: skip
    values = {"moment_id": moment_id, "person_id": person_id, "kind": kind.value, "text": text, "rating": rating,
              "channel": channel, "received_at": now}  # fmt: skip
    result = conn.execute(responses.insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def responses_of(conn: Connection, person_id: str, since: datetime) -> list[Response]:
    """The person's responses since ``since``, newest first, each with the kind of help its moment carried."""
    rows = conn.execute(
        select(responses, decisions.c.kind.label("intervention"))
        .select_from(responses.outerjoin(decisions, decisions.c.moment_id == responses.c.moment_id))
        .where(responses.c.person_id == person_id, responses.c.received_at >= since)
        .order_by(responses.c.received_at.desc(), responses.c.id.desc())
    )
    return [Response(r.id, r.moment_id, r.person_id, ResponseKind(r.kind), r.received_at, r.channel, r.text, r.rating,
                     r.intervention) for r in rows]  # fmt: skip


def answered_moments(conn: Connection, moment_ids: Sequence[int]) -> set[int]:
    """Which of these moments have at least one response (one query, not one per moment)."""
    if not moment_ids:
        return set()
    rows = conn.execute(select(responses.c.moment_id).where(responses.c.moment_id.in_(moment_ids)).distinct())
    return {r[0] for r in rows}


def responses_to(conn: Connection, moment_id: int) -> list[Response]:
    rows = conn.execute(select(responses).where(responses.c.moment_id == moment_id).order_by(responses.c.id))
    return [Response(r.id, r.moment_id, r.person_id, ResponseKind(r.kind), r.received_at, r.channel, r.text,
                     r.rating) for r in rows]  # fmt: skip


# --- the review queue ------------------------------------------------------------------------------------


def hold_for_review(conn: Connection, moment_id: int, decision: Decision, now: datetime) -> int:
    existing = conn.execute(select(review_items.c.id).where(review_items.c.moment_id == moment_id)).first()
    if existing:
        return int(existing.id)
    result = conn.execute(review_items.insert().values(moment_id=moment_id, decision=decision.as_dict(),
                                                       reasons=list(decision.needs_review), status="waiting",
                                                       created_at=now))  # fmt: skip
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def review_item(conn: Connection, item_id: int) -> Any:
    return conn.execute(select(review_items).where(review_items.c.id == item_id)).first()


def waiting_reviews(conn: Connection) -> list[Any]:
    return list(conn.execute(select(review_items).where(review_items.c.status == "waiting")
                             .order_by(review_items.c.created_at, review_items.c.id)))  # fmt: skip


def close_review(conn: Connection, item_id: int, status: str, by: str, note: str, now: datetime) -> None:
    conn.execute(update(review_items).where(review_items.c.id == item_id)
                 .values(status=status, decided_by=by, decided_at=now, note=note))  # fmt: skip


def segments(conn: Connection, policy: str) -> list[str]:
    return [r[0] for r in conn.execute(select(decisions.c.segment).where(decisions.c.policy == policy).distinct())]


def settled_summary(conn: Connection, policy: str) -> dict[str, dict[str, Any]]:
    """Per segment: how many decisions were settled with a reward, and the mean reward."""
    rows = conn.execute(
        select(decisions.c.segment, func.count(), func.avg(decisions.c.reward))
        .where(decisions.c.policy == policy, decisions.c.reward.is_not(None))
        .group_by(decisions.c.segment)
    )
    return {r[0]: {"count": int(r[1]), "mean": float(r[2]) if r[2] is not None else None} for r in rows}


def set_content_item(conn: Connection, moment_id: int, item_id: str) -> None:
    conn.execute(update(decisions).where(decisions.c.moment_id == moment_id).values(content_item=item_id))


def recent_content_items(conn: Connection, person_id: str, limit: int = 20) -> list[str]:
    """The library items recently offered to the person, newest first: not offered again soon."""
    rows = conn.execute(
        select(decisions.c.content_item)
        .where(decisions.c.person_id == person_id, decisions.c.content_item.is_not(None))
        .order_by(decisions.c.decided_at.desc(), decisions.c.id.desc())
        .limit(limit)
    )
    return [r[0] for r in rows]
