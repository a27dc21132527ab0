"""Conditions compiled once into checkers that answer pass, fail or unknown, each with the reason.

"Unknown" means the data needed to decide is missing (no stored meeting, no subject, a lookup the planner
did not supply, a key the event does not carry). It is not the same as false, and the trace says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

from kairos.domain.event import Event
from kairos.domain.person import Person
from kairos.plays.context import MatchContext
from kairos.plays.schema import Condition, EventValue


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # the data needed to decide is missing: not the same as false


CheckResult = tuple[Verdict, str]
Checker = Callable[[Event, MatchContext, str | None], CheckResult]


def _verdict(ok: bool) -> Verdict:
    return Verdict.PASS if ok else Verdict.FAIL


def _meeting_kinds(wanted: list[str]) -> Checker:
    label = wanted[0] if len(wanted) == 1 else "one of " + ", ".join(wanted)

    def check(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
        if ctx.meeting is None:
            return Verdict.UNKNOWN, "the meeting is not stored"
        kind = ctx.meeting.kind.value
        return _verdict(kind in wanted), f"meeting kind is {kind} ({ctx.meeting.kind_reason}); wanted {label}"

    return check


def _subject_check(decide: Callable[[Person, MatchContext], CheckResult]) -> Checker:
    """A checker about the subject as a person: unknown when there is no subject or they are not active."""

    def check(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
        if subject is None:
            return Verdict.UNKNOWN, "no subject to look up"
        person = ctx.people.get(subject)
        if person is None:
            return Verdict.UNKNOWN, f"{subject} is not an active person"
        return decide(person, ctx)

    return check


def _has_goal(wanted: bool) -> Checker:
    def check(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
        if subject is None:
            return Verdict.UNKNOWN, "no subject to look up goals for"
        has = ctx.has_active_goal(subject)
        return _verdict(has == wanted), f"active goal: {has}; wanted {wanted}"

    return check


class _Managers:
    """Who manages anyone, worked out once per organization the planner hands in (one mapping per tick)."""

    def __init__(self) -> None:
        self._people: Mapping[str, Person] | None = None
        self._ids: frozenset[str] = frozenset()

    def of(self, people: Mapping[str, Person]) -> frozenset[str]:
        if people is not self._people:
            self._people = people
            self._ids = frozenset(p.manager_id for p in people.values() if p.manager_id)
        return self._ids


def _is_manager(wanted: bool) -> Checker:
    managers = _Managers()

    def decide(person: Person, ctx: MatchContext) -> CheckResult:
        manages = person.id in managers.of(ctx.people)
        reports = "has direct reports" if manages else "has no direct reports"
        return _verdict(manages == wanted), f"{person.id} {reports}; wanted a manager: {wanted}"

    return _subject_check(decide)


def _level_in(levels: list[str]) -> Checker:
    wanted = {level.strip().casefold() for level in levels}

    def decide(person: Person, ctx: MatchContext) -> CheckResult:
        ok = person.level.strip().casefold() in wanted
        return _verdict(ok), f"{person.id} is at level {person.level}; wanted one of {', '.join(levels)}"

    return _subject_check(decide)


def _level_stage(stage: str) -> Checker:
    def decide(person: Person, ctx: MatchContext) -> CheckResult:
        if ctx.career_stage is None:
            return Verdict.UNKNOWN, "the planner supplies no career stages (they come from the current framework)"
        found = ctx.career_stage(person.level)
        if found is None:
            return Verdict.UNKNOWN, f"level {person.level} is in no career stage of the current framework"
        return _verdict(found == stage), f"level {person.level} is in the {found} stage; wanted {stage}"

    return _subject_check(decide)


def _open_commitments(wanted: bool) -> Checker:
    def decide(person: Person, ctx: MatchContext) -> CheckResult:
        if ctx.open_commitments is None:
            return Verdict.UNKNOWN, "the planner supplies no commitments"
        count = ctx.open_commitments(person.id)
        return _verdict((count > 0) == wanted), f"{count} open commitment(s); wanted open ones: {wanted}"

    return _subject_check(decide)


_MISSING = object()


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    """``severity`` or a dotted path into nested data (``person.level``); _MISSING when absent."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _same(actual: Any, wanted: EventValue) -> bool:
    """Equal in value and kind: YAML's ``true`` is not the number 1, and 3 is not "3" (but 3 is 3.0)."""
    numbers = (int, float)
    if isinstance(actual, numbers) and isinstance(wanted, numbers) and not isinstance(actual, bool):
        return not isinstance(wanted, bool) and actual == wanted
    return type(actual) is type(wanted) and actual == wanted


def _event_data(wanted: dict[str, EventValue]) -> Checker:
    def check(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
        seen = []
        for key, value in wanted.items():
            actual = _lookup(event.data, key)
            if actual is _MISSING:
                return Verdict.UNKNOWN, f"the {event.type} event carries no {key!r}"
            if not _same(actual, value):
                return Verdict.FAIL, f"{key} is {actual!r}; wanted {value!r}"
            seen.append(f"{key} is {actual!r}")
        return Verdict.PASS, "; ".join(seen)

    return check


def _within(limit: timedelta) -> Checker:
    def check(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
        age = ctx.now - event.time
        seen = "is dated in the future" if age < timedelta(0) else f"is {_span(age)} old"
        return _verdict(age <= limit), f"the event {seen}; wanted at most {_span(limit)} old"

    return check


def _span(delta: timedelta) -> str:
    if delta >= timedelta(days=2):
        return f"{delta // timedelta(days=1)} days"
    return f"{delta // timedelta(hours=1)} hours"


_COMPILERS: dict[str, Callable[[Any], Checker]] = {
    "meeting_kind": lambda kind: _meeting_kinds([kind]),
    "meeting_kind_in": _meeting_kinds,
    "subject_has_active_goal": _has_goal,
    "subject_is_manager": _is_manager,
    "subject_level_in": _level_in,
    "subject_level_stage": _level_stage,
    "subject_has_open_commitments": _open_commitments,
    "event_data": _event_data,
    "event_within": _within,
}


def compile_condition(condition: Condition) -> Checker:
    """Turn a condition into a checker once, at load time."""
    key = condition.key
    compiler = _COMPILERS.get(key)
    if compiler is None:
        raise ValueError(f"condition without a known key: {condition!r}")
    return compiler(getattr(condition, key))
