"""What changed between two framework versions: competencies, levels, anchors, benchmarks, priorities.

Competencies are matched by id, levels by number, benchmarks by role and job level, and priority
behaviors by stage. Within a level, anchors are aligned as a sequence, so an edited anchor shows as
changed and an inserted one as added — not as every later anchor changing.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from kairos.domain.framework import (
    CAREER_STAGES,
    Competency,
    Framework,
    PriorityBehavior,
    RoleBenchmark,
    label_key,
)


class ChangeKind(StrEnum):
    FRAMEWORK_RENAMED = "framework renamed"
    COMPETENCY_ADDED = "competency added"
    COMPETENCY_REMOVED = "competency removed"
    COMPETENCY_RENAMED = "competency renamed"
    DEFINITION_CHANGED = "definition changed"
    LEVEL_ADDED = "level added"
    LEVEL_REMOVED = "level removed"
    LEVEL_RENAMED = "level renamed"
    ANCHOR_ADDED = "anchor added"
    ANCHOR_REMOVED = "anchor removed"
    ANCHOR_CHANGED = "anchor changed"
    BENCHMARK_ADDED = "benchmark added"
    BENCHMARK_REMOVED = "benchmark removed"
    BENCHMARK_CHANGED = "benchmark changed"
    PRIORITY_ADDED = "priority behavior added"
    PRIORITY_REMOVED = "priority behavior removed"
    PRIORITY_CHANGED = "priority behavior changed"
    STAGE_CHANGED = "career stage changed"


@dataclass(frozen=True, slots=True)
class FrameworkChange:
    """One difference: what kind, where (``giving-feedback / level 3 / anchor 2``), and the text before and after."""

    kind: ChangeKind
    where: str
    before: str | None = None
    after: str | None = None


def diff_frameworks(a: Framework, b: Framework) -> list[FrameworkChange]:
    """The changes that turn ``a`` into ``b``, in the order of ``b`` (removals where they stood in ``a``)."""
    changes: list[FrameworkChange] = []
    if a.name != b.name:
        changes.append(FrameworkChange(ChangeKind.FRAMEWORK_RENAMED, b.id, a.name, b.name))
    old = {c.id: c for c in a.competencies}
    new = {c.id: c for c in b.competencies}
    for competency in a.competencies:
        if competency.id not in new:
            changes.append(FrameworkChange(ChangeKind.COMPETENCY_REMOVED, competency.id, competency.name, None))
    for competency in b.competencies:
        before = old.get(competency.id)
        if before is None:
            changes.append(FrameworkChange(ChangeKind.COMPETENCY_ADDED, competency.id, None, competency.name))
        else:
            changes += _competency_changes(before, competency)
    changes += _benchmark_changes(a.benchmarks, b.benchmarks)
    changes += _priority_changes(a.priority_behaviors, b.priority_behaviors)
    changes += _stage_changes(a, b)
    return changes


def _stage_changes(a: Framework, b: Framework) -> list[FrameworkChange]:
    """A career stage whose job levels differ (which priorities apply to whom changes with it)."""
    old, new = dict(a.career_stages), dict(b.career_stages)
    changes = []
    for stage in list(CAREER_STAGES) + sorted((old.keys() | new.keys()) - set(CAREER_STAGES)):
        before, after = old.get(stage), new.get(stage)
        if before != after and (before or after):
            shown = [", ".join(levels) if levels else None for levels in (before, after)]
            changes.append(FrameworkChange(ChangeKind.STAGE_CHANGED, f"career stage {stage}", shown[0], shown[1]))
    return changes


def _competency_changes(a: Competency, b: Competency) -> list[FrameworkChange]:
    changes = []
    if a.name != b.name:
        changes.append(FrameworkChange(ChangeKind.COMPETENCY_RENAMED, b.id, a.name, b.name))
    if a.definition != b.definition:
        changes.append(FrameworkChange(ChangeKind.DEFINITION_CHANGED, b.id, a.definition, b.definition))
    numbers = sorted({lv.level for lv in a.levels} | {lv.level for lv in b.levels})
    for number in numbers:
        before, after = a.level(number), b.level(number)
        where = f"{b.id} / level {number}"
        if before is None and after is not None:
            changes.append(FrameworkChange(ChangeKind.LEVEL_ADDED, where, None, _level_text(after.name, after.anchors)))
        elif after is None and before is not None:
            changes.append(
                FrameworkChange(ChangeKind.LEVEL_REMOVED, where, _level_text(before.name, before.anchors), None)
            )
        elif before is not None and after is not None:
            if before.name != after.name:
                changes.append(FrameworkChange(ChangeKind.LEVEL_RENAMED, where, before.name, after.name))
            changes += _anchor_changes(where, before.anchors, after.anchors)
    return changes


def _level_text(name: str, anchors: tuple[str, ...]) -> str:
    return f"{name}: " + " | ".join(anchors)


def _anchor_changes(where: str, a: tuple[str, ...], b: tuple[str, ...]) -> list[FrameworkChange]:
    changes = []
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(a1 - a0, b1 - b0) if op == "replace" else 0
        for i in range(paired):
            changes.append(
                FrameworkChange(ChangeKind.ANCHOR_CHANGED, f"{where} / anchor {b0 + i + 1}", a[a0 + i], b[b0 + i])
            )
        for i in range(a0 + paired, a1):
            changes.append(FrameworkChange(ChangeKind.ANCHOR_REMOVED, f"{where} / anchor {i + 1}", a[i], None))
        for i in range(b0 + paired, b1):
            changes.append(FrameworkChange(ChangeKind.ANCHOR_ADDED, f"{where} / anchor {i + 1}", None, b[i]))
    return changes


def _benchmark_key(benchmark: RoleBenchmark) -> tuple[str, str]:
    return label_key(benchmark.role or ""), label_key(benchmark.level or "")


def _expectations_text(benchmark: RoleBenchmark) -> str:
    return ", ".join(f"{cid} {n}" for cid, n in benchmark.expectations)


def _benchmark_changes(a: tuple[RoleBenchmark, ...], b: tuple[RoleBenchmark, ...]) -> list[FrameworkChange]:
    changes = []
    old = {_benchmark_key(x): x for x in a}
    new = {_benchmark_key(x): x for x in b}
    for key, benchmark in old.items():
        if key not in new:
            changes.append(
                FrameworkChange(
                    ChangeKind.BENCHMARK_REMOVED, f"benchmark {benchmark.label}", _expectations_text(benchmark), None
                )
            )
    for key, benchmark in new.items():
        before = old.get(key)
        where = f"benchmark {benchmark.label}"
        if before is None:
            changes.append(FrameworkChange(ChangeKind.BENCHMARK_ADDED, where, None, _expectations_text(benchmark)))
            continue
        ids = [cid for cid, _ in before.expectations]
        ids += [cid for cid, _ in benchmark.expectations if cid not in ids]
        for cid in ids:
            was, now = before.expected(cid), benchmark.expected(cid)
            if was != now:
                changes.append(
                    FrameworkChange(
                        ChangeKind.BENCHMARK_CHANGED,
                        f"{where} / {cid}",
                        None if was is None else str(was),
                        None if now is None else str(now),
                    )
                )
    return changes


def _priority_text(priority: PriorityBehavior) -> str:
    text = f"{priority.competency_id} level {priority.level}"
    return f"{text}: {priority.behavior}" if priority.behavior else text


def _priority_changes(a: tuple[PriorityBehavior, ...], b: tuple[PriorityBehavior, ...]) -> list[FrameworkChange]:
    changes = []
    stages = list(CAREER_STAGES) + sorted({p.stage for p in a + b} - set(CAREER_STAGES))
    for stage in stages:
        old = [p for p in a if p.stage == stage]
        new = [p for p in b if p.stage == stage]
        removed = [p for p in old if p not in new]
        added = [p for p in new if p not in old]
        where = f"priorities {stage}"
        for priority in list(removed):
            match = next(
                (p for p in added if (p.competency_id, p.level) == (priority.competency_id, priority.level)), None
            )
            if match is not None:
                removed.remove(priority)
                added.remove(match)
                changes.append(
                    FrameworkChange(
                        ChangeKind.PRIORITY_CHANGED,
                        f"{where} / {priority.competency_id} level {priority.level}",
                        priority.behavior,
                        match.behavior,
                    )
                )
        changes += [FrameworkChange(ChangeKind.PRIORITY_REMOVED, where, _priority_text(p), None) for p in removed]
        changes += [FrameworkChange(ChangeKind.PRIORITY_ADDED, where, None, _priority_text(p)) for p in added]
    return changes
