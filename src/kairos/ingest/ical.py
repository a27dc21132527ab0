"""iCalendar files (RFC 5545): recurring events expanded, time zones honoured, attendees resolved to people.

The format is documented in ``docs/formats/calendar.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.meeting import Meeting, classify
from kairos.domain.person import Person
from kairos.errors import InputError
from kairos.ingest.base import read_text
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import meetings as meeting_store
from kairos.store import people as people_store


@dataclass(frozen=True, slots=True)
class CalendarImport:
    meetings: int
    events: int
    skipped: dict[str, int]


def _email(value: Any) -> str | None:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.lower() or None


def _short_uid(uid: str) -> str:
    """The UID, or for a very long one its start and a hash: the meeting key (UID@time) is an event subject
    of at most 200 characters."""
    if len(uid) <= 160:
        return uid
    return f"{uid[:127]}~{hashlib.sha256(uid.encode()).hexdigest()[:32]}"


def _aware(value: date | datetime, zone: ZoneInfo) -> datetime | None:
    """A UTC datetime; floating times are read in ``zone``; all-day dates give None."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def parse_calendar(
    text: str,
    file: str,
    *,
    window: tuple[datetime, datetime],
    people_by_email: Mapping[str, Person],
    manager_of: Callable[[str], str | None],
    default_zone: str = "UTC",
) -> tuple[list[Meeting], dict[str, int]]:
    """Every meeting occurrence inside ``window`` and the counts of what was left out, by reason."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
        occurrences = list(recurring_ical_events.of(calendar).between(*window))
    except InputError:
        raise
    except Exception as exc:  # icalendar and its recurrence library raise many types for malformed input
        raise InputError.at(file, "a valid iCalendar (RFC 5545) file", value=f"{type(exc).__name__}: {exc}") from None
    skipped: dict[str, int] = {}
    found: list[Meeting] = []
    for component in occurrences:
        if component.name != "VEVENT":
            continue
        uid = str(component.get("UID", "")).strip()
        if not uid:
            raise InputError.at(file, "a UID on every event", field="UID", value=str(component.get("SUMMARY", "")))
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            skipped["cancelled"] = skipped.get("cancelled", 0) + 1
            continue
        organizer = _email(component.get("ORGANIZER")) if component.get("ORGANIZER") else None
        organizer_zone = (
            people_by_email[organizer].time_zone if organizer and organizer in people_by_email else default_zone
        )
        zone = ZoneInfo(organizer_zone)
        start_prop, end_prop = component.get("DTSTART"), component.get("DTEND")
        start = _aware(start_prop.dt, zone) if start_prop else None
        if start is None:
            skipped["all_day_or_undated"] = skipped.get("all_day_or_undated", 0) + 1
            continue
        if end_prop is not None:
            end = _aware(end_prop.dt, zone) or start
        elif component.get("DURATION") is not None:
            end = start + component.get("DURATION").dt
        else:
            end = start
        recurrence = component.get("RECURRENCE-ID")
        original = _aware(recurrence.dt, zone) if recurrence is not None else start
        attendees = component.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        emails = [e for e in (_email(a) for a in attendees) if e]
        if organizer and organizer not in emails:
            emails.insert(0, organizer)
        emails = list(dict.fromkeys(emails))
        ids = tuple(people_by_email[e].id for e in emails if e in people_by_email)
        title = str(component.get("SUMMARY", "")).strip()[:500]
        verdict = classify(title, ids, len(emails) - len(ids), manager_of)
        found.append(
            Meeting(
                uid=_short_uid(uid),
                occurrence=(original or start).isoformat(),
                start=start,
                end=end,
                title=title,
                organizer=organizer[:320] if organizer else None,
                attendee_emails=tuple(emails),
                attendee_ids=ids,
                kind=verdict.kind,
                kind_reason=verdict.reason[:500],
            )
        )
    return found, skipped


def import_calendar(
    db: Database, path: Path | str, *, window: tuple[datetime, datetime], now: datetime, default_zone: str = "UTC"
) -> CalendarImport:
    """Expand the calendar inside ``window``, store its meetings and one event per new or changed occurrence."""
    file = str(path)
    text = read_text(path)
    with db.transaction() as conn:
        active = people_store.active(conn)
        by_email = {p.email.lower(): p for p in active.values()}

        def manager_of(person_id: str) -> str | None:
            person = active.get(person_id)
            return person.manager_id if person else None

        meetings, skipped = parse_calendar(
            text, file, window=window, people_by_email=by_email, manager_of=manager_of, default_zone=default_zone
        )
        meeting_store.save(conn, meetings)
        added = event_log.append(conn, [_event(m, Path(file).name) for m in meetings], now)
    return CalendarImport(meetings=len(meetings), events=added, skipped=skipped)


def _event(meeting: Meeting, file_name: str) -> Event:
    return Event(
        id=content_id(meeting.key, meeting.start, meeting.end, meeting.title, meeting.attendee_emails),
        source=f"kairos/ical/{file_name}",
        type=EventType.MEETING_SCHEDULED,
        subject=meeting.key,
        time=meeting.start,
        data={
            "meeting": meeting.key,
            "title": meeting.title,
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "organizer": meeting.organizer,
            "attendee_ids": list(meeting.attendee_ids),
            "kind": meeting.kind.value,
            "kind_reason": meeting.kind_reason,
        },
    )


def default_window(now: datetime, days: int = 56) -> tuple[datetime, datetime]:
    """From the start of today (UTC) for ``days`` days: what ``kairos import calendar`` expands by default."""
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days)
