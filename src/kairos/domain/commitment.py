"""What a person and their manager agree: the focus they work on, the commitments made in a 1:1, observations.

A focus is agreed by both: either may propose it, and it becomes the person's active focus once
the other agrees. Commitments are the next steps and the manager's feedback from a 1:1; the loop
brings the open ones into the next brief and records when they are followed up. Observations and
1:1 notes are evidence, shown only as far as their visibility allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Visibility(StrEnum):
    PRIVATE = "private"  # the author only
    MANAGER = "manager"  # the person and their manager
    ORGANIZATION = "organization"  # also the talent team


class CommitmentKind(StrEnum):
    NEXT_STEP = "next_step"  # something the person will do
    MANAGER_FEEDBACK = "manager_feedback"  # what the manager said, to act on
    MANAGER_ACTION = "manager_action"  # something the manager will do


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Commitment:
    id: int
    person_id: str
    manager_id: str
    kind: CommitmentKind
    text: str
    status: CommitmentStatus
    recorded_at: datetime
    meeting_key: str | None = None
    due: date | None = None
    follow_up: str | None = None
    followed_up_at: datetime | None = None
    visibility: Visibility = Visibility.MANAGER
    recorded_by: str = ""


@dataclass(frozen=True, slots=True)
class Focus:
    id: int
    person_id: str
    competency_id: str
    target_level: int
    description: str
    framework_id: str
    framework_version: str
    proposed_by: str
    person_agreed: bool
    manager_agreed: bool

    @property
    def agreed(self) -> bool:
        return self.person_agreed and self.manager_agreed


def visible_to(visibility: Visibility, *, author: str, subject: str, manager: str | None, viewer: str,
               viewer_is_talent_team: bool = False) -> bool:  # fmt: skip
    """Whether ``viewer`` may see an entry about ``subject`` written by ``author``."""
    if viewer == author:
        return True
    if visibility is Visibility.PRIVATE:
        return False
    if viewer in (subject, manager):
        return True
    return visibility is Visibility.ORGANIZATION and viewer_is_talent_team
