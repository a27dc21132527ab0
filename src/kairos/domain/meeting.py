"""Meetings from calendars: what kind of meeting an occurrence is, and how a new reading of it differs from the last."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# The occurrence part of a key for an event that does not repeat: it is identified by its UID alone (RFC 5545),
# so moving it keeps its key and re-plans its moments instead of cancelling them.
SINGLE = "once"


class MeetingKind(StrEnum):
    ONE_ON_ONE = "one_on_one"
    TEAM_MEETING = "team_meeting"
    PROJECT_KICKOFF = "project_kickoff"
    PRESENTATION = "presentation"
    PERFORMANCE_CONVERSATION = "performance_conversation"
    INTERVIEW = "interview"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Meeting:
    """One occurrence of a calendar event. Times are timezone-aware (UTC)."""

    uid: str
    occurrence: str  # the original start in UTC (ISO 8601), or SINGLE for an event that does not repeat
    start: datetime
    end: datetime
    title: str
    organizer: str | None
    attendee_emails: tuple[str, ...]  # everyone attending, organizer first; declined attendees and rooms left out
    attendee_ids: tuple[str, ...]  # resolved people, in attendee order
    kind: MeetingKind = MeetingKind.OTHER
    kind_reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.uid}@{self.occurrence}"


class MeetingChange(StrEnum):
    """How an occurrence read from a calendar differs from the stored one."""

    NEW = "new"
    MOVED = "moved"  # same occurrence, another start or end
    UPDATED = "updated"  # same time; title, attendees or kind changed
    REINSTATED = "reinstated"  # cancelled before, in the calendar again


def compare(before: Meeting | None, after: Meeting, *, was_cancelled: bool = False) -> MeetingChange | None:
    """What changed from ``before`` (the stored occurrence, None if unknown) to ``after``; None if nothing did."""
    if before is None:
        return MeetingChange.REINSTATED if was_cancelled else MeetingChange.NEW
    if (before.start, before.end) != (after.start, after.end):
        return MeetingChange.MOVED
    if before != after:
        return MeetingChange.UPDATED
    return None


# --- classification -------------------------------------------------------------------------------------------

_ONE_ON_ONE_TITLE = re.compile(r"\b(1\s*[:\-/]\s*1|1\s*on\s*1|one[\s\-]on[\s\-]one|1on1)\b", re.IGNORECASE)
_TEAM_TITLE = re.compile(
    r"\b(team|stand[\s\-]?up|daily|weekly|sync|retro(spective)?|planning|all[\s\-]hands)\b", re.IGNORECASE
)
_PERFORMANCE_TITLE = re.compile(
    r"\b(performance|appraisal|calibration|evaluation"
    r"|(annual|mid[\s\-]?year|year[\s\-]?end|end[\s\-]of[\s\-]year|quarterly|q[1-4]|h[12]|half[\s\-]?year(ly)?"
    r"|career|promotion)\s+review|review\s+(meeting|conversation|discussion))\b",
    re.IGNORECASE,
)
_INTERVIEW_TITLE = re.compile(
    r"\b(interview\w*|candidate|(phone|technical|tech|recruiter)[\s\-]screen\w*|screening\s+call|hiring\s+panel)\b",
    re.IGNORECASE,
)
_KICKOFF_TITLE = re.compile(r"\b(kick[\s\-]?off|project\s+launch|inception)\b", re.IGNORECASE)
_PRESENTATION_TITLE = re.compile(
    r"\b(presentation|presenting|demo|showcase|town[\s\-]?hall|keynote|pitch|brown[\s\-]?bag"
    r"|lunch\s+(and|&)\s+learn|tech\s+talk|read[\s\-]?out)\b",
    re.IGNORECASE,
)
# Kickoffs and presentations are told apart by title; fewer people than this is a conversation, not an audience.
_GROUP = 3


@dataclass(frozen=True, slots=True)
class Classification:
    kind: MeetingKind
    reason: str


def _reporting_line(a: str, b: str, manager_of: Callable[[str], str | None]) -> tuple[str, str] | None:
    """(manager, report) when one of the two manages the other."""
    if manager_of(b) == a:
        return a, b
    if manager_of(a) == b:
        return b, a
    return None


def _team(people: Sequence[str], manager_of: Callable[[str], str | None]) -> tuple[str, list[str]] | None:
    """The attendee with the most direct reports present, if at least two are: (manager, reports)."""
    best: tuple[str, list[str]] | None = None
    for candidate in people:
        reports = [p for p in people if p != candidate and manager_of(p) == candidate]
        if len(reports) >= 2 and (best is None or len(reports) > len(best[1])):
            best = candidate, reports
    return best


def classify(
    title: str, attendee_ids: Sequence[str], external: Sequence[str], manager_of: Callable[[str], str | None]
) -> Classification:
    """Classify by who attends first and by the title second, and say why in one sentence.

    ``external`` are the attendees' addresses that match nobody in the organization. The order matters and is
    conservative: a reporting line between exactly two people decides before any title, and a title only
    decides a kind when the attendees fit it too (an interview needs someone from outside, a kickoff an audience).
    """
    people = list(dict.fromkeys(attendee_ids))
    size = len(people) + len(external)
    line = _reporting_line(people[0], people[1], manager_of) if len(people) == 2 and not external else None
    if line is not None:
        manager, report = line
        if _PERFORMANCE_TITLE.search(title):
            return Classification(
                MeetingKind.PERFORMANCE_CONVERSATION,
                f"{manager} meets their report {report} alone and the title {title!r} names a performance review",
            )
        return Classification(MeetingKind.ONE_ON_ONE, f"exactly two attendees and {manager} is the manager of {report}")
    if external and _INTERVIEW_TITLE.search(title):
        return Classification(
            MeetingKind.INTERVIEW,
            f"{len(external)} attendee(s) from outside the organization ({external[0]}) and the title {title!r} "
            "names an interview",
        )
    if size <= 2 and _ONE_ON_ONE_TITLE.search(title):
        return Classification(MeetingKind.ONE_ON_ONE, f"{size} attendees and the title {title!r} names a 1:1")
    if size >= _GROUP and _KICKOFF_TITLE.search(title):
        return Classification(MeetingKind.PROJECT_KICKOFF, f"{size} attendees and the title {title!r} names a kickoff")
    if size >= _GROUP and _PRESENTATION_TITLE.search(title):
        return Classification(
            MeetingKind.PRESENTATION, f"{size} attendees and the title {title!r} names a presentation"
        )
    team = _team(people, manager_of)
    if team is not None and 2 * (1 + len(team[1])) >= size:
        manager, reports = team
        return Classification(
            MeetingKind.TEAM_MEETING,
            f"{manager} attends with {len(reports)} of their direct reports ({', '.join(reports[:5])}"
            f"{', …' if len(reports) > 5 else ''}): {1 + len(reports)} of {size} attendees",
        )
    if size >= _GROUP and _TEAM_TITLE.search(title):
        return Classification(
            MeetingKind.TEAM_MEETING, f"{size} attendees and the title {title!r} names a team meeting"
        )
    return Classification(
        MeetingKind.OTHER, f"{size} attendee(s), no reporting line or team among them, and no telling title"
    )
