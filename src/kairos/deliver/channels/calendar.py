"""The calendar copy of a brief: the manager's brief written into the meeting itself, on the CalDAV server it came from.

A companion channel: it goes beside the person's own channel, for briefs about a meeting synced from CalDAV
(``KAIROS_CALDAV__ATTACH_BRIEFS``), and only into a meeting the brief's recipient organizes — the event that is theirs
to annotate (a tip for an attendee never lands in the organizer's event). Whoever can read the event reads the
description too; on a server that sends the organizer's changes to attendees that includes them
(``docs/channels/calendar.md``).

The brief lives in the event's DESCRIPTION between two marker lines; an earlier Kairos section is replaced and the
organizer's own words are left as they were, so writing the same brief twice changes nothing (a resend is safe). A
recurring meeting gets the brief on its one occurrence only: the occurrence's override (``RECURRENCE-ID``) is
written, or made from the series when there is none yet.

The event is saved with the ETag it was read with (``If-Match``): if someone edits the meeting in between, the
server answers 412 and the event is read again and written once more; a second conflict is left to the next retry.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from icalendar import Calendar

from kairos.deliver.base import Address, Channel, Check, Receipt, ReceiptStatus
from kairos.domain.meeting import SINGLE
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.ingest.caldav_sync import without_login
from kairos.settings import CalDavSettings, Settings

MARK_START = "--- Kairos brief ---"
MARK_END = "--- end of Kairos brief ---"
_SECTION = re.compile(rf"\n*^{re.escape(MARK_START)}$.*?^{re.escape(MARK_END)}$\n*", re.S | re.M)
CALDAV_SOURCE = "kairos/caldav/"  # how the events of a CalDAV-synced calendar name their source
_SERIES_ONLY = ("RRULE", "RDATE", "EXDATE", "EXRULE")


class BriefNotWritable(Exception):
    """The brief cannot go into this event: it is gone, unreadable, has no such occurrence, or is someone else's."""


def with_brief(description: str, brief: str) -> str:
    """``description`` with the Kairos section set to ``brief``: an earlier section replaced, other words kept."""
    own = _SECTION.sub("\n\n", description.replace("\r\n", "\n")).strip()
    words = brief.replace("\r\n", "\n").replace(MARK_START, "").replace(MARK_END, "").strip()
    section = f"{MARK_START}\n{words}\n{MARK_END}"
    return f"{own}\n\n{section}" if own else section


def write_brief(ics: str, recurrence_id: str | None, brief: str, reader: str | None = None) -> bytes | None:
    """The calendar object ``ics`` with the brief in the occurrence's description; None when it is there already.

    With ``reader`` (the brief's recipient), only into a meeting they organize: the event that is theirs to annotate
    (a tip for an attendee never lands in the organizer's event)."""
    try:
        calendar = Calendar.from_ical(ics)
        original = _instant(recurrence_id) if recurrence_id is not None else None
    except ValueError as exc:
        raise BriefNotWritable(f"the event or its occurrence could not be read ({str(exc)[:200]})") from None
    events = [c for c in calendar.walk("VEVENT")]
    series = next((e for e in events if "RECURRENCE-ID" not in e), None)
    if original is None:
        target = series or (events[0] if events else None)
    else:
        target = next((e for e in events if "RECURRENCE-ID" in e and _same(e.decoded("RECURRENCE-ID"), original)),
                      None)  # fmt: skip
        if target is None and series is not None:
            if any(_same(excluded, original) for excluded in _excluded(series)):
                raise BriefNotWritable("that occurrence was cancelled in the calendar")
            target = _override(series, original)
            calendar.add_component(target)
    if target is None:
        raise BriefNotWritable("the calendar object holds no such event or occurrence")
    organizer = str(target.get("ORGANIZER", "")).removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()
    if reader and organizer and organizer != reader.strip().lower():
        raise BriefNotWritable(f"the meeting is organized by {organizer}, not by the brief's recipient; the calendar "
                               f"copy goes only into meetings the recipient organizes")  # fmt: skip
    before = str(target.get("DESCRIPTION", ""))
    after = with_brief(before, brief)
    if after == before.replace("\r\n", "\n"):
        return None
    target.pop("DESCRIPTION", None)
    target.add("DESCRIPTION", after)
    return bytes(calendar.to_ical())


def _override(series: Any, original: datetime) -> Any:
    """An override of one occurrence of ``series``, as it is: the same event at its original time, no repetition."""
    event = copy.deepcopy(series)
    for name in _SERIES_ONLY:
        event.pop(name, None)
    start = series.decoded("DTSTART")
    if isinstance(start, datetime):
        at: date | datetime = original.astimezone(start.tzinfo) if start.tzinfo else original.replace(tzinfo=None)
    else:
        at = original.date()
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        event.pop(name, None)
    event.add("RECURRENCE-ID", at)
    event.add("DTSTART", at)
    if "DTEND" in series:
        event.add("DTEND", at + (series.decoded("DTEND") - start))
    return event


def _excluded(series: Any) -> list[Any]:
    """The starts a series leaves out (EXDATE, one property or several)."""
    found = series.get("EXDATE")
    lists = found if isinstance(found, list) else [found] if found is not None else []
    return [d.dt for item in lists for d in getattr(item, "dts", [])]


def _instant(value: str) -> datetime:
    found = datetime.fromisoformat(value)
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


def _same(given: Any, original: datetime) -> bool:
    if isinstance(given, datetime):
        return (given if given.tzinfo else given.replace(tzinfo=UTC)).astimezone(UTC) == original
    return isinstance(given, date) and given == original.date()


