"""Assessment results and the one style profile they become.

An organization may hold DISC for some people, CliftonStrengths for others, and several
instruments for a few. Each result is kept as the instrument reported it (``AssessmentResult``,
with its provenance); the mapping in ``content/styles/`` turns results into ``StyleFact``s on a
small set of shared dimensions, and a ``StyleProfile`` is the facts of one person. Every fact
names the instrument and the score it came from, and is worded as a tendency, never a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Instrument(StrEnum):
    DISC = "disc"
    CLIFTONSTRENGTHS = "cliftonstrengths"
    ENNEAGRAM = "enneagram"
    INSIGHTS = "insights"  # Insights Discovery colour energies
    HBDI = "hbdi"
    BIG_FIVE = "big_five"  # IPIP, percentiles
    VIA = "via"  # VIA character strengths
    SIXTEEN_TYPE = "sixteen_type"  # four-letter type (E/I, S/N, T/F, J/P)


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """One person's result on one instrument, as the instrument reports it.

    ``scores`` holds named numeric scales (DISC ``D``/``I``/``S``/``C``; Big Five ``openness`` …),
    ``ranking`` ranked themes, best first (CliftonStrengths, VIA), ``type_code`` a type
    (Enneagram ``5w4``, 16-type ``INTJ``). Which of the three an instrument uses, and the names
    and ranges, are documented per instrument in ``docs/formats/assessments.md``.
    """

    person_id: str
    instrument: Instrument
    taken_on: date | None
    source_file: str  # where it was imported from (file name), for provenance
    source_row: int | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    ranking: tuple[str, ...] = ()
    type_code: str | None = None

    @property
    def provenance(self) -> str:
        taken = f", taken {self.taken_on.isoformat()}" if self.taken_on else ""
        row = f" row {self.source_row}" if self.source_row is not None else ""
        return f"{self.instrument.value}{taken} ({self.source_file}{row})"


class StyleDimension(StrEnum):
    """The shared dimensions. The first five are scales with a lean from -1 to +1; the last three are lists."""

    PACE = "pace"  # -1 measured, deliberate … +1 fast, quick to act
    DIRECTNESS = "directness"  # -1 diplomatic, indirect … +1 direct, candid
    DETAIL = "detail"  # -1 big picture first … +1 detail and data first
    ORIENTATION = "orientation"  # -1 people first … +1 task first
    CHANGE = "change"  # -1 values stability and predictability … +1 seeks novelty and change
    FEEDBACK = "feedback"  # how feedback tends to land best
    STRESSORS = "stressors"  # what tends to drain or stress
    MOTIVATORS = "motivators"  # what tends to energize


SCALES = (
    StyleDimension.PACE,
    StyleDimension.DIRECTNESS,
    StyleDimension.DETAIL,
    StyleDimension.ORIENTATION,
    StyleDimension.CHANGE,
)


@dataclass(frozen=True, slots=True)
class StyleFact:
    """One tendency, from one instrument result, with the evidence that produced it.

    ``statement`` completes a sentence whose subject is the person: "tends to want the data
    before a discussion". ``lean`` is set on scale dimensions only.
    """

    person_id: str
    dimension: StyleDimension
    statement: str
    instrument: Instrument
    evidence: str  # the score behind it, e.g. "DISC C 82 (at least 70)"
    rule: str  # the id of the mapping rule that produced it, for review
    lean: float | None = None
    taken_on: date | None = None
    source: str = ""  # the result's provenance
    # Marks the mapping rule adds for the insight rules: "set_off_by:pace+" on a stressor (the scale side
    # whose habits tend to set it off), "strengths_domain:executing" on a CliftonStrengths domain lead.
    tags: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"style/{self.person_id}/{self.instrument.value}/{self.rule}"


@dataclass(frozen=True, slots=True)
class StyleProfile:
    """Everything known about how one person tends to work, fact by fact."""

    person_id: str
    facts: tuple[StyleFact, ...] = ()
    instruments: tuple[Instrument, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.facts

    def on(self, dimension: StyleDimension) -> tuple[StyleFact, ...]:
        return tuple(f for f in self.facts if f.dimension is dimension)

    def lean(self, dimension: StyleDimension) -> float | None:
        """The lean on a scale dimension, each instrument weighing the same; None when none speaks to it.

        Averaging per instrument first keeps an instrument with many matching rules (a ranking of
        themes) from outvoting one that speaks once (a DISC score).
        """
        leans = list(self.instrument_leans(dimension).values())
        return sum(leans) / len(leans) if leans else None

    def instrument_leans(self, dimension: StyleDimension) -> dict[Instrument, float]:
        """The mean lean of each instrument's facts on a scale dimension."""
        by_instrument: dict[Instrument, list[float]] = {}
        for fact in self.on(dimension):
            if fact.lean is not None:
                by_instrument.setdefault(fact.instrument, []).append(fact.lean)
        return {instrument: sum(leans) / len(leans) for instrument, leans in by_instrument.items()}

    def instruments_disagree(self, dimension: StyleDimension, margin: float = 0.25) -> bool:
        """Whether one instrument leans clearly to one side of a dimension and another clearly to the other."""
        leans = self.instrument_leans(dimension).values()
        return any(v >= margin for v in leans) and any(v <= -margin for v in leans)


class StyleSharing(StrEnum):
    """Who may see a person's individual style facts (the person always may)."""

    NONE = "none"  # not used at all: opted out of style personalization
    PRIVATE = "private"  # used only in messages to the person themself
    MANAGER = "manager"  # also their manager (the default)
    TEAM = "team"  # also the members of their team and their manager


DEFAULT_STYLE_SHARING = StyleSharing.MANAGER


def may_see_style(sharing: StyleSharing, *, owner: str, owner_manager: str | None, owner_team: str,
                  viewer: str, viewer_team: str | None) -> bool:  # fmt: skip
    """Whether ``viewer`` may be shown the individual style facts of ``owner``."""
    if sharing is StyleSharing.NONE:
        return False
    if viewer == owner:
        return True
    if sharing is StyleSharing.PRIVATE:
        return False
    if viewer == owner_manager:
        return True
    return sharing is StyleSharing.TEAM and viewer_team is not None and viewer_team == owner_team
