"""Microsoft Graph ``/events``, ``/calendarView`` and delta responses (``{"value": [...]}``).

A ``seriesMaster`` carries a ``recurrence`` pattern, translated here into an RRULE; an ``occurrence`` or
``exception`` points at it with ``seriesMasterId`` and ``originalStart``; ``isCancelled`` cancels; a delta's
``@removed`` item deletes. Times are ``start.dateTime`` in ``start.timeZone``, often a Windows zone name such as
"W. Europe Standard Time". Documented in ``docs/formats/calendar.md``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from kairos.errors import InputError
from kairos.ingest.calendar_json import ApiEvent, JsonFields, partstat, read_events
from kairos.ingest.meeting_sync import CalendarRead, Directory

_TYPES = {"singleInstance", "occurrence", "exception", "seriesMaster"}
_DAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA",
         "sunday": "SU"}  # fmt: skip
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "absoluteMonthly": "MONTHLY", "relativeMonthly": "MONTHLY",
         "absoluteYearly": "YEARLY", "relativeYearly": "YEARLY"}  # fmt: skip
_RESPONSES = {"tentativelyAccepted": "tentative", "accepted": "accepted", "declined": "declined",
              "organizer": "accepted"}  # fmt: skip


def looks_like_graph(doc: Any) -> bool:
    return isinstance(doc, dict) and ("@odata.context" in doc or isinstance(doc.get("value"), list))


def parse_graph_events(
    doc: Any, file: str, *, window: tuple[datetime, datetime], directory: Directory, default_zone: str = "UTC"
) -> CalendarRead:
    """The meetings of a Graph events response inside ``window``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise InputError.at(file, 'a Microsoft Graph events response: {"value": [...]}', field="value")
    fields = JsonFields(file)
    events: list[ApiEvent] = []
    removed: set[str] = set()
    for index, item in enumerate(doc["value"]):
        path = f"value[{index}]"
        if not isinstance(item, dict):
            fields.add(path, "an event object", item)
            continue
        event_id = fields.text(item, "id", path, required=True, limit=1000)
        if event_id is None:
            continue
        if "@removed" in item:
            removed.add(event_id)
            continue
        kind = item.get("type", "singleInstance")
        if kind not in _TYPES:
            fields.add(f"{path}.type", f"one of {', '.join(sorted(_TYPES))}", kind)
            continue
        event = _event(fields, item, path, event_id, kind)
        if event is not None:
            events.append(event)
    read = read_events(
        events,
        fields,
        window=window,
        directory=directory,
        default_zone=default_zone,
        removed=removed,
    )
    return read


def _when(fields: JsonFields, item: dict[str, Any], key: str, path: str, all_day: bool) -> datetime | date | None:
    node = fields.obj(item, key, path)
    if node is None:
        fields.add(f"{path}.{key}", "an object with dateTime and timeZone")
        return None
    zone = fields.text(node, "timeZone", f"{path}.{key}") or "UTC"
    return fields.moment(node.get("dateTime"), f"{path}.{key}.dateTime", zone, all_day=all_day)


def _event(fields: JsonFields, item: dict[str, Any], path: str, event_id: str, kind: str) -> ApiEvent | None:
    all_day = item.get("isAllDay") is True
    start = _when(fields, item, "start", path, all_day)
    end = _when(fields, item, "end", path, all_day) if "end" in item else None
    master, original = None, None
    if kind in ("occurrence", "exception"):
        master = fields.text(item, "seriesMasterId", path, required=True, limit=1000)
        original = fields.moment(item.get("originalStart"), f"{path}.originalStart", "UTC", all_day=all_day)
        if master is None or original is None:
            return None
    sender = fields.obj(fields.obj(item, "organizer", path), "emailAddress", f"{path}.organizer")
    organizer = fields.text(sender, "address", f"{path}.organizer.emailAddress", limit=320)
    attendees = []
    for number, attendee in enumerate(fields.items(item, "attendees", path)):
        where = f"{path}.attendees[{number}]"
        if not isinstance(attendee, dict):
            fields.add(where, "an attendee object", attendee)
            continue
        mailbox = fields.obj(attendee, "emailAddress", where)
        address = fields.text(mailbox, "address", f"{where}.emailAddress", limit=320)
        if not address or attendee.get("type") == "resource":
            continue
        response = fields.text(fields.obj(attendee, "status", where), "response", f"{where}.status")
        attendees.append((address, partstat(_RESPONSES.get(response or "", "needsAction"))))
    recurrence: list[tuple[str, str]] = []
    if kind == "seriesMaster" and isinstance(start, datetime):
        recurrence = _recurrence(fields, item, path, start)
    if start is None:
        return None
    return ApiEvent(
        uid=master or event_id,
        start=start,
        end=end,
        title=fields.text(item, "subject", path) or "",
        organizer=organizer,
        attendees=attendees,
        recurrence=recurrence,
        original=original,
        cancelled=item.get("isCancelled") is True,
    )


