"""What the Google Calendar and Microsoft Graph readers share: JSON with paths in errors, zone names, and
turning an API event into an iCalendar component, so :func:`kairos.ingest.ical.read_calendar` expands both."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from dateutil.rrule import rrulestr
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from kairos.errors import InputError
from kairos.ingest.base import Problems, storable
from kairos.ingest.ical import UNREADABLE, read_calendar, short_uid
from kairos.ingest.meeting_sync import DELETED, CalendarRead, Directory

# Outlook's names for UTC besides the IANA ones.
_UTC_NAMES = {"utc", "z", "gmt", "tzone://microsoft/utc", "coordinated universal time"}
_PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}
_RECURRENCE_NAMES = {"RRULE", "RDATE", "EXDATE", "EXRULE"}
_UNTIL = re.compile(r"UNTIL=[^;]*;?", re.IGNORECASE)


def load_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, and ValueError for ints over 4300 digits
        raise InputError.at(file, "valid JSON", row=getattr(exc, "lineno", None), value=str(exc)) from None


def zone_named(name: str) -> ZoneInfo | None:
    """An IANA zone for an IANA name, a Windows name ("W. Europe Standard Time") or a name for UTC."""
    cleaned = name.strip()
    if cleaned.lower() in _UTC_NAMES:
        return ZoneInfo("UTC")
    for candidate in (cleaned, WINDOWS_TO_OLSON.get(cleaned)):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


@dataclass(slots=True)
class ApiEvent:
    """One Google or Graph event, in the terms of an iCalendar VEVENT."""

    uid: str
    start: datetime | date
    end: datetime | date | None
    title: str = ""
    organizer: str | None = None
    attendees: list[tuple[str, str]] = field(default_factory=list)  # (email, PARTSTAT); rooms already left out
    recurrence: list[tuple[str, str]] = field(default_factory=list)  # (JSON path, "RRULE:…" / "EXDATE…" line)
    original: datetime | date | None = None  # the occurrence's original start, for an exception
    cancelled: bool = False


class JsonFields:
    """Typed access to a JSON document that records a problem, with its JSON path, for every bad value."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems = Problems(file)

    def add(self, path: str, expected: str, value: object = None) -> None:
        self.problems.add(expected, field=path, value=value)

    def text(self, node: Any, key: str, path: str, *, required: bool = False, limit: int = 2000) -> str | None:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            if required:
                self.add(f"{path}.{key}", "a text value")
            return None
        if not isinstance(value, str) or not storable(value) or len(value) > limit:
            self.add(f"{path}.{key}", f"text of at most {limit} characters, without NUL", value)
            return None
        return value.strip()

    def obj(self, node: Any, key: str, path: str) -> dict[str, Any] | None:
        value = node.get(key) if isinstance(node, dict) else None
        if value is not None and not isinstance(value, dict):
            self.add(f"{path}.{key}", "an object", value)
            return None
        return value

    def items(self, node: Any, key: str, path: str) -> list[Any]:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"{path}.{key}", "a list", value)
            return []
        return value

    def moment(self, value: Any, path: str, zone_name: str | None, *, all_day: bool = False) -> datetime | date | None:
        """A date-time in ``zone_name`` (or with its own offset), or a date for an all-day value."""
        if not isinstance(value, str) or not storable(value):
            self.add(path, "an ISO 8601 date-time such as 2026-03-16T10:00:00", value)
            return None
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.add(path, "an ISO 8601 date-time such as 2026-03-16T10:00:00", value)
                return None
        if all_day:
            return parsed.date()
        if zone_name is not None:
            zone = zone_named(zone_name)
            if zone is None:
                self.add(path.rsplit(".", 1)[0] + ".timeZone", "an IANA or Windows time zone name", zone_name)
                return None
            return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)
        return parsed

    def recurrence_line(self, line: Any, path: str) -> tuple[str, str] | None:
        if not isinstance(line, str) or not storable(line) or "\n" in line or "\r" in line:
            self.add(path, "one RRULE, RDATE or EXDATE line", line)
            return None
        name = line.split(":", 1)[0].split(";", 1)[0].strip().upper()
        if name not in _RECURRENCE_NAMES:
            self.add(path, "an RRULE, RDATE or EXDATE line", line)
            return None
        return path, line.strip()

    def raise_if_any(self) -> None:
        self.problems.raise_if_any()


def component(event: ApiEvent, fields: JsonFields) -> icalendar.Event:
    """The VEVENT for an API event; bad recurrence lines are recorded as problems."""
    vevent = icalendar.Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTART", event.start)
    if event.end is not None and type(event.end) is type(event.start):
        vevent.add("DTEND", event.end)
    vevent.add("SUMMARY", event.title)
    if event.organizer:
        vevent.add("ORGANIZER", f"mailto:{event.organizer}")
    for email, partstat in event.attendees:
        vevent.add("ATTENDEE", f"mailto:{email}", parameters={"PARTSTAT": partstat})
    if event.original is not None:
        vevent.add("RECURRENCE-ID", event.original)
    if event.cancelled:
        vevent.add("STATUS", "CANCELLED")
    for path, line in event.recurrence:
        try:
            if line.upper().startswith("RRULE"):
                # A rule the expansion can run (UNTIL is left out: its form depends on the start's zone).
                rrulestr(_UNTIL.sub("", line.split(":", 1)[-1]).strip(";"), dtstart=datetime(2026, 1, 1))
            parsed = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{line}\r\nEND:VEVENT\r\n")
            for name, value in parsed.items():
                for one in value if isinstance(value, list) else [value]:
                    vevent.add(name, one, encode=False)
        except UNREADABLE:
            fields.add(path, "a recurrence line as RFC 5545 writes it (RRULE:FREQ=WEEKLY;BYDAY=MO)", line)
    return vevent


def partstat(response: str | None) -> str:
    return _PARTSTAT.get((response or "").lower(), "NEEDS-ACTION")


def read_events(
    events: list[ApiEvent],
    fields: JsonFields,
    *,
    window: tuple[datetime, datetime],
    directory: Directory,
    default_zone: str,
    removed: set[str],
) -> CalendarRead:
    """Expand the events as one calendar. Only events that define their whole series here (a master or a lone
    event, not an exception) count as fully described, so an occurrence missing from them is cancelled;
    ``removed`` are the ids the API reported deleted."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Kairos//API calendar//EN")
    calendar.add("VERSION", "2.0")
    for event in events:
        calendar.add_component(component(event, fields))
    fields.raise_if_any()
    read = read_calendar(calendar, fields.file, window=window, directory=directory, default_zone=default_zone)
    read.described = {short_uid(e.uid) for e in events if e.original is None}
    read.removed.update({uid: DELETED for uid in removed})
    return read
