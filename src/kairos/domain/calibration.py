"""Calibration exercises: making a framework's levels mean the same thing to every manager.

The talent team writes short example behaviors, each tied to one competency, with the *key*: the
level they say it shows. Managers place each example on a level on their own. The report then
quotes, per example, the key and that level's anchors in the organization's own words, and shows
how managers placed it — as a group, never one by one.

Everything here is pure: no clock, no database. The privacy rules of the report:

* **individual placements are private**: a manager's placements appear only in that manager's own
  view (``manager_id``); the talent-team view has counts, never names;
* **minimum group size**: an example's distribution, agreement and spread are shown only when at
  least ``min_group_size`` managers placed it; otherwise the report says "withheld: fewer than N
  managers" and keeps no number for it (not even how many placed it);
* **aggregates from shown examples only**: agreement and spread per competency and overall are
  computed from the examples whose distribution is shown, so a withheld example cannot be recovered
  by subtracting shown numbers from a total; a competency with no shown example is withheld;
* **a manager's own view** counts a group only when at least ``min_group_size`` managers *besides
  them* placed the example, so subtracting their own placement from what they see never leaves a
  group smaller than the minimum;
* the disagreement flags are computed only for shown examples, from their distributions.

What no group-size rule prevents: when every manager in a shown group chose the same level, the
distribution says what each of them chose; and two reports taken before and after one manager's
placements arrive differ by that manager's placements. ``docs/calibration.md`` tells talent teams
how to run an exercise so that neither matters (import placements once, after the exercise closes).

The importers guarantee what the report relies on (one placement per manager and example, on a
level of the example's competency); the functions check it again and raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kairos.domain.framework import Competency, Framework

# Wide disagreement: no two neighbouring levels together hold this share of an example's placements.
CONCENTRATED_SHARE = (2, 3)  # two thirds, as a fraction, so the comparison is exact


@dataclass(frozen=True, slots=True)
class CalibrationExample:
    """An example behavior tied to one competency, with the level the talent team says it shows."""

    id: str
    competency_id: str
    key_level: int
    behavior: str
    rationale: str | None = None  # why the key is that level, for the debrief


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    name: str
    framework_id: str
    framework_version: str
    examples: tuple[CalibrationExample, ...]

    def example(self, example_id: str) -> CalibrationExample | None:
        return next((e for e in self.examples if e.id == example_id), None)


@dataclass(frozen=True, slots=True)
class Placement:
    """The level one manager placed one example on."""

    manager_id: str
    example_id: str
    level: int


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agreement:
    """How a group of at least the minimum size placed examples, against the key.

    ``spread`` is the standard deviation of placements around each example's own mean (pooled over
    the examples), in levels: how far managers are from each other, not how far the keys are apart.
    ``mean_offset`` is the mean of placement − key: above 0, managers read the examples more
    generously than the talent team.
    """

    managers: int
    placements: int
    exact: int
    within_one: int
    spread: float
    mean_offset: float

    @property
    def exact_share(self) -> float:
        return round(self.exact / self.placements, 3)

    @property
    def within_one_share(self) -> float:
        return round(self.within_one / self.placements, 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "managers": self.managers,
            "placements": self.placements,
            "exact": self.exact,
            "exact_share": self.exact_share,
            "within_one": self.within_one,
            "within_one_share": self.within_one_share,
            "spread": self.spread,
            "mean_offset": self.mean_offset,
        }


@dataclass(frozen=True, slots=True)
class ExampleResult:
    example_id: str
    competency_id: str
    competency_name: str
    behavior: str
    rationale: str | None
    key_level: int
    key_name: str
    key_anchors: tuple[str, ...]  # the anchors of the key level, quoted from the framework
    anchor_refs: tuple[str, ...]  # framework@version/competency/level-n/anchor-m, one per anchor
    shown: bool
    distribution: tuple[tuple[int, int], ...]  # (level, managers) for every level; empty when withheld
    agreement: Agreement | None
    wide_disagreement: bool
    off_key: bool  # more than half the managers chose one level other than the key
    withheld: str | None  # why nothing is shown

    def as_dict(self) -> dict[str, Any]:
        return {
            "example_id": self.example_id,
            "competency_id": self.competency_id,
            "competency_name": self.competency_name,
            "behavior": self.behavior,
            "rationale": self.rationale,
            "key": {
                "level": self.key_level,
                "name": self.key_name,
                "anchors": [{"text": t, "ref": r} for t, r in zip(self.key_anchors, self.anchor_refs, strict=True)],
            },
            "shown": self.shown,
            "distribution": [{"level": lv, "count": n} for lv, n in self.distribution],
            "agreement": self.agreement.as_dict() if self.agreement else None,
            "wide_disagreement": self.wide_disagreement,
            "off_key": self.off_key,
            "withheld": self.withheld,
        }


@dataclass(frozen=True, slots=True)
class CompetencyResult:
    competency_id: str
    competency_name: str
    examples_shown: tuple[str, ...]
    examples_withheld: tuple[str, ...]
    agreement: Agreement | None  # over the shown examples only
    withheld: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "competency_id": self.competency_id,
            "competency_name": self.competency_name,
            "examples_shown": list(self.examples_shown),
            "examples_withheld": list(self.examples_withheld),
            "agreement": self.agreement.as_dict() if self.agreement else None,
            "withheld": self.withheld,
        }


@dataclass(frozen=True, slots=True)
class OwnPlacement:
    example_id: str
    competency_id: str
    level: int
    key_level: int

    @property
    def offset(self) -> int:
        """Placement − key: above 0, placed higher than the talent team did."""
        return self.level - self.key_level


@dataclass(frozen=True, slots=True)
class OwnResult:
    """One manager's own placements against the key: shown to that manager only."""

    manager_id: str
    placements: tuple[OwnPlacement, ...]  # in the exercise's order
    unplaced: tuple[str, ...]

    @property
    def completed(self) -> bool:
        return not self.unplaced

    @property
    def exact(self) -> int:
        return sum(1 for p in self.placements if p.offset == 0)

    @property
    def within_one(self) -> int:
        return sum(1 for p in self.placements if abs(p.offset) <= 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "manager_id": self.manager_id,
            "placements": [
                {
                    "example_id": p.example_id,
                    "competency_id": p.competency_id,
                    "level": p.level,
                    "key_level": p.key_level,
                    "offset": p.offset,
                }
                for p in self.placements
            ],
            "unplaced": list(self.unplaced),
            "completed": self.completed,
            "exact": self.exact,
            "within_one": self.within_one,
        }


