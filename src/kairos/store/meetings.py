"""Meeting occurrences as last seen in a calendar; a cancelled occurrence is removed, its events stay in the log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from kairos.domain.event import EventType
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.store.rows import upsert
from kairos.store.schema import events, meeting_attendees, meetings

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
        occurrence=r.key[len(r.uid) + 1 :],
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


def delete_many(conn: Connection, keys: Sequence[str]) -> None:
    """Forget cancelled occurrences (and who attended them: they no longer load anyone's day)."""
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        conn.execute(delete(meeting_attendees).where(meeting_attendees.c.meeting_key.in_(chunk)))
        conn.execute(delete(meetings).where(meetings.c.key.in_(chunk)))


def of_uids(
    conn: Connection, uids: Sequence[str], start_from: datetime, start_before: datetime | None
) -> list[Meeting]:
    """Stored occurrences of these events starting in [start_from, start_before) (no end when None)."""
    found: list[Meeting] = []
    wanted = sorted(set(uids))
    for start in range(0, len(wanted), 500):
        query = select(meetings).where(meetings.c.uid.in_(wanted[start : start + 500]), meetings.c.start >= start_from)
        if start_before is not None:
            query = query.where(meetings.c.start < start_before)
        found.extend(_meeting(r) for r in conn.execute(query))
    return found


_MEETING_EVENTS = (EventType.MEETING_SCHEDULED.value, EventType.MEETING_CANCELLED.value)


def history(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
    """For occurrences seen before: how many meeting events they have, and the type of the latest one."""
    found: dict[str, tuple[int, str]] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        latest = (
            select(events.c.subject, func.count().label("n"), func.max(events.c.seq).label("seq"))
            .where(events.c.subject.in_(chunk), events.c.type.in_(_MEETING_EVENTS))
            .group_by(events.c.subject)
            .subquery()
        )
        rows = conn.execute(
            select(latest.c.subject, latest.c.n, events.c.type).join(events, events.c.seq == latest.c.seq)
        )
        found.update({r.subject: (int(r.n), r.type) for r in rows})
    return found
