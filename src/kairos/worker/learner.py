"""Gathering a person's learner state from stored data, for the decision of one moment.

Every number here is recomputed from the record — responses, decisions, commitments,
observations, events — so a decision can be explained and replayed from the same data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from kairos.decide.distress import distress_phrases
from kairos.decide.policy_file import PolicyFile
from kairos.decide.state import LearnerState
from kairos.domain.commitment import CommitmentKind, CommitmentStatus
from kairos.domain.event import EventType
from kairos.domain.feedback import RaterGroup, three_sixty_levels
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.person import Person, is_executive
from kairos.domain.response import ResponseKind
from kairos.plays.stall import ACTIVITY
from kairos.store import agreements as agreement_store
from kairos.store import decisions as decision_store
from kairos.store import deliveries as delivery_store
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store
from kairos.store.schema import events, focuses, goals, moments

_TRANSITIONS = {
    EventType.PROMOTION.value: "promotion",
    EventType.MANAGER_CHANGE.value: "change of manager",
    EventType.FIRST_DIRECT_REPORT.value: "first direct report",
    EventType.FIRST_MANAGER_OF_MANAGERS.value: "first manager of managers",
    EventType.FIRST_EXECUTIVE_ROLE.value: "first executive role",
}
_PRACTICE_KINDS = ("practice", "role_play")


def segment_of(person: Person, policy: PolicyFile, stage: str | None, has_reports: bool) -> str:
    """The operational group whose outcomes a person's adaptive choices pool with, e.g. ``frontline/ic``."""
    parts = []
    for attribute in policy.adaptive.segment_by:
        if attribute == "career_stage":
            parts.append(stage or "unstaged")
        elif attribute == "track":
            manager = has_reports or person.level.upper().startswith("M") or is_executive(person.level)
            parts.append("manager" if manager else "ic")
    return "/".join(parts) or "everyone"


def learner_state(
    conn: Connection,
    person: Person,
    goal: DevelopmentGoal | None,
    policy: PolicyFile,
    *,
    now: datetime,
    meeting_minutes_today: float,
    nudges_this_week: int,
    min_raters: int,
    has_reports: bool,
) -> LearnerState:
    framework = framework_store.latest(conn)
    stage = framework.stage_of(person.level) if framework else None
    since_focus = (
        datetime.combine(goal.review_date, datetime.min.time(), tzinfo=now.tzinfo) if goal else now - timedelta(90)
    )
    answers = decision_store.responses_of(conn, person.id, now - timedelta(days=90))
    past = decision_store.recent_for(conn, person.id)
    applied_in_row = 0
    for answer in answers:
        if answer.kind is not ResponseKind.APPLIED:
            break
        applied_in_row += 1
    gap = None
    if goal is not None:
        gap = feedback_store.skill_gap_for(conn, person.id, goal.competency_id, goal.target_level,
                                           min_raters=min_raters)  # fmt: skip
    return LearnerState(
        person_id=person.id,
        active_goal=goal,
        meeting_minutes_today=meeting_minutes_today,
        nudges_this_week=nudges_this_week,
        segment=segment_of(person, policy, stage, has_reports),
        gap=gap,
        self_rated_higher=_self_rated_higher(conn, person.id, goal, min_raters),
        recent_kinds=tuple(d.kind for d in past),
        ignored_in_row=_ignored_in_row(conn, person.id, now),
        snoozed_recently=sum(
            1 for a in answers if a.kind is ResponseKind.SNOOZE and a.received_at >= now - timedelta(14)
        ),
        not_relevant_kinds=tuple(
            dict.fromkeys(
                a.intervention
                for a in answers
                if a.kind is ResponseKind.NOT_RELEVANT and a.intervention and a.received_at >= now - timedelta(30)
            )
        ),  # fmt: skip
        applied_in_row=applied_in_row,
        reflections_recently=sum(
            1 for a in answers if a.kind is ResponseKind.REFLECTION and a.received_at >= now - timedelta(30)
        ),  # fmt: skip
        learning_completed=_learning_completed(conn, person.id, goal, since_focus),
        practice_done=sum(
            1
            for a in answers
            if a.kind is ResponseKind.APPLIED and a.intervention in _PRACTICE_KINDS and a.received_at >= since_focus
        ),  # fmt: skip
        overdue_manager_actions=_overdue_manager_actions(conn, person, now),
        distress=any(
            distress_phrases(a.text or "")
            for a in answers
            if a.kind is ResponseKind.REFLECTION and a.received_at >= now - timedelta(14)
        ),  # fmt: skip
        transition=_transition(conn, person.id, now),
        stalled_weeks=_stalled_weeks(conn, person, goal, now),
        challenge=past[0].challenge if past else "medium",
    )


