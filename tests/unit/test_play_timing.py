"""The new timings with a frozen clock: after a meeting ends, days after an event, working days, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from kairos.plays.schema import AfterEvent, AfterMeeting, Play
from kairos.plays.timing import due_time, local_wall_time

WEEKDAYS = [0, 1, 2, 3, 4]
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def _after_event(value: str, **extra: object) -> AfterEvent:
    return AfterEvent.model_validate({"after_event": value, **extra})


def test_a_reflection_is_due_15_minutes_after_the_meeting_ends_and_expires_a_day_later() -> None:
    start = datetime(2026, 3, 3, 14, tzinfo=UTC)
    due = due_time(
        AfterMeeting.model_validate({"after_meeting": "15m"}),
        event_time=start - timedelta(days=3),
        meeting_start=start,
        meeting_end=start + timedelta(minutes=45),
        zone=BERLIN,
        working_days=WEEKDAYS,
    )
    assert due.at == datetime(2026, 3, 3, 15, tzinfo=UTC)
    assert due.expires == due.at + timedelta(days=1)
    assert due.detail == "15 min after the meeting ends: Tue 03 Mar 16:00 Europe/Berlin"


def test_after_meeting_needs_the_meeting_end() -> None:
    with pytest.raises(ValueError, match="needs a meeting"):
        due_time(AfterMeeting.model_validate({"after_meeting": "15m"}), event_time=datetime(2026, 3, 3, tzinfo=UTC),
                 meeting_start=None, zone=BERLIN, working_days=WEEKDAYS)  # fmt: skip


def test_whole_days_after_an_event_keep_the_local_time_across_the_spring_dst_change() -> None:
    # Berlin moves to summer time on Sunday 29 March 2026: three days after Friday 10:00 is Monday 10:00 local,
    # which is 71 hours later, not 72.
    event = local_wall_time(date(2026, 3, 27), time(10), BERLIN)
    due = due_time(_after_event("3d"), event_time=event, meeting_start=None, zone=BERLIN, working_days=WEEKDAYS)
    assert due.at.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 10)
    assert due.at - event == timedelta(hours=71)
    assert due.detail == "3 d after the event: Mon 30 Mar 10:00 Europe/Berlin"


def test_hours_after_an_event_are_exact_elapsed_time() -> None:
    event = local_wall_time(date(2026, 3, 28), time(22), BERLIN)  # the night the clocks go forward
    due = due_time(
        _after_event("12h", on_working_day=False), event_time=event, meeting_start=None, zone=BERLIN,
        working_days=WEEKDAYS,
    )  # fmt: skip
    assert due.at - event == timedelta(hours=12)
    assert due.at.astimezone(BERLIN).time() == time(11)  # 22:00 CET + 12 h = 11:00 CEST


def test_a_day_reached_on_the_weekend_moves_to_the_next_working_day_at_the_same_local_time() -> None:
    friday = local_wall_time(date(2026, 3, 6), time(15), NEW_YORK)
    due = due_time(_after_event("1d"), event_time=friday, meeting_start=None, zone=NEW_YORK, working_days=WEEKDAYS)
    # Saturday 7 March → Monday 9 March, 15:00, after the US change to summer time on the 8th
    assert due.at == datetime(2026, 3, 9, 19, tzinfo=UTC)
    assert "moved from Sat to the next working day" in due.detail
    stay = due_time(
        _after_event("1d", on_working_day=False), event_time=friday, meeting_start=None, zone=NEW_YORK,
        working_days=WEEKDAYS,
    )  # fmt: skip
    assert stay.at.astimezone(NEW_YORK).date() == date(2026, 3, 7)


def test_days_after_an_event_at_a_local_time_count_from_its_effective_date_in_the_recipients_zone() -> None:
    timing = _after_event("2d", at_local="09:00", expires_after="3d")
    # An HR change effective Thursday 5 March (midnight UTC is still the 4th in New York).
    for zone, utc in ((NEW_YORK, datetime(2026, 3, 9, 13, tzinfo=UTC)), (BERLIN, datetime(2026, 3, 9, 8, tzinfo=UTC))):
        due = due_time(
            timing, event_time=datetime(2026, 3, 5, tzinfo=UTC), effective_day=date(2026, 3, 5), meeting_start=None,
            zone=zone, working_days=WEEKDAYS,
        )  # fmt: skip
        assert due.at == utc, zone  # Saturday the 7th moves to Monday the 9th
        assert due.expires == utc + timedelta(days=3)
    assert "2 d after the event of Thu 05 Mar" in due.detail


def test_a_local_time_skipped_by_the_clock_change_lands_just_after_it() -> None:
    timing = _after_event("1d", at_local="02:30", on_working_day=False)
    due = due_time(timing, event_time=datetime(2026, 3, 28, 12, tzinfo=UTC), meeting_start=None, zone=BERLIN,
                   working_days=WEEKDAYS)  # fmt: skip
    assert due.at.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_a_local_time_after_an_event_counts_whole_days_only() -> None:
    with pytest.raises(ValidationError, match="whole days"):
        _after_event("36h", at_local="09:00")


def test_play_files_spell_the_new_timings_like_the_old_ones() -> None:
    play = Play.model_validate(
        {
            "id": "p", "version": 1, "title": "t", "trigger": {"event": "meeting.scheduled"},
            "actions": [
                {"id": "a", "audience": "both", "kind": "nudge", "template": "x", "timing": {"after_meeting": "15m"}},
                {"id": "b", "audience": "coach", "kind": "nudge", "template": "x",
                 "timing": {"after_event": "1w", "at_local": "09:00"}},
            ],
        }
    )  # fmt: skip
    dumped = play.model_dump(mode="json")
    assert dumped["actions"][0]["timing"] == {"after_meeting": "15m", "expires_after": "1d"}
    assert dumped["actions"][1]["timing"] == {
        "after_event": "1w", "at_local": "09:00:00", "on_working_day": True, "expires_after": "1d"
    }  # fmt: skip
