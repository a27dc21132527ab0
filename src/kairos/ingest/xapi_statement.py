"""The xAPI 1.0.3 statement as pydantic models that mirror the standard (xAPI-Data §2.4).

Validation is strict: JSON types are not coerced (``"true"`` is not a boolean), properties the
standard does not define are refused, and every identifier has its own rule (IRIs, ``mailto:``
addresses, UUIDs, RFC 5646 language tags, ISO 8601 timestamps and durations). Rules that span
properties (one identifier per agent, revision only for activities, voiding) are checked here too,
each with the JSON path of the property at fault. Attachments are refused: Kairos does not store them.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kairos.domain.learning import VOIDED

IRI_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$")
_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
InteractionType = Literal["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                          "likert", "numeric", "other"]  # fmt: skip


def _iri(value: str) -> str:
    if not IRI_PATTERN.match(value):
        raise PydanticCustomError("xapi_iri", "an absolute IRI such as https://example.com/courses/feedback-101")
    return value


def _mbox(value: str) -> str:
    if not _MBOX.match(value):
        raise PydanticCustomError("xapi_mbox", "a mailto: IRI such as mailto:ana@example.com")
    return value


def _sha1(value: str) -> str:
    if not _SHA1.match(value):
        raise PydanticCustomError("xapi_sha1", "the SHA-1 hex digest (40 characters) of a mailto: IRI")
    return value.lower()


def _uuid(value: str) -> str:
    if not UUID_PATTERN.match(value):
        raise PydanticCustomError("xapi_uuid", "a UUID such as 6fbd6e1a-3c5c-4a4e-9d1f-8a1f7e3a2b10")
    return value.lower()


def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise PydanticCustomError("xapi_language", "an RFC 5646 language tag such as en-US")
    return value


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime; one without a zone is read as UTC."""
    if not _TIMESTAMP.match(value) or value.endswith("-00:00") or value.endswith("-0000"):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value.upper() if value.endswith("z") else value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _timestamp(value: str) -> str:
    try:
        parse_timestamp(value)
    except (ValueError, OverflowError):
        raise PydanticCustomError(
            "xapi_timestamp", "an ISO 8601 timestamp such as 2026-03-02T09:30:00.000Z (not -00:00)"
        ) from None
    return value


def _duration(value: str) -> str:
    if not _DURATION.match(value):
        raise PydanticCustomError("xapi_duration", "an ISO 8601 duration such as PT1H30M or P2D")
    return value


def _version(value: str) -> str:
    if not _VERSION.match(value):
        raise PydanticCustomError("xapi_version", "an xAPI version 1.0.x such as 1.0.3")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("xapi_blank", "text that is not empty")
    return value


Iri = Annotated[str, AfterValidator(_iri)]
Mbox = Annotated[str, AfterValidator(_mbox)]
Sha1 = Annotated[str, AfterValidator(_sha1)]
Uuid = Annotated[str, AfterValidator(_uuid)]
LanguageTag = Annotated[str, AfterValidator(_language)]
Timestamp = Annotated[str, AfterValidator(_timestamp)]
Duration = Annotated[str, AfterValidator(_duration)]
Version = Annotated[str, AfterValidator(_version)]
LanguageMap = dict[LanguageTag, str]
Extensions = dict[Iri, Any]  # any JSON value, null included, under an IRI key


class XapiModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Account(XapiModel):
    home_page: Iri = Field(alias="homePage")
    name: Annotated[str, AfterValidator(_not_blank)]


class _Identified(XapiModel):
    name: str | None = None
    mbox: Mbox | None = None
    mbox_sha1sum: Sha1 | None = None
    openid: Iri | None = None
    account: Account | None = None

    def identifiers(self) -> list[str]:
        """The inverse functional identifiers given (xAPI allows exactly one per agent, at most one per group)."""
        return [n for n in ("mbox", "mbox_sha1sum", "openid", "account") if getattr(self, n) is not None]

    def key(self) -> str | None:
        """One string per identified agent or group, equal for the same identifier (addresses ignore case)."""
        if self.mbox is not None:
            return "mbox " + self.mbox.lower()
        if self.mbox_sha1sum is not None:
            return "mbox_sha1sum " + self.mbox_sha1sum
        if self.openid is not None:
            return "openid " + self.openid
        if self.account is not None:
            return f"account {self.account.home_page} {self.account.name}"
        return None


