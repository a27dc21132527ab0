"""What a new role or level asks that the last one did not: the raised expectations of a transition."""

from __future__ import annotations

from dataclasses import dataclass

from kairos.domain.framework import Competency, Framework, ProficiencyLevel


@dataclass(frozen=True, slots=True)
class RaisedExpectation:
    competency: Competency
    before: int | None  # the level expected before the move, if the framework says
    after: int
    level: ProficiencyLevel  # the framework's description of the level now expected


def raised_expectations(
    framework: Framework,
    *,
    role_before: str | None,
    level_before: str | None,
    role_after: str | None,
    level_after: str | None,
    limit: int = 3,
) -> tuple[RaisedExpectation, ...]:
    """The competencies whose expected level rises with the move, largest rise first (at most ``limit``)."""
    raised: list[tuple[int, int, RaisedExpectation]] = []
    for order, competency in enumerate(framework.competencies):
        after = framework.expected_level(competency.id, role_after, level_after)
        if after is None:
            continue
        before = framework.expected_level(competency.id, role_before, level_before)
        level = competency.level(after)
        if level is None or (before is not None and after <= before):
            continue
        rise = after - (before or 0)
        raised.append((-rise, order, RaisedExpectation(competency, before, after, level)))
    return tuple(item for _, _, item in sorted(raised, key=lambda t: (t[0], t[1]))[:limit])
