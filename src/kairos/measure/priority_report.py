"""The priority-behavior gap-closure report, read from the store (``kairos report priorities``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kairos.domain.framework import CAREER_STAGES
from kairos.measure.gap_closure import EvidencePoint, PriorityClosure, closure_report
from kairos.store import Database
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store
from kairos.store import people as people_store


@dataclass(frozen=True, slots=True)
class PriorityReport:
    framework: str  # "id@version"
    as_of: date
    min_group: int
    rows: list[PriorityClosure]
    unstaged: int  # active people whose job level is in no career stage

    def as_dict(self) -> dict[str, object]:
        return {"framework": self.framework, "as_of": self.as_of.isoformat(), "min_group_size": self.min_group,
                "people_in_no_stage": self.unstaged, "priorities": [r.as_dict() for r in self.rows]}  # fmt: skip


def priority_report(db: Database, *, as_of: date, min_group: int, min_raters: int) -> PriorityReport | None:
    """Gap closure on the latest framework's priority behaviors; None when it names none."""
    with db.transaction() as conn:
        framework = framework_store.latest(conn)
        if framework is None or not framework.priority_behaviors:
            return None
        members: dict[str, list[str]] = {stage: [] for stage in CAREER_STAGES if framework.priorities(stage)}
        unstaged = 0
        for person in people_store.active(conn).values():
            stage = framework.stage_of(person.level)
            if stage in members:
                members[stage].append(person.id)
            elif stage is None:
                unstaged += 1
        everyone = [pid for ids in members.values() for pid in ids]
        history = feedback_store.level_history(
            conn, framework, {p.competency_id for p in framework.priority_behaviors}, everyone, min_raters=min_raters
        )
    evidence = {key: [EvidencePoint(on, level, source) for on, level, source in points if on <= as_of]
                for key, points in history.items()}  # fmt: skip
    rows = closure_report(framework, members, evidence, today=as_of, min_group=min_group)
    return PriorityReport(f"{framework.id}@{framework.version}", as_of, min_group, rows, unstaged)
