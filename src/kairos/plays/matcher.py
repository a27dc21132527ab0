"""Matching one event against one play: who the moment is for, whether it applies, and when it is due.

Every outcome becomes a planned moment with a trace, including the ones that stop here
(a condition not met, nobody to send to, a due time inside quiet hours), so an admin can
see for every event why each play fired or not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import MeetingKind
from kairos.domain.moment import PlannedMoment, StopReason, TraceStep
from kairos.domain.person import Person
from kairos.plays.conditions import Checker, CheckResult, Verdict, compile_condition
from kairos.plays.context import MatchContext
from kairos.plays.schema import Action, Audience, Play
from kairos.plays.timing import due_time

__all__ = ["CheckResult", "Checker", "CompiledPlay", "MatchContext", "Verdict", "compile_play", "plan_moments"]


@dataclass(frozen=True, slots=True)
class CompiledPlay:
    play: Play
    checkers: tuple[Checker, ...]


def compile_play(play: Play) -> CompiledPlay:
    return CompiledPlay(play, tuple(compile_condition(c) for c in play.conditions))


def _team_lead(ids: Sequence[str], ctx: MatchContext) -> tuple[str, int] | None:
    """The attendee who manages the most of the others, if they manage anyone there."""
    counts = {pid: sum(1 for other in ids if (p := ctx.people.get(other)) and p.manager_id == pid) for pid in ids}
    lead = max(ids, key=lambda pid: counts[pid], default=None)
    return (lead, counts[lead]) if lead is not None and counts[lead] else None


def _meeting_roles(ctx: MatchContext) -> tuple[str | None, str | None, str]:
    """(subject, manager, how they were found) for a meeting occurrence."""
    if ctx.meeting is None:
        return None, None, "meeting not stored"

    def manager_of(pid: str) -> str | None:
        person = ctx.people.get(pid)
        return person.manager_id if person else None

    ids = list(dict.fromkeys(ctx.meeting.attendee_ids))
    if len(ids) == 2:
        a, b = ids
        for report, boss in ((a, b), (b, a)):
            if manager_of(report) == boss:
                return report, boss, f"{report} reports to {boss}"
        first = ctx.people.get(a)
        organizer_is_a = first is not None and first.email.lower() == ctx.meeting.organizer
        other = b if organizer_is_a else a
        return other, None, "no reporting line between the two attendees"
    if ctx.meeting.kind is MeetingKind.TEAM_MEETING and (team := _team_lead(ids, ctx)) is not None:
        lead, reports = team
        return lead, manager_of(lead), f"{lead} leads the team meeting ({reports} of their reports attend)"
    organizer = next(
        (pid for pid in ids if (p := ctx.people.get(pid)) and p.email.lower() == (ctx.meeting.organizer or "")), None
    )
    if organizer is not None:
        return organizer, manager_of(organizer), f"{organizer} organizes the meeting ({len(ids)} known attendees)"
    if len(ids) == 1:
        return ids[0], manager_of(ids[0]), "the only attendee from the organization"
    return None, None, f"{len(ids)} known attendees and none of them organizes it"


_SEEN_FROM_MANAGER = frozenset({EventType.REPORT_JOINED.value, EventType.REPORT_LEFT.value})


def _roles(event: Event, ctx: MatchContext) -> tuple[str | None, str | None, str]:
    """(subject, manager, how they were found) for the event."""
    if event.type == EventType.MEETING_SCHEDULED:
        return _meeting_roles(ctx)
    report = event.data.get("report")
    if event.type in _SEEN_FROM_MANAGER and isinstance(report, str):
        # The event is the manager's, but the moment is about the report who joined or left them.
        verb = "joined" if event.type == EventType.REPORT_JOINED.value else "left"
        return report, event.subject, f"{report} {verb} {event.subject} (the manager is the event's subject)"
    subject = event.subject
    person = ctx.people.get(subject) if subject else None
    return subject, person.manager_id if person else None, "the event's subject"


# A dated record happens on a calendar date, the same date in every zone: an HR change is effective on one,
# a review, a check-in or a goal is agreed on one. Their events carry midnight UTC of that date, which is
# still the evening before in New York, so the date is read from the event, not from the recipient's clock.
_DATED = frozenset(
    {EventType.REVIEW_COMPLETED.value, EventType.CHECKIN_GAP_FLAGGED.value, EventType.GOAL_SET.value,
     EventType.FEEDBACK_RESULTS_IMPORTED.value}
)  # fmt: skip


def _effective_day(event: Event) -> date | None:
    value = event.data.get("effective")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if event.type in _DATED:
        return event.time.astimezone(UTC).date()
    return None


@dataclass(frozen=True, slots=True)
class _Recipient:
    person_id: str | None
    side: str  # subject, manager or coach: which audience this moment serves
    key: str  # the dedup key's recipient part
    steps: tuple[TraceStep, ...]  # why this recipient (or why nobody)


def _recipients(action: Action, index: int, subject: str | None, manager: str | None) -> Iterator[_Recipient]:
    path = f"actions/{index}/audience"
    if action.audience is Audience.COACH:
        detail = "no_recipient: no coach assigned (routing moments to human coaches is not configured yet)"
        yield _Recipient(None, "coach", "-coach", (TraceStep(path, "fail", detail),))
        return
    if action.audience is Audience.BOTH:
        for side, pid in (("subject", subject), ("manager", manager)):
            step = TraceStep(path, "pass", f"both: this moment is the {side}'s ({pid or 'nobody'})")
            yield _Recipient(pid, side, pid or f"-{side}", (step,))
        return
    pid = subject if action.audience is Audience.SUBJECT else manager
    yield _Recipient(pid, action.audience.value, pid or "-", ())


def plan_moments(compiled: CompiledPlay, event: Event, event_seq: int, ctx: MatchContext) -> list[PlannedMoment]:
    """The moments one play makes of one event (each possibly already stopped, with its reason)."""
    play = compiled.play
    occurrence = event.subject if event.type == EventType.MEETING_SCHEDULED else f"{event.source}/{event.id}"
    subject, manager, how = _roles(event, ctx)
    trace = [
        TraceStep("trigger", "pass", f"{event.type} event {event.id}", {"event_seq": event_seq}),
        TraceStep(
            "audience", "pass" if subject else "fail", f"subject {subject or '—'}, manager {manager or '—'} ({how})"
        ),
    ]
    context: dict[str, Any] = {"event_seq": event_seq}
    if ctx.meeting is not None:
        context["meeting"] = ctx.meeting.key

    def moment(
        action: Action | None, who: _Recipient | None, stop: StopReason | None, steps: list[TraceStep], **timing: Any
    ) -> PlannedMoment:
        person = ctx.people.get(who.person_id) if who and who.person_id else None
        return PlannedMoment(
            dedup_key=f"{play.id}/{action.id if action else '*'}/{occurrence}/{who.key if who else '-'}",
            play_id=play.id,
            play_version=play.version,
            action=action.id if action else "*",
            subject_id=subject,
            recipient_id=who.person_id if who else None,
            audience=who.side if who else "-",
            time_zone=person.time_zone if person else None,
            due_at=timing.get("due"),
            expires_at=timing.get("expires"),
            priority=play.priority,
            cap_exempt=not action.counts_against_cap if action else False,
            cooldown_days=action.cooldown.total_seconds() / 86400 if action else 0.0,
            stop_reason=stop,
            trace=steps,
            context=dict(context),
        )

    for index, checker in enumerate(compiled.checkers):
        verdict, detail = checker(event, ctx, subject)
        trace.append(TraceStep(f"conditions/{index}", verdict.value, detail))
        if verdict is not Verdict.PASS:
            return [moment(None, None, StopReason.CONDITION_NOT_MET, trace)]

    planned = []
    for index, action in enumerate(play.actions):
        for who in _recipients(action, index, subject, manager):
            steps = [*trace, *who.steps]
            person = ctx.people.get(who.person_id) if who.person_id else None
            if person is None:
                if who.side != "coach":
                    steps.append(TraceStep(f"actions/{index}/audience", "fail", f"no active {who.side} to send to"))
                planned.append(moment(action, who, StopReason.NO_RECIPIENT, steps))
                continue
            due, stop = _schedule(action, index, event, ctx, person, steps)
            planned.append(moment(action, who, stop, steps, due=due[0], expires=due[1]))
    return planned


def _schedule(
    action: Action, index: int, event: Event, ctx: MatchContext, person: Person, steps: list[TraceStep]
) -> tuple[tuple[datetime, datetime], StopReason | None]:
    """((due, expires), stop) for one recipient: the timing, then quiet hours and expiry, each traced."""
    zone = ZoneInfo(person.time_zone)
    due = due_time(
        action.timing,
        event_time=event.time,
        effective_day=_effective_day(event),
        meeting_start=ctx.meeting.start if ctx.meeting else None,
        meeting_end=ctx.meeting.end if ctx.meeting else None,
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
    return (at, due.expires), stop
