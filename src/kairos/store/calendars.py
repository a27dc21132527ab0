"""CalDAV collections as last synced: each one's sync token and, per object, its ETag, UIDs and iCalendar text."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select

from kairos.store.rows import upsert
from kairos.store.schema import calendar_collections, calendar_objects


@dataclass(frozen=True, slots=True)
class StoredObject:
    href: str
    etag: str | None
    uids: tuple[str, ...]
    data: str
    last_start: datetime | None  # None: it repeats (or nothing in it has a time)


def load(conn: Connection, url: str) -> tuple[str | None, dict[str, StoredObject]]:
    """The collection's sync token (None before its first sync) and its objects by href."""
    token = conn.execute(
        select(calendar_collections.c.sync_token).where(calendar_collections.c.url == url)
    ).scalar_one_or_none()
    rows = conn.execute(select(calendar_objects).where(calendar_objects.c.collection_url == url))
    objects = {r.href: StoredObject(r.href, r.etag, tuple(r.uids), r.data, r.last_start) for r in rows}
    return token, objects


def save(
    conn: Connection,
    url: str,
    token: str | None,
    objects: Sequence[StoredObject],
    deleted: Collection[str],
    now: datetime,
) -> None:
    """Record a sync: the new token, the changed objects, and the objects the server no longer has."""
    upsert(conn, calendar_collections, [{"url": url, "sync_token": token, "synced_at": now}], ("url",),
           ("sync_token", "synced_at"))  # fmt: skip
    rows = [
        {"collection_url": url, "href": o.href, "etag": o.etag, "uids": list(o.uids), "data": o.data,
         "last_start": o.last_start}
        for o in objects
    ]  # fmt: skip
    upsert(conn, calendar_objects, rows, ("collection_url", "href"), ("etag", "uids", "data", "last_start"))
    gone = sorted(deleted)
    for start in range(0, len(gone), 500):
        conn.execute(
            delete(calendar_objects).where(
                calendar_objects.c.collection_url == url, calendar_objects.c.href.in_(gone[start : start + 500])
            )
        )
