"""Meetings from calendars, and how Kairos tells a one-on-one from everything else."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MeetingKind(StrEnum):
    ONE_ON_ONE = "one_on_one"
    TEAM_MEETING = "team_meeting"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Meeting:
    """One occurrence of a calendar event. Times are timezone-aware (UTC)."""

    uid: str
    occurrence: str  # the occurrence's original start in UTC, ISO 8601: stable across moves
    start: datetime
    end: datetime
    title: str
    organizer: str | None
    attendee_emails: tuple[str, ...]
    attendee_ids: tuple[str, ...]  # resolved people, in attendee order
    kind: MeetingKind = MeetingKind.OTHER
    kind_reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.uid}@{self.occurrence}"


_ONE_ON_ONE_TITLE = re.compile(r"\b(1\s*[:\-/]\s*1|1\s*on\s*1|one[\s\-]on[\s\-]one|1on1)\b", re.IGNORECASE)
_TEAM_TITLE = re.compile(r"\b(team|stand[\s\-]?up|weekly|sync|retro|planning|all[\s\-]hands)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Classification:
    kind: MeetingKind
    reason: str


def classify(
    title: str, attendee_ids: Sequence[str], unresolved: int, manager_of: Callable[[str], str | None]
) -> Classification:
    """Classify by who attends first and by the title second, and say why."""
    people = list(dict.fromkeys(attendee_ids))
    if len(people) == 2 and unresolved == 0:
        a, b = people
        if manager_of(b) == a or manager_of(a) == b:
            report, manager = (b, a) if manager_of(b) == a else (a, b)
            return Classification(
                MeetingKind.ONE_ON_ONE, f"exactly two attendees and {manager} is the manager of {report}"
            )
    if len(people) + unresolved <= 2 and _ONE_ON_ONE_TITLE.search(title):
        return Classification(MeetingKind.ONE_ON_ONE, f"two attendees and the title {title!r} names a 1:1")
    if len(people) + unresolved >= 3 and _TEAM_TITLE.search(title):
        return Classification(MeetingKind.TEAM_MEETING, f"{len(people) + unresolved} attendees and the title {title!r}")
    return Classification(MeetingKind.OTHER, "no one-on-one or team pattern in attendees or title")
