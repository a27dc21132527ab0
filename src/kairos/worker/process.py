"""Running one claimed moment: the delivery-time rules, decide, compose, deliver — exactly once.

The delivery row is the ledger. It is written ``prepared`` (with the composed nudge) before
anything leaves, flipped to ``sending`` by the channel at its commit point, and to
``delivered`` after. A worker that dies at any step leaves a row that tells the next one
what is safe: ``prepared`` is re-sent, ``sending`` is not (unless the channel deduplicates),
``delivered`` is only recorded on the moment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from kairos.compose.composer import CompositionInput, StyleContext, compose
from kairos.compose.library import ContentItem, query_text
from kairos.compose.templates import StyleSelection
from kairos.decide.policy import Learned, Situation, decide
from kairos.domain.commitment import Commitment, visible_to
from kairos.domain.decision import Cadence, Decision, InterventionKind, decision_from_dict
from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import same_label
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.moment import StopReason, TraceStep
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.priorities import default_focus
from kairos.domain.style import StyleProfile
from kairos.domain.transition import RaisedExpectation, raised_expectations
from kairos.plays.timing import local_day, local_wall_time, local_week, next_working_day
from kairos.profiles.relationship import relate
from kairos.profiles.service import team_view, visible_profile
from kairos.profiles.team import joiner_briefing
from kairos.store import agreements as agreement_store
from kairos.store import channels as channel_store
from kairos.store import decisions as decision_store
from kairos.store import deliveries as delivery_store
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store
from kairos.store import goals as goal_store
from kairos.store import meetings as meeting_store
from kairos.store import moments as moment_store
from kairos.store import nudges as nudge_store
from kairos.store import people as people_store
from kairos.worker.deliver import (
    deliverable,
    fall_back,
    meeting_ref,
    person_quiet_window,
    plan_deliveries,
    record_primary,
    send_digest,
    send_one,
)
from kairos.worker.learner import learner_state
from kairos.worker.runtime import Runtime


class _Stop(Exception):
    """Ends a moment early with its stop reason and the trace step that explains it."""

    def __init__(self, reason: StopReason | None, step: TraceStep, reschedule_to: datetime | None = None) -> None:
        self.reason, self.step, self.reschedule_to = reason, step, reschedule_to


def process_moment(rt: Runtime, moment_id: int, token: str, now: datetime) -> StopReason | None:
    """Run one claimed moment to its end (or reschedule it). Returns its stop reason, None if not finished."""
    with rt.db.transaction() as conn:
        row = moment_store.get(conn, moment_id)
        if row.claimed_by != token:
            return None  # another worker took it over after our lease ran out
        if not delivery_store.for_moment(conn, moment_id):
            try:
                if _prepare(rt, conn, row, now):
                    return None  # held for the person's daily digest
            except _Stop as stop:
                trace = moment_store.trace_with(row, stop.step)
                if stop.reschedule_to is not None:
                    moment_store.reschedule(conn, moment_id, stop.reschedule_to, trace)
                    return None
                assert stop.reason is not None
                moment_store.finish(conn, moment_id, stop.reason, trace, now)
                return stop.reason
            row = moment_store.get(conn, moment_id)
        active = [d for d in delivery_store.for_moment(conn, moment_id) if d.is_primary][-1]
        key = active.idempotency_key
        channel = rt.channels.get(active.channel)
        if active.status == "digest":
            pass  # sent below, outside this transaction, with the rest of the recipient's digest
        elif active.status == "delivered":
            note = f"already delivered ({active.provider_id}); recorded after a restart"
            return _end(conn, row, StopReason.DELIVERED, TraceStep("deliver", "done", note), now)
        elif channel is None:
            detail = f"{active.channel} is no longer configured"
            delivery_store.set_status(conn, key, "failed", now, detail=detail)
            return fall_back(rt, conn, row, active, detail, now)
        elif active.status == "sending" and not channel.resend_is_safe:
            detail = (
                f"a worker stopped while {channel.name} was accepting the message; not sent again, to avoid "
                f"a duplicate (delivery key {key})"
            )
            step = TraceStep("deliver", "error", detail)
            return _end(conn, row, StopReason.DELIVERY_UNCERTAIN, step, now, delivery=(key, "uncertain"))
        elif row.expires_at is not None and row.expires_at <= now:
            detail = f"skipped: expired at {row.expires_at.isoformat()} before a retry could deliver it"
            step = TraceStep("rules/expiry", "fail", detail)
            return _end(conn, row, StopReason.EXPIRED, step, now, delivery=(key, "failed"))
        nudge = deliverable(rt, conn, row, active, now)
        if nudge is None:
            step = TraceStep("rules/recipient", "fail", "skipped: recipient no longer active")
            return _end(conn, row, StopReason.RECIPIENT_INACTIVE, step, now, delivery=(key, "failed"))
        if active.attempts > 0 or active.status == "digest":
            quiet = _quiet_check(rt, conn, row, now)  # a retry or a digest due in quiet hours waits for the morning
            if quiet is not None:
                return quiet if isinstance(quiet, StopReason) else None
    if active.status == "digest":
        return send_digest(rt, row, active, now)
    assert channel is not None
    receipt = send_one(rt, channel, nudge, key, row.recipient_id, now)
    with rt.db.transaction() as conn:
        return record_primary(rt, conn, moment_store.get(conn, moment_id), delivery_store.get_by_key(conn, key),
                              receipt, now)  # fmt: skip


def _quiet_check(rt: Runtime, conn: Connection, row: Any, now: datetime) -> StopReason | bool | None:
    """None outside the person's quiet hours; else the moment waits for their end (True) or, expiring first, ends."""
    recipient = people_store.get(conn, row.recipient_id)
    zone = ZoneInfo(recipient.time_zone if recipient else row.time_zone)
    window = person_quiet_window(rt, channel_store.preference(conn, row.recipient_id))
    local = now.astimezone(zone)
    if not window.contains(local.time()):
        return None
    later = window.end_after(local)
    if row.expires_at is None or later < row.expires_at:
        step = TraceStep("rules/quiet_hours", "skip", f"deferred: quiet hours until {later:%H:%M} {zone.key}")
        moment_store.reschedule(conn, row.id, later, moment_store.trace_with(row, step))
        return True
    step = TraceStep("rules/quiet_hours", "fail", f"skipped: quiet hours ({local:%H:%M} {zone.key})")
    return _end(conn, row, StopReason.QUIET_HOURS, step, now)


