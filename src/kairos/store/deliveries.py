"""Deliveries: one row per (moment, channel), keyed so that a retry can never send twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from kairos.store.schema import deliveries, moments


def idempotency_key(moment_id: int, channel: str) -> str:
    return f"moment-{moment_id}/{channel}"


def get_by_key(conn: Connection, key: str) -> Any:
    return conn.execute(select(deliveries).where(deliveries.c.idempotency_key == key)).first()


def prepare(
    conn: Connection,
    *,
    key: str,
    moment_id: int,
    nudge_id: int,
    channel: str,
    recipient_id: str,
    cap_exempt: bool,
    now: datetime,
    primary: bool = True,
    status: str = "prepared",
    reason: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    conn.execute(
        deliveries.insert().values(
            idempotency_key=key,
            moment_id=moment_id,
            nudge_id=nudge_id,
            channel=channel,
            recipient_id=recipient_id,
            cap_exempt=cap_exempt,
            status=status,
            is_primary=primary,
            attempts=0,
            reason=reason,
            next_attempt_at=next_attempt_at,
            updated_at=now,
        )
    )


def for_moment(conn: Connection, moment_id: int) -> list[Any]:
    """The moment's deliveries, its primary ones (the person's own channel, then any fallback) first."""
    return list(
        conn.execute(
            select(deliveries)
            .where(deliveries.c.moment_id == moment_id)
            .order_by(deliveries.c.is_primary.desc(), deliveries.c.id)
        )
    )


def companions_due(conn: Connection, now: datetime, stale_before: datetime, limit: int = 100) -> list[Any]:
    """Companion deliveries (the calendar copy of a brief) whose time has come, and ones left ``sending`` since
    before ``stale_before`` by a worker that stopped."""
    return list(
        conn.execute(
            select(deliveries)
            .where(
                deliveries.c.is_primary.is_(False),
                or_(
                    and_(deliveries.c.status.in_(("prepared", "retry")), deliveries.c.next_attempt_at <= now),
                    and_(deliveries.c.status == "sending", deliveries.c.updated_at < stale_before),
                ),
            )
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
    )


def waiting_for_digest(conn: Connection, recipient_id: str, channel: str) -> list[Any]:
    """Deliveries held for the recipient's digest on ``channel`` that no digest has taken yet."""
    return list(
        conn.execute(
            select(deliveries)
            .where(
                deliveries.c.recipient_id == recipient_id,
                deliveries.c.channel == channel,
                deliveries.c.status == "digest",
                deliveries.c.digest_key.is_(None),
            )
            .order_by(deliveries.c.moment_id)
        )
    )


def in_digest(conn: Connection, digest_key: str) -> list[Any]:
    return list(
        conn.execute(select(deliveries).where(deliveries.c.digest_key == digest_key).order_by(deliveries.c.moment_id))
    )


def set_status(conn: Connection, key: str, status: str, now: datetime, **values: Any) -> None:
    conn.execute(
        update(deliveries).where(deliveries.c.idempotency_key == key).values(status=status, updated_at=now, **values)
    )


def mark_sending(conn: Connection, key: str, now: datetime) -> None:
    conn.execute(update(deliveries).where(deliveries.c.idempotency_key == key).values(status="sending", updated_at=now))


def counted_between(conn: Connection, recipient_id: str, start: datetime, end: datetime) -> int:
    """Delivered nudges that count against the weekly cap, delivered inside [start, end)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.recipient_id == recipient_id,
                deliveries.c.status == "delivered",
                deliveries.c.cap_exempt.is_(False),
                deliveries.c.delivered_at >= start,
                deliveries.c.delivered_at < end,
            )
        ).scalar_one()
    )


def held_for_digest(conn: Connection, recipient_id: str) -> int:
    """Nudges that count against the weekly cap and wait for the recipient's daily digest."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.recipient_id == recipient_id,
                deliveries.c.status == "digest",
                deliveries.c.cap_exempt.is_(False),
            )
        ).scalar_one()
    )


def last_delivered(conn: Connection, recipient_id: str, play_id: str, action: str) -> datetime | None:
    return conn.execute(
        select(func.max(deliveries.c.delivered_at))
        .select_from(deliveries.join(moments, moments.c.id == deliveries.c.moment_id))
        .where(
            and_(
                deliveries.c.recipient_id == recipient_id,
                deliveries.c.status == "delivered",
                moments.c.play_id == play_id,
                moments.c.action == action,
            )
        )
    ).scalar_one_or_none()


def last_counted(conn: Connection, recipient_id: str) -> datetime | None:
    """When the recipient last got a nudge that counts against the weekly cap."""
    return conn.execute(
        select(func.max(deliveries.c.delivered_at)).where(
            deliveries.c.recipient_id == recipient_id,
            deliveries.c.status == "delivered",
            deliveries.c.cap_exempt.is_(False),
        )
    ).scalar()


def listed(conn: Connection, *, statuses: tuple[str, ...], channel: str | None, limit: int) -> list[Any]:
    """Deliveries in these states, newest first (the dead letters an operator looks at)."""
    query = select(deliveries).where(deliveries.c.status.in_(statuses))
    if channel:
        query = query.where(deliveries.c.channel == channel)
    return list(conn.execute(query.order_by(deliveries.c.updated_at.desc()).limit(limit)))


def requeue(conn: Connection, key: str, now: datetime, note: str) -> None:
    """Give a dead-lettered delivery a fresh set of attempts (an operator fixed the cause)."""
    conn.execute(
        update(deliveries)
        .where(deliveries.c.idempotency_key == key)
        .values(status="prepared", attempts=0, detail=note, updated_at=now, next_attempt_at=now)
    )
