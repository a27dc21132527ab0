"""Skill-gap closure on the organization's priority behaviors (F2), anonymized.

For each career stage and each of its priority behaviors: of the people in the stage, how many
have evidence of their level, how many meet the priority's level now, how many had a gap, and
how many of those closed it by at least one level within the window (six months by default)
after the first evidence that showed the gap. Evidence is a review rating or the shown 360
ratings of a campaign (see ``store/feedback.level_history``). A stage below the minimum group
size shows nothing; a row with any count below it shows only the stage size, because the other
counts would give the small one away; a rate over fewer people than the minimum is withheld.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kairos.domain.framework import Framework, PriorityBehavior

WINDOW = timedelta(days=183)


@dataclass(frozen=True, slots=True)
class EvidencePoint:
    on: date
    level: int
    source: str  # "review" or "360"


class GapOutcome(StrEnum):
    NO_EVIDENCE = "no_evidence"
    MET = "met"  # the first evidence already met the level
    CLOSED = "closed"  # a gap, and evidence within the window shows at least one level more
    OPEN = "open"  # a gap, and the window has passed (or later evidence shows no level gained)
    PENDING = "pending"  # a gap, no later evidence yet, and the window is still running


def outcome(points: Sequence[EvidencePoint], target: int, today: date, window: timedelta = WINDOW) -> GapOutcome:
    """What happened to one person's gap on one priority, from their evidence in date order."""
    ordered = sorted(points, key=lambda p: p.on)
    baseline = next((p for p in ordered if p.level < target), None)
    if baseline is None:
        return GapOutcome.MET if ordered else GapOutcome.NO_EVIDENCE
    later = [p for p in ordered if baseline.on < p.on <= baseline.on + window]
    if any(p.level >= baseline.level + 1 for p in later):
        return GapOutcome.CLOSED
    if later or today > baseline.on + window:
        return GapOutcome.OPEN
    return GapOutcome.PENDING


@dataclass(frozen=True, slots=True)
class PriorityClosure:
    stage: str
    priority: PriorityBehavior
    people: int | None  # in the stage; None when withheld
    with_evidence: int | None
    meeting_now: int | None  # whose latest evidence meets the level
    with_gap: int | None
    closed: int | None
    still_open: int | None
    pending: int | None
    rate: float | None  # closed / (closed + still open); None when withheld or nothing to divide

    def as_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage, "competency_id": self.priority.competency_id, "level": self.priority.level,
            "behavior": self.priority.behavior, "people": self.people, "with_evidence": self.with_evidence,
            "meeting_now": self.meeting_now, "with_gap": self.with_gap, "closed": self.closed,
            "still_open": self.still_open, "pending": self.pending, "closure_rate": self.rate,
        }  # fmt: skip


def _small(count: int, min_group: int) -> bool:
    """A count that could single people out: more than zero and below the minimum group size."""
    return 0 < count < min_group


def closure_report(
    framework: Framework,
    stage_members: Mapping[str, Sequence[str]],
    evidence: Mapping[tuple[str, str], Sequence[EvidencePoint]],
    *,
    today: date,
    min_group: int,
    window: timedelta = WINDOW,
) -> list[PriorityClosure]:
    """One row per stage and priority. ``evidence`` is keyed by (person id, competency id)."""
    rows = []
    for stage, members in stage_members.items():
        for priority in framework.priorities(stage):
            outcomes = [outcome(evidence.get((pid, priority.competency_id), ()), priority.level, today, window)
                        for pid in members]  # fmt: skip
            latest = [max(points, key=lambda p: p.on).level
                      for pid in members if (points := evidence.get((pid, priority.competency_id)))]  # fmt: skip
            count = {kind: outcomes.count(kind) for kind in GapOutcome}
            gap = count[GapOutcome.CLOSED] + count[GapOutcome.OPEN] + count[GapOutcome.PENDING]
            settled = count[GapOutcome.CLOSED] + count[GapOutcome.OPEN]
            if len(members) < min_group:
                rows.append(PriorityClosure(stage, priority, None, None, None, None, None, None, None, None))
                continue
            counts = (len(latest), sum(1 for level in latest if level >= priority.level), gap,
                      count[GapOutcome.CLOSED], count[GapOutcome.OPEN], count[GapOutcome.PENDING])  # fmt: skip
            complements = (len(members) - counts[0], counts[0] - counts[1])  # without evidence, not meeting it
            if any(_small(n, min_group) for n in counts + complements):
                # The counts of a row add up to one another (with evidence = meeting it + with a gap, roughly;
                # a gap = closed + open + pending): one small cell withheld alone could be worked out from the
                # rest, so a row with any small cell shows only its stage size.
                rows.append(PriorityClosure(stage, priority, len(members), None, None, None, None, None, None, None))
                continue
            rate = count[GapOutcome.CLOSED] / settled if settled >= min_group else None
            rows.append(PriorityClosure(stage, priority, len(members), *counts, rate=rate))
    return rows
