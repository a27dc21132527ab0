"""Daily digests: one ledger row per digest sent, so that a digest, like a delivery, goes exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from kairos.store.schema import digests


def create(conn: Connection, key: str, recipient_id: str, channel: str, moment_ids: list[int], now: datetime) -> None:
    conn.execute(
        digests.insert().values(
            key=key,
            recipient_id=recipient_id,
            channel=channel,
            moment_ids=moment_ids,
            status="prepared",
            attempts=0,
            created_at=now,
            updated_at=now,
        )  # fmt: skip
    )


def get(conn: Connection, key: str) -> Any:
    return conn.execute(select(digests).where(digests.c.key == key)).first()


def set_status(conn: Connection, key: str, status: str, now: datetime, **values: Any) -> None:
    conn.execute(update(digests).where(digests.c.key == key).values(status=status, updated_at=now, **values))