@dataclass(frozen=True, slots=True)
class AppliedRule:
    """One rule that shaped the report, and what it did."""

    rule: str
    detail: str
    example_id: str | None = None
    competency_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"rule": self.rule, "detail": self.detail}
        if self.example_id:
            found["example_id"] = self.example_id
        if self.competency_id:
            found["competency_id"] = self.competency_id
        return found


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    exercise_id: str
    exercise_name: str
    framework_id: str
    framework_version: str
    min_group_size: int
    managers_taking_part: int  # a count of people, never what they placed
    managers_completed: int
    examples: tuple[ExampleResult, ...]
    competencies: tuple[CompetencyResult, ...]
    overall: Agreement | None
    overall_withheld: str | None
    flagged: tuple[str, ...]  # shown examples with wide disagreement: a sign the anchors read two ways
    own: OwnResult | None  # only in a manager's own view
    rules: tuple[AppliedRule, ...]

    def competency(self, competency_id: str) -> CompetencyResult:
        return next(c for c in self.competencies if c.competency_id == competency_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "exercise": {"id": self.exercise_id, "name": self.exercise_name},
            "framework": {"id": self.framework_id, "version": self.framework_version},
            "min_group_size": self.min_group_size,
            "managers_taking_part": self.managers_taking_part,
            "managers_completed": self.managers_completed,
            "examples": [e.as_dict() for e in self.examples],
            "competencies": [c.as_dict() for c in self.competencies],
            "overall": self.overall.as_dict() if self.overall else None,
            "overall_withheld": self.overall_withheld,
            "flagged": list(self.flagged),
            "own": self.own.as_dict() if self.own else None,
            "rules": [r.as_dict() for r in self.rules],
        }


def withheld_text(min_group_size: int) -> str:
    return f"withheld: fewer than {min_group_size} managers"


