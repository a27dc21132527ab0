"""Composed nudges with their stored "why"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from kairos.domain.nudge import Nudge
from kairos.store.schema import nudges


def add(conn: Connection, moment_id: int, nudge: Nudge, now: datetime) -> int:
    result = conn.execute(
        nudges.insert().values(
            moment_id=moment_id,
            recipient_id=nudge.recipient_id,
            subject=nudge.subject,
            text=nudge.text,
            html=nudge.html,
            why=nudge.why,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def for_moment(conn: Connection, moment_id: int) -> Any:
    return conn.execute(select(nudges).where(nudges.c.moment_id == moment_id)).first()
