"""The data readiness audit (A7): for every source, is it structured, current and accessible, and what is missing.

Read before go-live: coaching is only as good as the data behind it, and a gap found here
is cheaper than a nudge that quotes a stale goal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from kairos.store import Database
from kairos.store.schema import events, frameworks, goals, meeting_attendees, people

CURRENT_WITHIN = timedelta(days=365)
# Sources that arrive through an interface rather than a file someone exports by hand.
_API_SOURCES = ("kairos/scim", "kairos/webhook/", "kairos/caldav/")


@dataclass(frozen=True)
class SourceReadiness:
    source: str
    present: bool
    structured: bool | None  # None: nothing to judge
    current: bool | None
    accessible: str  # "api or webhook", "manual file", or "—"
    last_update: str | None
    records: int
    gaps: list[str] = field(default_factory=list)
    enables: str = ""


@dataclass(frozen=True)
class ReadinessReport:
    checked_at: str
    sources: list[SourceReadiness]

    @property
    def ready(self) -> bool:
        """The sources the loop cannot run without are present and current; other gaps are for review."""
        return all(s.present and s.current for s in self.sources if s.source in _REQUIRED)

    def as_dict(self) -> dict[str, Any]:
        return {"checked_at": self.checked_at, "ready": self.ready, "sources": [asdict(s) for s in self.sources]}


_REQUIRED = ("people", "competency framework", "development goals", "calendars")


def _event_stats(conn: Connection, where: Any) -> tuple[int, datetime | None, list[str]]:
    count, last = conn.execute(select(func.count(), func.max(events.c.recorded_at)).where(where)).one()
    sources = [r[0] for r in conn.execute(select(events.c.source).where(where).distinct().limit(50))]
    return int(count), last, sources


def _accessible(sources: list[str]) -> str:
    if not sources:
        return "—"
    return "api or webhook" if any(s.startswith(_API_SOURCES) for s in sources) else "manual file"


def audit_data(db: Database, now: datetime) -> ReadinessReport:
    with db.transaction() as conn:
        checks: list[Callable[[Connection, datetime], SourceReadiness]] = [
            _people, _framework, _goals, _calendars, _missing("assessments"), _missing("learning records"),
        ]  # fmt: skip
        return ReadinessReport(checked_at=now.isoformat(), sources=[check(conn, now) for check in checks])


def _current(last: datetime | None, now: datetime) -> bool | None:
    return None if last is None else now - last <= CURRENT_WITHIN


def _people(conn: Connection, now: datetime) -> SourceReadiness:
    count, last, sources = _event_stats(conn, events.c.type.like("person.%"))
    employed = int(conn.execute(select(func.count()).where(people.c.status == "active")).scalar_one())
    gaps = []
    if employed:
        no_manager = int(conn.execute(
            select(func.count()).where(people.c.status == "active", people.c.manager_id.is_(None))
        ).scalar_one())  # fmt: skip
        if no_manager > max(1, employed // 50):
            gaps.append(f"{no_manager} of {employed} active people have no manager (only the top should not)")
    else:
        gaps.append("no people imported: kairos import people FILE, SCIM or an HRIS webhook")
    return SourceReadiness("people", employed > 0, True if employed else None, _current(last, now),
                           _accessible(sources), last.isoformat() if last else None, employed, gaps,
                           "who is who, reporting lines, time zones, HR events (promotions, new managers)")  # fmt: skip


def _framework(conn: Connection, now: datetime) -> SourceReadiness:
    count, last = conn.execute(select(func.count(), func.max(frameworks.c.imported_at))).one()
    gaps = [] if count else ["no competency framework: coaching cannot use the organization's own words"]
    return SourceReadiness("competency framework", bool(count), True if count else None, _current(last, now),
                           "manual file" if count else "—", last.isoformat() if last else None, int(count), gaps,
                           "definitions and behavioral anchors quoted in every nudge")  # fmt: skip


def _goals(conn: Connection, now: datetime) -> SourceReadiness:
    count, last = conn.execute(
        select(func.count(), func.max(goals.c.created_at)).where(goals.c.status == "active")
    ).one()
    active = int(conn.execute(select(func.count()).where(people.c.status == "active")).scalar_one())
    with_goal = int(conn.execute(
        select(func.count(func.distinct(goals.c.person_id))).where(goals.c.status == "active")
    ).scalar_one())  # fmt: skip
    newest_review = conn.execute(select(func.max(goals.c.review_date))).scalar_one()
    gaps = []
    if active and with_goal < active:
        gaps.append(f"{active - with_goal} of {active} active people have no development goal")
    if newest_review is not None and (now.date() - newest_review) > CURRENT_WITHIN:
        gaps.append(f"the newest review is from {newest_review.isoformat()}: goals may be stale")
    return SourceReadiness("development goals", bool(count), True if count else None,
                           None if newest_review is None else (now.date() - newest_review) <= CURRENT_WITHIN,
                           "manual file" if count else "—", last.isoformat() if last else None, int(count), gaps,
                           "the focus each nudge and brief is about")  # fmt: skip


def _calendars(conn: Connection, now: datetime) -> SourceReadiness:
    count, last, sources = _event_stats(conn, events.c.type == "meeting.scheduled")
    active = int(conn.execute(select(func.count()).where(people.c.status == "active")).scalar_one())
    seen = int(conn.execute(select(func.count(func.distinct(meeting_attendees.c.person_id)))).scalar_one())
    gaps = []
    if not count:
        gaps.append("no calendars: no pre-meeting briefs or practice moments")
    elif active and seen < active:
        gaps.append(f"{active - seen} of {active} active people appear in no imported meeting")
    return SourceReadiness("calendars", count > 0, True if count else None, _current(last, now), _accessible(sources),
                           last.isoformat() if last else None, count, gaps,
                           "1:1s, team meetings and kickoffs: the moments coaching is timed to")  # fmt: skip


def _missing(name: str) -> Callable[[Connection, datetime], SourceReadiness]:
    enables = {
        "assessments": "style-aware briefs and relationship insight (DISC, CliftonStrengths, …)",
        "learning records": "learning completed → next recommendation (xAPI)",
    }[name]

    def check(conn: Connection, now: datetime) -> SourceReadiness:
        return SourceReadiness(name, False, None, None, "—", None, 0, [f"no {name} imported yet"], enables)

    return check
