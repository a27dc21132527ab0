"""The stall rule with a frozen clock: three quiet weeks, or a widening gap, make one alert per quiet period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kairos.domain.event import EventType
from kairos.plays.stall import ACTIVITY, SOURCE, STALL_AFTER, GapReading, Watch, stalls

STARTED = datetime(2026, 3, 2, 9, tzinfo=UTC)


def watch(*, activity: datetime | None = None, alert: datetime | None = None, pid: str = "rep") -> Watch:
    return Watch(pid, ("clear-writing", "giving-feedback"), STARTED, activity, alert)


def test_three_weeks_without_activity_on_a_focus_is_a_stall() -> None:
    now = STARTED + STALL_AFTER
    [event] = stalls([watch()], [], now)
    assert (event.type, event.source, event.subject, event.time) == (EventType.FOCUS_STALLED, SOURCE, "rep", now)
    assert event.data == {
        "reason": "no_activity", "competency_id": "clear-writing", "quiet_since": "2026-03-02", "weeks": 3,
        "last_activity": None,
    }  # fmt: skip


def test_a_day_short_of_three_weeks_is_not_a_stall_yet() -> None:
    assert stalls([watch()], [], STARTED + STALL_AFTER - timedelta(days=1)) == []


def test_activity_restarts_the_quiet_period() -> None:
    activity = STARTED + timedelta(days=10)
    assert stalls([watch(activity=activity)], [], STARTED + STALL_AFTER) == []
    [event] = stalls([watch(activity=activity)], [], activity + STALL_AFTER)
    assert event.data["quiet_since"] == event.data["last_activity"] == "2026-03-12"


def test_one_alert_per_quiet_period_and_the_same_id_whenever_it_is_found() -> None:
    later = STARTED + STALL_AFTER + timedelta(days=4)
    first = stalls([watch()], [], STARTED + STALL_AFTER)
    again = stalls([watch()], [], later)
    assert [e.id for e in first] == [e.id for e in again]  # two workers finding it record it once
    assert stalls([watch(alert=STARTED + STALL_AFTER)], [], later) == []
    # New activity after the alert opens a new period, and with it the next alert.
    activity = STARTED + STALL_AFTER + timedelta(days=1)
    [next_one] = stalls([watch(activity=activity, alert=STARTED + STALL_AFTER)], [], activity + STALL_AFTER)
    assert next_one.id != first[0].id


def test_a_gap_a_check_in_shows_widening_on_a_watched_competency_is_a_stall_before_three_weeks() -> None:
    readings = [
        GapReading("rep", "giving-feedback", date(2026, 2, 20), "low"),
        GapReading("rep", "giving-feedback", date(2026, 3, 6), "high"),
        GapReading("rep", "decision-making", date(2026, 3, 6), "high"),  # not watched
    ]
    [event] = stalls([watch(activity=STARTED + timedelta(days=3))], readings, datetime(2026, 3, 7, tzinfo=UTC))
    assert event.data == {
        "reason": "gap_widening", "competency_id": "giving-feedback", "from": "low", "to": "high",
        "previous_checkin_date": "2026-02-20", "checkin_date": "2026-03-06",
    }  # fmt: skip


def test_a_narrowing_gap_or_an_old_widening_is_no_stall() -> None:
    narrowing = [GapReading("rep", "clear-writing", date(2026, 3, 1), "high"),
                 GapReading("rep", "clear-writing", date(2026, 3, 6), "medium")]  # fmt: skip
    old = [GapReading("rep", "clear-writing", date(2025, 11, 1), "none"),
           GapReading("rep", "clear-writing", date(2025, 12, 1), "medium")]  # fmt: skip
    now = datetime(2026, 3, 7, tzinfo=UTC)
    assert stalls([watch(activity=STARTED)], narrowing, now) == []
    assert stalls([watch(activity=STARTED)], old, now) == []


def test_check_ins_are_readings_not_progress() -> None:
    assert EventType.CHECKIN_GAP_FLAGGED.value not in ACTIVITY
    assert {EventType.COMMITMENT_FOLLOWED_UP.value, EventType.OBSERVATION_RECORDED.value,
            EventType.GOAL_SET.value, EventType.LEARNING_COMPLETED.value} <= ACTIVITY  # fmt: skip