class Agent(_Identified):
    object_type: Literal["Agent"] | None = Field(default=None, alias="objectType")

    @model_validator(mode="after")
    def _one_identifier(self) -> Agent:
        found = self.identifiers()
        if len(found) != 1:
            raise PydanticCustomError(
                "xapi_ifi",
                "exactly one of mbox, mbox_sha1sum, openid or account (found {found})",
                {"found": ", ".join(found) or "none"},
            )
        return self


class Group(_Identified):
    object_type: Literal["Group"] = Field(alias="objectType")
    member: list[Agent] | None = None

    @model_validator(mode="after")
    def _identified_or_members(self) -> Group:
        found = self.identifiers()
        if len(found) > 1:
            raise PydanticCustomError(
                "xapi_ifi",
                "at most one of mbox, mbox_sha1sum, openid or account (found {found})",
                {"found": ", ".join(found)},
            )
        if not found and not self.member:
            raise PydanticCustomError(
                "xapi_group", "an identifier, or a member list (an anonymous group needs members)"
            )
        return self


def _actor_kind(value: Any) -> str:
    """The union branch for JSON input, or for a model being serialized."""
    if isinstance(value, BaseModel):
        return f"<{type(value).__name__}>"
    return "<Group>" if isinstance(value, dict) and value.get("objectType") == "Group" else "<Agent>"


Actor = Annotated[Annotated[Agent, Tag("<Agent>")] | Annotated[Group, Tag("<Group>")], Discriminator(_actor_kind)]


class Verb(XapiModel):
    id: Iri
    display: LanguageMap | None = None


class InteractionComponent(XapiModel):
    id: Annotated[str, AfterValidator(_not_blank)]
    description: LanguageMap | None = None


class ActivityDefinition(XapiModel):
    name: LanguageMap | None = None
    description: LanguageMap | None = None
    type: Iri | None = None
    more_info: Iri | None = Field(default=None, alias="moreInfo")
    extensions: Extensions | None = None
    interaction_type: InteractionType | None = Field(default=None, alias="interactionType")
    correct_responses_pattern: list[str] | None = Field(default=None, alias="correctResponsesPattern")
    choices: list[InteractionComponent] | None = None
    scale: list[InteractionComponent] | None = None
    source: list[InteractionComponent] | None = None
    target: list[InteractionComponent] | None = None
    steps: list[InteractionComponent] | None = None


class Activity(XapiModel):
    object_type: Literal["Activity"] | None = Field(default=None, alias="objectType")
    id: Iri
    definition: ActivityDefinition | None = None


class StatementRef(XapiModel):
    object_type: Literal["StatementRef"] = Field(alias="objectType")
    id: Uuid


def _one_or_many(value: Any) -> Any:
    return "<one>" if isinstance(value, dict | BaseModel) else "<many>"


# contextActivities takes one activity or a list; both shapes keep their own error paths
Activities = Annotated[
    Annotated[Activity, Tag("<one>")] | Annotated[list[Activity], Tag("<many>")], Discriminator(_one_or_many)
]


class ContextActivities(XapiModel):
    parent: Activities | None = None
    grouping: Activities | None = None
    category: Activities | None = None
    other: Activities | None = None

    def all(self) -> list[Activity]:
        found: list[Activity] = []
        for value in (self.parent, self.grouping, self.category, self.other):
            if isinstance(value, Activity):
                found.append(value)
            elif value:
                found.extend(value)
        return found


class Score(XapiModel):
    scaled: float | None = Field(default=None, ge=-1, le=1)
    raw: float | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("scaled", "raw", "min", "max", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):  # JSON's 1e999 reads as infinity
            raise PydanticCustomError("xapi_number", "a finite number")
        return value

    @model_validator(mode="after")
    def _in_range(self) -> Score:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise PydanticCustomError("xapi_score", "min below max (got min {min}, max {max})",
                                      {"min": self.min, "max": self.max})  # fmt: skip
        if self.raw is not None and self.min is not None and self.raw < self.min:
            raise PydanticCustomError("xapi_score", "raw at least min (got raw {raw}, min {min})",
                                      {"raw": self.raw, "min": self.min})  # fmt: skip
        if self.raw is not None and self.max is not None and self.raw > self.max:
            raise PydanticCustomError("xapi_score", "raw at most max (got raw {raw}, max {max})",
                                      {"raw": self.raw, "max": self.max})  # fmt: skip
        return self