def _end(
    conn: Connection,
    row: Any,
    reason: StopReason,
    step: TraceStep,
    now: datetime,
    *,
    delivery: tuple[str, str] | None = None,
) -> StopReason:
    """Finish the moment with its one stop reason; optionally settle its delivery row with the same detail."""
    if delivery is not None:
        delivery_store.set_status(conn, delivery[0], delivery[1], now, detail=step.detail)
    moment_store.finish(conn, row.id, reason, moment_store.trace_with(row, step), now)
    return reason


def coaching_focus(conn: Connection, subject: Any, min_raters: int) -> DevelopmentGoal | None:
    """The agreed focus if there is one, else the goal of the latest review, else the organization's priority
    behavior for the subject's career stage with the widest gap (domain/priorities.py)."""
    focus = agreement_store.active_focus(conn, subject.id)
    if focus is not None:
        agreed = agreement_store.focus_agreed_on(conn, focus.id)
        return DevelopmentGoal(
            person_id=subject.id, competency_id=focus.competency_id, target_level=focus.target_level,
            text=focus.description, review_date=agreed, framework_id=focus.framework_id,
            framework_version=focus.framework_version, origin="focus",
        )  # fmt: skip
    goals = goal_store.active_for(conn, subject.id)
    if goals:
        return goals[0]
    framework = framework_store.latest(conn)
    if framework is None or not framework.priority_behaviors:
        return None
    chosen = default_focus(
        framework,
        subject.level,
        lambda p: feedback_store.skill_gap_for(conn, subject.id, p.competency_id, p.level, min_raters=min_raters),
    )
    published = framework_store.imported_at(conn, framework.id, framework.version)
    if chosen is None or published is None:
        return None
    return chosen.as_goal(subject.id, framework, published.date())


