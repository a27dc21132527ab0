"""Matching events to plays: audiences, conditions that cannot decide, quiet hours at planning, de-duplication keys."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
NOW = datetime(2026, 3, 2, tzinfo=UTC)


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


def _play(trigger: str, actions: list[dict[str, object]], conditions: list[dict[str, object]] | None = None) -> Play:
    return Play.model_validate(
        {"id": "p", "version": 3, "title": "P", "trigger": {"event": trigger}, "conditions": conditions or [],
         "priority": 55, "actions": actions}
    )  # fmt: skip


def _action(audience: str, timing: dict[str, object], aid: str = "a") -> dict[str, object]:
    return {"id": aid, "audience": audience, "kind": "nudge", "template": "x", "timing": timing}


def _hr_event(kind: EventType, subject: str = "rep", **data: object) -> Event:
    return Event(id="h1", source="hr", type=kind, subject=subject, time=datetime(2026, 3, 5, tzinfo=UTC),
                 data={"effective": "2026-03-05", **data})  # fmt: skip


def test_audience_both_makes_one_moment_for_the_subject_and_one_for_the_manager_each_in_their_zone() -> None:
    play = _play("person.manager_changed", [_action("both", {"at_local": "09:00"})])
    subject, manager = plan_moments(compile_play(play), _hr_event(EventType.MANAGER_CHANGE), 4, _ctx(None, NOW))
    assert (subject.recipient_id, subject.audience, subject.time_zone) == ("rep", "subject", "Europe/Berlin")
    assert (manager.recipient_id, manager.audience, manager.time_zone) == ("boss", "manager", "America/New_York")
    assert subject.due_at == datetime(2026, 3, 6, 8, tzinfo=UTC)  # Friday 09:00 Berlin
    assert manager.due_at == datetime(2026, 3, 6, 14, tzinfo=UTC)  # Friday 09:00 New York
    assert subject.dedup_key != manager.dedup_key
    assert [s.path for s in manager.trace] == ["trigger", "audience", "actions/0/audience", "actions/0/timing"]
    assert manager.trace[2].detail == "both: this moment is the manager's (boss)"


def test_audience_both_without_a_manager_still_plans_the_subjects_moment_and_records_the_missing_one() -> None:
    play = _play("person.manager_changed", [_action("both", {"at_local": "09:00"})])
    mine, missing = plan_moments(compile_play(play), _hr_event(EventType.MANAGER_CHANGE, "boss"), 4, _ctx(None, NOW))
    assert (mine.recipient_id, mine.stop_reason) == ("boss", None)
    assert (missing.recipient_id, missing.stop_reason) == (None, StopReason.NO_RECIPIENT)
    assert missing.trace[-1].detail == "no active manager to send to"
    assert missing.dedup_key.endswith("/-manager")


def test_a_coach_audience_is_recorded_and_stopped_with_its_reason_never_silently() -> None:
    play = _play("review.completed", [_action("coach", {"at_local": "09:00"})])
    [moment] = plan_moments(compile_play(play), _hr_event(EventType.REVIEW_COMPLETED), 4, _ctx(None, NOW))
    assert (moment.stop_reason, moment.recipient_id, moment.audience) == (StopReason.NO_RECIPIENT, None, "coach")
    assert moment.trace[-1].path == "actions/0/audience"
    assert moment.trace[-1].detail.startswith("no_recipient: no coach assigned")


def test_a_reflection_after_a_late_meeting_moves_out_of_quiet_hours_to_the_next_morning() -> None:
    start = datetime(2026, 3, 3, 18, 30, tzinfo=UTC)  # 19:30–20:00 in Berlin
    meeting = _meeting(start, MeetingKind.PERFORMANCE_CONVERSATION)
    play = _play("meeting.scheduled", [_action("subject", {"after_meeting": "15m"})],
                 [{"meeting_kind": "performance_conversation"}])  # fmt: skip
    [moment] = plan_moments(compile_play(play), _meeting_event(meeting), 7, _ctx(meeting, start - timedelta(days=1)))
    assert moment.recipient_id == "rep"
    assert moment.due_at == datetime(2026, 3, 4, 8, tzinfo=ZoneInfo("Europe/Berlin"))
    assert moment.expires_at == datetime(2026, 3, 4, 19, 15, tzinfo=UTC)
    assert [s.path for s in moment.trace][-2:] == ["actions/0/timing", "rules/quiet_hours"]
    assert moment.trace[-2].detail == "15 min after the meeting ends: Tue 03 Mar 20:15 Europe/Berlin"


def _group_meeting(kind: MeetingKind, ids: tuple[str, ...], organizer: str) -> Meeting:
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    return Meeting(
        uid="g", occurrence="once", start=start, end=start + timedelta(hours=1), title="Group",
        organizer=organizer, attendee_emails=(), attendee_ids=ids, kind=kind, kind_reason="test",
    )  # fmt: skip


def test_the_subject_of_a_team_meeting_is_the_attendee_who_manages_the_most_of_the_others() -> None:
    people = {**PEOPLE, "rep2": person("rep2", manager_id="boss"), "peer": person("peer")}
    meeting = _group_meeting(MeetingKind.TEAM_MEETING, ("rep", "peer", "boss", "rep2"), "rep@example.com")
    play = _play("meeting.scheduled", [_action("subject", {"before_meeting": "1h"})],
                 [{"meeting_kind": "team_meeting"}, {"subject_is_manager": True}])  # fmt: skip
    ctx = MatchContext(now=NOW, people=people, meeting=meeting, has_active_goal=lambda pid: True,
                       working_days=[0, 1, 2, 3, 4], quiet=QuietWindow(time(20), time(8)))  # fmt: skip
    [moment] = plan_moments(compile_play(play), _meeting_event(meeting), 7, ctx)
    assert (moment.subject_id, moment.recipient_id, moment.stop_reason) == ("boss", "boss", None)
    assert moment.trace[1].detail == "subject boss, manager — (boss leads the team meeting (2 of their reports attend))"


def test_the_subject_of_a_kickoff_is_its_organizer_and_nobody_when_the_organizer_is_outside() -> None:
    play = _play("meeting.scheduled", [_action("subject", {"before_meeting": "2h"})])
    people = {**PEOPLE, "peer": person("peer", email="peer@example.com")}
    inside = _group_meeting(MeetingKind.PROJECT_KICKOFF, ("boss", "rep", "peer"), "peer@example.com")
    ctx = MatchContext(now=NOW, people=people, meeting=inside, has_active_goal=lambda pid: True,
                       working_days=[0, 1, 2, 3, 4], quiet=QuietWindow(time(20), time(8)))  # fmt: skip
    [moment] = plan_moments(compile_play(play), _meeting_event(inside), 7, ctx)
    assert moment.recipient_id == "peer"
    outside = _group_meeting(MeetingKind.PROJECT_KICKOFF, ("boss", "rep", "peer"), "vendor@elsewhere.example")
    [nobody] = plan_moments(compile_play(play), _meeting_event(outside), 7, dataclasses.replace(ctx, meeting=outside))
    assert nobody.stop_reason is StopReason.NO_RECIPIENT
    assert nobody.trace[1].detail.endswith("(3 known attendees and none of them organizes it)")


def test_a_report_joining_a_manager_is_about_the_report_and_for_the_manager() -> None:
    play = _play("manager.report_joined", [_action("manager", {"at_local": "11:00"})])
    event = _hr_event(EventType.REPORT_JOINED, "boss", report="rep", **{"from": "old"})
    [moment] = plan_moments(compile_play(play), event, 4, _ctx(None, NOW))
    assert (moment.subject_id, moment.recipient_id) == ("rep", "boss")
    assert moment.due_at == datetime(2026, 3, 6, 16, tzinfo=UTC)  # Friday 11:00 New York


def test_a_review_counts_from_its_review_date_in_every_zone() -> None:
    # Reviews carry midnight UTC, which is still the previous evening in New York.
    review = Event(id="r", source="reviews", type=EventType.REVIEW_COMPLETED, subject="boss",
                   time=datetime(2026, 3, 4, tzinfo=UTC), data={"review_date": "2026-03-04", "goals": []})  # fmt: skip
    play = _play("review.completed", [_action("subject", {"at_local": "09:00"})])
    [moment] = plan_moments(compile_play(play), review, 4, _ctx(None, NOW))
    assert moment.due_at == datetime(2026, 3, 5, 14, tzinfo=UTC)  # Thursday 09:00 New York, the day after
