"""The organization's priority behaviors applied to one person: which stage they are in, where their gap is.

A person with no agreed focus and no review goal still gets coaching inside the organization's
priorities: the priority behavior of their career stage with the largest gap between its level and
the current evidence, or, with no evidence at all, the first one the talent team listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kairos.domain.framework import Framework, PriorityBehavior
from kairos.domain.goal import DevelopmentGoal


@dataclass(frozen=True, slots=True)
class DefaultFocus:
    """A priority behavior chosen as someone's focus until they and their manager agree one, and why."""

    priority: PriorityBehavior
    gap: int | None  # levels below the priority's level; None without evidence
    reason: str

    def as_goal(self, person_id: str, framework: Framework, published: date) -> DevelopmentGoal:
        competency = framework.competency(self.priority.competency_id)
        level = competency.level(self.priority.level) if competency else None
        text = self.priority.behavior or (
            f"{competency.name if competency else self.priority.competency_id} at level {self.priority.level}"
            + (f" ({level.name})" if level else "")
        )
        return DevelopmentGoal(
            person_id=person_id, competency_id=self.priority.competency_id, target_level=self.priority.level,
            text=text, review_date=published, framework_id=framework.id, framework_version=framework.version,
            origin="priority", stage=self.priority.stage,
        )  # fmt: skip


def default_focus(
    framework: Framework, job_level: str | None, gap_of: Callable[[PriorityBehavior], int | None]
) -> DefaultFocus | None:
    """The stage's priority with the largest gap (the talent team's order breaks ties); with no evidence on any,
    the first listed. None when the person's level is in no stage, or every priority is already met."""
    stage = framework.stage_of(job_level)
    if stage is None:
        return None
    priorities = framework.priorities(stage)
    gaps = [(p, gap_of(p)) for p in priorities]
    widest = max((g for _, g in gaps if g), default=0)
    if widest > 0:
        chosen = next(p for p, g in gaps if g == widest)
        return DefaultFocus(chosen, widest, f"the largest gap among the {stage} priority behaviors: {widest} "
                                            f"level{'s' if widest > 1 else ''} below level {chosen.level}")  # fmt: skip
    unknown = [p for p, g in gaps if g is None]
    if unknown:
        listed = priorities.index(unknown[0]) + 1
        reason = (f"no evidence yet on the {stage} priority behaviors met or not; "
                  f"priority {listed} of {len(priorities)} as the talent team listed them")  # fmt: skip
        return DefaultFocus(unknown[0], None, reason)
    return None