def _recurrence(fields: JsonFields, item: dict[str, Any], path: str, start: datetime) -> list[tuple[str, str]]:
    """The RRULE (and EXDATEs for ``cancelledOccurrences``) equivalent to a Graph ``patternedRecurrence``."""
    where = f"{path}.recurrence"
    recurrence = fields.obj(item, "recurrence", path)
    pattern = fields.obj(recurrence, "pattern", where)
    span = fields.obj(recurrence, "range", where) or {}
    if pattern is None:
        fields.add(f"{where}.pattern", "a recurrence pattern on a seriesMaster")
        return []
    kind = pattern.get("type")
    if kind not in _FREQ:
        fields.add(f"{where}.pattern.type", f"one of {', '.join(_FREQ)}", kind)
        return []
    interval = pattern.get("interval", 1)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= 999:
        fields.add(f"{where}.pattern.interval", "a whole number from 1", interval)
        return []
    parts = [f"FREQ={_FREQ[kind]}", f"INTERVAL={interval}"]
    days = pattern.get("daysOfWeek") or []
    if not isinstance(days, list) or any(d not in _DAYS for d in days):
        fields.add(f"{where}.pattern.daysOfWeek", "day names such as monday", days)
        return []
    if kind in ("weekly", "relativeMonthly", "relativeYearly") and days:
        parts.append("BYDAY=" + ",".join(_DAYS[d] for d in days))
    if kind == "weekly" and pattern.get("firstDayOfWeek") in _DAYS:
        parts.append(f"WKST={_DAYS[pattern['firstDayOfWeek']]}")
    if kind in ("relativeMonthly", "relativeYearly"):
        parts.append(f"BYSETPOS={_INDEX.get(pattern.get('index') or 'first', 1)}")
    if kind in ("absoluteYearly", "relativeYearly"):
        parts.append(f"BYMONTH={_number(fields, pattern, 'month', f'{where}.pattern', 12, start.month)}")
    if kind in ("absoluteMonthly", "absoluteYearly"):
        parts.append(f"BYMONTHDAY={_number(fields, pattern, 'dayOfMonth', f'{where}.pattern', 31, start.day)}")
    end_kind = span.get("type", "noEnd")
    if end_kind == "numbered":
        parts.append(f"COUNT={_number(fields, span, 'numberOfOccurrences', f'{where}.range', 10_000, 1)}")
    elif end_kind == "endDate":
        last = fields.moment(span.get("endDate"), f"{where}.range.endDate", None, all_day=True)
        if isinstance(last, date):
            # The range ends with the whole end date, in the series' own zone.
            until = datetime.combine(last, time(23, 59, 59), tzinfo=start.tzinfo).astimezone(UTC)
            parts.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}")
    lines = [(where, "RRULE:" + ";".join(parts))]
    for number, value in enumerate(fields.items(item, "cancelledOccurrences", path)):
        # "OID.<id>.2026-03-23": the local date of an occurrence the organizer cancelled.
        day = value.rsplit(".", 1)[-1] if isinstance(value, str) else None
        try:
            cancelled = date.fromisoformat(day or "")
        except ValueError:
            fields.add(f"{path}.cancelledOccurrences[{number}]", "an occurrence id ending in a date", value)
            continue
        at = datetime.combine(cancelled, start.timetz().replace(tzinfo=None), tzinfo=start.tzinfo)
        lines.append((f"{path}.cancelledOccurrences[{number}]", f"EXDATE:{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"))
    return lines


def _number(fields: JsonFields, node: dict[str, Any], key: str, path: str, top: int, default: int) -> int:
    value = node.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
        fields.add(f"{path}.{key}", f"a whole number from 1 to {top}", value)
        return default
    return value
