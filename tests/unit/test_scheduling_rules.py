"""Timing rules with a frozen clock: due times in the recipient's zone, DST, working days, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kairos.plays.schema import AtLocalTime, BeforeMeeting
from kairos.plays.timing import QuietWindow, due_time, local_wall_time, local_week, next_working_day

WEEKDAYS = [0, 1, 2, 3, 4]
NEW_YORK, BERLIN, SINGAPORE = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Singapore")


def test_brief_is_due_30_minutes_before_the_meeting_whatever_the_zone() -> None:
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    due = due_time(
        BeforeMeeting(before_meeting=timedelta(minutes=30)),
        event_time=start,
        meeting_start=start,
        zone=BERLIN,
        working_days=WEEKDAYS,
    )
    assert due.at == datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    assert due.expires == start
    assert "10:00 Europe/Berlin" not in due.detail and "09:30 Europe/Berlin" in due.detail


def test_a_brief_across_the_us_dst_change_keeps_the_local_meeting_time() -> None:
    # A 10:00 New York meeting is 15:00 UTC before 8 March 2026 and 14:00 UTC after it.
    for day, utc_hour in ((date(2026, 3, 6), 15), (date(2026, 3, 9), 14)):
        start = local_wall_time(day, time(10), NEW_YORK)
        assert start.hour == utc_hour
        due = due_time(
            BeforeMeeting(before_meeting=timedelta(minutes=30)),
            event_time=start,
            meeting_start=start,
            zone=NEW_YORK,
            working_days=WEEKDAYS,
        )
        assert due.at.astimezone(NEW_YORK).time() == time(9, 30)


def test_promotion_nudge_is_at_9_local_on_the_first_working_day_after_it_is_effective() -> None:
    timing = AtLocalTime(at_local=time(9), expires_after=timedelta(days=2))
    effective_friday = date(2026, 3, 6)
    for zone, utc in (
        (NEW_YORK, datetime(2026, 3, 9, 13, tzinfo=UTC)),  # EDT from 8 March: UTC-4
        (BERLIN, datetime(2026, 3, 9, 8, tzinfo=UTC)),
        (SINGAPORE, datetime(2026, 3, 9, 1, tzinfo=UTC)),
    ):
        due = due_time(
            timing,
            event_time=datetime(2026, 3, 6, tzinfo=UTC),
            effective_day=effective_friday,
            meeting_start=None,
            zone=zone,
            working_days=WEEKDAYS,
        )
        assert due.at == utc, zone
        assert due.expires == utc + timedelta(days=2)


def test_the_effective_date_is_the_same_calendar_date_in_every_zone() -> None:
    # Midnight UTC on 4 March is still 3 March in New York; the change is effective on the 4th there too.
    timing = AtLocalTime(at_local=time(9))
    due = due_time(
        timing,
        event_time=datetime(2026, 3, 4, tzinfo=UTC),
        effective_day=date(2026, 3, 4),
        meeting_start=None,
        zone=NEW_YORK,
        working_days=WEEKDAYS,
    )
    assert due.at.astimezone(NEW_YORK).date() == date(2026, 3, 5)


def test_next_working_day_skips_the_weekend_and_honours_configured_days() -> None:
    assert next_working_day(date(2026, 3, 6), WEEKDAYS) == date(2026, 3, 9)
    assert next_working_day(date(2026, 3, 6), WEEKDAYS, include_same_day=True) == date(2026, 3, 6)
    sunday_to_thursday = [6, 0, 1, 2, 3]
    assert next_working_day(date(2026, 3, 5), sunday_to_thursday) == date(2026, 3, 8)


def test_a_wall_time_inside_the_spring_forward_gap_moves_forward() -> None:
    # 02:30 does not exist in New York on 8 March 2026.
    at = local_wall_time(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert at.astimezone(NEW_YORK).time() == time(3, 30)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(20, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
        (time(19, 59), False),
    ],
)
def test_quiet_hours_that_cross_midnight(local: time, quiet: bool) -> None:
    assert QuietWindow(time(20), time(8)).contains(local) is quiet


def test_quiet_hours_within_one_day() -> None:
    window = QuietWindow(time(12), time(13))
    assert window.contains(time(12, 30)) and not window.contains(time(13)) and not window.contains(time(11, 59))


def test_the_end_of_quiet_hours_is_the_next_morning_when_it_is_evening() -> None:
    window = QuietWindow(time(20), time(8))
    evening = datetime(2026, 3, 3, 21, 15, tzinfo=BERLIN)
    assert window.end_after(evening) == datetime(2026, 3, 4, 8, 0, tzinfo=BERLIN)
    early = datetime(2026, 3, 3, 6, 0, tzinfo=BERLIN)
    assert window.end_after(early) == datetime(2026, 3, 3, 8, 0, tzinfo=BERLIN)


def test_the_local_week_runs_monday_to_sunday_in_the_recipients_zone() -> None:
    # Sunday 8 March 23:30 in Singapore is still that week; in UTC it is Sunday 15:30.
    start, end = local_week(datetime(2026, 3, 8, 15, 30, tzinfo=UTC), SINGAPORE)
    assert start.astimezone(SINGAPORE) == datetime(2026, 3, 2, tzinfo=SINGAPORE)
    assert end.astimezone(SINGAPORE) == datetime(2026, 3, 9, tzinfo=SINGAPORE)
    # The same instant is already Monday 9 March in... no zone east of UTC+9; in New York it is Sunday.
    ny_start, _ = local_week(datetime(2026, 3, 9, 3, 0, tzinfo=UTC), NEW_YORK)
    assert ny_start.astimezone(NEW_YORK).date() == date(2026, 3, 2)