class CalendarChannel(Channel):
    name = "calendar"
    companion = True
    resend_is_safe = True  # the same section written twice is the same event (and the second write is skipped)

    def __init__(self, settings: CalDavSettings) -> None:
        assert settings.url, "the calendar channel needs KAIROS_CALDAV__URL"
        self.settings = settings
        self.url = settings.url

    def reaches(self, person: Person, address: Address | None) -> bool:
        return True  # nobody's own address is needed: the meeting is found by its UID

    def applies_to(self, nudge: Nudge) -> bool:
        """A nudge about a meeting synced from CalDAV, for the person who organizes it (when that is known)."""
        meeting = nudge.meeting or {}
        organizer = str(meeting.get("organizer") or "").strip().lower()
        if organizer and organizer != nudge.recipient_email.strip().lower():
            return False
        return bool(meeting.get("uid")) and source_of(nudge).startswith(CALDAV_SOURCE)

    def check(self) -> Check:
        """Log in and list the calendars the login can write briefs into."""
        client = self._client()
        try:
            found = client.principal().calendars()
        except dav_error.AuthorizationError as exc:
            return Check(False, f"the CalDAV server refused the login ({_reason(exc)})")
        except (dav_error.DAVError, OSError) as exc:
            return Check(False, f"the CalDAV server could not be read ({_reason(exc)})")
        finally:
            client.close()
        return Check(True, f"{len(found)} calendar(s) at {without_login(self.url)}")

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        meeting = nudge.meeting or {}
        brief = nudge.text.rstrip() + (f"\n\n{nudge.delivery_note}" if nudge.delivery_note else "")
        client = self._client()
        try:
            return self._write(client, nudge, brief, mark_in_flight)
        except BriefNotWritable as exc:
            return Receipt(ReceiptStatus.PERMANENT, detail=f"{meeting.get('title')!r}: {exc}")
        except dav_error.AuthorizationError as exc:
            return Receipt(ReceiptStatus.PERMANENT, detail=f"the CalDAV server refused the login ({_reason(exc)})")
        except (dav_error.DAVError, OSError) as exc:
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"the CalDAV server could not be written ({_reason(exc)})")
        finally:
            client.close()

    def _write(self, client: Any, nudge: Nudge, brief: str, mark_in_flight: Callable[[], None]) -> Receipt:
        """Read, change and save the event; after a 412 (someone else saved it meanwhile) once more from the top."""
        meeting = nudge.meeting or {}
        in_flight = False
        for _ in range(2):
            event = self._find(client, source_of(nudge), str(meeting["uid"]))
            changed = write_brief(str(event.data), recurrence_of(meeting), brief, nudge.recipient_email)
            where = without_login(str(event.url))
            if changed is None:
                return Receipt(ReceiptStatus.DELIVERED, provider_id=where, detail="the brief was already there")
            if not in_flight:
                mark_in_flight()
                in_flight = True
            try:
                event.save(raw_data=changed, precondition="etag")
            except dav_error.ETagMismatchError:
                continue
            return Receipt(ReceiptStatus.DELIVERED, provider_id=where,
                           detail=f"written into {meeting.get('title')!r} at {where}")  # fmt: skip
        return Receipt(ReceiptStatus.RETRYABLE, detail="the event changed on the server while the brief was written, "
                                                       "twice; trying again later")  # fmt: skip

    def _client(self) -> Any:
        s = self.settings
        password = s.password.get_secret_value() if s.password else None
        return DAVClient(url=self.url, username=s.username, password=password,
                         auth_type="basic" if s.username else None, timeout=int(s.timeout_seconds))  # fmt: skip

    def _find(self, client: Any, source: str, uid: str) -> Any:
        """The calendar object holding the meeting, freshly read (with its ETag): its own collection first."""
        for calendar in self._calendars(client, source):
            try:
                found = calendar.get_event_by_uid(uid)
                found.load()
            except dav_error.NotFoundError:
                continue
            return found
        raise BriefNotWritable(f"the event {uid[:100]} is not on the CalDAV server any more")

    def _calendars(self, client: Any, source: str) -> Iterator[Any]:
        """The meeting's own collection (named by its event source), then the login's other calendars."""
        collection = source[len(CALDAV_SOURCE) :]
        own = None
        if "~" not in collection and _origin(collection) == _origin(self.url):  # "~": a source name cut short
            own = client.calendar(url=collection)
            yield own
        for calendar in client.principal().calendars():
            if own is None or str(calendar.url.canonical()) != str(own.url.canonical()):
                yield calendar


def source_of(nudge: Nudge) -> str:
    """Where the meeting came from: the meeting's own ``source``, else the source of the event the nudge is about."""
    meeting = nudge.meeting or {}
    event = nudge.why.get("event") if isinstance(nudge.why, dict) else None
    return str(meeting.get("source") or (event.get("source") if isinstance(event, dict) else "") or "")


def recurrence_of(meeting: dict[str, Any]) -> str | None:
    """The occurrence's original start (ISO) for a repeating meeting, None for a single one; read from the meeting's
    ``recurrence_id`` or its key (``<uid>@<original start>``, ``<uid>@once``)."""
    if meeting.get("recurrence_id"):
        return str(meeting["recurrence_id"])
    uid, key = str(meeting.get("uid") or ""), str(meeting.get("key") or "")
    occurrence = key[len(uid) + 1 :] if uid and key.startswith(f"{uid}@") else SINGLE
    return None if occurrence == SINGLE else occurrence


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def from_settings(settings: Settings) -> CalendarChannel | None:
    """On when a CalDAV server is configured and ``KAIROS_CALDAV__ATTACH_BRIEFS`` asks for it."""
    if not settings.caldav.url or not settings.caldav.attach_briefs:
        return None
    return CalendarChannel(settings.caldav)
