"""Planning: match new events against the play library and store the moments they make."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from kairos.domain.event import Event, EventType
from kairos.domain.meeting import Meeting
from kairos.domain.moment import PlannedMoment, TraceStep
from kairos.domain.person import Person
from kairos.plays.matcher import CompiledPlay, MatchContext, plan_moments
from kairos.store import agreements as agreement_store
from kairos.store import events as event_log
from kairos.store import frameworks as framework_store
from kairos.store import meetings as meeting_store
from kairos.store import moments as moment_store
from kairos.store import people as people_store
from kairos.store.schema import goals
from kairos.worker.runtime import Runtime

BATCH = 2000


def _count(counts: dict[str, int], person_id: str) -> int:
    return counts.get(person_id, 0)


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
            # The pending moments of this batch's changed occurrences, found in one pass: looking them up occurrence
            # by occurrence read every pending moment each time, which dominated re-planning a large calendar change.
            changed = [e.subject for _, e in batch if e.type == EventType.MEETING_SCHEDULED and _revision(e) > 0]
            pending = moment_store.pending_of_meetings(conn, [key for key in changed if key])
            newest = moment_store.newest_id(conn) if changed else 0
            mentioned = {e.subject for _, e in batch if e.type != EventType.MEETING_SCHEDULED and e.subject}
            mentioned.update(pid for m in meetings.values() for pid in m.attendee_ids)
            if people is None or not mentioned <= people.keys():
                # The organization is loaded once per tick, and again only when an import running beside
                # this tick added someone a batch mentions: loading it per batch dominated large ticks.
                people = people_store.active(conn)
                with_goals = _people_with_goals(conn)
                open_commitments = agreement_store.open_counts(conn)
                framework = framework_store.latest(conn)
            moments: list[PlannedMoment] = []
            for seq, event in batch:
                is_meeting = event.type == EventType.MEETING_SCHEDULED
                meeting = meetings.get(event.subject or "") if is_meeting else None
                if is_meeting and meeting is None:
                    continue  # cancelled since it was scheduled: its meeting.cancelled event is the record
                ctx = MatchContext(
                    now=now,
                    people=people,
                    meeting=meeting,
                    has_active_goal=with_goals.__contains__,
                    working_days=runtime.settings.working_days,
                    quiet=runtime.quiet,
                    open_commitments=functools.partial(_count, open_commitments),
                    career_stage=framework.stage_of if framework is not None else None,
                )
                compiled_plays = by_trigger.get(event.type, [])
                found = [m for compiled in compiled_plays for m in plan_moments(compiled, event, seq, ctx)]
                if meeting is not None and _revision(event) > 0:
                    # A changed occurrence: its earlier moments take the new plan in place, in event order.
                    created += moment_store.add_planned(conn, moments, now)
                    moments = []
                    for moment in found:
                        moment.trace.insert(0, _replan_step(event, meeting, moment.time_zone))
                    plays = {c.play.id for c in compiled_plays}
                    among = pending.setdefault(meeting.key, set())
                    replan = moment_store.replan_for_meeting(conn, meeting.key, found, plays, now, among, newest)
                    created += replan.added
                else:
                    moments.extend(found)
            created += moment_store.add_planned(conn, moments, now)
            event_log.mark_planned(conn, [seq for seq, _ in batch], now)
            planned_events += len(batch)


def _revision(event: Event) -> int:
    """0 for a first sighting; more for a moved, changed or reinstated occurrence (see ingest/meeting_sync.py)."""
    value = event.data.get("revision", 0)
    return value if isinstance(value, int) else 0


def _replan_step(event: Event, meeting: Meeting, time_zone: str | None) -> TraceStep:
    zone = ZoneInfo(time_zone) if time_zone else UTC
    now_at = f"{meeting.start.astimezone(zone):%a %d %b %H:%M} {zone}"
    change = event.data.get("change", "changed")
    previous = event.data.get("previous_start")
    if change == "moved" and isinstance(previous, str):
        was = f"{datetime.fromisoformat(previous).astimezone(zone):%a %d %b %H:%M}"
        detail = f"re-planned: the meeting {meeting.title!r} moved from {was} to {now_at}"
    else:
        detail = f"re-planned: the meeting {meeting.title!r} on {now_at} was {change} in the calendar"
    return TraceStep("replan", "done", detail, {"event": event.id, "revision": _revision(event)})
