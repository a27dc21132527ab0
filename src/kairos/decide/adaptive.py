"""The bounded adaptive choice: Thompson sampling over the kinds of help the rules allow.

Each (segment, bottleneck, kind) has a Beta posterior over how often that kind of help leads to
behavior evidence. For a decision, one value is drawn from each allowed kind's posterior and the
highest draw wins; when that is not the kind with the best posterior mean, the decision is
*exploratory*, and exploration is capped at a share of the segment's decisions. The random draw
is seeded by the decision's key, so a decision can be replayed exactly.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kairos.domain.decision import InterventionKind


@dataclass(frozen=True, slots=True)
class Arm:
    """A Beta(alpha, beta) posterior: 1, 1 is "nothing known yet"."""

    alpha: float = 1.0
    beta: float = 1.0
    pulls: int = 0

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def updated(self, reward: float) -> Arm:
        """After an outcome: a reward from 0 (no behavior evidence) to 1 (strong evidence)."""
        reward = min(max(reward, 0.0), 1.0)
        return Arm(self.alpha + reward, self.beta + (1.0 - reward), self.pulls + 1)


@dataclass(frozen=True, slots=True)
class Choice:
    kind: InterventionKind
    explored: bool
    draws: dict[str, float]
    means: dict[str, float]
    capped: bool  # an exploratory draw was overruled because the segment's exploration share was used up


def choose(
    candidates: Sequence[InterventionKind],
    arms: Mapping[InterventionKind, Arm],
    seed: str,
    *,
    may_explore: bool,
) -> Choice:
    """The kind with the highest posterior draw, or the best-known one when exploring is not allowed now."""
    if not candidates:
        raise ValueError("no candidate intervention to choose from")
    rng = random.Random(seed)
    posterior = {k: arms.get(k, Arm()) for k in candidates}
    draws = {k: rng.betavariate(arm.alpha, arm.beta) for k, arm in posterior.items()}
    means = {k: arm.mean for k, arm in posterior.items()}
    best_known = max(candidates, key=lambda k: (means[k], -candidates.index(k)))
    drawn = max(candidates, key=lambda k: (draws[k], -candidates.index(k)))
    explored = drawn != best_known
    if explored and not may_explore:
        return Choice(best_known, False, _round(draws), _round(means), capped=True)
    return Choice(drawn, explored, _round(draws), _round(means), capped=False)


def _round(values: Mapping[InterventionKind, float]) -> dict[str, float]:
    return {k.value: round(v, 4) for k, v in values.items()}


def may_explore(explored: int, decided: int, max_share: float) -> bool:
    """Whether one more exploratory decision keeps the segment's exploration share within ``max_share``."""
    return (explored + 1) <= max_share * (decided + 1)
