"""A person's web inbox (D6): every nudge composed for them, newest first, with how it went out and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from kairos.store.schema import deliveries, moments, nudges, responses


def page(conn: Connection, person_id: str, *, limit: int, before: int | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` nudges for ``person_id`` older than moment ``before``, newest first."""
    query = (
        select(nudges, moments.c.stop_reason, moments.c.status.label("moment_status"))
        .join(moments, moments.c.id == nudges.c.moment_id)
        .where(nudges.c.recipient_id == person_id)
        .order_by(nudges.c.moment_id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(nudges.c.moment_id < before)
    rows = list(conn.execute(query))
    ids = [r.moment_id for r in rows]
    sent = _deliveries(conn, ids)
    answers = _responses(conn, ids, person_id)
    return [_item(r, sent.get(r.moment_id, []), answers.get(r.moment_id, [])) for r in rows]


def one(conn: Connection, person_id: str, moment_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(nudges, moments.c.stop_reason, moments.c.status.label("moment_status"))
        .join(moments, moments.c.id == nudges.c.moment_id)
        .where(nudges.c.recipient_id == person_id, nudges.c.moment_id == moment_id)
    ).first()
    if row is None:
        return None
    return _item(row, _deliveries(conn, [moment_id]).get(moment_id, []),
                 _responses(conn, [moment_id], person_id).get(moment_id, []))  # fmt: skip


def mark_read(conn: Connection, person_id: str, moment_id: int, now: datetime) -> None:
    conn.execute(
        update(nudges)
        .where(nudges.c.recipient_id == person_id, nudges.c.moment_id == moment_id, nudges.c.read_at.is_(None))
        .values(read_at=now)
    )


def unread(conn: Connection, person_id: str) -> int:
    return int(
        conn.execute(
            select(func.count()).where(nudges.c.recipient_id == person_id, nudges.c.read_at.is_(None))
        ).scalar_one()
    )


def _deliveries(conn: Connection, moment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not moment_ids:
        return found
    rows = conn.execute(
        select(
            deliveries.c.moment_id,
            deliveries.c.channel,
            deliveries.c.status,
            deliveries.c.delivered_at,
            deliveries.c.is_primary,
        )  # fmt: skip
        .where(deliveries.c.moment_id.in_(moment_ids))
        .order_by(deliveries.c.id)
    )
    for r in rows:
        found.setdefault(r.moment_id, []).append(
            {
                "channel": r.channel,
                "status": r.status,
                "primary": r.is_primary,
                "delivered_at": r.delivered_at.isoformat() if r.delivered_at else None,
            }  # fmt: skip
        )
    return found


def _responses(conn: Connection, moment_ids: list[int], person_id: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not moment_ids:
        return found
    rows = conn.execute(
        select(responses)
        .where(responses.c.moment_id.in_(moment_ids), responses.c.person_id == person_id)
        .order_by(responses.c.id)
    )
    for r in rows:
        found.setdefault(r.moment_id, []).append(
            {
                "kind": r.kind,
                "text": r.text,
                "rating": r.rating,
                "channel": r.channel,
                "received_at": r.received_at.isoformat(),
            }  # fmt: skip
        )
    return found


def _item(row: Any, sent: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "moment_id": row.moment_id,
        "subject": row.subject,
        "text": row.text,
        "html": row.html,
        "why": row.why,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "outcome": row.stop_reason or row.moment_status,
        "deliveries": sent,
        "responses": answers,
    }
