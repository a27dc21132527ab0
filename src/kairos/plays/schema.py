"""The play file format: trigger → conditions → actions (each with audience, timing, priority, cooldown).

The models here are the schema: ``kairos plays schema`` prints them as JSON Schema, and
``docs/plays.md`` explains each field.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from kairos.domain.event import EventType

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: object) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``2w`` → timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"expected a duration like 30m, 2h, 1d or 2w, got {value!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling in the play format: ``30m``, ``2h``, ``1d``."""
    seconds = int(value.total_seconds())
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _DURATION.pattern, "examples": ["30m", "2h", "1d", "2w"]}),
]


class Audience(StrEnum):
    SUBJECT = "subject"  # the person the moment is about (the report in a 1:1, the promoted person)
    MANAGER = "manager"  # the subject's manager
    BOTH = "both"  # the subject and their manager: two moments, one each
    COACH = "coach"  # the subject's human coach; recorded, and stopped with its reason until coaches are routed


class ActionKind(StrEnum):
    BRIEF = "brief"  # preparation for a meeting; exempt from the weekly cap by default
    NUDGE = "nudge"  # a coaching nudge on the recipient's focus
    TIP = "tip"  # a short suggestion tied to a moment


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    event: EventType


def _one_day() -> Any:
    """The default expiry, spelt in the published schema the way play files spell it."""
    return Field(default=timedelta(days=1), json_schema_extra={"default": "1d"})


class BeforeMeeting(_Strict):
    """Due a fixed time before the meeting starts; pointless once it has started."""

    before_meeting: Duration


class AfterMeeting(_Strict):
    """Due a fixed time after the meeting ends (a reflection while it is fresh); pointless after ``expires_after``."""

    after_meeting: Duration
    expires_after: Duration = _one_day()


class AfterEvent(_Strict):
    """Due a time after the event happened. Whole days keep the wall-clock time in the recipient's zone
    (across a DST change too); with ``at_local`` the moment is at that time on the day reached."""

    after_event: Duration
    at_local: time | None = None
    on_working_day: bool = True  # a day reached that is not a working day moves to the next one
    expires_after: Duration = _one_day()

    @model_validator(mode="after")
    def _whole_days_with_a_clock_time(self) -> AfterEvent:
        if self.at_local is not None and self.after_event % timedelta(days=1):
            raise ValueError("after_event with at_local counts whole days (1d, 2w), not hours")
        return self


class AtLocalTime(_Strict):
    """Due at a local wall-clock time on a day relative to the event, in the recipient's time zone."""

    at_local: time
    day: Literal["next_working_day_after_event", "event_day_or_next_working_day"] = "next_working_day_after_event"
    expires_after: Duration = _one_day()


# The key that names a timing; the first found wins, so ``after_event`` with an ``at_local`` is an AfterEvent.
_TIMING_KEYS: dict[str, type[_Strict]] = {
    "before_meeting": BeforeMeeting,
    "after_meeting": AfterMeeting,
    "after_event": AfterEvent,
    "at_local": AtLocalTime,
}


def _timing_kind(value: object) -> str | None:
    """The model's class name: the library drops capitalized parts from error paths, so a problem in a timing
    names ``actions/0/timing/expires_after``, not the tag as well."""
    if isinstance(value, dict):
        return next((model.__name__ for k, model in _TIMING_KEYS.items() if k in value), None)
    return next((model.__name__ for model in _TIMING_KEYS.values() if isinstance(value, model)), None)


Timing = Annotated[
    Annotated[BeforeMeeting, Tag("BeforeMeeting")]
    | Annotated[AfterMeeting, Tag("AfterMeeting")]
    | Annotated[AfterEvent, Tag("AfterEvent")]
    | Annotated[AtLocalTime, Tag("AtLocalTime")],
    Discriminator(
        _timing_kind,
        custom_error_type="timing_kind",
        custom_error_message="a timing with one of before_meeting, after_meeting, after_event or at_local",
    ),
]
MEETING_TIMINGS = (BeforeMeeting, AfterMeeting)  # only on a meeting.scheduled trigger


def _plain(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("a plain value to compare with (text, a number, true, false or null), not a list or mapping")


EventValue = Annotated[
    str | int | float | bool | None,
    PlainValidator(_plain),
    WithJsonSchema({"type": ["string", "number", "boolean", "null"]}),
]


class Condition(_Strict):
    """One condition; exactly one key is set. Conditions are compiled once into checkers (plays/conditions.py)."""

    meeting_kind: str | None = None
    meeting_kind_in: Annotated[list[str], Field(min_length=1)] | None = None
    subject_has_active_goal: bool | None = None
    subject_is_manager: bool | None = None
    subject_level_in: Annotated[list[str], Field(min_length=1)] | None = None
    subject_level_stage: str | None = None
    subject_has_open_commitments: bool | None = None
    event_data: Annotated[dict[str, EventValue], Field(min_length=1)] | None = None
    event_within: Duration | None = None  # the event happened at most this long before it is planned

    @property
    def key(self) -> str:
        return next(k for k, v in self.model_dump().items() if v is not None)

    @property
    def meeting_kinds(self) -> list[str]:
        """The meeting kinds this condition names (none for a condition about something else)."""
        if self.meeting_kind is not None:
            return [self.meeting_kind]
        return list(self.meeting_kind_in or [])

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        set_keys = [k for k, v in self.model_dump().items() if v is not None]
        if len(set_keys) != 1:
            raise ValueError(f"a condition has exactly one of {', '.join(type(self).model_fields)}")
        return self


class Action(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,99}$")]
    audience: Audience
    kind: ActionKind
    template: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,100}$")]
    timing: Timing
    cap_exempt: bool | None = None  # default: briefs are exempt, everything else counts
    cooldown: Duration = Field(default=timedelta(0), json_schema_extra={"default": "0m"})

    @property
    def counts_against_cap(self) -> bool:
        exempt = self.cap_exempt if self.cap_exempt is not None else self.kind == ActionKind.BRIEF
        return not exempt


class Play(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,99}$")]
    version: Annotated[int, Field(ge=1)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    trigger: Trigger
    conditions: list[Condition] = []
    priority: Annotated[int, Field(ge=0, le=100)] = 50
    actions: Annotated[list[Action], Field(min_length=1)]

    @field_validator("actions")
    @classmethod
    def _unique_actions(cls, actions: list[Action]) -> list[Action]:
        ids = [a.id for a in actions]
        if len(set(ids)) != len(ids):
            raise ValueError("action ids must be unique within a play")
        return actions


def json_schema() -> dict[str, Any]:
    return Play.model_json_schema()
