"""A competency framework in the organization's own words."""

from __future__ import annotations

from dataclasses import dataclass


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

    def level(self, number: int) -> ProficiencyLevel | None:
        return next((lv for lv in self.levels if lv.level == number), None)


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    version: str
    competencies: tuple[Competency, ...]

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)
