"""Relationship insight: how one person may best work with another, and where friction between them is likely.

Everything here is derived from the two style profiles and the wording in
``content/styles/relationships.yaml``; each line lists the facts it came from, so a brief can
cite them and a person can see why Kairos said it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kairos.domain.style import SCALES, StyleDimension, StyleFact, StyleProfile
from kairos.profiles.insight import (
    LISTS,
    InsightLine,
    InsightWording,
    by_weight,
    default_insight_wording,
    name_of,
    sentence,
    side_facts,
    strongest,
    unique_facts,
)
from kairos.profiles.mapping import set_off_by


@dataclass(frozen=True, slots=True)
class RelationshipInsight:
    """What the reader (``a``) may do to work well with ``b``; ``notes`` say what could not be judged."""

    a: str
    b: str
    adapt: tuple[InsightLine, ...] = ()
    friction: tuple[InsightLine, ...] = ()
    before_one_on_one: tuple[InsightLine, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def enough(self) -> bool:
        return bool(self.adapt or self.friction or self.before_one_on_one)

    @property
    def facts(self) -> tuple[StyleFact, ...]:
        return unique_facts((*self.adapt, *self.friction, *self.before_one_on_one))


def adapt_lines(
    profile: StyleProfile, name: str, wording: InsightWording, against: Mapping[StyleDimension, float] | None = None
) -> tuple[InsightLine, ...]:
    """How to work with the person of ``profile``: one line per clear lean, then their feedback, stressors, motivators.

    ``against`` holds the reader's own leans (or a team's): the further the person sits from them,
    the earlier the line comes, since that is where adapting matters most.
    """
    scale_lines: list[InsightLine] = []
    for dimension in SCALES:
        scale = wording.scales[dimension]
        if profile.instruments_disagree(dimension, wording.clear_lean):
            mixed = tuple(f for f in profile.on(dimension) if f.lean is not None)
            text = f"{name}'s results point different ways on {scale.label}: ask how {name} prefers to work here"
            scale_lines.append(InsightLine(sentence(text + " rather than assume"), mixed, dimension))
            continue
        lean = profile.lean(dimension)
        side = wording.side_of(lean)
        if lean is None or not side:
            continue
        facts = side_facts(profile, dimension, side)
        advice = scale.side(side).adapt.format(b=name)
        weight = abs(lean - (against or {}).get(dimension, 0.0))
        scale_lines.append(
            InsightLine(sentence(f"{name} {strongest(facts).statement}: {advice}"), facts, dimension, weight)
        )
    list_lines: list[InsightLine] = []
    for dimension in LISTS:
        advice = wording.lists[dimension].adapt.format(b=name)
        seen: set[str] = set()
        for fact in profile.on(dimension):
            if fact.statement not in seen:
                seen.add(fact.statement)
                list_lines.append(InsightLine(sentence(f"{name} {fact.statement}: {advice}"), (fact,), dimension))
    return (*by_weight(scale_lines), *list_lines)


def prepare_lines(profile: StyleProfile, name: str, wording: InsightWording) -> tuple[InsightLine, ...]:
    """What to do before a 1:1 with the person of ``profile``."""
    lines: list[InsightLine] = []
    for dimension in SCALES:
        lean = profile.lean(dimension)
        side = wording.side_of(lean)
        if lean is None or not side or profile.instruments_disagree(dimension, wording.clear_lean):
            continue
        prepare = wording.scales[dimension].side(side).prepare.format(b=name)
        lines.append(InsightLine(sentence(prepare), side_facts(profile, dimension, side), dimension, abs(lean)))
    feedback = profile.on(StyleDimension.FEEDBACK)
    plan = wording.lists[StyleDimension.FEEDBACK].prepare.format(b=name)
    if feedback and plan:
        first = feedback[0]
        lines.append(InsightLine(sentence(f"{name} {first.statement}; {plan}"), (first,), StyleDimension.FEEDBACK))
    return by_weight(lines)


def likely_friction(
    a: StyleProfile, b: StyleProfile, names: Mapping[str, str], wording: InsightWording
) -> tuple[InsightLine, ...]:
    """Where two people may rub: opposite clear leans far apart, or one's stressor meeting the other's habit."""
    lines: list[InsightLine] = []
    for dimension in SCALES:
        lean_a, lean_b = a.lean(dimension), b.lean(dimension)
        side_a, side_b = wording.side_of(lean_a), wording.side_of(lean_b)
        if lean_a is None or lean_b is None or side_a * side_b >= 0 or abs(lean_a - lean_b) < wording.friction_gap:
            continue
        high, low = (a, b) if lean_a > lean_b else (b, a)
        text = wording.scales[dimension].friction.format(
            high=name_of(names, high.person_id), low=name_of(names, low.person_id)
        )
        facts = side_facts(a, dimension, side_a) + side_facts(b, dimension, side_b)
        lines.append(InsightLine(sentence(text), facts, dimension, abs(lean_a - lean_b)))
    for stressed, other in ((a, b), (b, a)):
        by_trigger: dict[tuple[StyleDimension, int], list[StyleFact]] = {}
        for stressor in stressed.on(StyleDimension.STRESSORS):
            trigger = set_off_by(stressor)
            if trigger is not None and wording.side_of(other.lean(trigger[0])) == trigger[1]:
                by_trigger.setdefault(trigger, []).append(stressor)
        for (dimension, side), stressors in by_trigger.items():
            habits = side_facts(other, dimension, side)
            text = (
                f"{name_of(names, stressed.person_id)} {stressors[0].statement}, and "
                f"{name_of(names, other.person_id)} {strongest(habits).statement}: expect this to come up between them"
            )
            weight = abs(other.lean(dimension) or 0.0)
            lines.append(InsightLine(sentence(text), (*stressors, *habits), StyleDimension.STRESSORS, weight))
    return by_weight(lines)


def relate(
    a: StyleProfile, b: StyleProfile, names: Mapping[str, str], *, wording: InsightWording | None = None
) -> RelationshipInsight:
    """How ``a`` (the reader, say a manager) may adapt to ``b``, their likely friction, and what to do before a 1:1.

    An empty profile is not an error: the insight then says there is not enough to go on.
    """
    if a.person_id == b.person_id:
        raise ValueError(f"a relationship needs two people, got {a.person_id} twice")
    wording = wording or default_insight_wording()
    name_a, name_b = name_of(names, a.person_id), name_of(names, b.person_id)
    if b.empty:
        who = f"{name_a} or {name_b}" if a.empty else name_b
        note = f"There is no style data on {who} yet, so there is not enough to go on."
        return RelationshipInsight(a.person_id, b.person_id, notes=(note,))
    own = {d: lean for d in SCALES if (lean := a.lean(d)) is not None}
    notes: tuple[str, ...] = ()
    friction: tuple[InsightLine, ...] = ()
    if a.empty:
        notes = (f"There is no style data on {name_a}, so likely friction between them cannot be judged.",)
    else:
        friction = likely_friction(a, b, names, wording)
    return RelationshipInsight(
        a.person_id,
        b.person_id,
        adapt=adapt_lines(b, name_b, wording, own),
        friction=friction,
        before_one_on_one=prepare_lines(b, name_b, wording),
        notes=notes,
    )
