"""Rules over a whole organization: reporting lines, and the events between two snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kairos.domain.event import EventType
from kairos.domain.person import Person, is_promotion


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
    """One event a snapshot diff yields, before it is put in an envelope."""

    type: EventType
    subject: str
    data: dict[str, Any]


_FIELD_EVENTS = (
    ("manager_id", EventType.MANAGER_CHANGE),
    ("role", EventType.ROLE_CHANGE),
    ("team", EventType.TEAM_CHANGE),
    ("location", EventType.LOCATION_CHANGE),
)


def diff_snapshots(stored: Mapping[str, Person], incoming: Iterable[Person], *, full: bool = True) -> list[Change]:
    """The HR events that turn ``stored`` into ``incoming``.

    A full snapshot also terminates stored people it no longer lists.
    """
    changes: list[Change] = []
    seen: set[str] = set()
    for new in incoming:
        seen.add(new.id)
        old = stored.get(new.id)
        if old is None:
            changes.append(Change(EventType.PERSON_HIRED, new.id, {"level": new.level, "role": new.role}))
            continue
        if old.level != new.level:
            kind = EventType.PROMOTION if is_promotion(old.level, new.level) else EventType.LEVEL_CHANGE
            changes.append(Change(kind, new.id, {"from": old.level, "to": new.level, "role": new.role}))
        for attr, kind in _FIELD_EVENTS:
            before, after = getattr(old, attr), getattr(new, attr)
            if before != after:
                changes.append(Change(kind, new.id, {"from": before, "to": after}))
    if full:
        for gone in sorted(set(stored) - seen):
            changes.append(Change(EventType.PERSON_TERMINATED, gone, {"level": stored[gone].level}))
    return changes
