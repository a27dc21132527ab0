"""iCalendar (RFC 5545): recurring events expanded in a window, time zones honoured, attendees resolved to people.

The Google and Microsoft Graph readers build an ``icalendar.Calendar`` too and share :func:`read_calendar`, so
recurrence rules, exceptions and time zones are handled in one place. The format is documented in
``docs/formats/calendar.md``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from kairos.domain.meeting import SINGLE, Meeting, classify
from kairos.errors import InputError
from kairos.ingest.base import read_text
from kairos.ingest.meeting_sync import CalendarImport, CalendarRead, Directory, load_directory, record, source_name
from kairos.store import Database

__all__ = ["CalendarImport", "default_window", "import_calendar", "parse_calendar", "read_calendar"]

MARKED_CANCELLED = "marked cancelled"
# Attendees that are rooms or equipment, not people: counting them would turn a 1:1 in a booked room into a group.
_NOT_PEOPLE = {"ROOM", "RESOURCE"}
# The errors icalendar and its recurrence library raise for values they cannot read.
UNREADABLE = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError, AssertionError, OSError)


def _email(value: Any) -> str | None:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower() or None


def short_uid(uid: str) -> str:
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
    directory: Directory,
    default_zone: str = "UTC",
) -> CalendarRead:
    """Every meeting occurrence inside ``window``, the cancelled ones, and what was left out, by reason."""
    # icalendar remembers a custom VTIMEZONE by its TZID for the whole process, first definition winning: two
    # calendars that both call their zone "Customized Time Zone" would share the first one's rules. Forgetting
    # the remembered definitions (and keeping the zoneinfo provider) makes each calendar's own VTIMEZONE count.
    icalendar.timezone.tzp.use_zoneinfo()
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises many types for malformed input (even OSError for TZID=Europe)
        raise InputError.at(file, "a valid iCalendar (RFC 5545) file", value=f"{type(exc).__name__}: {exc}") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise InputError.at(file, "an iCalendar file starting with BEGIN:VCALENDAR", value=calendar.name)
    return read_calendar(calendar, file, window=window, directory=directory, default_zone=default_zone)


def read_calendar(
    calendar: icalendar.Calendar,
    file: str,
    *,
    window: tuple[datetime, datetime],
    directory: Directory,
    default_zone: str = "UTC",
) -> CalendarRead:
    """Expand ``calendar`` inside ``window``.

    Occurrences are keyed by UID and original start (``RECURRENCE-ID``), or by UID alone for an event that does
    not repeat, so a moved occurrence keeps its key. Overrides that moved an occurrence out of the window (or in
    from the past) are read too, so a move is never mistaken for a cancellation.
    """
    try:
        calendar = x_wr_timezone.to_standard(calendar)
        raw = list(calendar.walk("VEVENT"))
        occurrences = list(recurring_ical_events.of(calendar).between(*window))
    except InputError:
        raise
    except Exception as exc:  # the recurrence library raises many types for malformed input; each becomes an InputError
        raise InputError.at(file, "a valid iCalendar (RFC 5545) file", value=f"{type(exc).__name__}: {exc}") from None
    read = CalendarRead()
    series: set[str] = set()
    for component in raw:
        uid = str(component.get("UID", "")).strip()
        if not uid:
            raise InputError.at(file, "a UID on every event", field="UID", value=str(component.get("SUMMARY", "")))
        read.described.add(short_uid(uid))
        if any(component.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID")):
            series.add(uid)
    reader = _Reader(file, directory, default_zone, series, read)
    for component in occurrences:
        reader.add(component)
    for component in raw:
        if component.get("RECURRENCE-ID") is not None:
            reader.add(component, moved_from=window[0])
    return read


class _Reader:
    """Turns occurrence components into meetings, cancellations and skip counts."""

    def __init__(self, file: str, directory: Directory, default_zone: str, series: set[str], read: CalendarRead):
        self.file = file
        self.directory = directory
        self.default_zone = default_zone
        self.series = series  # UIDs that repeat; the others are keyed by UID alone
        self.read = read
        self.seen: set[str] = set()

    def add(self, component: Any, moved_from: datetime | None = None) -> None:
        """Read one occurrence; with ``moved_from``, an override read only if it or its original is that late."""
        uid = str(component.get("UID", "")).strip()
        try:
            self._add(component, uid, moved_from)
        except UNREADABLE as exc:
            raise InputError.at(
                self.file, "an event with readable dates", field=f"UID {uid}", value=f"{type(exc).__name__}: {exc}"
            ) from None

    def _add(self, component: Any, uid: str, moved_from: datetime | None) -> None:
        organizer = _email(component.get("ORGANIZER")) if component.get("ORGANIZER") else None
        known = self.directory.person(organizer) if organizer else None
        zone = ZoneInfo(known.time_zone if known else self.default_zone)
        start_prop = component.get("DTSTART")
        if start_prop is None:
            raise InputError.at(self.file, "a DTSTART on every event", field=f"UID {uid}", value="no DTSTART")
        start = _aware(start_prop.dt, zone)
        if start is None:
            if moved_from is None:
                self.read.skipped["all_day"] += 1
            return
        recurrence = component.get("RECURRENCE-ID")
        original = (_aware(recurrence.dt, zone) if recurrence is not None else None) or start
        if moved_from is not None and max(start, original) < moved_from:
            return
        key_uid = short_uid(uid)
        occurrence = SINGLE if uid not in self.series else original.isoformat()
        key = f"{key_uid}@{occurrence}"
        if key in self.seen:
            return
        self.seen.add(key)
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            self.read.cancelled[key] = MARKED_CANCELLED
            self.read.skipped["cancelled"] += 1
            return
        self.read.meetings.append(self._meeting(component, key_uid, occurrence, start, zone, organizer))

    def _meeting(
        self, component: Any, uid: str, occurrence: str, start: datetime, zone: ZoneInfo, organizer: str | None
    ) -> Meeting:
        end_prop = component.get("DTEND")
        if end_prop is not None:
            end = _aware(end_prop.dt, zone) or start
        elif component.get("DURATION") is not None:
            end = start + component.get("DURATION").dt
        else:
            end = start
        attendees = component.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        emails, declined = [], set()
        for attendee in attendees:
            email = _email(attendee)
            params = getattr(attendee, "params", {})
            if not email or str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
                continue
            if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
                declined.add(email)
                continue
            emails.append(email)
        if organizer and organizer not in emails and organizer not in declined:
            emails.insert(0, organizer)
        emails = list(dict.fromkeys(emails))
        people = [self.directory.person(e) for e in emails]
        ids = tuple(dict.fromkeys(p.id for p in people if p is not None))
        external = [e for e, p in zip(emails, people, strict=True) if p is None]
        title = " ".join(str(component.get("SUMMARY", "")).split())[:500]
        verdict = classify(title, ids, external, self.directory.manager_of)
        return Meeting(
            uid=uid,
            occurrence=occurrence,
            start=start,
            end=max(end, start),
            title=title,
            organizer=organizer[:320] if organizer else None,
            attendee_emails=tuple(emails),
            attendee_ids=ids,
            kind=verdict.kind,
            kind_reason=verdict.reason[:500],
        )


def outline(text: str) -> tuple[tuple[str, ...], datetime | None]:
    """The event UIDs in an iCalendar text and, when nothing in it repeats, its latest start (UTC; dates and
    floating times as if UTC). Used to know which meetings a deleted CalDAV object held and whether an
    unchanged one can still have occurrences ahead. An unreadable text outlines as nothing."""
    try:
        components = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    except Exception:  # unreadable: parsing the same text reports why, with the object's name
        return (), None
    uids = tuple(dict.fromkeys(short_uid(str(c.get("UID", "")).strip()) for c in components if c.get("UID")))
    starts: list[datetime] = []
    for component in components:
        if any(component.get(name) is not None for name in ("RRULE", "RDATE")):
            return uids, None
        value = getattr(component.get("DTSTART"), "dt", None)
        if isinstance(value, datetime):
            starts.append(value if value.tzinfo else value.replace(tzinfo=UTC))
        elif isinstance(value, date):
            starts.append(datetime.combine(value, datetime.min.time(), UTC))
    return uids, max((s.astimezone(UTC) for s in starts), default=None)


def import_calendar(
    db: Database, path: Path | str, *, window: tuple[datetime, datetime], now: datetime, default_zone: str = "UTC"
) -> CalendarImport:
    """Expand an .ics file inside ``window`` and record what changed since the last import."""
    file = str(path)
    text = read_text(path)
    with db.transaction() as conn:
        read = parse_calendar(text, file, window=window, directory=load_directory(conn), default_zone=default_zone)
        return record(conn, read, source=source_name("ical", Path(file).name), window=window, now=now)


def default_window(now: datetime, days: int = 56) -> tuple[datetime, datetime]:
    """From the start of today (UTC) for ``days`` days: what ``kairos import calendar`` expands by default."""
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days)