def _self_rated_higher(conn: Connection, person_id: str, goal: DevelopmentGoal | None, min_raters: int) -> bool:
    """In the latest 360 on the focus competency, the self rating is above the mean of the others shown."""
    if goal is None:
        return False
    campaign = feedback_store.latest_campaign_about(conn, person_id, goal.competency_id)
    if campaign is None:
        return False
    ratings = feedback_store.subject_ratings(conn, campaign, person_id)
    own = [r.value for r in ratings if r.competency_id == goal.competency_id and r.group is RaterGroup.SELF]
    others = three_sixty_levels(ratings, goal.competency_id, min_raters)
    return bool(own and others) and sum(own) / len(own) > sum(others) / len(others) + 0.5


def _ignored_in_row(conn: Connection, person_id: str, now: datetime) -> int:
    """Delivered nudges (briefs aside) older than a week without any answer, counted back from the newest."""
    rows = conn.execute(
        select(moments.c.id, moments.c.finished_at)
        .where(moments.c.recipient_id == person_id, moments.c.stop_reason == "delivered",
               moments.c.cap_exempt.is_(False), moments.c.finished_at <= now - timedelta(days=7))
        .order_by(moments.c.finished_at.desc()).limit(10)
    ).all()  # fmt: skip
    answered = decision_store.answered_moments(conn, [row.id for row in rows])
    count = 0
    for row in rows:
        if row.id in answered:
            break
        count += 1
    return count


def _learning_completed(conn: Connection, person_id: str, goal: DevelopmentGoal | None, since: datetime) -> int:
    if goal is None:
        return 0
    rows = conn.execute(select(events.c.data).where(
        events.c.subject == person_id, events.c.type == "learning.completed", events.c.time >= since))  # fmt: skip
    return sum(1 for r in rows if goal.competency_id in (r.data or {}).get("competencies", ()))


def _overdue_manager_actions(conn: Connection, person: Person, now: datetime) -> int:
    if not person.manager_id:
        return 0
    return sum(
        1
        for c in agreement_store.open_between(conn, person.id, person.manager_id)
        if c.kind is CommitmentKind.MANAGER_ACTION and c.status is CommitmentStatus.OPEN and c.due is not None
        and c.due < now.date()
    )  # fmt: skip


def _transition(conn: Connection, person_id: str, now: datetime) -> str | None:
    row = conn.execute(
        select(events.c.type).where(events.c.subject == person_id, events.c.type.in_(list(_TRANSITIONS)),
                                    events.c.time >= now - timedelta(days=60), events.c.time <= now)
        .order_by(events.c.time.desc()).limit(1)
    ).first()  # fmt: skip
    return _TRANSITIONS[row.type] if row else None


def _stalled_weeks(conn: Connection, person: Person, goal: DevelopmentGoal | None, now: datetime) -> int:
    """Whole weeks of quiet on the focus, as the stall rule counts them (``plays/stall.py``): since the later of
    when Kairos first had the focus or goal on record and the person's last development activity."""
    if goal is None or goal.origin == "priority":
        return 0  # nothing agreed yet: there is nothing to stall
    recorded = (
        select(goals.c.created_at).where(goals.c.person_id == person.id, goals.c.status == "active")
        if goal.origin == "review"
        else select(func.coalesce(focuses.c.manager_agreed_at, focuses.c.person_agreed_at))
        .where(focuses.c.person_id == person.id, focuses.c.status == "agreed")
    )  # fmt: skip
    since = [at for at in conn.execute(recorded).scalars() if at is not None and at <= now]
    if not since:
        return 0
    last = conn.execute(
        select(func.max(events.c.time)).where(events.c.subject == person.id, events.c.type.in_(list(ACTIVITY)),
                                              events.c.time <= now)
    ).scalar()  # fmt: skip
    quiet_since = max(min(since), last) if last is not None else min(since)
    weeks: int = (now - quiet_since).days // 7
    return max(0, weeks)


def delivered_counted_since(conn: Connection, person_id: str, since: datetime, now: datetime) -> int:
    return delivery_store.counted_between(conn, person_id, since, now)
