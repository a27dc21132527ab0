"""Timing holds in every zone on every day, including the days clocks jump or repeat an hour:

- a ``before_meeting`` moment is due exactly its offset before the meeting's real start, ``after_meeting``
  exactly its offset after the real end (elapsed time, not wall-clock arithmetic);
- a planned moment is never due inside the recipient's quiet hours: it is either at its own time, or moved to
  the end of the quiet hours before it expires, or stopped with the reason ``quiet_hours``;
- whole days after an event keep the recipient's wall-clock time (a time the clocks skip lands after the jump).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.domain.moment import StopReason
from kairos.plays.matcher import MatchContext, compile_play, plan_moments
from kairos.plays.schema import AfterEvent, Play
from kairos.plays.timing import QuietWindow, due_time
from tests.factories import person

ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/")))
DST_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Australia/Lord_Howe",
             "Europe/London", "America/Havana", "Asia/Tehran", "Pacific/Chatham"]  # fmt: skip
WEEKDAYS = [0, 1, 2, 3, 4]


@functools.cache
def _transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants in ``year`` at which ``zone_name`` changes its offset (to the hour)."""
    zone = ZoneInfo(zone_name)
    found = []
    at = datetime(year, 1, 1, tzinfo=UTC)
    offset = at.astimezone(zone).utcoffset()
    while at.year == year:
        later = at + timedelta(days=1)
        if later.astimezone(zone).utcoffset() != offset:
            hour = at
            while hour.astimezone(zone).utcoffset() == offset:
                hour += timedelta(hours=1)
            found.append(hour)
            offset = later.astimezone(zone).utcoffset()
        at = later
    return tuple(found)


@st.composite
def zoned_instants(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a UTC instant: often within hours of one of its clock changes, otherwise anywhere in 2020–2030."""
    if draw(st.booleans()):
        zone = draw(st.sampled_from(DST_ZONES))
        changes = _transitions(zone, draw(st.integers(2020, 2030)))
        if changes:
            near = draw(st.sampled_from(changes))
            return zone, near + timedelta(minutes=draw(st.integers(-4 * 60, 4 * 60)))
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    return zone, datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))


OFFSETS = st.sampled_from(["5m", "15m", "30m", "45m", "1h", "90m", "2h", "1d"])
QUIET = st.tuples(st.integers(17, 23), st.integers(5, 9)).map(lambda h: QuietWindow(time(h[0]), time(h[1])))


def _plan(timing_key: str, offset: str, zone: str, start: datetime, quiet: QuietWindow):  # type: ignore[no-untyped-def]
    play = Play.model_validate(
        {"id": "p", "version": 1, "title": "P", "trigger": {"event": "meeting.scheduled"},
         "actions": [{"id": "a", "audience": "subject", "kind": "tip", "template": "t",
                      "timing": {timing_key: offset}}]}
    )  # fmt: skip
    boss = person("boss", time_zone="UTC", email="boss@example.com")
    rep = person("rep", manager_id="boss", time_zone=zone, email="rep@example.com")
    meeting = Meeting(
        uid="m", occurrence="once", start=start, end=start + timedelta(minutes=50), title="1:1",
        organizer="boss@example.com", attendee_emails=(), attendee_ids=("boss", "rep"),
        kind=MeetingKind.ONE_ON_ONE, kind_reason="test",
    )  # fmt: skip
    ctx = MatchContext(now=start - timedelta(days=30), people={"boss": boss, "rep": rep}, meeting=meeting,
                       has_active_goal=lambda pid: True, working_days=WEEKDAYS, quiet=quiet)  # fmt: skip
    event = Event(id="e", source="t", type=EventType.MEETING_SCHEDULED, subject=meeting.key, time=ctx.now)
    [moment] = plan_moments(compile_play(play), event, 1, ctx)
    return meeting, moment


def _check_quiet_hours(moment, raw: datetime, quiet: QuietWindow, zone: str) -> None:  # type: ignore[no-untyped-def]
    tz = ZoneInfo(zone)
    if moment.stop_reason is StopReason.QUIET_HOURS:
        assert quiet.contains(raw.astimezone(tz).time())
        return
    assert moment.stop_reason is None
    due = moment.due_at.astimezone(tz)
    assert not quiet.contains(due.time()), f"due at {due} inside quiet hours"
    if moment.due_at != raw:  # moved: to the end of the quiet hours, still before it expires
        assert quiet.contains(raw.astimezone(tz).time())
        assert due.time() >= quiet.end and moment.due_at > raw and moment.due_at < moment.expires_at


@settings(max_examples=150, deadline=None)
@given(zoned_instants(), OFFSETS, QUIET)
def test_a_before_meeting_moment_is_due_exactly_its_offset_before_the_real_start(
    zoned: tuple[str, datetime], offset: str, quiet: QuietWindow
) -> None:
    zone, start = zoned
    meeting, moment = _plan("before_meeting", offset, zone, start, quiet)
    raw = meeting.start - moment_offset(offset)
    assert moment.expires_at == meeting.start
    assert moment.trace[-1].path in {"actions/0/timing", "rules/quiet_hours"}
    step = next(s for s in moment.trace if s.path == "actions/0/timing")
    assert datetime.fromisoformat(step.values["due_at"]) == raw
    _check_quiet_hours(moment, raw, quiet, zone)


@settings(max_examples=150, deadline=None)
@given(zoned_instants(), OFFSETS, QUIET)
def test_an_after_meeting_moment_is_due_exactly_its_offset_after_the_real_end(
    zoned: tuple[str, datetime], offset: str, quiet: QuietWindow
) -> None:
    zone, start = zoned
    meeting, moment = _plan("after_meeting", offset, zone, start, quiet)
    raw = meeting.end + moment_offset(offset)
    step = next(s for s in moment.trace if s.path == "actions/0/timing")
    assert datetime.fromisoformat(step.values["due_at"]) == raw
    assert moment.expires_at == raw + timedelta(days=1)
    _check_quiet_hours(moment, raw, quiet, zone)


@settings(max_examples=150, deadline=None)
@given(zoned_instants(), st.integers(1, 10))
def test_whole_days_after_an_event_keep_the_wall_clock_time_in_the_recipients_zone(
    zoned: tuple[str, datetime], days: int
) -> None:
    zone_name, event_time = zoned
    zone = ZoneInfo(zone_name)
    timing = AfterEvent.model_validate({"after_event": f"{days}d", "on_working_day": False})
    due = due_time(timing, event_time=event_time, meeting_start=None, zone=zone, working_days=WEEKDAYS)
    before, after = event_time.astimezone(zone), due.at.astimezone(zone)
    assert after.date() == before.date() + timedelta(days=days)
    wall = datetime.combine(after.date(), before.time())
    if after.replace(tzinfo=None) != wall:
        # The wall time does not exist that day (the clocks jumped over it): it lands just after the jump.
        assert datetime.combine(after.date(), before.time(), tzinfo=zone).astimezone(UTC) == due.at
        assert after.replace(tzinfo=None) > wall
    assert due.expires == due.at + timedelta(days=1)


def moment_offset(spelled: str) -> timedelta:
    from kairos.plays.schema import parse_duration

    return parse_duration(spelled)
