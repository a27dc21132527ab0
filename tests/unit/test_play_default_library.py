"""Every play of the default library with a frozen clock: who gets a moment, when in their own zone, and why;
and every one of its templates renders from the values the composer gives, with and without a goal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kairos.compose.composer import CompositionInput, compose
from kairos.compose.templates import load_templates
from kairos.domain.decision import Decision, InterventionKind
from kairos.domain.event import Event, EventType
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.domain.moment import PlannedMoment, StopReason
from kairos.plays.library import load_plays
from kairos.plays.matcher import CompiledPlay, MatchContext, compile_play, plan_moments
from kairos.plays.timing import QuietWindow
from tests.conftest import ROOT
from tests.factories import framework, person

TEMPLATES = load_templates(ROOT / "content" / "templates")
LIBRARY = {p.play.id: p.play for p in load_plays(ROOT / "content" / "plays", set(TEMPLATES)) if p.valid and p.play}
NOW = datetime(2026, 3, 2, 6, tzinfo=UTC)  # Monday morning
BOSS = person("boss", name="Bea Boss", time_zone="America/New_York", level="M1", role="Engineering Manager",
              email="boss@example.com")  # fmt: skip
REP = person("rep", name="Rita Report", manager_id="boss", time_zone="Europe/Berlin", email="rep@example.com")
PEER = person("peer", name="Paul Peer", manager_id="boss", time_zone="Europe/Berlin", email="peer@example.com")
PEOPLE = {p.id: p for p in (BOSS, REP, PEER)}
NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


def compiled(play_id: str) -> CompiledPlay:
    return compile_play(LIBRARY[play_id])


def ctx(meeting: Meeting | None = None) -> MatchContext:
    return MatchContext(now=NOW, people=PEOPLE, meeting=meeting, has_active_goal=lambda pid: pid == "rep",
                        working_days=[0, 1, 2, 3, 4], quiet=QuietWindow(time(20), time(8)))  # fmt: skip


def hr(kind: EventType, subject: str = "rep", **data: Any) -> Event:
    """An HR change effective Thursday 5 March 2026."""
    return Event(id=f"{kind}-1", source="hr", type=kind, subject=subject, time=datetime(2026, 3, 5, tzinfo=UTC),
                 data={"effective": "2026-03-05", **data})  # fmt: skip


def meeting(kind: MeetingKind, ids: tuple[str, ...], organizer: str = "boss@example.com", hour: int = 15) -> Meeting:
    start = datetime(2026, 3, 4, hour, tzinfo=UTC)  # Wednesday: 16:00 in Berlin, 10:00 in New York
    return Meeting(
        uid=f"{kind}-m", occurrence="once", start=start, end=start + timedelta(minutes=45), title="Q2 planning",
        organizer=organizer, attendee_emails=(), attendee_ids=ids, kind=kind, kind_reason="test",
    )  # fmt: skip


def scheduled(m: Meeting) -> Event:
    return Event(id="cal-1", source="cal", type=EventType.MEETING_SCHEDULED, subject=m.key, time=NOW)


def local(moment: PlannedMoment) -> str:
    assert moment.due_at is not None and moment.time_zone is not None
    return f"{moment.due_at.astimezone(ZoneInfo(moment.time_zone)):%a %d %H:%M}"


def planned(play_id: str, event: Event, m: Meeting | None = None) -> list[tuple[str | None, str, str | None]]:
    """(recipient, local due time, stop reason) of each moment the play makes."""
    moments = plan_moments(compiled(play_id), event, 1, ctx(m))
    return [(x.recipient_id, local(x) if x.due_at else "-", x.stop_reason) for x in moments]


def test_a_promotion_and_a_level_change_make_a_transition_nudge_the_next_working_morning() -> None:
    assert planned("promotion", hr(EventType.PROMOTION, **{"from": "IC2", "to": "IC3"})) == [
        ("rep", "Fri 06 09:00", None)
    ]
    assert planned("level-change", hr(EventType.LEVEL_CHANGE, **{"from": "IC3", "to": "T3"})) == [
        ("rep", "Fri 06 09:00", None)
    ]


def test_a_manager_change_reaches_the_report_and_the_new_manager_each_at_nine_in_their_zone() -> None:
    event = hr(EventType.MANAGER_CHANGE, **{"from": "old", "to": "boss"})
    assert planned("manager-change", event) == [("rep", "Fri 06 09:00", None), ("boss", "Fri 06 09:00", None)]


def test_an_upcoming_one_on_one_makes_a_brief_and_a_tip_thirty_minutes_before() -> None:
    m = meeting(MeetingKind.ONE_ON_ONE, ("boss", "rep"))
    assert planned("upcoming-one-on-one", scheduled(m), m) == [
        ("boss", "Wed 04 09:30", None), ("rep", "Wed 04 15:30", None)
    ]  # fmt: skip


def test_a_completed_review_activates_its_goals_the_working_morning_after_the_review_date() -> None:
    data = {"review_date": "2026-03-04", "goals": ["giving-feedback"]}
    review = Event(id="r", source="reviews", type=EventType.REVIEW_COMPLETED, subject="rep",
                   time=datetime(2026, 3, 4, tzinfo=UTC), data=data)  # fmt: skip
    [moment] = plan_moments(compiled("review-goals"), review, 1, ctx())
    assert (moment.recipient_id, local(moment)) == ("rep", "Thu 05 09:00")
    assert moment.expires_at is not None and moment.expires_at - moment.due_at == timedelta(days=14)  # type: ignore[operator]


def test_a_flagged_gap_makes_a_nudge_the_next_morning_and_learning_content_three_days_later() -> None:
    data = {"competency_id": "giving-feedback", "severity": "medium", "checkin_date": "2026-03-05"}
    gap = Event(id="g", source="checkins", type=EventType.CHECKIN_GAP_FLAGGED, subject="rep",
                time=datetime(2026, 3, 5, tzinfo=UTC), data=data)  # fmt: skip
    # Three days after Thursday is Sunday: the learning content waits for Monday.
    assert planned("checkin-gap", gap) == [("rep", "Fri 06 09:00", None), ("rep", "Mon 09 10:00", None)]


def test_a_completed_course_gets_a_next_step_the_following_working_morning() -> None:
    done = Event(id="l", source="lrs", type=EventType.LEARNING_COMPLETED, subject="rep",
                 time=datetime(2026, 3, 3, 15, tzinfo=UTC), data={"title": "Feedback that lands"})  # fmt: skip
    assert planned("learning-completed", done) == [("rep", "Wed 04 09:30", None)]


def test_a_stalled_focus_alerts_the_manager_not_the_report() -> None:
    stalled = Event(id="s", source="kairos/stall", type=EventType.FOCUS_STALLED, subject="rep", time=NOW,
                    data={"reason": "no_activity", "competency_id": "giving-feedback", "weeks": 3})  # fmt: skip
    assert planned("focus-stalled", stalled) == [("boss", "Tue 03 09:00", None)]


@pytest.mark.parametrize("kind", [MeetingKind.PROJECT_KICKOFF, MeetingKind.PRESENTATION])
def test_a_kickoff_or_presentation_gets_practice_before_and_a_reflection_after_for_its_organizer(
    kind: MeetingKind,
) -> None:
    m = meeting(kind, ("boss", "rep", "peer"), organizer="rep@example.com")
    assert planned("before-kickoff-or-presentation", scheduled(m), m) == [("rep", "Wed 04 14:00", None)]
    assert planned("reflect-after-kickoff-or-presentation", scheduled(m), m) == [("rep", "Wed 04 17:00", None)]


def test_a_performance_conversation_gets_a_reflection_for_both_fifteen_minutes_after_it_ends() -> None:
    m = meeting(MeetingKind.PERFORMANCE_CONVERSATION, ("boss", "rep"))
    assert planned("reflect-after-performance-conversation", scheduled(m), m) == [
        ("rep", "Wed 04 17:00", None), ("boss", "Wed 04 11:00", None)
    ]  # fmt: skip


def test_a_team_meeting_prompts_the_manager_who_leads_it_an_hour_before() -> None:
    m = meeting(MeetingKind.TEAM_MEETING, ("rep", "boss", "peer"), organizer="rep@example.com")
    [moment] = plan_moments(compiled("before-team-meeting"), scheduled(m), 1, ctx(m))
    assert (moment.recipient_id, local(moment), moment.cooldown_days) == ("boss", "Wed 04 09:00", 6)
    assert [s.outcome for s in moment.trace if s.path.startswith("conditions/")] == ["pass", "pass"]


def test_a_one_on_one_is_not_a_team_meeting_and_the_trace_says_so() -> None:
    m = meeting(MeetingKind.ONE_ON_ONE, ("boss", "rep"))
    [moment] = plan_moments(compiled("before-team-meeting"), scheduled(m), 1, ctx(m))
    assert moment.stop_reason is StopReason.CONDITION_NOT_MET
    assert moment.trace[-1].detail == "meeting kind is one_on_one (test); wanted team_meeting"


def test_an_interview_gets_an_inclusive_hiring_brief_for_the_interviewer() -> None:
    m = meeting(MeetingKind.INTERVIEW, ("boss",))
    [moment] = plan_moments(compiled("before-interview"), scheduled(m), 1, ctx(m))
    assert (moment.recipient_id, local(moment), moment.cap_exempt) == ("boss", "Wed 04 09:30", True)


@pytest.mark.parametrize(
    ("play_id", "event"),
    [
        ("new-team-member-hired", hr(EventType.PERSON_HIRED, person={"id": "rep"})),
        ("new-team-member-moved", hr(EventType.TEAM_CHANGE, **{"from": "Core", "to": "Mobile"})),
        ("new-team-member-joined", hr(EventType.REPORT_JOINED, "boss", report="rep", **{"from": "old"})),
    ],
)
def test_a_new_team_member_brings_their_manager_a_style_briefing_about_them(play_id: str, event: Event) -> None:
    [moment] = plan_moments(compiled(play_id), event, 1, ctx())
    assert (moment.recipient_id, moment.subject_id, local(moment)) == ("boss", "rep", "Fri 06 11:00")
    assert not moment.cap_exempt


def test_a_goal_set_is_acknowledged_the_morning_after() -> None:
    data = {"competency_id": "giving-feedback", "target_level": 3, "goal": "Ask for feedback weekly."}
    goal = Event(id="gs", source="goals", type=EventType.GOAL_SET, subject="rep",
                 time=datetime(2026, 3, 3, tzinfo=UTC), data=data)  # fmt: skip
    assert planned("goal-updated", goal) == [("rep", "Wed 04 09:00", None)]


@pytest.mark.parametrize(
    ("play_id", "kind", "data"),
    [
        ("first-direct-report", EventType.FIRST_DIRECT_REPORT, {"reports": ["peer"]}),
        ("first-manager-of-managers", EventType.FIRST_MANAGER_OF_MANAGERS, {"managers": ["peer"]}),
        ("first-executive-role", EventType.FIRST_EXECUTIVE_ROLE, {"level": "E1", "role": "VP Engineering"}),
    ],
)
def test_a_derived_transition_gets_a_plan_two_days_after_it_is_effective(
    play_id: str, kind: EventType, data: dict[str, Any]
) -> None:
    # Effective Thursday 5 March; two days later is Saturday, so Monday morning.
    assert planned(play_id, hr(kind, **data)) == [("rep", "Mon 09 09:00", None)]


def test_every_default_play_is_exercised_by_a_test_above() -> None:
    exercised = {
        "promotion", "level-change", "manager-change", "upcoming-one-on-one", "review-goals", "checkin-gap",
        "learning-completed", "focus-stalled", "before-kickoff-or-presentation",
        "reflect-after-kickoff-or-presentation", "reflect-after-performance-conversation", "before-team-meeting",
        "before-interview", "new-team-member-hired",
        "new-team-member-moved", "new-team-member-joined", "goal-updated", "first-direct-report",
        "first-manager-of-managers", "first-executive-role",
    }  # fmt: skip
    assert set(LIBRARY) == exercised


# --- every template renders ---------------------------------------------------------------------------------

GOAL = DevelopmentGoal("rep", "giving-feedback", 3, "Give one specific piece of feedback after each design review.",
                       date(2026, 2, 10), "acme", "2026.1")  # fmt: skip
EVENT_DATA: dict[str, dict[str, Any]] = {
    "person.promoted": {"from": "IC2", "to": "IC3", "effective": "2026-03-05"},
    "person.level_changed": {"from": "IC3", "to": "T3", "effective": "2026-03-05"},
    "person.manager_changed": {"from": "old", "to": "boss", "effective": "2026-03-05"},
    "review.completed": {"review_date": "2026-03-04", "goals": ["giving-feedback"], "reviewer_id": "boss"},
    "checkin.gap_flagged": {"competency_id": "clear-writing", "severity": "high", "checkin_date": "2026-03-05"},
    "learning.completed": {"title": "Feedback that lands"},
    "focus.stalled": {"reason": "no_activity", "competency_id": "giving-feedback", "weeks": 3,
                      "quiet_since": "2026-02-09", "last_activity": "2026-02-09"},
    "person.hired": {"person": {"id": "rep"}},
    "person.team_changed": {"from": "Core", "to": "Mobile"},
    "manager.report_joined": {"report": "rep", "from": "old"},
    "goal.set": {"competency_id": "giving-feedback", "target_level": 3, "goal": "Ask for feedback weekly."},
    "person.first_direct_report": {"reports": ["peer", "rep"]},
    "person.first_manager_of_managers": {"managers": ["peer"]},
    "person.first_executive_role": {"level": "E1", "role": "VP Engineering"},
    "meeting.scheduled": {},
}  # fmt: skip
CASES = [(play_id, action.id) for play_id, play in sorted(LIBRARY.items()) for action in play.actions]


def _compose(play_id: str, action_id: str, *, goal: DevelopmentGoal | None, for_manager: bool) -> str:
    play = LIBRARY[play_id]
    action = next(a for a in play.actions if a.id == action_id)
    event = Event(id="e", source="s", type=play.trigger.event.value, subject="rep", time=NOW,
                  data=EVENT_DATA[play.trigger.event.value])  # fmt: skip
    m = meeting(MeetingKind.ONE_ON_ONE, ("boss", "rep")) if play.trigger.event is EventType.MEETING_SCHEDULED else None
    decision = Decision(InterventionKind.PRACTICE, "test_rule", "test", ("a reason",))
    given = CompositionInput(
        recipient=BOSS if for_manager else REP, subject=REP, play=play, action=action, event=event, event_seq=1,
        moment_id=1, meeting=m, goal=goal, framework=framework() if goal else None, decision=decision,
    )  # fmt: skip
    nudge = compose(given, TEMPLATES[action.template])
    return f"{nudge.subject}\n{nudge.text}"


@pytest.mark.parametrize(("play_id", "action_id"), CASES)
@pytest.mark.parametrize("goal", [GOAL, None], ids=["with-goal", "without-goal"])
@pytest.mark.parametrize("for_manager", [False, True], ids=["to-subject", "to-manager"])
def test_every_default_template_renders_from_the_composers_values(
    play_id: str, action_id: str, goal: DevelopmentGoal | None, for_manager: bool
) -> None:
    text = _compose(play_id, action_id, goal=goal, for_manager=for_manager)
    assert "None" not in text and "{{" not in text and "{%" not in text
    assert text.split("\n")[0].strip(), "a subject line"
    assert f"Hi {'Bea' if for_manager else 'Rita'}," in text


def test_the_manager_hears_about_the_report_and_the_report_about_themself_after_a_manager_change() -> None:
    to_manager = _compose("manager-change", "relationship-start", goal=GOAL, for_manager=True)
    to_report = _compose("manager-change", "relationship-start", goal=GOAL, for_manager=False)
    assert to_manager.startswith("Rita now reports to you") and "What did your last manager understand" in to_manager
    assert to_report.startswith("A new manager") and GOAL.text in " ".join(to_report.split())


def test_the_stall_alert_gives_the_manager_talking_points_and_the_focus() -> None:
    text = " ".join(_compose("focus-stalled", "manager-alert", goal=GOAL, for_manager=True).split())
    assert "Nothing has moved on Rita's development focus for 3 weeks" in text
    assert "Talking points for your next 1:1" in text and GOAL.text in text


def test_the_learning_content_quotes_the_frameworks_anchors_for_the_focus() -> None:
    text = _compose("checkin-gap", "learning-content", goal=GOAL, for_manager=False)
    assert "Three ways to build clear writing" in text
    assert "Anchor 3.1 for feedback" in text  # the factory framework's level-3 anchor for the goal's competency