def _check(exercise: Exercise, framework: Framework, placements: Sequence[Placement]) -> dict[str, Competency]:
    """The competency of each example; ValueError for anything the importers would have refused."""
    if (framework.id, framework.version) != (exercise.framework_id, exercise.framework_version):
        raise ValueError(
            f"exercise {exercise.id} uses {exercise.framework_id} {exercise.framework_version}, "
            f"not {framework.id} {framework.version}"
        )
    competencies: dict[str, Competency] = {}
    for e in exercise.examples:
        competency = framework.competency(e.competency_id)
        if competency is None or competency.level(e.key_level) is None:
            raise ValueError(f"example {e.id}: no level {e.key_level} of {e.competency_id} in the framework")
        competencies[e.id] = competency
    seen: set[tuple[str, str]] = set()
    for p in placements:
        if p.example_id not in competencies:
            raise ValueError(f"a placement of an unknown example {p.example_id!r}")
        if (p.manager_id, p.example_id) in seen:
            raise ValueError(f"manager {p.manager_id} placed example {p.example_id} twice")
        seen.add((p.manager_id, p.example_id))
        if competencies[p.example_id].level(p.level) is None:
            raise ValueError(f"a placement of {p.example_id} on level {p.level}, not a level of its competency")
    return competencies


def _agreement(groups: Sequence[tuple[int, Sequence[Placement]]]) -> Agreement:
    """Agreement over ``(key level, placements)`` groups, one per example; spread pooled within examples."""
    levels = [(key, [p.level for p in placed]) for key, placed in groups]
    count = sum(len(values) for _, values in levels)
    squares = sum((v - sum(values) / len(values)) ** 2 for _, values in levels for v in values)
    offsets = [v - key for key, values in levels for v in values]
    return Agreement(
        managers=len({p.manager_id for _, placed in groups for p in placed}),
        placements=count,
        exact=sum(1 for o in offsets if o == 0),
        within_one=sum(1 for o in offsets if abs(o) <= 1),
        spread=round(math.sqrt(squares / count), 2),
        mean_offset=round(sum(offsets) / count, 2),
    )


def wide_disagreement(levels: Sequence[int]) -> bool:
    """No two neighbouring levels (or one level) hold two thirds of the placements."""
    if not levels:
        return False
    counts = Counter(levels)
    best = max(counts[lv] + counts[lv + 1] for lv in counts)
    numerator, denominator = CONCENTRATED_SHARE
    return best * denominator < numerator * len(levels)


def off_key_majority(levels: Sequence[int], key_level: int) -> bool:
    """More than half of the placements are on one level, and it is not the key."""
    if not levels:
        return False
    level, count = Counter(levels).most_common(1)[0]
    return level != key_level and 2 * count > len(levels)


def completed_managers(exercise: Exercise, placements: Iterable[Placement]) -> tuple[str, ...]:
    """Managers who placed every example of the exercise, sorted."""
    wanted = {e.id for e in exercise.examples}
    placed: dict[str, set[str]] = {}
    for p in placements:
        placed.setdefault(p.manager_id, set()).add(p.example_id)
    return tuple(sorted(m for m, examples in placed.items() if wanted and wanted <= examples))


def _anchor_refs(framework: Framework, competency: Competency, level: int, count: int) -> tuple[str, ...]:
    return tuple(f"{framework.id}@{framework.version}/{competency.id}/level-{level}/anchor-{n}"
                 for n in range(1, count + 1))  # fmt: skip


