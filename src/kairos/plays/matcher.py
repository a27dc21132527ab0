"""Matching one event against one play: who the moment is for, whether it applies, and when it is due.

Every outcome becomes a planned moment with a trace, including the ones that stop here
(a condition not met, nobody to send to, a due time inside quiet hours), so an admin can
see for every event why each play fired or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import Meeting
from kairos.domain.moment import PlannedMoment, StopReason, TraceStep
from kairos.domain.person import Person
from kairos.plays.schema import Action, Audience, Condition, Play
from kairos.plays.timing import QuietWindow, due_time


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What the matcher may know about the world, handed in by the planner."""

    now: datetime
    people: Mapping[str, Person]
    meeting: Meeting | None
    has_active_goal: Callable[[str], bool]
    working_days: Sequence[int]
    quiet: QuietWindow


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # the data needed to decide is missing: not the same as false


CheckResult = tuple[Verdict, str]
Checker = Callable[[Event, "MatchContext", str | None], CheckResult]


def compile_condition(condition: Condition) -> Checker:
    """Turn a condition into a checker once, at load time."""
    if condition.meeting_kind is not None:
        wanted = condition.meeting_kind

        def meeting_kind(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
            if ctx.meeting is None:
                return Verdict.UNKNOWN, "the meeting is not stored"
            verdict = Verdict.PASS if ctx.meeting.kind == wanted else Verdict.FAIL
            return verdict, f"meeting kind is {ctx.meeting.kind.value} ({ctx.meeting.kind_reason}); wanted {wanted}"

        return meeting_kind
    if condition.subject_has_active_goal is not None:
        wanted_goal = condition.subject_has_active_goal

        def has_goal(event: Event, ctx: MatchContext, subject: str | None) -> CheckResult:
            if subject is None:
                return Verdict.UNKNOWN, "no subject to look up goals for"
            has = ctx.has_active_goal(subject)
            return (Verdict.PASS if has == wanted_goal else Verdict.FAIL), f"active goal: {has}; wanted {wanted_goal}"

        return has_goal
    raise ValueError(f"condition without a known key: {condition!r}")


@dataclass(frozen=True, slots=True)
class CompiledPlay:
    play: Play
    checkers: tuple[Checker, ...]


def compile_play(play: Play) -> CompiledPlay:
    return CompiledPlay(play, tuple(compile_condition(c) for c in play.conditions))


def _roles(event: Event, ctx: MatchContext) -> tuple[str | None, str | None, str]:
    """(subject, manager, how they were found) for the event."""
    if event.type == EventType.MEETING_SCHEDULED:
        if ctx.meeting is None:
            return None, None, "meeting not stored"
        ids = list(dict.fromkeys(ctx.meeting.attendee_ids))
        if len(ids) == 2:
            a, b = ids
            for report, boss in ((a, b), (b, a)):
                person = ctx.people.get(report)
                if person is not None and person.manager_id == boss:
                    return report, boss, f"{report} reports to {boss}"
            first = ctx.people.get(a)
            organizer_is_a = first is not None and first.email.lower() == ctx.meeting.organizer
            other = b if organizer_is_a else a
            return other, None, "no reporting line between the two attendees"
        return None, None, f"{len(ids)} known attendees"
    subject = event.subject
    person = ctx.people.get(subject) if subject else None
    return subject, person.manager_id if person else None, "the event's subject"


def _effective_day(event: Event) -> date | None:
    value = event.data.get("effective")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def plan_moments(compiled: CompiledPlay, event: Event, event_seq: int, ctx: MatchContext) -> list[PlannedMoment]:
    """The moments one play makes of one event (each possibly already stopped, with its reason)."""
    play = compiled.play
    occurrence = event.subject if event.type == EventType.MEETING_SCHEDULED else f"{event.source}/{event.id}"
    subject, manager, how = _roles(event, ctx)
    base_trace = [
        TraceStep("trigger", "pass", f"{event.type} event {event.id}", {"event_seq": event_seq}),
        TraceStep(
            "audience", "pass" if subject else "fail", f"subject {subject or '—'}, manager {manager or '—'} ({how})"
        ),
    ]
    context: dict[str, Any] = {"event_seq": event_seq}
    if ctx.meeting is not None:
        context["meeting"] = ctx.meeting.key

    def moment(
        action: Action | None, recipient: str | None, stop: StopReason | None, trace: list[TraceStep], **timing: Any
    ) -> PlannedMoment:
        person = ctx.people.get(recipient) if recipient else None
        return PlannedMoment(
            dedup_key=f"{play.id}/{action.id if action else '*'}/{occurrence}/{recipient or '-'}",
            play_id=play.id,
            play_version=play.version,
            action=action.id if action else "*",
            subject_id=subject,
            recipient_id=recipient,
            audience=action.audience.value if action else "-",
            time_zone=person.time_zone if person else None,
            due_at=timing.get("due"),
            expires_at=timing.get("expires"),
            priority=play.priority,
            cap_exempt=not action.counts_against_cap if action else False,
            cooldown_days=action.cooldown.total_seconds() / 86400 if action else 0.0,
            stop_reason=stop,
            trace=trace,
            context=dict(context),
        )

    trace = list(base_trace)
    for index, checker in enumerate(compiled.checkers):
        verdict, detail = checker(event, ctx, subject)
        trace.append(TraceStep(f"conditions/{index}", verdict.value, detail))
        if verdict is not Verdict.PASS:
            return [moment(None, None, StopReason.CONDITION_NOT_MET, trace)]

    effective = _effective_day(event)
    planned = []
    for index, action in enumerate(play.actions):
        steps = list(trace)
        recipient = subject if action.audience == Audience.SUBJECT else manager
        person = ctx.people.get(recipient) if recipient else None
        if person is None:
            steps.append(
                TraceStep(f"actions/{index}/audience", "fail", f"no active {action.audience.value} to send to")
            )
            planned.append(moment(action, recipient, StopReason.NO_RECIPIENT, steps))
            continue
        zone = ZoneInfo(person.time_zone)
        due = due_time(
            action.timing,
            event_time=event.time,
            effective_day=effective,
            meeting_start=ctx.meeting.start if ctx.meeting else None,
            zone=zone,
            working_days=ctx.working_days,
        )
        steps.append(
            TraceStep(
                f"actions/{index}/timing",
                "pass",
                due.detail,
                {"due_at": due.at.isoformat(), "expires_at": due.expires.isoformat()},
            )
        )
        at, stop = due.at, None
        local = at.astimezone(zone)
        if ctx.quiet.contains(local.time()):
            shifted = ctx.quiet.end_after(local)
            if shifted < due.expires:
                at = shifted
                steps.append(
                    TraceStep("rules/quiet_hours", "pass", f"moved out of quiet hours to {shifted:%a %H:%M} {zone.key}")
                )
            else:
                stop = StopReason.QUIET_HOURS
                steps.append(
                    TraceStep(
                        "rules/quiet_hours",
                        "fail",
                        f"skipped: quiet hours ({local:%H:%M} {zone.key}) and no later time before it expires",
                    )
                )
        if stop is None and due.expires <= ctx.now:
            stop = StopReason.EXPIRED
            steps.append(
                TraceStep("rules/expiry", "fail", f"skipped: expired at {due.expires.isoformat()} before planning")
            )
        planned.append(moment(action, recipient, stop, steps, due=at, expires=due.expires))
    return planned
