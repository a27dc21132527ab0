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


class ActionKind(StrEnum):
    BRIEF = "brief"  # preparation for a meeting; exempt from the weekly cap by default
    NUDGE = "nudge"  # a coaching nudge on the recipient's focus
    TIP = "tip"  # a short suggestion tied to a moment


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    event: EventType


class BeforeMeeting(_Strict):
    """Due a fixed time before the meeting starts; pointless once it has started."""

    before_meeting: Duration


class AtLocalTime(_Strict):
    """Due at a local wall-clock time on a day relative to the event, in the recipient's time zone."""

    at_local: time
    day: Literal["next_working_day_after_event", "event_day_or_next_working_day"] = "next_working_day_after_event"
    expires_after: Duration = Field(default=timedelta(days=1), json_schema_extra={"default": "1d"})


def _timing_kind(value: object) -> str | None:
    if isinstance(value, dict):
        return next((k for k in ("before_meeting", "at_local") if k in value), None)
    return (
        "before_meeting" if isinstance(value, BeforeMeeting) else "at_local" if isinstance(value, AtLocalTime) else None
    )


Timing = Annotated[
    Annotated[BeforeMeeting, Tag("before_meeting")] | Annotated[AtLocalTime, Tag("at_local")],
    Discriminator(
        _timing_kind,
        custom_error_type="timing_kind",
        custom_error_message="a timing with either before_meeting or at_local",
    ),
]


class Condition(_Strict):
    """One condition; exactly one key is set. Conditions are compiled once into checkers."""

    meeting_kind: str | None = None
    subject_has_active_goal: bool | None = None

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
