"""Organization rules: reporting cycles, snapshot diffs into HR events, level order, meeting classification."""

from __future__ import annotations

from kairos.domain.event import EventType
from kairos.domain.meeting import MeetingKind, classify
from kairos.domain.org import diff_snapshots, find_manager_cycle
from kairos.domain.person import is_promotion, level_rank
from tests.factories import person


def test_a_reporting_cycle_is_found_and_named() -> None:
    assert find_manager_cycle({"a": "b", "b": "c", "c": "a", "d": None}) == ["a", "b", "c", "a"]
    assert find_manager_cycle({"a": None, "b": "a", "c": "b"}) is None
    assert find_manager_cycle({"x": "x"}) == ["x", "x"]


def test_level_order_within_a_track_and_into_management() -> None:
    assert level_rank("IC-3") == 3 and level_rank("L10") == 10 and level_rank("Senior") is None
    assert is_promotion("IC2", "IC3") and not is_promotion("IC3", "IC2")
    assert is_promotion("IC4", "M1") and not is_promotion("M1", "IC4")
    assert not is_promotion("Senior", "Staff")


def test_a_snapshot_diff_yields_promotion_manager_change_hire_and_termination() -> None:
    stored = {p.id: p for p in (person("a"), person("b", manager_id="a"), person("c", manager_id="a"))}
    incoming = [person("a"), person("b", manager_id="d", level="IC3"), person("d")]
    changes = {(c.type, c.subject) for c in diff_snapshots(stored, incoming)}
    assert changes == {
        (EventType.PROMOTION, "b"),
        (EventType.MANAGER_CHANGE, "b"),
        (EventType.REPORT_LEFT, "a"),
        (EventType.REPORT_JOINED, "d"),
        (EventType.PERSON_HIRED, "d"),
        (EventType.PERSON_TERMINATED, "c"),
        (EventType.FIRST_DIRECT_REPORT, "d"),
    }


def test_a_level_move_down_is_a_level_change_not_a_promotion() -> None:
    [change] = diff_snapshots({"a": person("a", level="IC3")}, [person("a", level="IC2")])
    assert change.type == EventType.LEVEL_CHANGE and change.data == {"from": "IC3", "to": "IC2", "role": "Engineer"}


def test_two_attendees_who_are_manager_and_report_make_a_one_on_one_whatever_the_title() -> None:
    verdict = classify("Catch-up", ["boss", "rep"], [], {"rep": "boss"}.get)
    assert verdict.kind is MeetingKind.ONE_ON_ONE and "boss is the manager of rep" in verdict.reason


def test_a_title_names_a_one_on_one_between_peers() -> None:
    assert classify("Ana / Tom 1:1", ["a", "b"], [], lambda _: None).kind is MeetingKind.ONE_ON_ONE
    assert classify("one-on-one", ["a"], ["guest@elsewhere.example"], lambda _: None).kind is MeetingKind.ONE_ON_ONE
    assert classify("Lunch", ["a", "b"], [], lambda _: None).kind is MeetingKind.OTHER


def test_a_large_meeting_titled_like_a_one_on_one_is_not_one() -> None:
    assert classify("1:1 office hours", ["a", "b", "c"], [], lambda _: None).kind is MeetingKind.OTHER
    assert (
        classify(
            "Platform team weekly", ["a", "b", "c"], ["x@elsewhere.example", "y@elsewhere.example"], lambda _: None
        ).kind
        is MeetingKind.TEAM_MEETING
    )


def test_a_manager_change_is_told_to_the_person_the_old_manager_and_the_new_one() -> None:
    stored = {p.id: p for p in (person("a"), person("b"), person("c", manager_id="a"), person("x", manager_id="b"))}
    changes = diff_snapshots(stored, [person("c", manager_id="b")], full=False)
    assert [(c.type, c.subject, c.data) for c in changes] == [
        (EventType.MANAGER_CHANGE, "c", {"from": "a", "to": "b"}),
        (EventType.REPORT_LEFT, "a", {"report": "c", "to": "b"}),
        (EventType.REPORT_JOINED, "b", {"report": "c", "from": "a"}),
    ]


def test_leave_starts_and_ends_with_the_status() -> None:
    from kairos.domain.person import PersonStatus

    on_leave = person("a", status=PersonStatus.LEAVE)
    [start] = diff_snapshots({"a": person("a")}, [on_leave], full=False)
    [end] = diff_snapshots({"a": on_leave}, [person("a")], full=False)
    assert start.type is EventType.LEAVE_STARTED and end.type is EventType.LEAVE_ENDED


def test_a_termination_with_a_date_carries_it_and_nothing_else() -> None:
    from datetime import date

    from kairos.domain.person import PersonStatus

    gone = person("a", status=PersonStatus.TERMINATED, end_date=date(2026, 3, 31), level="IC9")
    [change] = diff_snapshots({"a": person("a")}, [gone], full=False)
    assert change.type is EventType.PERSON_TERMINATED and change.data["end_date"] == "2026-03-31"


def test_derived_transitions_first_report_first_manager_of_managers_first_executive_level() -> None:
    stored = {p.id: p for p in (person("ceo", level="M3"), person("lead", manager_id="ceo"), person("dev"))}
    incoming = [person("ceo", level="E1"), person("lead", manager_id="ceo"), person("dev", manager_id="lead")]
    derived = {(c.type, c.subject) for c in diff_snapshots(stored, incoming)}
    assert (EventType.FIRST_DIRECT_REPORT, "lead") in derived
    assert (EventType.FIRST_MANAGER_OF_MANAGERS, "ceo") in derived
    assert (EventType.FIRST_EXECUTIVE_ROLE, "ceo") in derived
    assert (EventType.FIRST_DIRECT_REPORT, "ceo") not in derived  # the CEO already had a report


def test_executive_tracks_are_configurable() -> None:
    changes = diff_snapshots({"a": person("a", level="M3")}, [person("a", level="VP1")], executive_prefixes=("VP",))
    assert EventType.FIRST_EXECUTIVE_ROLE in {c.type for c in changes}


def test_other_field_changes_are_one_update_event_with_the_new_values() -> None:
    [change] = diff_snapshots({"a": person("a")}, [person("a", name="Ann New", time_zone="Asia/Tokyo")], full=False)
    assert change.type is EventType.PERSON_UPDATED
    assert change.data == {"fields": {"name": "Ann New", "time_zone": "Asia/Tokyo"}}
