"""Meeting occurrences as last seen in a calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from kairos.domain.meeting import Meeting, MeetingKind
from kairos.store.rows import upsert
from kairos.store.schema import meeting_attendees, meetings

_FIELDS = ("uid", "start", "end", "title", "organizer", "attendee_emails", "attendee_ids", "kind", "kind_reason")


def save(conn: Connection, batch: Sequence[Meeting]) -> None:
    if not batch:
        return
    rows = [
        {
            "key": m.key,
            "uid": m.uid,
            "start": m.start,
            "end": m.end,
            "title": m.title,
            "organizer": m.organizer,
            "attendee_emails": list(m.attendee_emails),
            "attendee_ids": list(m.attendee_ids),
            "kind": m.kind.value,
            "kind_reason": m.kind_reason,
        }
        for m in batch
    ]
    upsert(conn, meetings, rows, ("key",), _FIELDS)
    keys = [m.key for m in batch]
    for start in range(0, len(keys), 500):
        conn.execute(delete(meeting_attendees).where(meeting_attendees.c.meeting_key.in_(keys[start : start + 500])))
    attendance = [
        {"meeting_key": m.key, "person_id": pid, "start": m.start, "end": m.end}
        for m in batch
        for pid in dict.fromkeys(m.attendee_ids)
    ]
    if attendance:
        conn.execute(meeting_attendees.insert(), attendance)


def _meeting(r: Any) -> Meeting:
    return Meeting(
        uid=r.uid,
        occurrence=r.key.rsplit("@", 1)[-1],
        start=r.start,
        end=r.end,
        title=r.title,
        organizer=r.organizer,
        attendee_emails=tuple(r.attendee_emails),
        attendee_ids=tuple(r.attendee_ids),
        kind=MeetingKind(r.kind),
        kind_reason=r.kind_reason,
    )


def get(conn: Connection, key: str) -> Meeting | None:
    row = conn.execute(select(meetings).where(meetings.c.key == key)).first()
    return _meeting(row) if row else None


def meeting_minutes(conn: Connection, person_id: str, start: datetime, end: datetime) -> float:
    """Minutes of meetings the person attends that start inside [start, end): a load signal."""
    rows = conn.execute(
        select(meeting_attendees.c.start, meeting_attendees.c.end).where(
            meeting_attendees.c.person_id == person_id,
            meeting_attendees.c.start >= start,
            meeting_attendees.c.start < end,
        )
    )
    return float(sum((r.end - r.start).total_seconds() / 60 for r in rows))


def get_many(conn: Connection, keys: list[str]) -> dict[str, Meeting]:
    found: dict[str, Meeting] = {}
    for start in range(0, len(keys), 500):
        rows = conn.execute(select(meetings).where(meetings.c.key.in_(keys[start : start + 500])))
        found.update({r.key: _meeting(r) for r in rows})
    return found
