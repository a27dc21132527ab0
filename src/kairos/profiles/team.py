"""Team insight: a team's style map, where friction is likely between members, what the team may under-weigh,
and a briefing when someone joins.

Consent is the caller's: it passes only the profiles the viewer may see individually, and the
number of members it withheld. Withheld members are counted, never named — the insight keeps
no name of anyone it was not given a profile for — and members without style data are counted
but not named either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from kairos.domain.style import SCALES, Instrument, StyleDimension, StyleFact, StyleProfile
from kairos.profiles.conditions import domain_title
from kairos.profiles.insight import (
    InsightLine,
    InsightWording,
    by_weight,
    default_insight_wording,
    name_of,
    sentence,
    side_facts,
    unique_facts,
)
from kairos.profiles.mapping import strengths_domain
from kairos.profiles.reference import StrengthsDomain
from kairos.profiles.relationship import adapt_lines, likely_friction

# Fewer members with data than this on a dimension say nothing about what a team under-weighs.
MIN_MEMBERS_FOR_GAPS = 2


@dataclass(frozen=True, slots=True)
class ScaleSpread:
    """How the members shown lean on one scale dimension."""

    dimension: StyleDimension
    high: tuple[str, ...]  # person ids with a clear lean to the + side
    low: tuple[str, ...]  # … to the - side
    between: tuple[str, ...]  # a lean, but too slight to count as either side
    no_lean: int  # members shown with nothing on this dimension, counted but not named
    leans: Mapping[str, float]
    summary: str
    facts: tuple[StyleFact, ...]


@dataclass(frozen=True, slots=True)
class PairFriction:
    """Likely friction between two named members, with the facts of both behind it."""

    a: str
    b: str
    line: InsightLine


@dataclass(frozen=True, slots=True)
class TeamInsight:
    """A team's style as far as the viewer may see it; ``withheld`` members appear only as a number."""

    members: tuple[str, ...]  # members shown who have style data
    without_data: int
    withheld: int
    style_map: tuple[ScaleSpread, ...]
    friction: tuple[PairFriction, ...]
    under_weighed: tuple[InsightLine, ...]
    notes: tuple[str, ...]
    # What it was computed from, so a joiner briefing can be derived from it.
    profiles: Mapping[str, StyleProfile] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    wording: InsightWording | None = None

    @property
    def facts(self) -> tuple[StyleFact, ...]:
        lines = [*self.under_weighed, *(p.line for p in self.friction)]
        return tuple(dict.fromkeys((*unique_facts(lines), *(f for s in self.style_map for f in s.facts))))


