"""The stall rule: a focus nobody has touched for weeks, or a skill gap that check-ins show widening.

A person is watched while they have an agreed focus or an active goal. Their *quiet period* starts at
the later of two times: when Kairos first had the focus or goal on record, and their last development
activity (an answer to a nudge, a commitment recorded or followed up, an observation, a goal set, a focus
proposed or agreed, a learning activity completed, a development plan updated). A check-in is a reading,
not progress.

- **No progress**: the quiet period has lasted ``STALL_AFTER`` (three weeks).
- **Widening gap**: of the two latest check-ins on a watched competency, the newer flags a more severe
  gap (none < low < medium < high), and it is recent (within ``STALL_AFTER``).

At most one ``focus.stalled`` event per person per quiet period: once one is recorded, the next needs
new activity first. Event ids are content hashes of the person and the period (or check-in), so two
workers finding the same stall record it once. Pure: the caller hands in stored facts and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kairos.domain.event import Event, EventType, content_id

STALL_AFTER = timedelta(weeks=3)
READINGS_SINCE = timedelta(weeks=26)  # how far back check-ins are read to find the one before the latest
SOURCE = "kairos/stall"
ACTIVITY: frozenset[str] = frozenset(
    {
        EventType.COMMITMENT_RECORDED.value,
        EventType.COMMITMENT_FOLLOWED_UP.value,
        EventType.OBSERVATION_RECORDED.value,
        EventType.GOAL_SET.value,
        EventType.FOCUS_PROPOSED.value,
        EventType.FOCUS_AGREED.value,
        EventType.LEARNING_COMPLETED.value,
        EventType.PLAN_UPDATED.value,
        EventType.RESPONSE_CAPTURED.value,
    }
)
_SEVERITY = {"none": 0, "low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True, slots=True)
class Watch:
    """A person with an agreed focus or an active goal, as the stall rule sees them."""

    person_id: str
    competencies: tuple[str, ...]  # the focus's competency first, then the active goals'
    watched_since: datetime  # when Kairos first had the focus or a goal on record
    last_activity: datetime | None  # the latest development activity up to now
    last_alert: datetime | None  # the latest focus.stalled event about them

    @property
    def quiet_since(self) -> datetime:
        if self.last_activity is None:
            return self.watched_since
        return max(self.watched_since, self.last_activity)


@dataclass(frozen=True, slots=True)
class GapReading:
    """One check-in's reading of a skill gap."""

    person_id: str
    competency_id: str
    day: date
    severity: str  # none, low, medium or high


def _widening(readings: Iterable[GapReading], watch: Watch, now: datetime, after: timedelta) -> Event | None:
    recent = (now - after).date()
    for competency in watch.competencies:
        mine = sorted((r for r in readings if r.competency_id == competency), key=lambda r: r.day)
        if len(mine) < 2:
            continue
        before, latest = mine[-2], mine[-1]
        if latest.day >= recent and _SEVERITY.get(latest.severity, 0) > _SEVERITY.get(before.severity, 0):
            data = {
                "reason": "gap_widening",
                "competency_id": competency,
                "from": before.severity,
                "to": latest.severity,
                "previous_checkin_date": before.day.isoformat(),
                "checkin_date": latest.day.isoformat(),
            }
            return _event(watch.person_id, data, ("gap_widening", competency, latest.day), now)
    return None


def _event(person_id: str, data: Mapping[str, object], identity: tuple[object, ...], now: datetime) -> Event:
    return Event(
        id=content_id(EventType.FOCUS_STALLED.value, person_id, *identity),
        source=SOURCE,
        type=EventType.FOCUS_STALLED.value,
        subject=person_id,
        time=now,
        data=dict(data),
    )


def stalls(
    watches: Sequence[Watch], readings: Sequence[GapReading], now: datetime, after: timedelta = STALL_AFTER
) -> list[Event]:
    """The ``focus.stalled`` events to record now: at most one per person per quiet period."""
    by_person: dict[str, list[GapReading]] = {}
    for reading in readings:
        by_person.setdefault(reading.person_id, []).append(reading)
    found = []
    for watch in watches:
        quiet_since = watch.quiet_since
        if watch.last_alert is not None and watch.last_alert >= quiet_since:
            continue  # already alerted about this quiet period
        widening = _widening(by_person.get(watch.person_id, ()), watch, now, after)
        if widening is not None:
            found.append(widening)
        elif now - quiet_since >= after:
            weeks = (now - quiet_since) // timedelta(weeks=1)
            data = {
                "reason": "no_activity",
                "competency_id": watch.competencies[0],
                "quiet_since": quiet_since.date().isoformat(),
                "weeks": weeks,
                "last_activity": watch.last_activity.date().isoformat() if watch.last_activity else None,
            }
            found.append(_event(watch.person_id, data, ("no_activity", quiet_since.isoformat()), now))
    return found
