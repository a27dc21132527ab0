"""Conditions compile once into checkers that say pass, fail or unknown, and always say why."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import Meeting, MeetingKind
from kairos.plays.conditions import Verdict, compile_condition
from kairos.plays.context import MatchContext
from kairos.plays.schema import Condition
from kairos.plays.timing import QuietWindow
from tests.factories import person

NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)
PEOPLE = {
    p.id: p
    for p in (
        person("boss", level="M1"),
        person("rep", manager_id="boss", level="IC2"),
        person("peer", manager_id="boss", level="ic3"),
    )
}
EVENT = Event(
    id="e1",
    source="test",
    type=EventType.CHECKIN_GAP_FLAGGED,
    subject="rep",
    time=NOW,
    data={"severity": "high", "level": 3, "flag": True, "person": {"level": "IC2"}},
)


def _ctx(**overrides: Any) -> MatchContext:
    values: dict[str, Any] = {
        "now": NOW,
        "people": PEOPLE,
        "meeting": None,
        "has_active_goal": lambda pid: pid == "rep",
        "working_days": [0, 1, 2, 3, 4],
        "quiet": QuietWindow(time(20), time(8)),
    }
    values.update(overrides)
    return MatchContext(**values)


def check(condition: dict[str, Any], subject: str | None = "rep", **ctx: Any) -> tuple[Verdict, str]:
    return compile_condition(Condition.model_validate(condition))(EVENT, _ctx(**ctx), subject)


def _meeting(kind: MeetingKind) -> Meeting:
    return Meeting(
        uid="m", occurrence="once", start=NOW, end=NOW + timedelta(hours=1), title="Q2 kickoff",
        organizer="rep@example.com", attendee_emails=(), attendee_ids=("rep", "boss", "peer"), kind=kind,
        kind_reason="4 attendees and the title names a kickoff",
    )  # fmt: skip


def test_meeting_kind_in_passes_for_any_listed_kind_and_says_what_it_saw() -> None:
    verdict, detail = check({"meeting_kind_in": ["project_kickoff", "presentation"]},
                            meeting=_meeting(MeetingKind.PROJECT_KICKOFF))  # fmt: skip
    assert verdict is Verdict.PASS
    assert detail == (
        "meeting kind is project_kickoff (4 attendees and the title names a kickoff); "
        "wanted one of project_kickoff, presentation"
    )
    assert check({"meeting_kind_in": ["presentation"]}, meeting=_meeting(MeetingKind.OTHER))[0] is Verdict.FAIL


def test_a_meeting_condition_without_a_stored_meeting_is_unknown() -> None:
    assert check({"meeting_kind_in": ["interview"]}) == (Verdict.UNKNOWN, "the meeting is not stored")


def test_subject_is_manager_looks_for_anyone_reporting_to_the_subject() -> None:
    assert check({"subject_is_manager": True}, subject="boss") == (
        Verdict.PASS,
        "boss has direct reports; wanted a manager: True",
    )
    assert check({"subject_is_manager": True}, subject="rep")[0] is Verdict.FAIL
    assert check({"subject_is_manager": False}, subject="rep")[0] is Verdict.PASS


def test_a_subject_condition_without_a_subject_or_for_someone_gone_is_unknown() -> None:
    assert check({"subject_is_manager": True}, subject=None) == (Verdict.UNKNOWN, "no subject to look up")
    assert check({"subject_level_in": ["IC2"]}, subject="gone") == (Verdict.UNKNOWN, "gone is not an active person")


def test_subject_level_in_ignores_case_and_spacing_of_levels() -> None:
    assert check({"subject_level_in": ["IC2", "IC3"]}, subject="peer")[0] is Verdict.PASS
    verdict, detail = check({"subject_level_in": ["M1"]})
    assert verdict is Verdict.FAIL and detail == "rep is at level IC2; wanted one of M1"


def test_a_career_stage_condition_is_unknown_until_the_planner_supplies_stages() -> None:
    verdict, detail = check({"subject_level_stage": "early"})
    assert verdict is Verdict.UNKNOWN and "no career stages" in detail
    stages = {"IC2": "early", "M1": "manager"}.get
    assert check({"subject_level_stage": "early"}, career_stage=stages) == (
        Verdict.PASS,
        "level IC2 is in the early stage; wanted early",
    )
    assert check({"subject_level_stage": "early"}, subject="boss", career_stage=stages)[0] is Verdict.FAIL
    assert check({"subject_level_stage": "early"}, subject="peer", career_stage=stages) == (
        Verdict.UNKNOWN,
        "level ic3 is in no career stage of the current framework",
    )


def test_open_commitments_are_unknown_without_the_lookup_and_counted_with_it() -> None:
    assert check({"subject_has_open_commitments": True})[0] is Verdict.UNKNOWN
    counts = {"rep": 2}
    lookup = lambda pid: counts.get(pid, 0)  # noqa: E731
    assert check({"subject_has_open_commitments": True}, open_commitments=lookup) == (
        Verdict.PASS,
        "2 open commitment(s); wanted open ones: True",
    )
    assert check({"subject_has_open_commitments": True}, subject="peer", open_commitments=lookup)[0] is Verdict.FAIL


def test_subject_has_active_goal_still_works_as_before() -> None:
    assert check({"subject_has_active_goal": True}) == (Verdict.PASS, "active goal: True; wanted True")
    assert check({"subject_has_active_goal": True}, subject="peer")[0] is Verdict.FAIL


@pytest.mark.parametrize(
    ("wanted", "verdict"),
    [
        ({"severity": "high"}, Verdict.PASS),
        ({"severity": "low"}, Verdict.FAIL),
        ({"level": 3}, Verdict.PASS),
        ({"level": 3.0}, Verdict.PASS),
        ({"level": "3"}, Verdict.FAIL),  # a string is not the number
        ({"flag": True}, Verdict.PASS),
        ({"flag": 1}, Verdict.FAIL),  # YAML's true is not the number 1
        ({"person.level": "IC2"}, Verdict.PASS),
        ({"severity": "high", "level": 4}, Verdict.FAIL),
        ({"reason": "x"}, Verdict.UNKNOWN),
        ({"person.team": "Core"}, Verdict.UNKNOWN),
    ],
)
def test_event_data_compares_each_key_by_value_and_kind(wanted: dict[str, Any], verdict: Verdict) -> None:
    assert check({"event_data": wanted})[0] is verdict


def test_event_data_says_which_key_was_missing_or_different() -> None:
    assert check({"event_data": {"reason": "x"}}) == (
        Verdict.UNKNOWN,
        "the checkin.gap_flagged event carries no 'reason'",
    )
    assert check({"event_data": {"severity": "low"}}) == (Verdict.FAIL, "severity is 'high'; wanted 'low'")


@pytest.mark.parametrize(
    "condition",
    [{}, {"subject_is_manager": True, "meeting_kind": "one_on_one"}, {"event_data": {}}, {"meeting_kind_in": []}],
)
def test_a_condition_has_exactly_one_non_empty_key(condition: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Condition.model_validate(condition)


def test_every_condition_key_compiles() -> None:
    examples: dict[str, Any] = {
        "meeting_kind": "one_on_one", "meeting_kind_in": ["interview"], "subject_has_active_goal": True,
        "subject_is_manager": True, "subject_level_in": ["IC1"], "subject_level_stage": "early",
        "subject_has_open_commitments": False, "event_data": {"a": 1}, "event_within": "7d",
    }  # fmt: skip
    assert set(examples) == set(Condition.model_fields)
    for key, value in examples.items():
        assert callable(compile_condition(Condition.model_validate({key: value})))


def test_event_within_lets_fresh_events_through_and_says_how_old_a_stale_one_is() -> None:
    assert check({"event_within": "2d"}) == (Verdict.PASS, "the event is 0 hours old; wanted at most 2 days old")
    stale = compile_condition(Condition.model_validate({"event_within": "7d"}))
    old = Event(id="o", source="t", type=EventType.GOAL_SET, subject="rep", time=NOW - timedelta(days=20))
    assert stale(old, _ctx(), "rep") == (Verdict.FAIL, "the event is 20 days old; wanted at most 7 days old")
    ahead = Event(id="f", source="t", type=EventType.GOAL_SET, subject="rep", time=NOW + timedelta(days=1))
    assert stale(ahead, _ctx(), "rep")[0] is Verdict.PASS
