"""What kind of meeting an occurrence is: by who attends first, by title second, conservatively, with a reason."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kairos.domain.meeting import MeetingKind, classify

# Maria manages Rafael, Rita and Tom; Xenia works elsewhere.
MANAGERS = {"maria": "boss", "rafael": "maria", "rita": "maria", "tom": "maria", "xenia": "other"}


def kind(title: str, people: Sequence[str], external: Sequence[str] = ()) -> tuple[MeetingKind, str]:
    verdict = classify(title, people, external, MANAGERS.get)
    return verdict.kind, verdict.reason


def test_a_manager_and_report_alone_are_a_one_on_one_whatever_the_title() -> None:
    assert kind("Coffee", ["maria", "rafael"]) == (
        MeetingKind.ONE_ON_ONE,
        "exactly two attendees and maria is the manager of rafael",
    )


def test_a_manager_and_report_alone_with_a_review_title_are_a_performance_conversation() -> None:
    for title in ("Mid-year review", "Performance conversation", "Annual appraisal", "Q2 review", "Calibration prep"):
        found, reason = kind(title, ["rafael", "maria"])
        assert found == MeetingKind.PERFORMANCE_CONVERSATION, title
        assert reason == f"maria meets their report rafael alone and the title {title!r} names a performance review"


@pytest.mark.parametrize("title", ["Design review", "Code review pairing", "Review the roadmap"])
def test_a_review_of_work_rather_than_of_the_person_stays_a_one_on_one(title: str) -> None:
    assert kind(title, ["maria", "rafael"])[0] == MeetingKind.ONE_ON_ONE


def test_someone_from_outside_and_an_interview_title_make_an_interview() -> None:
    found, reason = kind("Interview: Senior SRE", ["maria", "rita"], ["sam@gmail.example"])

    assert found == MeetingKind.INTERVIEW
    assert reason == (
        "1 attendee(s) from outside the organization (sam@gmail.example) and the title 'Interview: Senior SRE' "
        "names an interview"
    )


def test_an_interview_debrief_among_colleagues_is_not_an_interview() -> None:
    assert kind("Interview debrief", ["maria", "rita", "xenia"])[0] != MeetingKind.INTERVIEW


def test_an_outside_guest_without_an_interview_title_is_not_an_interview() -> None:
    assert kind("Vendor demo", ["maria"], ["sales@vendor.example"])[0] == MeetingKind.OTHER


def test_a_manager_with_most_of_the_meeting_being_their_reports_is_a_team_meeting_whatever_the_title() -> None:
    found, reason = kind("Tuesday", ["maria", "rafael", "rita", "tom", "xenia"])

    assert found == MeetingKind.TEAM_MEETING
    assert reason == "maria attends with 3 of their direct reports (rafael, rita, tom): 4 of 5 attendees"


def test_a_manager_with_two_reports_in_a_large_crowd_is_not_a_team_meeting() -> None:
    crowd = [f"guest{i}@partner.example" for i in range(6)]
    assert kind("Quarterly business review", ["maria", "rafael", "rita"], crowd)[0] == MeetingKind.OTHER


def test_three_people_and_a_team_title_are_a_team_meeting() -> None:
    found, reason = kind("Platform stand-up", ["xenia", "rafael"], ["c@contractor.example"])

    assert found == MeetingKind.TEAM_MEETING
    assert reason == "3 attendees and the title 'Platform stand-up' names a team meeting"


def test_a_kickoff_needs_an_audience() -> None:
    assert kind("Project Atlas kickoff", ["maria", "rafael", "xenia"])[0] == MeetingKind.PROJECT_KICKOFF
    assert kind("Project Atlas kickoff", ["rafael", "xenia"])[0] == MeetingKind.OTHER


def test_a_kickoff_of_a_managers_own_team_is_still_a_kickoff() -> None:
    assert kind("Kick-off: billing rewrite", ["maria", "rafael", "rita", "tom"])[0] == MeetingKind.PROJECT_KICKOFF


@pytest.mark.parametrize("title", ["Q2 roadmap presentation", "Sprint demo", "Town hall", "Brown bag: caching"])
def test_a_presentation_title_with_an_audience_is_a_presentation(title: str) -> None:
    found, reason = kind(title, ["xenia", "rafael", "rita"])
    assert found == MeetingKind.PRESENTATION
    assert reason == f"3 attendees and the title {title!r} names a presentation"


def test_two_people_with_a_1_1_title_are_a_one_on_one_without_a_reporting_line() -> None:
    assert kind("Xenia / Rafael 1:1", ["xenia", "rafael"])[0] == MeetingKind.ONE_ON_ONE
    assert kind("1-1 with our mentor", ["rafael"], ["mentor@elsewhere.example"])[0] == MeetingKind.ONE_ON_ONE


def test_anything_else_is_other_and_says_so() -> None:
    assert kind("Lunch", ["xenia", "rafael"]) == (
        MeetingKind.OTHER,
        "2 attendee(s), no reporting line or team among them, and no telling title",
    )
