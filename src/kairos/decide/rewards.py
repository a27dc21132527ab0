"""What a decision earned: behavior evidence in the days after it, weighed by the policy file.

Evidence of behavior (practice done, a commitment kept, an observation by the manager, a level
gained) is what the policy learns from; an "applied it" tap, a reflection or a good rating count
only a little, and nothing counts for opening a message. The reward is the sum of the weights of
the outcomes seen, capped at 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Outcomes:
    practice_done: bool = False  # "applied it" to a practice or role-play this decision carried
    commitment_kept: bool = False  # a commitment of the person marked done
    manager_observation: bool = False  # the manager recorded an observation about the person
    level_gain: bool = False  # a review or 360 put the focus competency a level higher than before
    applied: bool = False  # "applied it" to any other kind of help
    reflection: bool = False  # a written reflection in answer
    rating_4_or_5: bool = False
    learning_completed: bool = False  # learning on the focus competency completed


def reward(outcomes: Outcomes, weights: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """The reward from 0 to 1, and which outcomes made it up."""
    earned = {name: weights[name] for name, seen in asdict(outcomes).items() if seen and weights.get(name, 0) > 0}
    return min(1.0, sum(earned.values())), earned