def calibration_report(
    exercise: Exercise,
    framework: Framework,
    placements: Sequence[Placement],
    *,
    min_group_size: int,
    manager_id: str | None = None,
) -> CalibrationReport:
    """What the report on ``exercise`` may show; with ``manager_id``, that manager's own view.

    ``framework`` is the version the exercise was written against. See the module's docstring for
    the privacy rules; every rule that shaped this report is listed in its ``rules``.
    """
    if min_group_size < 2:
        raise ValueError("the minimum group size is at least 2: a group of one is a person")
    competencies = _check(exercise, framework, placements)
    withheld = withheld_text(min_group_size)
    rules: list[AppliedRule] = [
        AppliedRule(
            "individual-placements-private",
            "a manager's placements are shown only to that manager; everyone else sees counts over groups",
        ),
        AppliedRule(
            "minimum-group-size",
            f"a distribution, agreement or spread is shown only when at least {min_group_size} managers placed "
            "the examples behind it; otherwise it is withheld and no number is kept",
        ),
        AppliedRule(
            "aggregates-from-shown-examples",
            "agreement and spread per competency and overall count only examples whose distribution is shown, "
            "so a withheld example cannot be worked out by subtraction",
        ),
    ]
    by_example: dict[str, list[Placement]] = {e.id: [] for e in exercise.examples}
    for p in placements:
        by_example[p.example_id].append(p)
    results: list[ExampleResult] = []
    shown_groups: dict[str, list[tuple[int, list[Placement]]]] = {}
    for e in exercise.examples:
        competency = competencies[e.id]
        key = competency.level(e.key_level)
        assert key is not None  # checked above
        placed = by_example[e.id]
        # in a manager's own view the group must reach the minimum without them: taking their own placement
        # away from what is shown must never leave a smaller group
        shown = len({p.manager_id for p in placed} - {manager_id}) >= min_group_size
        levels = [p.level for p in placed] if shown else []
        wide, off = wide_disagreement(levels), off_key_majority(levels, e.key_level)
        if shown:
            shown_groups.setdefault(competency.id, []).append((e.key_level, placed))
        else:
            rules.append(AppliedRule("withheld", f"{e.id}: {withheld}", example_id=e.id))
        if wide:
            rules.append(AppliedRule(
                "wide-disagreement",
                f"{e.id}: no two neighbouring levels hold two thirds of the placements; the anchors of "
                f"{competency.name} may read two ways",
                example_id=e.id,
            ))  # fmt: skip
        if off:
            rules.append(AppliedRule(
                "off-key-majority",
                f"{e.id}: most managers chose one level other than the key {e.key_level}; review the key or the "
                "anchors",
                example_id=e.id,
            ))  # fmt: skip
        counts = Counter(levels)
        results.append(
            ExampleResult(
                example_id=e.id,
                competency_id=competency.id,
                competency_name=competency.name,
                behavior=e.behavior,
                rationale=e.rationale,
                key_level=e.key_level,
                key_name=key.name,
                key_anchors=key.anchors,
                anchor_refs=_anchor_refs(framework, competency, e.key_level, len(key.anchors)),
                shown=shown,
                distribution=tuple((lv.level, counts[lv.level]) for lv in competency.levels) if shown else (),
                agreement=_agreement([(e.key_level, placed)]) if shown else None,
                wide_disagreement=wide,
                off_key=off,
                withheld=None if shown else withheld,
            )
        )
    competency_results: list[CompetencyResult] = []
    for cid in dict.fromkeys(e.competency_id for e in exercise.examples):
        mine = [r for r in results if r.competency_id == cid]
        groups = shown_groups.get(cid, [])
        if not groups:
            rules.append(AppliedRule("competency-withheld", f"{cid}: {withheld} on any of its examples",
                                     competency_id=cid))  # fmt: skip
        competency_results.append(
            CompetencyResult(
                competency_id=cid,
                competency_name=mine[0].competency_name,
                examples_shown=tuple(r.example_id for r in mine if r.shown),
                examples_withheld=tuple(r.example_id for r in mine if not r.shown),
                agreement=_agreement(groups) if groups else None,
                withheld=None if groups else withheld,
            )
        )
    every_group = [g for groups in shown_groups.values() for g in groups]
    overall = _agreement(every_group) if every_group else None
    if overall is None:
        rules.append(AppliedRule("overall-withheld", f"overall agreement {withheld} on any example"))
    own = None
    if manager_id is not None:
        placed_by_them = {p.example_id: p.level for p in placements if p.manager_id == manager_id}
        own = OwnResult(
            manager_id=manager_id,
            placements=tuple(
                OwnPlacement(e.id, e.competency_id, placed_by_them[e.id], e.key_level)
                for e in exercise.examples
                if e.id in placed_by_them
            ),
            unplaced=tuple(e.id for e in exercise.examples if e.id not in placed_by_them),
        )
        rules.append(AppliedRule(
            "own-results",
            f"the placements listed one by one are {manager_id}'s own; no other manager's placements are shown. "
            f"In this view a group is shown only when at least {min_group_size} managers besides {manager_id} "
            "placed the example, so taking one's own placement away never leaves a smaller group",
        ))  # fmt: skip
    return CalibrationReport(
        exercise_id=exercise.id,
        exercise_name=exercise.name,
        framework_id=framework.id,
        framework_version=framework.version,
        min_group_size=min_group_size,
        managers_taking_part=len({p.manager_id for p in placements}),
        managers_completed=len(completed_managers(exercise, placements)),
        examples=tuple(results),
        competencies=tuple(competency_results),
        overall=overall,
        overall_withheld=None if overall else withheld,
        flagged=tuple(r.example_id for r in results if r.wide_disagreement),
        own=own,
        rules=tuple(rules),
    )
