"""People's other email addresses, so calendar attendees using them resolve to the person."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, select

from kairos.store.rows import upsert
from kairos.store.schema import email_aliases


def all_aliases(conn: Connection) -> dict[str, str]:
    """Every alias (lowercase) with the id of the person it belongs to."""
    return {r.email: r.person_id for r in conn.execute(select(email_aliases.c.email, email_aliases.c.person_id))}


def save(conn: Connection, aliases: Mapping[str, str], now: datetime) -> None:
    """Add aliases; an alias already stored moves to the person given now."""
    rows = [{"email": email.lower(), "person_id": pid, "imported_at": now} for email, pid in aliases.items()]
    upsert(conn, email_aliases, rows, ("email",), ("person_id", "imported_at"))
