"""Matching events to plays: audiences, conditions that cannot decide, quiet hours at planning, de-duplication keys."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.domain.moment import StopReason
from kairos.plays.matcher import MatchContext, compile_play, plan_moments
from kairos.plays.schema import Play
from kairos.plays.timing import QuietWindow
from tests.factories import person

ONE_ON_ONE = Play.model_validate(
    {
        "id": "upcoming-one-on-one",
        "version": 1,
        "title": "Before a one-on-one",
        "trigger": {"event": "meeting.scheduled"},
        "conditions": [{"meeting_kind": "one_on_one"}],
        "priority": 80,
        "actions": [
            {
                "id": "manager-brief",
                "audience": "manager",
                "kind": "brief",
                "template": "b",
                "timing": {"before_meeting": "30m"},
            },
            {
                "id": "employee-tip",
                "audience": "subject",
                "kind": "tip",
                "template": "t",
                "timing": {"before_meeting": "30m"},
            },
        ],
    }
)
PROMOTION = Play.model_validate(
    {
        "id": "promotion",
        "version": 1,
        "title": "Promotion",
        "trigger": {"event": "person.promoted"},
        "actions": [
            {
                "id": "nudge",
                "audience": "subject",
                "kind": "nudge",
                "template": "p",
                "timing": {"at_local": "09:00", "expires_after": "2d"},
                "cooldown": "30d",
            }
        ],
    }
)
BOSS = person("boss", time_zone="America/New_York", email="boss@example.com")
REPORT = person("rep", manager_id="boss", time_zone="Europe/Berlin", email="rep@example.com")
PEOPLE = {p.id: p for p in (BOSS, REPORT)}


def _meeting(start: datetime, kind: MeetingKind = MeetingKind.ONE_ON_ONE, ids: tuple[str, ...] = ("boss", "rep")):
    return Meeting(
        uid="m1",
        occurrence=start.isoformat(),
        start=start,
        end=start + timedelta(minutes=30),
        title="Catch-up",
        organizer="boss@example.com",
        attendee_emails=(),
        attendee_ids=ids,
        kind=kind,
        kind_reason="test",
    )


def _ctx(meeting: Meeting | None, now: datetime) -> MatchContext:
    return MatchContext(
        now=now,
        people=PEOPLE,
        meeting=meeting,
        has_active_goal=lambda pid: True,
        working_days=[0, 1, 2, 3, 4],
        quiet=QuietWindow(time(20), time(8)),
    )


def _meeting_event(meeting: Meeting) -> Event:
    return Event(id="e1", source="test", type=EventType.MEETING_SCHEDULED, subject=meeting.key, time=meeting.start)


def test_a_one_on_one_makes_a_brief_for_the_manager_and_a_tip_for_the_report_each_in_their_own_zone() -> None:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)  # 10:00 New York, 16:00 Berlin
    meeting = _meeting(start)
    brief, tip = plan_moments(
        compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, _ctx(meeting, start - timedelta(days=1))
    )
    assert (brief.recipient_id, brief.subject_id, brief.time_zone) == ("boss", "rep", "America/New_York")
    assert (tip.recipient_id, tip.time_zone) == ("rep", "Europe/Berlin")
    assert brief.due_at == tip.due_at == start - timedelta(minutes=30)
    assert brief.stop_reason is None and tip.stop_reason is None
    assert brief.cap_exempt and not tip.cap_exempt
    assert brief.dedup_key != tip.dedup_key
    assert [s.path for s in brief.trace] == ["trigger", "audience", "conditions/0", "actions/0/timing"]


def test_the_same_meeting_occurrence_always_yields_the_same_dedup_keys() -> None:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    meeting = _meeting(start)
    first = plan_moments(compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, _ctx(meeting, start))
    changed = Event(id="e2", source="test", type=EventType.MEETING_SCHEDULED, subject=meeting.key, time=start)
    again = plan_moments(compile_play(ONE_ON_ONE), changed, 8, _ctx(meeting, start))
    assert [m.dedup_key for m in first] == [m.dedup_key for m in again]


def test_a_team_meeting_stops_at_the_condition_with_the_reason() -> None:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    meeting = _meeting(start, MeetingKind.TEAM_MEETING)
    [moment] = plan_moments(compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, _ctx(meeting, start))
    assert moment.stop_reason is StopReason.CONDITION_NOT_MET
    assert moment.trace[-1].path == "conditions/0" and "team_meeting" in moment.trace[-1].detail


def test_a_condition_without_its_data_is_unknown_not_false() -> None:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    event = Event(id="e1", source="test", type=EventType.MEETING_SCHEDULED, subject="gone@x", time=start)
    [moment] = plan_moments(compile_play(ONE_ON_ONE), event, 7, _ctx(None, start))
    assert moment.stop_reason is StopReason.CONDITION_NOT_MET
    assert moment.trace[-1].outcome == "unknown"


def test_a_brief_due_in_quiet_hours_before_an_early_meeting_is_skipped_with_the_reason() -> None:
    start = datetime(2026, 3, 3, 13, tzinfo=UTC)  # 08:00 New York: the brief would be at 07:30
    meeting = _meeting(start)
    brief, tip = plan_moments(
        compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, _ctx(meeting, start - timedelta(days=1))
    )
    assert brief.stop_reason is StopReason.QUIET_HOURS
    assert "skipped: quiet hours (07:30 America/New_York)" in brief.trace[-1].detail
    assert tip.stop_reason is None  # 14:30 in Berlin


def test_a_nudge_due_in_quiet_hours_moves_to_the_morning_when_it_can_wait() -> None:
    promoted = Event(
        id="e9",
        source="test",
        type=EventType.PROMOTION,
        subject="rep",
        time=datetime(2026, 3, 5, tzinfo=UTC),
        data={"from": "IC2", "to": "IC3", "effective": "2026-03-05"},
    )
    late_play = PROMOTION.model_copy(
        update={
            "actions": [
                PROMOTION.actions[0].model_copy(
                    update={"timing": PROMOTION.actions[0].timing.model_copy(update={"at_local": time(21)})}
                )
            ]
        }
    )
    [moment] = plan_moments(compile_play(late_play), promoted, 3, _ctx(None, datetime(2026, 3, 5, tzinfo=UTC)))
    assert moment.stop_reason is None
    assert moment.due_at == datetime(2026, 3, 7, 7, tzinfo=UTC)  # Saturday 08:00 Berlin: the morning after Friday 21:00
    assert moment.trace[-1].path == "rules/quiet_hours" and moment.trace[-1].outcome == "pass"


def test_a_manager_brief_with_nobody_to_send_to_is_recorded_not_dropped() -> None:
    peer = person("peer", email="peer@example.com")
    people = {**PEOPLE, "peer": peer}
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    meeting = _meeting(start, ids=("peer", "rep"))
    ctx = MatchContext(
        now=start,
        people=people,
        meeting=meeting,
        has_active_goal=lambda pid: True,
        working_days=[0, 1, 2, 3, 4],
        quiet=QuietWindow(time(20), time(8)),
    )
    brief, tip = plan_moments(compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, ctx)
    assert brief.stop_reason is StopReason.NO_RECIPIENT
    assert tip.recipient_id in {"peer", "rep"}


def test_a_meeting_already_started_when_planned_is_recorded_as_expired() -> None:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    meeting = _meeting(start)
    brief, _ = plan_moments(
        compile_play(ONE_ON_ONE), _meeting_event(meeting), 7, _ctx(meeting, start + timedelta(hours=1))
    )
    assert brief.stop_reason is StopReason.EXPIRED
