"""Style profiles read from the store, shown only as far as each person's style-sharing consent allows.

Profiles are derived on read from the stored results and the mapping, never stored: a corrected
mapping changes every profile at once, and withdrawing consent needs nothing deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Connection

from kairos.domain.person import Person
from kairos.domain.style import StyleProfile, StyleSharing, may_see_style
from kairos.profiles.mapping import StyleMapping, build_profile, bundled_styles_dir, load_style_mapping
from kairos.profiles.team import TeamInsight, team_insight
from kairos.store import assessments as assessment_store


@cache
def style_mapping(org_dir: Path | None = None) -> StyleMapping:
    """The bundled mapping, with the organization's files (``KAIROS_STYLES_DIR``) replacing it file by file."""
    return load_style_mapping([bundled_styles_dir()] + ([org_dir] if org_dir else []))


def profiles_of(conn: Connection, person_ids: Iterable[str], mapping: StyleMapping) -> dict[str, StyleProfile]:
    """Everyone's profile, consent not applied (for the person themself and for aggregate counts only)."""
    ids = list(dict.fromkeys(person_ids))
    results = assessment_store.for_people(conn, ids)
    return {pid: build_profile(pid, results.get(pid, []), mapping) for pid in ids}


@dataclass(frozen=True, slots=True)
class VisibleProfiles:
    """The profiles a viewer may see fact by fact, and how many others' were withheld (never who)."""

    shown: dict[str, StyleProfile]
    withheld: int


def visible_profiles(
    conn: Connection, owners: Iterable[Person], viewer: Person, mapping: StyleMapping
) -> VisibleProfiles:
    """The owners' profiles that ``viewer`` may be shown; an owner whose sharing excludes the viewer is withheld."""
    people = list({p.id: p for p in owners}.values())
    sharing = assessment_store.sharing_of(conn, [p.id for p in people])
    allowed = [p for p in people if _may_see(sharing[p.id], p, viewer)]
    profiles = profiles_of(conn, [p.id for p in allowed], mapping)
    return VisibleProfiles(profiles, len(people) - len(allowed))


def visible_profile(conn: Connection, owner: Person, viewer: Person, mapping: StyleMapping) -> StyleProfile | None:
    """One person's profile if ``viewer`` may see it; None when their consent excludes the viewer."""
    return visible_profiles(conn, [owner], viewer, mapping).shown.get(owner.id)


def _may_see(sharing: StyleSharing, owner: Person, viewer: Person) -> bool:
    return may_see_style(sharing, owner=owner.id, owner_manager=owner.manager_id, owner_team=owner.team,
                         viewer=viewer.id, viewer_team=viewer.team)  # fmt: skip


def sharing_counts(conn: Connection, person_ids: Iterable[str]) -> Mapping[StyleSharing, int]:
    counts = dict.fromkeys(StyleSharing, 0)
    for value in assessment_store.sharing_of(conn, person_ids).values():
        counts[value] += 1
    return counts


def team_view(
    conn: Connection, members: Iterable[Person], viewer: Person, mapping: StyleMapping, *, max_pairs: int = 5
) -> TeamInsight:
    """The team's style map as ``viewer`` may see it: members whose consent excludes the viewer only counted."""
    visible = visible_profiles(conn, members, viewer, mapping)
    names = {p.id: p.name for p in members if p.id in visible.shown}
    return team_insight(visible.shown, names, withheld=visible.withheld, max_pairs=max_pairs)
