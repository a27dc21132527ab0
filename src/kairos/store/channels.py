"""People's channel addresses and preferences, answers already received, and polling cursors."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from kairos.domain.preferences import Address, Pacing, Preference
from kairos.store.schema import channel_addresses, channel_cursors, channel_preferences, inbound_receipts


def address(conn: Connection, person_id: str, channel: str) -> Address | None:
    row = conn.execute(
        select(channel_addresses).where(
            channel_addresses.c.person_id == person_id, channel_addresses.c.channel == channel
        )
    ).first()
    return Address(channel, row.address, dict(row.detail or {})) if row else None


def addresses_of(conn: Connection, person_id: str) -> dict[str, Address]:
    rows = conn.execute(select(channel_addresses).where(channel_addresses.c.person_id == person_id))
    return {r.channel: Address(r.channel, r.address, dict(r.detail or {})) for r in rows}


def person_at(conn: Connection, channel: str, value: str) -> str | None:
    """Who holds this address on this channel (the Slack user who clicked, the Matrix user who reacted)."""
    return conn.execute(
        select(channel_addresses.c.person_id).where(
            channel_addresses.c.channel == channel, channel_addresses.c.address == value
        )
    ).scalar_one_or_none()


def set_address(conn: Connection, person_id: str, found: Address, source: str, now: datetime) -> None:
    """Store (or replace) a person's address on a channel; an address held by someone else moves to this person."""
    conn.execute(
        delete(channel_addresses).where(
            channel_addresses.c.channel == found.channel,
            channel_addresses.c.address == found.value,
            channel_addresses.c.person_id != person_id,
        )
    )
    values = {"address": found.value, "detail": found.detail, "source": source, "updated_at": now}
    changed = conn.execute(
        update(channel_addresses)
        .where(channel_addresses.c.person_id == person_id, channel_addresses.c.channel == found.channel)
        .values(**values)
    ).rowcount
    if not changed:
        conn.execute(channel_addresses.insert().values(person_id=person_id, channel=found.channel, **values))


def remove_address(conn: Connection, person_id: str, channel: str) -> bool:
    return bool(
        conn.execute(
            delete(channel_addresses).where(
                channel_addresses.c.person_id == person_id, channel_addresses.c.channel == channel
            )
        ).rowcount
    )


def _hhmm(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def preference(conn: Connection, person_id: str) -> Preference | None:
    row = conn.execute(select(channel_preferences).where(channel_preferences.c.person_id == person_id)).first()
    if row is None:
        return None
    return Preference(
        person_id=row.person_id, channel=row.channel, opted_out=frozenset(row.opted_out or ()),
        pacing=Pacing(row.pacing), digest_time=_hhmm(row.digest_time), quiet_start=_hhmm(row.quiet_start),
        quiet_end=_hhmm(row.quiet_end),
    )  # fmt: skip


def set_preference(conn: Connection, pref: Preference, by: str, now: datetime) -> None:
    def hhmm(t: time | None) -> str | None:
        return t.strftime("%H:%M") if t else None

    values: dict[str, Any] = {
        "channel": pref.channel, "opted_out": sorted(pref.opted_out), "pacing": pref.pacing.value,
        "digest_time": hhmm(pref.digest_time), "quiet_start": hhmm(pref.quiet_start),
        "quiet_end": hhmm(pref.quiet_end), "updated_by": by, "updated_at": now,
    }  # fmt: skip
    changed = conn.execute(
        update(channel_preferences).where(channel_preferences.c.person_id == pref.person_id).values(**values)
    ).rowcount
    if not changed:
        conn.execute(channel_preferences.insert().values(person_id=pref.person_id, **values))


def claim_receipt(conn: Connection, channel: str, external_id: str, now: datetime) -> int | None:
    """Note an answer's provider id; None when it was seen before (a replay). Runs in a savepoint so a duplicate
    leaves the caller's transaction usable."""
    try:
        with conn.begin_nested():
            result = conn.execute(
                inbound_receipts.insert().values(channel=channel, external_id=external_id[:300], received_at=now)
            )
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def settle_receipt(conn: Connection, receipt_id: int, response_id: int) -> None:
    conn.execute(update(inbound_receipts).where(inbound_receipts.c.id == receipt_id).values(response_id=response_id))


def cursor(conn: Connection, channel: str) -> str | None:
    return conn.execute(
        select(channel_cursors.c.cursor).where(channel_cursors.c.channel == channel)
    ).scalar_one_or_none()


def set_cursor(conn: Connection, channel: str, value: str, now: datetime) -> None:
    changed = conn.execute(
        update(channel_cursors).where(channel_cursors.c.channel == channel).values(cursor=value, updated_at=now)
    ).rowcount
    if not changed:
        conn.execute(channel_cursors.insert().values(channel=channel, cursor=value, updated_at=now))
