"""Scheduling rules over time: due times in the recipient's zone, working days, quiet hours, local weeks.

Pure functions: they take the times they need and never read a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kairos.plays.schema import AfterEvent, AfterMeeting, AtLocalTime, BeforeMeeting, Timing


@dataclass(frozen=True, slots=True)
class QuietWindow:
    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # the window crosses midnight

    def end_after(self, local: datetime) -> datetime:
        """The first local moment at or after ``local`` outside the window."""
        candidate = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        if candidate < local:
            candidate += timedelta(days=1)
        return candidate


@dataclass(frozen=True, slots=True)
class Due:
    at: datetime  # UTC
    expires: datetime  # UTC; after this the moment is pointless
    detail: str


def next_working_day(after: date, working_days: Sequence[int], *, include_same_day: bool = False) -> date:
    day = after if include_same_day else after + timedelta(days=1)
    for _ in range(14):
        if day.weekday() in working_days:
            return day
        day += timedelta(days=1)
    raise ValueError("no working day in two weeks: check the working_days setting")


def local_wall_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, as UTC.

    A wall time skipped by a spring-forward jump lands after the jump (02:30 → 03:30), and a
    repeated one in autumn means its first occurrence: PEP 495's ``fold=0`` gives both.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def due_time(
    timing: Timing,
    *,
    event_time: datetime,
    effective_day: date | None = None,
    meeting_start: datetime | None,
    meeting_end: datetime | None = None,
    zone: ZoneInfo,
    working_days: Sequence[int],
) -> Due:
    """When a moment is due and when it stops being worth sending, with a sentence saying so in ``zone``.

    Offsets from a meeting are exact elapsed time (a brief 30 minutes before a meeting is 30 real minutes
    before it, DST or not); whole days after an event keep the recipient's wall-clock time.
    """
    if isinstance(timing, BeforeMeeting):
        if meeting_start is None:
            raise ValueError("before_meeting timing needs a meeting")
        at = meeting_start - timing.before_meeting
        local = at.astimezone(zone)
        return Due(
            at, meeting_start, f"{_fmt(timing.before_meeting)} before the meeting: {local:%a %d %b %H:%M} {zone.key}"
        )
    if isinstance(timing, AfterMeeting):
        if meeting_end is None:
            raise ValueError("after_meeting timing needs a meeting")
        at = meeting_end + timing.after_meeting
        local = at.astimezone(zone)
        detail = f"{_fmt(timing.after_meeting)} after the meeting ends: {local:%a %d %b %H:%M} {zone.key}"
        return Due(at, at + timing.expires_after, detail)
    if isinstance(timing, AfterEvent):
        return _after_event(timing, event_time, effective_day, zone, working_days)
    if isinstance(timing, AtLocalTime):
        # An HR change is effective on a calendar date, which is the same date wherever the person is.
        event_day = effective_day or event_time.astimezone(zone).date()
        day = next_working_day(event_day, working_days, include_same_day=timing.day == "event_day_or_next_working_day")
        at = local_wall_time(day, timing.at_local, zone)
        return Due(
            at, at + timing.expires_after, f"{timing.at_local:%H:%M} {zone.key} on {day:%a %d %b} ({timing.day})"
        )
    raise TypeError(f"unknown timing {timing!r}")


def _after_event(
    timing: AfterEvent, event_time: datetime, effective_day: date | None, zone: ZoneInfo, working_days: Sequence[int]
) -> Due:
    days, rest = divmod(timing.after_event, timedelta(days=1))
    offset = _fmt(timing.after_event)
    if timing.at_local is not None:
        start = effective_day or event_time.astimezone(zone).date()
        day = start + timedelta(days=days)
        if timing.on_working_day:
            day = next_working_day(day, working_days, include_same_day=True)
        at = local_wall_time(day, timing.at_local, zone)
        detail = f"{timing.at_local:%H:%M} {zone.key} on {day:%a %d %b}, {offset} after the event of {start:%a %d %b}"
        return Due(at, at + timing.expires_after, detail)
    # Whole days move the calendar date and keep the wall-clock time; what is left is exact elapsed time.
    local = event_time.astimezone(zone)
    at = local_wall_time(local.date() + timedelta(days=days), local.time(), zone) + rest
    moved = ""
    reached = at.astimezone(zone)
    if timing.on_working_day and reached.weekday() not in working_days:
        day = next_working_day(reached.date(), working_days)
        at = local_wall_time(day, reached.time(), zone)
        moved = f" (moved from {reached:%a} to the next working day)"
    detail = f"{offset} after the event: {at.astimezone(zone):%a %d %b %H:%M} {zone.key}{moved}"
    return Due(at, at + timing.expires_after, detail)


def _fmt(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} d"
    return (
        f"{minutes // 60} h {minutes % 60} min"
        if minutes >= 60 and minutes % 60
        else (f"{minutes // 60} h" if minutes >= 60 else f"{minutes} min")
    )


def local_week(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The recipient's local Monday-to-Sunday week containing ``at``, as UTC bounds."""
    local_day = at.astimezone(zone).date()
    monday = local_day - timedelta(days=local_day.weekday())
    return local_wall_time(monday, time(0), zone), local_wall_time(monday + timedelta(days=7), time(0), zone)


def local_day(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = at.astimezone(zone).date()
    return local_wall_time(day, time(0), zone), local_wall_time(day + timedelta(days=1), time(0), zone)