def _open_commitments(conn: Connection, subject: Any, recipient: Any, now: datetime) -> tuple[Commitment, ...]:
    """Open commitments between the subject and their manager that the recipient may see, recorded before now."""
    if subject is None or not subject.manager_id:
        return ()
    return tuple(
        c
        for c in agreement_store.open_between(conn, subject.id, subject.manager_id)
        if c.recorded_at <= now
        and visible_to(
            c.visibility,
            author=c.recorded_by,
            subject=subject.id,
            manager=subject.manager_id,
            viewer=recipient.id,
        )  # fmt: skip
    )


_TRANSITIONS = (EventType.PROMOTION.value, EventType.LEVEL_CHANGE.value, EventType.ROLE_CHANGE.value)


def _transition(conn: Connection, event: Any, subject: Any) -> tuple[Any, tuple[RaisedExpectation, ...]]:
    """For a move to a new level or role: the latest framework and what it now expects that it did not."""
    if event.type not in _TRANSITIONS or subject is None:
        return None, ()
    framework = framework_store.latest(conn)
    if framework is None or not framework.benchmarks:
        return None, ()
    data = event.data
    level_before = data.get("from") if event.type != EventType.ROLE_CHANGE.value else subject.level
    role_before = data.get("from") if event.type == EventType.ROLE_CHANGE.value else subject.role
    raised = raised_expectations(framework, role_before=role_before, level_before=level_before,
                                 role_after=subject.role, level_after=subject.level)  # fmt: skip
    return framework, raised


SLOWER_GAP = timedelta(days=3)


def _decide(rt: Runtime, conn: Connection, row: Any, learner: Person, recipient: Person,
            goal: DevelopmentGoal | None, event: Any, action_kind: str, sent_this_week: int,
            now: datetime) -> Decision:  # fmt: skip
    """Gather the learner state, diagnose and choose: the policy file's rules, then the bounded adaptive choice."""
    zone = ZoneInfo(learner.time_zone)
    day_start, day_end = local_day(now, zone)
    state = learner_state(
        conn, learner, goal, rt.policy, now=now,
        meeting_minutes_today=meeting_store.meeting_minutes(conn, learner.id, day_start, day_end),
        nudges_this_week=sent_this_week, min_raters=rt.settings.feedback_min_raters,
        has_reports=people_store.has_reports(conn, learner.id),
    )  # fmt: skip
    situation = Situation(
        action_kind=action_kind,
        trigger=event.type,
        about_meeting=event.type == EventType.MEETING_SCHEDULED,
        recipient_is_subject=recipient.id == learner.id,
        overload_minutes=rt.settings.overload_meeting_hours * 60,
        performance_concern=event.type == EventType.CHECKIN_GAP_FLAGGED and event.data.get("severity") == "high",
        seed=f"moment-{row.id}",
    )
    explored, decided = decision_store.exploration(conn, rt.policy.label, state.segment)
    learned = Learned(decision_store.arms(conn, rt.policy.label, state.segment), explored, decided)
    return decide(state, situation, rt.policy, learned)


_CONTENT_KINDS = {
    InterventionKind.LEARNING_CONTENT, InterventionKind.PRACTICE, InterventionKind.REFLECTION,
    InterventionKind.ROLE_PLAY, InterventionKind.FEEDBACK_REQUEST, InterventionKind.STRETCH_ASSIGNMENT,
}  # fmt: skip


