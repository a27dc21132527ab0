"""Read-only views over moments, nudges and deliveries for the CLI, reports and tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kairos.store.db import Database
from kairos.store.schema import deliveries, moments, nudges, people


def recent_moments(db: Database, recipient_id: str | None, limit: int) -> list[Any]:
    query = select(moments).order_by(moments.c.id.desc()).limit(limit)
    if recipient_id:
        query = query.where(moments.c.recipient_id == recipient_id)
    with db.transaction() as conn:
        return list(conn.execute(query))


def sent_nudges(db: Database) -> list[Any]:
    """Delivered nudges in delivery order, with recipient and moment details."""
    query = (
        select(
            deliveries.c.delivered_at,
            deliveries.c.channel,
            deliveries.c.provider_id,
            moments.c.id.label("moment_id"),
            moments.c.play_id,
            moments.c.action,
            moments.c.time_zone,
            people.c.name,
            people.c.email,
            nudges.c.subject,
            nudges.c.why,
            nudges.c.text,
        )
        .select_from(
            deliveries.join(moments, moments.c.id == deliveries.c.moment_id)
            .join(nudges, nudges.c.id == deliveries.c.nudge_id)
            .join(people, people.c.id == deliveries.c.recipient_id)
        )
        .where(deliveries.c.status == "delivered")
        .order_by(deliveries.c.delivered_at, deliveries.c.id)
    )
    with db.transaction() as conn:
        return list(conn.execute(query))


def stop_reason_counts(db: Database) -> dict[str, int]:
    from sqlalchemy import func

    query = select(moments.c.stop_reason, func.count()).group_by(moments.c.stop_reason)
    with db.transaction() as conn:
        return {r[0] or "pending": r[1] for r in conn.execute(query)}
