"""The immutable event envelope every input becomes (CloudEvents-style)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """Event types Kairos understands; plays trigger on these names."""

    PERSON_IMPORTED = "person.imported"
    PERSON_HIRED = "person.hired"
    PERSON_TERMINATED = "person.terminated"
    PERSON_UPDATED = "person.updated"  # name, email, time zone or dates changed
    LEAVE_STARTED = "person.leave_started"
    LEAVE_ENDED = "person.leave_ended"
    PROMOTION = "person.promoted"
    LEVEL_CHANGE = "person.level_changed"
    ROLE_CHANGE = "person.role_changed"
    MANAGER_CHANGE = "person.manager_changed"
    TEAM_CHANGE = "person.team_changed"
    LOCATION_CHANGE = "person.location_changed"
    REPORT_JOINED = "manager.report_joined"  # subject: the new manager
    REPORT_LEFT = "manager.report_left"  # subject: the previous manager
    FIRST_DIRECT_REPORT = "person.first_direct_report"
    FIRST_MANAGER_OF_MANAGERS = "person.first_manager_of_managers"
    FIRST_EXECUTIVE_ROLE = "person.first_executive_role"
    FRAMEWORK_IMPORTED = "framework.imported"
    GOAL_SET = "goal.set"
    MEETING_SCHEDULED = "meeting.scheduled"  # a new, moved or changed occurrence; data.revision > 0 for a change
    MEETING_CANCELLED = "meeting.cancelled"  # an occurrence was cancelled or deleted; its pending moments are cancelled
    FOCUS_PROPOSED = "focus.proposed"
    FOCUS_AGREED = "focus.agreed"
    COMMITMENT_RECORDED = "commitment.recorded"
    COMMITMENT_FOLLOWED_UP = "commitment.followed_up"
    OBSERVATION_RECORDED = "observation.recorded"
    WEBHOOK_RECEIVED = "webhook.received"  # an HRIS webhook delivery was applied; id = its delivery id
    WEBHOOK_REJECTED = "webhook.rejected"  # a delivery was refused (signature, timestamp, payload); no body kept
    FEEDBACK_RESULTS_IMPORTED = "feedback.results_imported"  # a subject's 360 responses were stored; no rater data
    REVIEW_COMPLETED = "review.completed"  # a performance review was imported; subject: the person reviewed
    CHECKIN_GAP_FLAGGED = "checkin.gap_flagged"  # a check-in flagged a skill gap on a competency
    PLAN_UPDATED = "plan.updated"  # a person's individual development plan was stored or changed
    CALIBRATION_COMPLETED = "calibration.completed"  # a manager placed every example of a calibration exercise
    LEARNING_COMPLETED = "learning.completed"  # a person finished a learning activity (course, module, book)
    FOCUS_STALLED = "focus.stalled"  # the stall detector saw no progress on a focus, or a widening gap (plays/stall.py)
    ASSESSMENT_IMPORTED = "assessment.imported"  # a behavioral-assessment result was stored; no scores in the event
    STYLE_SHARING_CHANGED = "style.sharing_changed"  # a person changed who may see their style facts
    FOCUS_CLOSED = "focus.closed"  # the evidence showed a focus's target level reached; the focus was closed
    RESPONSE_CAPTURED = "response.captured"  # a person answered a nudge (applied, not relevant, snooze, reflection)
    CHANNEL_REJECTED = "channel.rejected"  # an inbound answer was refused (signature, replay, sender); no body kept
    PREFERENCES_CHANGED = "preferences.changed"  # a person changed their channel, pacing or quiet hours


@dataclass(frozen=True, slots=True)
class Event:
    """One fact that happened, as Kairos received it. ``(source, id)`` is unique."""

    id: str
    source: str
    type: str
    subject: str | None
    time: datetime
    data: dict[str, Any] = field(default_factory=dict)


def content_id(*parts: object) -> str:
    """A stable id from the content of an input, so re-importing it yields the same id."""
    payload = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
