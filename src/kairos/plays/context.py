"""What the matcher may know about the world when it matches one event, handed in by the planner."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kairos.domain.meeting import Meeting
from kairos.domain.person import Person
from kairos.plays.timing import QuietWindow


@dataclass(frozen=True, slots=True)
class MatchContext:
    """The facts one match may use. Rules read nothing else: no clock, no database.

    The optional lookups are facts a planner may or may not supply; a condition that needs one the planner
    did not supply reports *unknown* with that reason, never a quiet false.
    """

    now: datetime
    people: Mapping[str, Person]  # active people by id
    meeting: Meeting | None  # the occurrence a meeting.scheduled event is about
    has_active_goal: Callable[[str], bool]
    working_days: Sequence[int]
    quiet: QuietWindow
    open_commitments: Callable[[str], int] | None = None  # a person's open commitments with their manager
    career_stage: Callable[[str], str | None] | None = None  # the current framework's career stage of a job level
