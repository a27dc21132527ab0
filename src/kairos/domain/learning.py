"""Learning records: the catalog of learning activities, and when a record counts as finishing one.

A learning record store receives xAPI statements about anyone; only a statement that says a known
person finished a catalogued activity becomes a ``learning.completed`` event, and that event carries
the activity and the outcome, never the statement's other content (names, addresses, responses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kairos.domain.event import Event, EventType

SOURCE = "xapi"  # events from learning records; the event id is the statement id, so each is recorded once
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
COMPLETION_VERBS = frozenset({COMPLETED, PASSED})


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A learning activity the organization offers, tagged with what it develops."""

    activity_id: str  # the xAPI activity IRI statements name as their object
    title: str
    description: str
    competencies: tuple[str, ...]  # competency ids of the framework it was checked against
    levels: tuple[int, ...]  # the proficiency levels it is written for; empty means any
    minutes: int | None


@dataclass(frozen=True, slots=True)
class LearningRecord:
    """What one stored statement says about an activity: the facts a completion needs, nothing about the person."""

    statement_id: str
    verb: str
    activity_id: str | None  # None when the statement's object is not an activity
    completion: bool | None
    success: bool | None
    score: float | None  # scaled, -1 to 1
    time: datetime  # when it happened (the statement's timestamp)


def completes(record: LearningRecord) -> bool:
    """A statement finishes its activity when its verb is completed or passed, or its result says completion."""
    return record.activity_id is not None and (record.verb in COMPLETION_VERBS or record.completion is True)


def learning_completed(record: LearningRecord, person_id: str, entry: CatalogEntry) -> Event | None:
    """The event for a person finishing a catalogued activity, or None when the record is not a completion."""
    if not completes(record) or record.activity_id != entry.activity_id:
        return None
    return Event(
        id=record.statement_id,
        source=SOURCE,
        type=EventType.LEARNING_COMPLETED,
        subject=person_id,
        time=record.time,
        data={
            "activity_id": entry.activity_id,
            "title": entry.title,
            "competencies": list(entry.competencies),
            "levels": list(entry.levels),
            "minutes": entry.minutes,
            "verb": record.verb,
            "success": record.success,
            "score": record.score,
            "statement_id": record.statement_id,
        },
    )
