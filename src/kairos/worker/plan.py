"""Planning: match new events against the play library and store the moments they make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from kairos.domain.event import EventType
from kairos.domain.moment import PlannedMoment
from kairos.domain.person import Person
from kairos.plays.matcher import CompiledPlay, MatchContext, plan_moments
from kairos.store import events as event_log
from kairos.store import meetings as meeting_store
from kairos.store import moments as moment_store
from kairos.store import people as people_store
from kairos.store.schema import goals
from kairos.worker.runtime import Runtime

BATCH = 2000


def _people_with_goals(conn: Connection) -> set[str]:
    return {r.person_id for r in conn.execute(select(goals.c.person_id).where(goals.c.status == "active").distinct())}


def plan(runtime: Runtime, now: datetime) -> tuple[int, int]:
    """Plan every unplanned event a play triggers on. Returns (events planned, moments created)."""
    types = runtime.trigger_types
    by_trigger: dict[str, list[CompiledPlay]] = {}
    for compiled in runtime.plays.values():
        by_trigger.setdefault(compiled.play.trigger.event.value, []).append(compiled)
    planned_events = created = 0
    people: dict[str, Person] | None = None
    while True:
        with runtime.db.transaction() as conn:
            batch = event_log.unplanned(conn, types, BATCH)
            if not batch:
                return planned_events, created
            meetings = meeting_store.get_many(
                conn, [e.subject for _, e in batch if e.type == EventType.MEETING_SCHEDULED and e.subject]
            )
            mentioned = {e.subject for _, e in batch if e.type != EventType.MEETING_SCHEDULED and e.subject}
            mentioned.update(pid for m in meetings.values() for pid in m.attendee_ids)
            if people is None or not mentioned <= people.keys():
                # The organization is loaded once per tick, and again only when an import running beside
                # this tick added someone a batch mentions: loading it per batch dominated large ticks.
                people = people_store.active(conn)
                with_goals = _people_with_goals(conn)
            moments: list[PlannedMoment] = []
            for seq, event in batch:
                meeting = meetings.get(event.subject or "") if event.type == EventType.MEETING_SCHEDULED else None
                ctx = MatchContext(
                    now=now,
                    people=people,
                    meeting=meeting,
                    has_active_goal=with_goals.__contains__,
                    working_days=runtime.settings.working_days,
                    quiet=runtime.quiet,
                )
                for compiled in by_trigger.get(event.type, []):
                    moments.extend(plan_moments(compiled, event, seq, ctx))
            created += moment_store.add_planned(conn, moments, now)
            event_log.mark_planned(conn, [seq for seq, _ in batch], now)
            planned_events += len(batch)