def _content(rt: Runtime, conn: Connection, moment_id: int, learner_id: str, goal: DevelopmentGoal | None,
             framework: Any, decision: Decision, steps: list[TraceStep]) -> ContentItem | None:  # fmt: skip
    """The library item that best fits the decision's kind of help, the focus competency and level — not one the
    person was offered recently; the retrieval (pool, similarities, reason) goes into the trace."""
    if goal is None or decision.kind not in _CONTENT_KINDS or len(rt.content) == 0:
        return None
    competency = framework.competency(goal.competency_id) if framework else None
    retrieval = rt.content.candidates(
        goal.competency_id, goal.target_level, decision.kind,
        query_text=query_text(competency, goal.target_level, goal.text),
        exclude_ids=decision_store.recent_content_items(conn, learner_id), limit=3,
    )  # fmt: skip
    best = retrieval.best
    steps.append(TraceStep("decide/content", "pass" if best else "skip", retrieval.reason, retrieval.as_dict()))
    if best is None:
        return None
    decision_store.set_content_item(conn, moment_id, best.item.id)
    return best.item


def _close_focus(conn: Connection, person_id: str, goal: DevelopmentGoal, now: datetime) -> None:
    """The evidence shows the target level reached: the focus (or review goal) is closed, and an event says so."""
    if goal.origin == "focus":
        agreement_store.close_focus(conn, person_id, now)
    elif goal.origin == "review":
        goal_store.mark_achieved(conn, person_id, goal.competency_id, goal.review_date)
    event_log.append(conn, [Event(id=content_id(person_id, goal.competency_id, goal.target_level, goal.origin),
                                  source="kairos/decide", type=EventType.FOCUS_CLOSED, subject=person_id, time=now,
                                  data={"competency_id": goal.competency_id, "target_level": goal.target_level,
                                        "origin": goal.origin})], now)  # fmt: skip


def _style_context(
    rt: Runtime, conn: Connection, recipient: Person, subject: Person | None, selection: StyleSelection | None
) -> StyleContext | None:
    """The style facts the template asks for: the other person's in the moment (the report in a brief, the manager
    in a tip) or the recipient's own, as far as that person's style-sharing consent lets the recipient see them."""
    if selection is None:
        return None
    if selection.about == "team":
        return _team_context(rt, conn, recipient, subject)
    about: Person | None = recipient
    if selection.about == "other":
        if subject is not None and subject.id != recipient.id:
            about = subject
        else:
            about = people_store.get(conn, recipient.manager_id) if recipient.manager_id else None
    if about is None:
        return None
    profile = visible_profile(conn, about, recipient, rt.styles)
    insight = None
    if about.id != recipient.id and profile is not None and not profile.empty:
        own = visible_profile(conn, recipient, recipient, rt.styles) or StyleProfile(recipient.id)
        insight = relate(own, profile, {recipient.id: recipient.first_name, about.id: about.first_name})
    return StyleContext(about, profile, insight)


def _team_context(rt: Runtime, conn: Connection, recipient: Person, newcomer: Person | None) -> StyleContext | None:
    """The newcomer's team as the recipient may see it (consent applied per member), and the briefing on them."""
    if newcomer is None:
        return None
    members = [p for p in people_store.active(conn).values() if same_label(p.team, newcomer.team)]
    insight = team_view(conn, members, recipient, rt.styles)
    names = {p.id: p.first_name for p in members if p.id in insight.profiles}
    return StyleContext(newcomer, insight.profiles.get(newcomer.id), briefing=joiner_briefing(insight, newcomer.id),
                        team_names=names)  # fmt: skip