@dataclass(frozen=True, slots=True)
class JoinerBriefing:
    """How a newcomer's tendencies compare with the team's, and what both can do in the first weeks."""

    newcomer: str
    compared: tuple[InsightLine, ...] = ()
    for_team: tuple[InsightLine, ...] = ()  # how the team can work with the newcomer
    for_newcomer: tuple[InsightLine, ...] = ()  # how the newcomer can work with the team
    friction: tuple[PairFriction, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def enough(self) -> bool:
        return bool(self.compared or self.for_team or self.for_newcomer)

    @property
    def facts(self) -> tuple[StyleFact, ...]:
        lines = (*self.compared, *self.for_team, *self.for_newcomer, *(p.line for p in self.friction))
        return unique_facts(lines)


def _people(count: int) -> str:
    return f"{count} member{'' if count == 1 else 's'}"


def _more(count: int) -> str:
    return f"{count} more member is" if count == 1 else f"{count} more members are"


def _lean_count(count: int, label: str) -> str:
    return f"{count} lean{'s' if count == 1 else ''} {label}"


def _spread(
    dimension: StyleDimension, profiles: Mapping[str, StyleProfile], shown: int, wording: InsightWording
) -> ScaleSpread:
    scale = wording.scales[dimension]
    leans = {pid: lean for pid, p in profiles.items() if (lean := p.lean(dimension)) is not None}
    high = tuple(pid for pid, lean in leans.items() if wording.side_of(lean) > 0)
    low = tuple(pid for pid, lean in leans.items() if wording.side_of(lean) < 0)
    between = tuple(pid for pid, lean in leans.items() if not wording.side_of(lean))
    parts = [_lean_count(len(high), scale.high.label), _lean_count(len(low), scale.low.label)]
    parts.append(f"{len(between)} in between")
    no_lean = shown - len(leans)
    summary = f"{scale.label}: {', '.join(parts)}" + (f"; {_people(no_lean)} without data on it" if no_lean else "")
    facts = tuple(f for pid in leans for f in profiles[pid].on(dimension) if f.lean is not None)
    return ScaleSpread(dimension, high, low, between, no_lean, leans, sentence(summary), facts)


def _side_gaps(spread: ScaleSpread, wording: InsightWording) -> list[InsightLine]:
    if len(spread.leans) < MIN_MEMBERS_FOR_GAPS:
        return []
    lines = []
    scale = wording.scales[spread.dimension]
    for side, holders, others in ((1, spread.high, spread.low), (-1, spread.low, spread.high)):
        if holders or not others:
            continue
        missing = scale.side(side)
        text = f"Nobody here leans {missing.label}, so the team may under-weigh {missing.team_may_miss}"
        lines.append(InsightLine(sentence(text), spread.facts, spread.dimension, len(others) / len(spread.leans)))
    return lines


def _domain_gaps(profiles: Mapping[str, StyleProfile], wording: InsightWording) -> list[InsightLine]:
    """CliftonStrengths domains none of the members with CliftonStrengths results leads with."""
    with_strengths = [p for p in profiles.values() if Instrument.CLIFTONSTRENGTHS in p.instruments]
    if len(with_strengths) < MIN_MEMBERS_FOR_GAPS:
        return []
    marks = tuple(f for p in with_strengths for f in p.facts if strengths_domain(f) is not None)
    led = {strengths_domain(f) for f in marks}
    lines = []
    for domain in StrengthsDomain:
        if domain not in led:
            text = (
                f"None of the {len(with_strengths)} members with CliftonStrengths results leads with "
                f"{domain_title(domain)} themes, so the team may under-weigh {wording.strengths_domains[domain]}"
            )
            lines.append(InsightLine(sentence(text), marks, None, 0.5))
    return lines


def team_insight(
    profiles: Mapping[str, StyleProfile],
    names: Mapping[str, str],
    *,
    withheld: int = 0,
    wording: InsightWording | None = None,
    max_pairs: int = 5,
) -> TeamInsight:
    """The style map, the strongest pairwise frictions and what the team may under-weigh.

    ``profiles`` are the members the viewer may see individually; ``withheld`` counts the others.
    Names are used only for members in ``profiles``.
    """
    if withheld < 0:
        raise ValueError(f"withheld is a count of members, got {withheld}")
    wording = wording or default_insight_wording()
    names = {pid: name for pid, name in names.items() if pid in profiles}
    with_data = {pid: profiles[pid] for pid in sorted(profiles) if not profiles[pid].empty}
    without_data = len(profiles) - len(with_data)
    style_map = tuple(_spread(d, with_data, len(profiles), wording) for d in SCALES)
    pairs = [
        PairFriction(a, b, line)
        for a, b in combinations(with_data, 2)
        for line in likely_friction(with_data[a], with_data[b], names, wording)
    ]
    pairs.sort(key=lambda p: -p.line.weight)
    gaps = [line for spread in style_map for line in _side_gaps(spread, wording)]
    notes = []
    if not with_data:
        notes.append("No member shown here has style data, so there is not enough to go on.")
    if without_data:
        notes.append(f"{_people(without_data)} shown here {'has' if without_data == 1 else 'have'} no style data yet.")
    if withheld:
        notes.append(f"{_more(withheld)} not shown here.")
    return TeamInsight(
        members=tuple(with_data),
        without_data=without_data,
        withheld=withheld,
        style_map=style_map,
        friction=tuple(pairs[:max_pairs]),
        under_weighed=(*by_weight(gaps), *_domain_gaps(with_data, wording)),
        notes=tuple(notes),
        profiles=dict(profiles),
        names=names,
        wording=wording,
    )


def joiner_briefing(team: TeamInsight, newcomer_id: str, *, max_pairs: int = 3) -> JoinerBriefing:
    """For someone joining ``team`` (whose insight includes them): how they compare, and what each side can do.

    The team's side is given in counts, so the briefing can go to the newcomer as well as to the
    manager; the likely frictions name members shown in ``team`` only.
    """
    wording = team.wording or default_insight_wording()
    profile = team.profiles.get(newcomer_id)
    if profile is None or profile.empty:
        note = "There is no style data on the newcomer that can be shown here, so there is not enough to go on."
        return JoinerBriefing(newcomer_id, notes=(note,))
    name = name_of(team.names, newcomer_id)
    others = {pid: team.profiles[pid] for pid in team.members if pid != newcomer_id}
    notes = []
    if not others:
        notes.append(f"No one else shown here has style data, so there is nothing to compare {name} with.")
    if team.withheld:
        notes.append(f"{_more(team.withheld)} not included in the comparison.")
    compared: list[InsightLine] = []
    for_newcomer: list[InsightLine] = []
    team_leans: dict[StyleDimension, float] = {}
    for dimension in SCALES:
        scale = wording.scales[dimension]
        leans = {pid: lean for pid, p in others.items() if (lean := p.lean(dimension)) is not None}
        if not leans:
            continue
        team_leans[dimension] = sum(leans.values()) / len(leans)
        their_facts = tuple(f for pid in leans for f in others[pid].on(dimension) if f.lean is not None)
        counts = {side: sum(1 for lean in leans.values() if wording.side_of(lean) == side) for side in (1, -1, 0)}
        lean = profile.lean(dimension)
        side = wording.side_of(lean)
        if side:
            opposite = scale.side(-side).label
            text = (
                f"On {scale.label}, {name} leans {scale.side(side).label}; of the {len(leans)} others with data on it, "
                f"{_lean_count(counts[side], 'the same way')}, {_lean_count(counts[-side], opposite)} "
                f"and {counts[0]} {'is' if counts[0] == 1 else 'are'} in between"
            )
            facts = (*side_facts(profile, dimension, side), *their_facts)
            compared.append(InsightLine(sentence(text), facts, dimension, abs((lean or 0.0) - team_leans[dimension])))
        majority = next((s for s in (1, -1) if counts[s] * 2 > len(leans)), 0)
        if majority and majority != side:
            held = scale.side(majority)
            advice = held.adapt.format(b="the team")
            text = f"Most of the team ({counts[majority]} of {len(leans)}) leans {held.label}: {advice}"
            facts = tuple(f for pid in leans for f in side_facts(others[pid], dimension, majority))
            for_newcomer.append(InsightLine(sentence(text), facts, dimension, counts[majority] / len(leans)))
    pairs = [
        PairFriction(newcomer_id, pid, line)
        for pid in others
        for line in likely_friction(profile, others[pid], team.names, wording)
    ]
    pairs.sort(key=lambda p: -p.line.weight)
    return JoinerBriefing(
        newcomer=newcomer_id,
        compared=by_weight(compared),
        for_team=adapt_lines(profile, name, wording, team_leans),
        for_newcomer=by_weight(for_newcomer),
        friction=tuple(pairs[:max_pairs]),
        notes=tuple(notes),
    )
