"""Google Calendar API ``events.list`` responses (``{"kind": "calendar#events", "items": [...]}``).

Series masters carry ``recurrence`` lines (RRULE, EXDATE, RDATE); a changed or cancelled occurrence is an item
with ``recurringEventId`` and ``originalStartTime``; a deleted event in an incremental listing is an item with
only its ``id`` and ``status: cancelled``. Documented in ``docs/formats/calendar.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kairos.errors import InputError
from kairos.ingest.calendar_json import ApiEvent, JsonFields, partstat, read_events, zone_named
from kairos.ingest.meeting_sync import CalendarRead, Directory

# Entries of a person's calendar that are not meetings with anyone.
NOT_MEETINGS = {"outOfOffice", "focusTime", "workingLocation", "birthday"}


def looks_like_google(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("kind") == "calendar#events" or isinstance(doc.get("items"), list))


def parse_google_events(
    doc: Any, file: str, *, window: tuple[datetime, datetime], directory: Directory, default_zone: str = "UTC"
) -> CalendarRead:
    """The meetings of an ``events.list`` response inside ``window``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise InputError.at(file, 'a Google Calendar events list: {"items": [...]}', field="items")
    fields = JsonFields(file)
    calendar_zone = fields.text(doc, "timeZone", "$")
    if calendar_zone is not None and zone_named(calendar_zone) is None:
        fields.add("timeZone", "an IANA time zone name for the calendar", calendar_zone)
        calendar_zone = None
    events: list[ApiEvent] = []
    removed: set[str] = set()
    skipped: dict[str, int] = {}
    for index, item in enumerate(doc["items"]):
        path = f"items[{index}]"
        if not isinstance(item, dict):
            fields.add(path, "an event object", item)
            continue
        event_id = fields.text(item, "id", path, required=True, limit=1000)
        status = fields.text(item, "status", path)
        if event_id is None:
            continue
        if item.get("eventType") in NOT_MEETINGS:
            skipped["not_a_meeting"] = skipped.get("not_a_meeting", 0) + 1
            continue
        master = fields.text(item, "recurringEventId", path, limit=1000)
        if status == "cancelled" and (master is None or "originalStartTime" not in item):
            removed.add(event_id)  # a deleted event: only its id is guaranteed
            continue
        event = _event(fields, item, path, event_id, master, calendar_zone, cancelled=status == "cancelled")
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
    read.skipped.update(skipped)
    return read


def _when(fields: JsonFields, node: dict[str, Any] | None, path: str, zone: str | None) -> datetime | date | None:
    if node is None:
        fields.add(path, "an object with dateTime (and timeZone) or date")
        return None
    if "date" in node and "dateTime" not in node:
        return fields.moment(node["date"], f"{path}.date", None, all_day=True)
    own_zone = fields.text(node, "timeZone", path)
    return fields.moment(node.get("dateTime"), f"{path}.dateTime", own_zone or zone)


def _event(
    fields: JsonFields,
    item: dict[str, Any],
    path: str,
    event_id: str,
    master: str | None,
    calendar_zone: str | None,
    *,
    cancelled: bool,
) -> ApiEvent | None:
    original = None
    if master is not None:
        original = _when(fields, fields.obj(item, "originalStartTime", path), f"{path}.originalStartTime", None)
    if cancelled and original is not None and "start" not in item:
        return ApiEvent(uid=master or event_id, start=original, end=None, original=original, cancelled=True)
    start = _when(fields, fields.obj(item, "start", path), f"{path}.start", calendar_zone)
    end_node = fields.obj(item, "end", path)
    end = _when(fields, end_node, f"{path}.end", calendar_zone) if end_node is not None else None
    organizer = fields.text(fields.obj(item, "organizer", path), "email", f"{path}.organizer", limit=320)
    attendees = []
    for number, attendee in enumerate(fields.items(item, "attendees", path)):
        where = f"{path}.attendees[{number}]"
        if not isinstance(attendee, dict):
            fields.add(where, "an attendee object", attendee)
            continue
        email = fields.text(attendee, "email", where, limit=320)
        if not email or attendee.get("resource") is True:
            continue
        attendees.append((email, partstat(fields.text(attendee, "responseStatus", where))))
    recurrence = [
        line
        for number, text in enumerate(fields.items(item, "recurrence", path))
        if (line := fields.recurrence_line(text, f"{path}.recurrence[{number}]")) is not None
    ]
    if start is None:
        return None
    return ApiEvent(
        uid=master or event_id,
        start=start,
        end=end,
        title=fields.text(item, "summary", path) or "",
        organizer=organizer,
        attendees=attendees,
        recurrence=recurrence if master is None else [],
        original=original,
        cancelled=cancelled,
    )
