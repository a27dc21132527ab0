"""The one way a calendar reading is recorded, whatever its source (an .ics file, Google or Graph JSON, CalDAV).

Each source is parsed into a :class:`CalendarRead`; :func:`record` compares it with the stored occurrences.
New, moved and changed occurrences become ``meeting.scheduled`` events (the planner re-plans the moments of a
changed one); cancelled or deleted occurrences become ``meeting.cancelled`` events, are removed from the
stored meetings, and their pending moments are cancelled in the same transaction, with the reason in each trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.meeting import Meeting, MeetingChange, compare
from kairos.domain.person import Person
from kairos.store import email_aliases as alias_store
from kairos.store import events as event_log
from kairos.store import meetings as meeting_store
from kairos.store import moments as moment_store
from kairos.store import people as people_store

# Why a stored occurrence is cancelled when a reading no longer lists it.
GONE_FROM_SERIES = "it is no longer among the event's occurrences"
DELETED = "the event was deleted from the calendar"


@dataclass(frozen=True, slots=True)
class Directory:
    """Who an email address is and who manages whom: what resolving attendees and classifying meetings need."""

    people: Mapping[str, Person]  # active people by id
    by_email: Mapping[str, Person]  # lowercase primary emails, then aliases

    @classmethod
    def of(cls, people: Mapping[str, Person], aliases: Mapping[str, str] | None = None) -> Directory:
        """``aliases`` maps other addresses to person ids; a primary email always wins over an alias."""
        by_email = {email.lower(): people[pid] for email, pid in (aliases or {}).items() if pid in people}
        by_email.update({p.email.lower(): p for p in people.values()})
        return cls(people, by_email)

    def person(self, email: str) -> Person | None:
        return self.by_email.get(email.lower())

    def manager_of(self, person_id: str) -> str | None:
        person = self.people.get(person_id)
        return person.manager_id if person else None


def load_directory(conn: Connection) -> Directory:
    return Directory.of(people_store.active(conn), alias_store.all_aliases(conn))


@dataclass(slots=True)
class CalendarRead:
    """What one calendar source says about a window of time."""

    meetings: list[Meeting] = field(default_factory=list)
    cancelled: dict[str, str] = field(default_factory=dict)  # occurrence key → how the calendar says it is cancelled
    described: set[str] = field(default_factory=set)  # UIDs whose occurrences in the window are all listed
    removed: dict[str, str] = field(default_factory=dict)  # UID → why every later occurrence is gone
    skipped: Counter[str] = field(default_factory=Counter)  # left out, by reason

    def merge(self, other: CalendarRead) -> None:
        self.meetings.extend(other.meetings)
        self.cancelled.update(other.cancelled)
        self.described.update(other.described)
        self.removed.update(other.removed)
        self.skipped.update(other.skipped)


@dataclass(frozen=True, slots=True)
class CalendarImport:
    """What recording a calendar did."""

    meetings: int  # occurrences read
    events: int  # new events in the log
    skipped: dict[str, int]  # left out, by reason
    new: int = 0
    moved: int = 0
    updated: int = 0
    cancelled: int = 0  # stored occurrences cancelled
    cancelled_moments: int = 0  # their pending moments

    def summary(self) -> str:
        left_out = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in sorted(self.skipped.items())) or "none"
        return (
            f"{self.meetings} meeting occurrences ({self.new} new, {self.moved} moved, {self.updated} changed, "
            f"{self.cancelled} cancelled, {self.cancelled_moments} pending moments cancelled), {self.events} new "
            f"events; left out: {left_out}"
        )


def record(
    conn: Connection, read: CalendarRead, *, source: str, window: tuple[datetime, datetime], now: datetime
) -> CalendarImport:
    """Store what changed since the last reading, as events; cancel the moments of cancelled occurrences."""
    incoming = {m.key: m for m in read.meetings}
    stored = meeting_store.get_many(conn, list(incoming))
    gone = _cancellations(conn, read, incoming, window)
    candidates = [m for key, m in incoming.items() if stored.get(key) != m]
    # The event count gives each change's event a distinct id; the latest type tells a reinstated occurrence.
    history = meeting_store.history(conn, [m.key for m in candidates] + list(gone))
    changed: list[tuple[Meeting, MeetingChange, Meeting | None]] = []
    for meeting in candidates:
        before = stored.get(meeting.key)
        was_cancelled = history.get(meeting.key, (0, ""))[1] == EventType.MEETING_CANCELLED.value
        change = compare(before, meeting, was_cancelled=was_cancelled)
        if change is not None:
            changed.append((meeting, change, before))
    meeting_store.save(conn, [m for m, _, _ in changed])
    log = [_scheduled(m, change, before, history.get(m.key, (0, ""))[0], source) for m, change, before in changed]
    cancelled_moments = 0
    pending = moment_store.pending_of_meetings(conn, list(gone))  # one pass, not one per cancelled occurrence
    for key, (meeting, why) in gone.items():
        log.append(_cancelled(meeting, why, history.get(key, (0, ""))[0], source, now))
        detail = _cancel_detail(meeting, why)
        cancelled_moments += moment_store.cancel_for_meeting(conn, key, detail, now, among=pending.get(key, set()))
    meeting_store.delete_many(conn, list(gone))
    added = event_log.append(conn, log, now)
    counts = Counter(change for _, change, _ in changed)
    return CalendarImport(
        meetings=len(incoming),
        events=added,
        skipped=dict(read.skipped),
        new=counts[MeetingChange.NEW] + counts[MeetingChange.REINSTATED],
        moved=counts[MeetingChange.MOVED],
        updated=counts[MeetingChange.UPDATED],
        cancelled=len(gone),
        cancelled_moments=cancelled_moments,
    )


def _cancellations(
    conn: Connection, read: CalendarRead, incoming: Mapping[str, Meeting], window: tuple[datetime, datetime]
) -> dict[str, tuple[Meeting, str]]:
    """Stored occurrences this reading cancels: marked cancelled, missing from a fully listed event, or deleted."""
    gone: dict[str, tuple[Meeting, str]] = {}
    marked = [k for k in read.cancelled if k not in incoming]
    for key, meeting in meeting_store.get_many(conn, marked).items():
        gone[key] = (meeting, read.cancelled[key])
    for meeting in meeting_store.of_uids(conn, sorted(read.described), window[0], window[1]):
        if meeting.key not in incoming:
            gone.setdefault(meeting.key, (meeting, GONE_FROM_SERIES))
    for meeting in meeting_store.of_uids(conn, sorted(read.removed), window[0], None):
        if meeting.key not in incoming:
            gone.setdefault(meeting.key, (meeting, read.removed.get(meeting.uid, DELETED)))
    return gone


def _cancel_detail(meeting: Meeting, why: str) -> Callable[[str | None], str]:
    def detail(time_zone: str | None) -> str:
        zone = ZoneInfo(time_zone) if time_zone else UTC
        local = meeting.start.astimezone(zone)
        return (
            f"cancelled: the meeting {meeting.title!r} on {local:%a %d %b %H:%M} {zone} was cancelled in the "
            f"calendar ({why})"
        )

    return detail


def _scheduled(meeting: Meeting, change: MeetingChange, before: Meeting | None, revision: int, source: str) -> Event:
    data: dict[str, object] = {
        "meeting": meeting.key,
        "title": meeting.title,
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "organizer": meeting.organizer,
        "attendee_ids": list(meeting.attendee_ids),
        "kind": meeting.kind.value,
        "kind_reason": meeting.kind_reason,
        "change": change.value,
        "revision": revision,
    }
    if before is not None and change is MeetingChange.MOVED:
        data["previous_start"] = before.start.isoformat()
        data["previous_end"] = before.end.isoformat()
    return Event(
        # The revision makes a move back to an earlier time a new event, not a duplicate of the first one.
        id=content_id(meeting.key, revision, meeting.start, meeting.end, meeting.title, meeting.attendee_emails),
        source=source,
        type=EventType.MEETING_SCHEDULED,
        subject=meeting.key,
        time=meeting.start,
        data=data,
    )


def _cancelled(meeting: Meeting, why: str, revision: int, source: str, now: datetime) -> Event:
    return Event(
        id=content_id(meeting.key, revision, "cancelled"),
        source=source,
        type=EventType.MEETING_CANCELLED,
        subject=meeting.key,
        time=now,
        data={
            "meeting": meeting.key,
            "title": meeting.title,
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "attendee_ids": list(meeting.attendee_ids),
            "why": why,
            "revision": revision,
        },
    )


def source_name(kind: str, name: str) -> str:
    """An event source for a calendar (``kairos/ical/team.ics``), short enough for the events table."""
    text = f"kairos/{kind}/{name}"
    return text if len(text) <= 300 else f"{text[:260]}~{content_id(text)}"
