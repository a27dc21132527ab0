"""Development goals, tracked after the review that set them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select, update

from kairos.domain.goal import DevelopmentGoal
from kairos.store.rows import upsert
from kairos.store.schema import goals


def save(conn: Connection, batch: Sequence[DevelopmentGoal], at: datetime) -> None:
    if not batch:
        return
    rows = [
        {
            "person_id": g.person_id,
            "competency_id": g.competency_id,
            "target_level": g.target_level,
            "text": g.text,
            "review_date": g.review_date,
            "framework_id": g.framework_id,
            "framework_version": g.framework_version,
            "status": "active",
            "created_at": at,
        }
        for g in batch
    ]
    key = ("person_id", "competency_id", "review_date")
    upsert(conn, goals, rows, key, ("target_level", "text", "framework_id", "framework_version", "status"))


def active_for(conn: Connection, person_id: str) -> list[DevelopmentGoal]:
    """The person's active goals, the most recently reviewed first."""
    rows = conn.execute(
        select(goals)
        .where(goals.c.person_id == person_id, goals.c.status == "active")
        .order_by(goals.c.review_date.desc(), goals.c.id.desc())
    )
    return [
        DevelopmentGoal(
            person_id=r.person_id,
            competency_id=r.competency_id,
            target_level=r.target_level,
            text=r.text,
            review_date=r.review_date,
            framework_id=r.framework_id,
            framework_version=r.framework_version,
        )
        for r in rows
    ]


def mark_achieved(conn: Connection, person_id: str, competency_id: str, review_date: date) -> None:
    """A review goal whose target level the evidence shows reached stops being the active goal."""
    conn.execute(
        update(goals)
        .where(goals.c.person_id == person_id, goals.c.competency_id == competency_id,
               goals.c.review_date == review_date, goals.c.status == "active")
        .values(status="achieved")
    )  # fmt: skip
