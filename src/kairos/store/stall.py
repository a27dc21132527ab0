"""What the stall rule (plays/stall.py) reads: who is watched, their last activity and alert, check-in readings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from kairos.domain.event import EventType
from kairos.plays.stall import GapReading, Watch
from kairos.store.schema import checkins, events, focuses, goals, people


def _latest_by_subject(conn: Connection, types: Collection[str], now: datetime) -> dict[str, datetime]:
    query = (
        select(events.c.subject, func.max(events.c.time))
        .where(events.c.type.in_(list(types)), events.c.time <= now, events.c.subject.is_not(None))
        .group_by(events.c.subject)
    )
    return {subject: at for subject, at in conn.execute(query)}


def watches(conn: Connection, activity: Collection[str], now: datetime) -> list[Watch]:
    """Every active person with an agreed focus or an active goal, with their last activity and stall alert."""
    active = select(people.c.id).where(people.c.status == "active")
    since: dict[str, datetime] = {}
    competencies: dict[str, list[str]] = {}
    agreed = conn.execute(
        select(focuses.c.person_id, focuses.c.competency_id, focuses.c.person_agreed_at, focuses.c.manager_agreed_at)
        .where(focuses.c.status == "agreed", focuses.c.person_id.in_(active))
        .order_by(focuses.c.id.desc())
    )
    for focus in agreed:
        # A focus is agreed when the second party agrees.
        at = max((d for d in (focus.person_agreed_at, focus.manager_agreed_at) if d is not None), default=now)
        since[focus.person_id] = min(since.get(focus.person_id, at), at)
        competencies.setdefault(focus.person_id, []).append(focus.competency_id)
    recorded = conn.execute(
        select(goals.c.person_id, goals.c.competency_id, goals.c.created_at)
        .where(goals.c.status == "active", goals.c.person_id.in_(active), goals.c.created_at <= now)
        .order_by(goals.c.review_date.desc(), goals.c.id.desc())
    )
    for row in recorded:
        since[row.person_id] = min(since.get(row.person_id, row.created_at), row.created_at)
        mine = competencies.setdefault(row.person_id, [])
        if row.competency_id not in mine:
            mine.append(row.competency_id)
    last_activity = _latest_by_subject(conn, activity, now)
    last_alert = _latest_by_subject(conn, [EventType.FOCUS_STALLED.value], now)
    return [
        Watch(pid, tuple(competencies[pid]), since[pid], last_activity.get(pid), last_alert.get(pid))
        for pid in sorted(since)
    ]


def gap_readings(conn: Connection, person_ids: Collection[str], since: date) -> list[GapReading]:
    """The watched people's check-in readings from ``since`` on, oldest first."""
    if not person_ids:
        return []
    wanted = set(person_ids)
    rows = conn.execute(
        select(checkins.c.person_id, checkins.c.competency_id, checkins.c.checkin_date, checkins.c.severity)
        .where(checkins.c.checkin_date >= since)
        .order_by(checkins.c.checkin_date, checkins.c.id)
    )
    return [GapReading(r.person_id, r.competency_id, r.checkin_date, r.severity) for r in rows if r.person_id in wanted]
