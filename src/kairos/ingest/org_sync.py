"""One way in for every HR source: compare a new state of people with the stored one, record the events.

The people CSV/JSON import (a full snapshot), SCIM provisioning and HRIS webhooks (a few
people at a time) all end here, so the same change yields the same stored person and the
same events whichever path it came by.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.org import Change, apply_changes, diff_snapshots
from kairos.domain.person import Person, PersonStatus
from kairos.errors import InputError
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import moments as moment_store
from kairos.store import people as people_store

_LEAVING = (EventType.PERSON_TERMINATED, EventType.LEAVE_STARTED)


@dataclass(frozen=True, slots=True)
class SyncResult:
    people: int  # people in the incoming state
    events: int  # events newly recorded (0 for a dry run or a repeat)
    changes: Counter[str] = field(default_factory=Counter)  # event type → count, as the diff found them
    cancelled_moments: int = 0
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class MassChangeGuard:
    """Refuse a change that takes more than ``share`` of employed people away at once, unless allowed."""

    share: float = 0.10
    allowed: bool = False


def sync_people(
    db: Database,
    incoming: Sequence[Person],
    *,
    source: str,
    input_name: str,
    full: bool,
    as_of: date,
    now: datetime,
    guard: MassChangeGuard = MassChangeGuard(),  # noqa: B008 - immutable
    dry_run: bool = False,
    executive_prefixes: tuple[str, ...] = ("E",),
) -> SyncResult:
    """Record what changed between the stored organization and ``incoming``, in one transaction of its own."""
    with db.transaction() as conn:
        return sync_people_in(
            conn, incoming, source=source, input_name=input_name, full=full, as_of=as_of, now=now, guard=guard,
            dry_run=dry_run, executive_prefixes=executive_prefixes,
        )  # fmt: skip


def sync_people_in(
    conn: Connection,
    incoming: Sequence[Person],
    *,
    source: str,
    input_name: str,
    full: bool,
    as_of: date,
    now: datetime,
    guard: MassChangeGuard = MassChangeGuard(),  # noqa: B008 - immutable
    dry_run: bool = False,
    executive_prefixes: tuple[str, ...] = ("E",),
) -> SyncResult:
    """Record what changed, inside the caller's transaction (SCIM writes its own rows in the same one).

    ``full`` means ``incoming`` is everyone (a snapshot); otherwise only the people given are
    compared (SCIM, webhooks). The first load of an empty database records ``person.imported``
    for each person instead of hires and transitions: they were there before Kairos was. A dry
    run computes the changes and writes nothing.
    """
    stored = people_store.employed(conn) if full else people_store.neighbourhood(conn, incoming)
    employed = len(stored) if full else people_store.count_employed(conn)
    initial = employed == 0
    if initial:
        changes = [
            Change(EventType.PERSON_IMPORTED, p.id, {"person": p.as_dict()})
            for p in incoming
            if p.status is not PersonStatus.TERMINATED
        ]
    else:
        changes = diff_snapshots(stored, incoming, full=full, executive_prefixes=executive_prefixes)
    _check_guard(changes, employed, guard, input_name)
    counts = Counter(c.type.value for c in changes)
    if dry_run:
        return SyncResult(people=len(incoming), events=0, changes=counts, dry_run=True)
    effective = datetime.combine(as_of, time(0), tzinfo=UTC)
    batch = [
        Event(
            id=content_id(c.type, c.subject, c.data, as_of),
            source=source,
            type=c.type,
            subject=c.subject,
            time=effective,
            data={**c.data, "effective": as_of.isoformat()},
        )
        for c in changes
    ]
    people_store.save(conn, _to_save(stored, incoming, changes, initial), now)
    added = event_log.append(conn, batch, now)
    cancelled = _cancel_for_leavers(conn, changes, as_of, now)
    return SyncResult(people=len(incoming), events=added, changes=counts, cancelled_moments=cancelled)


def _check_guard(changes: list[Change], employed: int, guard: MassChangeGuard, name: str) -> None:
    leaving = {c.subject for c in changes if c.type in _LEAVING}
    # One person leaving a five-person team is a fifth of it, and ordinary: the guard is for many at once.
    if not employed or guard.allowed or len(leaving) < 2 or len(leaving) / employed <= guard.share:
        return
    raise InputError.at(
        name,
        f"at most {guard.share:.0%} of employed people terminated or sent on leave at once "
        "(confirm with --allow-mass-termination if this is real)",
        value=f"{len(leaving)} of {employed} people",
    )


def _to_save(
    stored: dict[str, Person], incoming: Sequence[Person], changes: list[Change], initial: bool
) -> list[Person]:
    if initial:
        return [p for p in incoming if p.status is not PersonStatus.TERMINATED]
    by_id = {p.id: p for p in incoming}
    save = [p for p in incoming if p.id in stored and stored[p.id] != p]
    save += [p for p in incoming if p.id not in stored and p.status is not PersonStatus.TERMINATED]
    for change in changes:
        if change.type is EventType.PERSON_TERMINATED and change.subject in stored:
            gone = by_id.get(change.subject) or stored[change.subject]
            save.append(dataclasses.replace(gone, status=PersonStatus.TERMINATED))
    return list({p.id: p for p in save}.values())


def _cancel_for_leavers(conn: Connection, changes: list[Change], as_of: date, now: datetime) -> int:
    cancelled = 0
    for change in changes:
        if change.type in _LEAVING:
            why = "terminated" if change.type is EventType.PERSON_TERMINATED else "on leave"
            cancelled += moment_store.cancel_for_person(
                conn, change.subject, f"cancelled: {change.subject} is {why} from {as_of.isoformat()}", now
            )
    return cancelled


__all__ = ["MassChangeGuard", "SyncResult", "apply_changes", "sync_people", "sync_people_in"]