def _prepare(rt: Runtime, conn: Connection, row: Any, now: datetime) -> bool:
    """Check the delivery-time rules, decide and compose; store the nudge and its deliveries. True when the nudge
    is held for the person's daily digest (the moment was rescheduled to it)."""
    steps: list[TraceStep] = []
    recipient = people_store.get(conn, row.recipient_id)
    if recipient is None:
        raise _Stop(
            StopReason.RECIPIENT_INACTIVE, TraceStep("rules/recipient", "fail", "skipped: recipient no longer active")
        )
    zone = ZoneInfo(recipient.time_zone)
    if row.expires_at is not None and row.expires_at <= now:
        raise _Stop(
            StopReason.EXPIRED, TraceStep("rules/expiry", "fail", f"skipped: expired at {row.expires_at.isoformat()}")
        )
    local = now.astimezone(zone)
    pref = channel_store.preference(conn, recipient.id)  # read once: the rules and the routing both use it
    quiet = person_quiet_window(rt, pref)
    if quiet.contains(local.time()):
        later = quiet.end_after(local)
        if row.expires_at is None or later < row.expires_at:
            raise _Stop(
                None,
                TraceStep("rules/quiet_hours", "skip", f"deferred: quiet hours until {later:%H:%M} {zone.key}"),
                reschedule_to=later,
            )
        raise _Stop(
            StopReason.QUIET_HOURS,
            TraceStep("rules/quiet_hours", "fail", f"skipped: quiet hours ({local:%H:%M} {zone.key})"),
        )
    if not row.cap_exempt and local.weekday() not in rt.settings.working_days:
        # A nudge that became due on a weekend (an import late on Friday, a retry) waits for the next working morning;
        # briefs are tied to their meeting and go whenever it is.
        day = next_working_day(local.date(), rt.settings.working_days)
        later = local_wall_time(day, rt.settings.quiet_hours.end, zone)
        if row.expires_at is None or later < row.expires_at:
            detail = (
                f"deferred: {local:%A} is not a working day for {recipient.id}; next working morning {later:%a %H:%M}"
            )
            raise _Stop(None, TraceStep("rules/working_days", "skip", detail), reschedule_to=later)
        raise _Stop(StopReason.OUTSIDE_WORKING_DAYS,
                    TraceStep("rules/working_days", "fail", f"skipped: {local:%A} is not a working day, and it expires "
                                                            f"before the next one"))  # fmt: skip
    if row.cooldown_days:
        last = delivery_store.last_delivered(conn, recipient.id, row.play_id, row.action)
        if last is not None and now - last < timedelta(days=row.cooldown_days):
            raise _Stop(
                StopReason.COOLDOWN,
                TraceStep(
                    "rules/cooldown", "fail", f"skipped: cooldown {row.cooldown_days:g} d, last sent {last.isoformat()}"
                ),
            )
    week_start, week_end = local_week(now, zone)
    # nudges held for the person's digest count too: they will arrive, just gathered
    sent_this_week = delivery_store.counted_between(conn, recipient.id, week_start, week_end) + (
        delivery_store.held_for_digest(conn, recipient.id)
    )
    cap = rt.settings.weekly_cap
    if not row.cap_exempt:
        if sent_this_week >= cap:
            raise _Stop(
                StopReason.WEEKLY_CAP,
                TraceStep("rules/weekly_cap", "fail", f"skipped: weekly cap {sent_this_week}/{cap}"),
            )
        steps.append(TraceStep("rules/weekly_cap", "pass", f"weekly cap {sent_this_week}/{cap} before this one"))
    else:
        steps.append(TraceStep("rules/weekly_cap", "pass", "exempt from the weekly cap"))

    compiled = rt.plays.get(row.play_id)
    action = next((a for a in compiled.play.actions if a.id == row.action), None) if compiled else None
    if compiled is None or action is None:
        raise _Stop(
            StopReason.PLAY_UNAVAILABLE,
            TraceStep("play", "error", f"play {row.play_id} action {row.action} is no longer valid"),
        )
    subject = people_store.get(conn, row.subject_id) if row.subject_id else None
    goal = coaching_focus(conn, subject, rt.settings.feedback_min_raters) if subject else None
    learner = subject or recipient
    event = event_log.get(conn, row.event_seq)
    approved = row.context.get("approved_decision")
    if approved is not None:
        decision = replace(decision_from_dict(approved), needs_review=())  # a person approved exactly this
        steps.append(TraceStep("review", "pass", f"approved by {row.context.get('approved_by')}: "
                                                 f"{row.context.get('review_note') or 'no note'}"))  # fmt: skip
    else:
        decision = _decide(rt, conn, row, learner, recipient, goal, event, action.kind.value, sent_this_week, now)
    steps.append(
        TraceStep(
            "decide",
            "pass",
            f"{decision.kind.value} by rule {decision.rule}: {decision.reasons[0]}",
            decision.as_dict(),
        )
    )
    decision_store.record(conn, row.id, learner.id, recipient.id, decision, goal.competency_id if goal else None, now)
    if decision.needs_review:
        item = decision_store.hold_for_review(conn, row.id, decision, now)
        reasons = "; ".join(decision.needs_review)
        raise _Stop(
            StopReason.HELD_FOR_REVIEW, TraceStep("review", "skip", f"held for review (item {item}): {reasons}")
        )
    if decision.kind is InterventionKind.PAUSE:
        raise _Stop(StopReason.PAUSED, steps[-1])
    if decision.cadence is Cadence.SLOWER and not row.cap_exempt and "snoozed_from" not in row.context:
        # (a snoozed nudge coming back is what the person asked for; the slower cadence applies to the next ones)
        last = delivery_store.last_counted(conn, recipient.id)
        if last is not None and now - last < SLOWER_GAP:
            raise _Stop(StopReason.PAUSED, TraceStep("rules/cadence", "fail", f"paused: a slower cadence after a "
                                                     f"snooze, and a nudge went out {last.isoformat()}"))  # fmt: skip
    if decision.closes_focus and goal is not None:
        _close_focus(conn, learner.id, goal, now)
        steps.append(TraceStep("decide/close_focus", "done", f"focus closed: level {goal.target_level} reached"))
    meeting = meeting_store.get(conn, row.context["meeting"]) if row.context.get("meeting") else None
    framework = framework_store.get(conn, goal.framework_id, goal.framework_version) if goal else None
    content = _content(rt, conn, row.id, learner.id, goal, framework, decision, steps)
    benchmark_framework, expectations = _transition(conn, event, subject)
    commitments = _open_commitments(conn, subject, recipient, now)
    template = rt.templates[action.template]
    style = _style_context(rt, conn, recipient, subject, template.style)
    nudge = compose(
        CompositionInput(
            recipient=recipient,
            subject=subject,
            play=compiled.play,
            action=action,
            event=event,
            event_seq=row.event_seq,
            moment_id=row.id,
            meeting=meeting,
            goal=goal,
            framework=framework,
            expectations=expectations,
            benchmark_framework=benchmark_framework,
            commitments=commitments,
            style=style,
            content=content,
            decision=decision,
        ),
        template,
    )
    steps.append(TraceStep("compose", "done", f"template {action.template}, {len(nudge.why['facts'])} facts cited"))
    nudge_id = nudge_store.add(conn, row.id, nudge, now)
    routed, digest_at = plan_deliveries(rt, conn, row, recipient, pref, nudge_id, _with_meeting(nudge, meeting, row),
                                        now)  # fmt: skip
    steps.extend(routed)
    if digest_at is not None:
        moment_store.reschedule(conn, row.id, digest_at, moment_store.trace_with(row, *steps))
        return True
    moment_store.set_trace(conn, row.id, moment_store.trace_with(row, *steps))
    return False


def _with_meeting(nudge: Nudge, meeting: Any, row: Any) -> Nudge:
    """The nudge as companion channels judge it: a brief about a meeting carries the meeting."""
    if meeting is None:
        return nudge
    return replace(nudge, moment_id=row.id, meeting=meeting_ref(meeting))