class Result(XapiModel):
    score: Score | None = None
    success: bool | None = None
    completion: bool | None = None
    response: str | None = None
    duration: Duration | None = None
    extensions: Extensions | None = None


class Context(XapiModel):
    registration: Uuid | None = None
    instructor: Actor | None = None
    team: Group | None = None
    context_activities: ContextActivities | None = Field(default=None, alias="contextActivities")
    revision: str | None = None
    platform: str | None = None
    language: LanguageTag | None = None
    statement: StatementRef | None = None
    extensions: Extensions | None = None


def _object_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return f"<{type(value).__name__}>"
    if not isinstance(value, dict) or "objectType" not in value:
        return "<Activity>"
    kind = value["objectType"]
    return f"<{kind}>" if kind in ("Activity", "Agent", "Group", "StatementRef", "SubStatement") else None


OBJECT_TYPE_ERROR = "xapi_object_type"
_OBJECT_TYPES = "objectType Activity (the default), Agent, Group, StatementRef or SubStatement"


class SubStatement(XapiModel):
    object_type: Literal["SubStatement"] = Field(alias="objectType")
    actor: Actor
    verb: Verb
    object: Annotated[
        Annotated[Activity, Tag("<Activity>")]
        | Annotated[Agent, Tag("<Agent>")]
        | Annotated[Group, Tag("<Group>")]
        | Annotated[StatementRef, Tag("<StatementRef>")],
        Discriminator(
            lambda v: None if _object_kind(v) == "<SubStatement>" else _object_kind(v),
            custom_error_type=OBJECT_TYPE_ERROR,
            custom_error_message="objectType Activity, Agent, Group or StatementRef (a sub-statement cannot nest one)",
        ),
    ]
    result: Result | None = None
    context: Context | None = None
    timestamp: Timestamp | None = None


StatementObject = Annotated[
    Annotated[Activity, Tag("<Activity>")]
    | Annotated[Agent, Tag("<Agent>")]
    | Annotated[Group, Tag("<Group>")]
    | Annotated[StatementRef, Tag("<StatementRef>")]
    | Annotated[SubStatement, Tag("<SubStatement>")],
    Discriminator(_object_kind, custom_error_type=OBJECT_TYPE_ERROR, custom_error_message=_OBJECT_TYPES),
]

# Union branches are chosen by these tags; they are not properties, so error paths leave them out.
UNION_TAGS = frozenset({"<Agent>", "<Group>", "<Activity>", "<StatementRef>", "<SubStatement>", "<one>", "<many>"})


class Statement(XapiModel):
    id: Uuid | None = None
    actor: Actor
    verb: Verb
    object: StatementObject
    result: Result | None = None
    context: Context | None = None
    timestamp: Timestamp | None = None
    stored: Timestamp | None = None
    authority: Actor | None = None
    version: Version | None = None
    attachments: Any = None

    @field_validator("attachments")
    @classmethod
    def _no_attachments(cls, value: Any) -> Any:
        raise PydanticCustomError(
            "xapi_attachments",
            "no attachments: Kairos does not store xAPI attachments; send the statement without them",
        )

    def cross_problems(self) -> list[tuple[str, str]]:
        """Rules that span properties, as (JSON path, what was expected)."""
        found: list[tuple[str, str]] = []
        targets = [("$", self.object, self.context)]
        if isinstance(self.object, SubStatement):
            targets.append(("$.object", self.object.object, self.object.context))
        for where, target, context in targets:
            if context is not None and not isinstance(target, Activity):
                for name in ("revision", "platform"):
                    if getattr(context, name) is not None:
                        found.append(
                            (f"{where}.context.{name}", f"no {name}: it is allowed only when the object is an Activity")
                        )
        if self.verb.id == VOIDED and not isinstance(self.object, StatementRef):
            found.append(("$.object", "a StatementRef: a statement with the verb voided names the statement it voids"))
        return found
