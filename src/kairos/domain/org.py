"""Rules over a whole organization: reporting lines, and the HR events between two states of it.

``diff_snapshots`` turns a stored organization and a new state of some or all of its people
into events; ``apply_changes`` replays those events onto the stored organization. The two
are inverses (a property test holds them to it), which is what makes the events a faithful
record: the organization at any time can be rebuilt from them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kairos.domain.event import EventType
from kairos.domain.person import Person, PersonStatus, is_executive, is_promotion


def find_manager_cycle(managers: Mapping[str, str | None]) -> list[str] | None:
    """Return one reporting cycle (a → b → … → a) if the manager links contain any, else None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to reach the top
    for start in managers:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            return path[path.index(node) :] + [node]
        for visited in path:
            state[visited] = 2
    return None


@dataclass(frozen=True, slots=True)
class Change:
    """One event a diff yields, before it is put in an envelope."""

    type: EventType
    subject: str
    data: dict[str, Any]


_FIELD_EVENTS = (
    ("role", EventType.ROLE_CHANGE),
    ("team", EventType.TEAM_CHANGE),
    ("location", EventType.LOCATION_CHANGE),
)
# Fields with no event of their own: a change to any of them is one person.updated event.
_OTHER_FIELDS = ("name", "email", "time_zone", "start_date", "end_date")


def _value(person: Person, field: str) -> Any:
    value = getattr(person, field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _person_changes(old: Person, new: Person) -> list[Change]:
    changes: list[Change] = []
    if old.status != new.status:
        if new.status is PersonStatus.TERMINATED:
            return [
                Change(EventType.PERSON_TERMINATED, new.id, {"level": old.level, "end_date": _value(new, "end_date")})
            ]
        kind = EventType.LEAVE_STARTED if new.status is PersonStatus.LEAVE else EventType.LEAVE_ENDED
        changes.append(Change(kind, new.id, {"from": old.status.value, "to": new.status.value}))
    if old.level != new.level:
        kind = EventType.PROMOTION if is_promotion(old.level, new.level) else EventType.LEVEL_CHANGE
        changes.append(Change(kind, new.id, {"from": old.level, "to": new.level, "role": new.role}))
    if old.manager_id != new.manager_id:
        changes.append(Change(EventType.MANAGER_CHANGE, new.id, {"from": old.manager_id, "to": new.manager_id}))
        if old.manager_id:
            changes.append(Change(EventType.REPORT_LEFT, old.manager_id, {"report": new.id, "to": new.manager_id}))
        if new.manager_id:
            changes.append(Change(EventType.REPORT_JOINED, new.manager_id, {"report": new.id, "from": old.manager_id}))
    for field, kind in _FIELD_EVENTS:
        if getattr(old, field) != getattr(new, field):
            changes.append(Change(kind, new.id, {"from": getattr(old, field), "to": getattr(new, field)}))
    updated = {f: _value(new, f) for f in _OTHER_FIELDS if getattr(old, f) != getattr(new, f)}
    if updated:
        changes.append(Change(EventType.PERSON_UPDATED, new.id, {"fields": updated}))
    return changes


def diff_snapshots(
    stored: Mapping[str, Person],
    incoming: Iterable[Person],
    *,
    full: bool = True,
    executive_prefixes: tuple[str, ...] = ("E",),
) -> list[Change]:
    """The HR events that turn ``stored`` (everyone not terminated) into the incoming state.

    ``full`` means the incoming people are the whole organization, so a stored person it does
    not list has left. Derived transitions (a first direct report, a first manager of managers,
    a first executive level) follow from comparing the organization before and after.
    """
    changes: list[Change] = []
    seen: set[str] = set()
    for new in incoming:
        seen.add(new.id)
        old = stored.get(new.id)
        if old is None:
            if new.status is not PersonStatus.TERMINATED:
                changes.append(Change(EventType.PERSON_HIRED, new.id, {"person": new.as_dict()}))
            continue
        changes.extend(_person_changes(old, new))
    if full:
        for gone in sorted(set(stored) - seen):
            changes.append(Change(EventType.PERSON_TERMINATED, gone, {"level": stored[gone].level, "end_date": None}))
    return changes + _derived_transitions(stored, apply_changes(stored, changes), executive_prefixes)


def _derived_transitions(
    before: Mapping[str, Person], after: Mapping[str, Person], executive_prefixes: tuple[str, ...]
) -> list[Change]:
    def reports(org: Mapping[str, Person]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for person in org.values():
            if person.manager_id:
                found.setdefault(person.manager_id, set()).add(person.id)
        return found

    had, has = reports(before), reports(after)
    derived: list[Change] = []
    for pid in sorted(has):
        if pid not in after:
            continue
        if pid not in had:
            derived.append(Change(EventType.FIRST_DIRECT_REPORT, pid, {"reports": sorted(has[pid])}))
        managed_managers_before = any(r in had for r in had.get(pid, ()))
        managed_managers_now = [r for r in sorted(has[pid]) if r in has]
        if managed_managers_now and not managed_managers_before:
            derived.append(Change(EventType.FIRST_MANAGER_OF_MANAGERS, pid, {"managers": managed_managers_now}))
    for pid, person in sorted(after.items()):
        old = before.get(pid)
        if is_executive(person.level, executive_prefixes) and (
            old is None or not is_executive(old.level, executive_prefixes)
        ):
            derived.append(Change(EventType.FIRST_EXECUTIVE_ROLE, pid, {"level": person.level, "role": person.role}))
    return derived


def apply_changes(stored: Mapping[str, Person], changes: Iterable[Change]) -> dict[str, Person]:
    """Replay a diff's events onto an organization (everyone not terminated, by id)."""
    org = dict(stored)
    for change in changes:
        pid, data = change.subject, change.data
        match change.type:
            case EventType.PERSON_HIRED:
                org[pid] = Person.from_dict(data["person"])
            case EventType.PERSON_TERMINATED:
                org.pop(pid, None)
            case EventType.LEAVE_STARTED | EventType.LEAVE_ENDED:
                org[pid] = dataclasses.replace(org[pid], status=PersonStatus(data["to"]))
            case EventType.PROMOTION | EventType.LEVEL_CHANGE:
                org[pid] = dataclasses.replace(org[pid], level=data["to"])
            case EventType.MANAGER_CHANGE:
                org[pid] = dataclasses.replace(org[pid], manager_id=data["to"])
            case EventType.ROLE_CHANGE:
                org[pid] = dataclasses.replace(org[pid], role=data["to"])
            case EventType.TEAM_CHANGE:
                org[pid] = dataclasses.replace(org[pid], team=data["to"])
            case EventType.LOCATION_CHANGE:
                org[pid] = dataclasses.replace(org[pid], location=data["to"])
            case EventType.PERSON_UPDATED:
                merged = {**org[pid].as_dict(), **data["fields"]}
                org[pid] = Person.from_dict(merged)
            case _:
                pass  # manager.* and derived transitions describe the change; they change nothing themselves
    return org
