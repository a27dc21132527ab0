"""A competency framework in the organization's own words.

Besides competencies and their levels, a framework carries **role benchmarks** (the proficiency level
expected of a role and/or a job level) and **priority behaviors** (the 4–6 behaviors a career stage
concentrates on). Everything is a frozen dataclass of tuples, so a framework is hashable and two
imports of the same content compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass

# Career stages priority behaviors are set for, from first job to leading leaders.
CAREER_STAGES: tuple[str, ...] = ("frontline", "mid-level", "senior")
MIN_PRIORITIES, MAX_PRIORITIES = 4, 6


def same_label(a: str | None, b: str | None) -> bool:
    """Roles and job levels compare without case and with runs of whitespace as one space."""
    return a is not None and b is not None and label_key(a) == label_key(b)


def label_key(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True, slots=True)
class ProficiencyLevel:
    level: int
    name: str
    anchors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Competency:
    id: str
    name: str
    definition: str
    levels: tuple[ProficiencyLevel, ...]
    source_id: str | None = None  # the identifier in the source, e.g. a CASE CFItem identifier
    uri: str | None = None  # where the source publishes it

    def level(self, number: int) -> ProficiencyLevel | None:
        return next((lv for lv in self.levels if lv.level == number), None)


@dataclass(frozen=True, slots=True)
class RoleBenchmark:
    """The level expected per competency of people in ``role`` and/or at job ``level``.

    ``None`` for role or level means "any": a benchmark with neither is the framework-wide default.
    ``expectations`` are ``(competency_id, proficiency level)`` pairs, in the order written.
    """

    role: str | None
    level: str | None
    expectations: tuple[tuple[str, int], ...]

    def expected(self, competency_id: str) -> int | None:
        return next((n for cid, n in self.expectations if cid == competency_id), None)

    def applies_to(self, role: str | None, level: str | None) -> bool:
        return (self.role is None or same_label(self.role, role)) and (
            self.level is None or same_label(self.level, level)
        )

    @property
    def specificity(self) -> int:
        """Role and level (3) before role alone (2) before level alone (1) before the default (0)."""
        return (2 if self.role is not None else 0) + (1 if self.level is not None else 0)

    @property
    def label(self) -> str:
        parts = [f"role {self.role}" if self.role is not None else "", f"level {self.level}" if self.level else ""]
        return ", ".join(p for p in parts if p) or "everyone"


@dataclass(frozen=True, slots=True)
class PriorityBehavior:
    """One of the 4–6 target behaviors of a career stage: a competency at a level, optionally in words."""

    stage: str
    competency_id: str
    level: int
    behavior: str | None = None


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    version: str
    competencies: tuple[Competency, ...]
    benchmarks: tuple[RoleBenchmark, ...] = ()
    priority_behaviors: tuple[PriorityBehavior, ...] = ()
    source_id: str | None = None  # the identifier in the source, e.g. a CASE CFDocument identifier
    uri: str | None = None
    # Which job levels make up each career stage, e.g. ("frontline", ("IC1", "IC2", "IC3")).
    career_stages: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)

    def benchmarks_for(self, role: str | None, level: str | None) -> tuple[RoleBenchmark, ...]:
        """The benchmarks that apply to a person in ``role`` at job ``level``, most specific first."""
        matching = [b for b in self.benchmarks if b.applies_to(role, level)]
        return tuple(sorted(matching, key=lambda b: -b.specificity))

    def expected_level(self, competency_id: str, role: str | None = None, level: str | None = None) -> int | None:
        """The level expected in ``competency_id`` of ``role`` at ``level``: the most specific benchmark
        that names the competency decides (role and level, then role, then level, then the default)."""
        for benchmark in self.benchmarks_for(role, level):
            expected = benchmark.expected(competency_id)
            if expected is not None:
                return expected
        return None

    def priorities(self, stage: str) -> tuple[PriorityBehavior, ...]:
        return tuple(p for p in self.priority_behaviors if p.stage == stage)

    def stage_of(self, job_level: str | None) -> str | None:
        """The career stage whose job levels include ``job_level``; None when the framework does not say."""
        return next((stage for stage, levels in self.career_stages if any(same_label(job_level, lv) for lv in levels)),
                    None)  # fmt: skip
