"""A brief about a meeting as an iCalendar file (RFC 5545): the brief at the meeting's own time, in one's calendar.

It is published (``METHOD:PUBLISH``), not an invitation: nobody is asked to attend, and it is marked transparent so
it does not make its reader look busy twice. Its UID derives from the moment, so receiving the same brief again
updates the one already imported instead of adding a second; ``RELATED-TO`` names the meeting it prepares.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from kairos.domain.nudge import Nudge

PRODID = "-//Kairos//Meeting brief//EN"


def brief_uid(nudge: Nudge, domain: str) -> str:
    """The brief's own UID: from its moment, else from the meeting occurrence and the reader."""
    if nudge.moment_id is not None:
        return f"kairos-brief-{nudge.moment_id}@{domain}"
    meeting = nudge.meeting or {}
    basis = f"{meeting.get('uid')}|{meeting.get('start')}|{nudge.recipient_id}"
    return f"kairos-brief-{hashlib.sha256(basis.encode()).hexdigest()[:24]}@{domain}"


def brief_calendar(nudge: Nudge, *, stamp: datetime, domain: str) -> bytes:
    """``nudge`` (a brief with ``meeting`` set) as a one-event calendar file."""
    meeting: dict[str, Any] = nudge.meeting or {}
    start = _instant(meeting.get("start")) or stamp.astimezone(UTC)
    end = _instant(meeting.get("end")) or start + timedelta(minutes=30)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", brief_uid(nudge, domain))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", max(end, start))
    event.add("summary", f"Brief: {meeting.get('title') or nudge.subject}")
    event.add("description", nudge.text)
    if meeting.get("uid"):
        event.add("related-to", str(meeting["uid"]))
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 time from the nudge, in UTC (a time without a zone is taken as UTC, as Kairos stores them)."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, str) and value:
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)
