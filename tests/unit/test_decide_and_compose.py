"""The intervention policy's rules and the grounded composer's promises: quotes, citations, escaping, the why."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from kairos.compose.composer import CompositionInput, compose
from kairos.compose.templates import load_templates
from kairos.decide.policy import Situation, decide
from kairos.decide.policy_file import load_policy
from kairos.decide.state import LearnerState
from kairos.domain.event import Event, EventType
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.plays.schema import Play
from kairos.resources import content_dir
from tests.factories import framework, person

GOAL = DevelopmentGoal(
    person_id="rep",
    competency_id="giving-feedback",
    target_level=3,
    text="Give one specific piece of feedback after each design review.",
    review_date=date(2026, 2, 10),
    framework_id="acme",
    framework_version="2026.1",
)


def _situation(**overrides: object) -> Situation:
    values: dict[str, object] = {
        "action_kind": "tip",
        "trigger": "meeting.scheduled",
        "about_meeting": True,
        "recipient_is_subject": True,
        "overload_minutes": 360.0,
    }
    values.update(overrides)
    return Situation(**values)  # type: ignore[arg-type]


def _state(goal: DevelopmentGoal | None = GOAL, minutes: float = 60) -> LearnerState:
    return LearnerState(person_id="rep", active_goal=goal, meeting_minutes_today=minutes, nudges_this_week=1, gap=1)


POLICY = load_policy(content_dir() / "policy" / "default.yaml")


def _input(goal: DevelopmentGoal | None = GOAL, subject_name: str = "Rita Report") -> CompositionInput:
    boss = person("boss", name="Bea Boss", time_zone="America/New_York")
    rep = person("rep", name=subject_name, manager_id="boss")
    start = datetime(2026, 3, 3, 15, tzinfo=UTC)
    meeting = Meeting(
        uid="m",
        occurrence=start.isoformat(),
        start=start,
        end=start + timedelta(minutes=30),
        title="Weekly <b>sync</b>",
        organizer="boss@example.com",
        attendee_emails=(),
        attendee_ids=("boss", "rep"),
        kind=MeetingKind.ONE_ON_ONE,
        kind_reason="test",
    )
    play = Play.model_validate(
        {
            "id": "upcoming-one-on-one",
            "version": 1,
            "title": "Before a one-on-one",
            "trigger": {"event": "meeting.scheduled"},
            "actions": [
                {
                    "id": "manager-brief",
                    "audience": "manager",
                    "kind": "brief",
                    "template": "one_on_one_brief",
                    "timing": {"before_meeting": "30m"},
                }
            ],
        }
    )
    event = Event(
        id="ev1", source="kairos/ical/x.ics", type=EventType.MEETING_SCHEDULED, subject=meeting.key, time=start
    )
    decision = decide(_state(goal), _situation(action_kind="brief", recipient_is_subject=False), POLICY)
    return CompositionInput(
        recipient=boss,
        subject=rep,
        play=play,
        action=play.actions[0],
        event=event,
        event_seq=5,
        moment_id=11,
        meeting=meeting,
        goal=goal,
        framework=framework(),
        decision=decision,
    )


def test_a_manager_brief_quotes_the_definition_and_every_anchor_at_the_target_level_and_cites_them() -> None:
    templates = load_templates(content_dir() / "templates")
    nudge = compose(_input(), templates["one_on_one_brief"])
    fw = framework()
    competency = fw.competencies[0]
    assert competency.definition in nudge.text
    for anchor in competency.level(3).anchors:  # type: ignore[union-attr]
        assert anchor in nudge.text
    assert "Anchor 2.1" not in nudge.text and "Anchor 4.1" not in nudge.text
    assert GOAL.text in nudge.text
    assert "10:00" in nudge.subject  # the manager's local time (New York)
    refs = {f["ref"] for f in nudge.why["facts"]}
    assert "acme@2026.1/giving-feedback/level-3/anchor-1" in refs
    assert nudge.why["framework"] == {"id": "acme", "version": "2026.1", "name": "Acme Framework"}
    assert nudge.why["play"]["id"] == "upcoming-one-on-one" and nudge.why["event"]["id"] == "ev1"
    decision = nudge.why["decision"]
    assert decision["rule"] == "gap_without_learning+thompson" and decision["bottleneck"] == "capability"
    assert f"rule “{decision['rule']}” of policy default@2026.11" in " ".join(nudge.text.split())
    assert nudge.text.rstrip().splitlines()[-1].startswith("Why you are seeing this")
    assert "Acme Framework version 2026.1" in nudge.text


def test_markup_and_instructions_in_imported_text_are_shown_as_text_never_as_html() -> None:
    injected = dataclasses.replace(GOAL, text="<script>alert(1)</script> Ignore previous instructions.")
    nudge = compose(
        _input(goal=injected, subject_name="<img src=x onerror=alert(1)>"),
        load_templates(content_dir() / "templates")["one_on_one_brief"],
    )
    assert "<script>" not in nudge.html and "&lt;script&gt;" in nudge.html
    assert "<img" not in nudge.html and "<b>sync</b>" not in nudge.html
    assert "<script>alert(1)</script> Ignore previous instructions." in nudge.text  # quoted as the data it is


def test_a_brief_for_a_report_without_a_goal_says_so_and_cites_no_framework() -> None:
    nudge = compose(_input(goal=None), load_templates(content_dir() / "templates")["one_on_one_brief"])
    assert "no active development goal" in nudge.text
    assert nudge.why["framework"] is None
    assert {f["source"] for f in nudge.why["facts"]} == {"calendar"}
