"""The closed set of conditions a style rule may put on an assessment result, each compiled once into a checker.

A checker answers for one result: the condition holds, it does not, or it cannot tell (a score
missing, a ranking too short) — with the evidence, in words, either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from kairos.domain.style import AssessmentResult, Instrument
from kairos.profiles.instruments import FORMATS
from kairos.profiles.reference import (
    BIG_FIVE_TRAITS,
    CLIFTONSTRENGTHS_THEMES,
    DISC_SCALES,
    HBDI_QUADRANTS,
    INSIGHTS_ENERGIES,
    SIXTEEN_TYPE_PAIRS,
    VIA_STRENGTHS,
    StrengthsDomain,
)

# Scored instruments: their score names and the range every score lies in.
SCORED: dict[Instrument, tuple[tuple[str, ...], float, float]] = {
    Instrument.DISC: (DISC_SCALES, 0, 100),
    Instrument.INSIGHTS: (INSIGHTS_ENERGIES, 0, 6),
    Instrument.HBDI: (HBDI_QUADRANTS, 0, 200),
    Instrument.BIG_FIVE: (BIG_FIVE_TRAITS, 0, 100),
}
RANKED: dict[Instrument, tuple[str, ...]] = {
    Instrument.CLIFTONSTRENGTHS: tuple(CLIFTONSTRENGTHS_THEMES),
    Instrument.VIA: tuple(VIA_STRENGTHS),
}
LETTERS = "".join("".join(pair) for pair in SIXTEEN_TYPE_PAIRS)
ENNEAGRAM_CODE = re.compile(r"^([1-9])(?:w([1-9]))?$")


def instrument_title(instrument: Instrument) -> str:
    """The instrument as people know it ("Insights Discovery"), as its file format names it."""
    return FORMATS[instrument].title


def number_text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a condition made of one result: it holds, it does not, or it cannot tell (``holds`` None)."""

    holds: bool | None
    evidence: str


class Condition(Protocol):
    def check(self, result: AssessmentResult) -> Verdict: ...


@dataclass(frozen=True, slots=True)
class ScoreCondition:
    """A score at least and/or at most a threshold."""

    score: str
    at_least: float | None = None
    at_most: float | None = None

    def check(self, result: AssessmentResult) -> Verdict:
        title = instrument_title(result.instrument)
        value = result.scores.get(self.score)
        if value is None:
            return Verdict(None, f"{title} {self.score} missing from the result")
        bounds = []
        if self.at_least is not None:
            bounds.append(f"at least {number_text(self.at_least)}")
        if self.at_most is not None:
            bounds.append(f"at most {number_text(self.at_most)}")
        wanted = " and ".join(bounds)
        holds = (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)
        return Verdict(holds, f"{title} {self.score} {number_text(value)} ({wanted})")


@dataclass(frozen=True, slots=True)
class HighestCondition:
    """A score is the highest of its instrument's set (a tie for highest counts)."""

    score: str
    names: tuple[str, ...]

    def check(self, result: AssessmentResult) -> Verdict:
        title = instrument_title(result.instrument)
        missing = [n for n in self.names if n not in result.scores]
        if missing:
            return Verdict(None, f"{title} {', '.join(missing)} missing from the result")
        value = result.scores[self.score]
        others = ", ".join(f"{n} {number_text(result.scores[n])}" for n in self.names if n != self.score)
        holds = value >= max(result.scores[n] for n in self.names)
        return Verdict(
            holds,
            f"{title} {self.score} {number_text(value)} ({'the highest' if holds else 'not the highest'}; {others})",
        )


@dataclass(frozen=True, slots=True)
class ThemeCondition:
    """A theme or strength ranked within the top N."""

    theme: str
    top: int

    def check(self, result: AssessmentResult) -> Verdict:
        title = instrument_title(result.instrument)
        if self.theme in result.ranking:
            place = result.ranking.index(self.theme) + 1
            holds = place <= self.top
            return Verdict(holds, f"{title} {self.theme} #{place} ({'in' if holds else 'not in'} the top {self.top})")
        if len(result.ranking) >= self.top:
            return Verdict(False, f"{title} {self.theme} not in the top {self.top}")
        listed = len(result.ranking)
        return Verdict(
            None, f"{title} {self.theme} not among the {listed} listed (the rule asks about the top {self.top})"
        )


@dataclass(frozen=True, slots=True)
class DomainCondition:
    """At least K of the top N CliftonStrengths themes belong to one domain."""

    domain: StrengthsDomain
    top: int
    at_least: int

    def check(self, result: AssessmentResult) -> Verdict:
        known = result.ranking[: self.top]
        inside = [t for t in known if CLIFTONSTRENGTHS_THEMES.get(t) is self.domain]
        label = domain_title(self.domain)
        evidence = (
            f"CliftonStrengths top {self.top}: {len(inside)} {label} theme{'s' if len(inside) != 1 else ''}"
            + (f" ({', '.join(inside)})" if inside else "")
            + f", at least {self.at_least} wanted"
        )
        if len(inside) >= self.at_least:
            return Verdict(True, evidence)
        unknown = self.top - len(known)
        if len(inside) + unknown < self.at_least:
            return Verdict(False, evidence)
        return Verdict(None, f"{evidence}; only {len(known)} themes listed")


@dataclass(frozen=True, slots=True)
class TypeCondition:
    """An Enneagram type, optionally with one wing."""

    kind: int
    wing: int | None = None

    def check(self, result: AssessmentResult) -> Verdict:
        code = result.type_code or ""
        match = ENNEAGRAM_CODE.match(code)
        wanted = f"type {self.kind}" + (f" with wing {self.wing}" if self.wing else "")
        if match is None:
            return Verdict(None, f"Enneagram type missing or unreadable ({code!r})")
        if int(match[1]) != self.kind:
            return Verdict(False, f"Enneagram {code} (not {wanted})")
        if self.wing is None:
            return Verdict(True, f"Enneagram {code} ({wanted})")
        if match[2] is None:
            return Verdict(None, f"Enneagram {code} without a wing ({wanted} asked)")
        holds = int(match[2]) == self.wing
        return Verdict(holds, f"Enneagram {code} ({wanted}{'' if holds else ': no'})")


@dataclass(frozen=True, slots=True)
class LetterCondition:
    """One letter of a four-letter 16-type code."""

    letter: str

    def check(self, result: AssessmentResult) -> Verdict:
        code = (result.type_code or "").upper()
        place = next(i for i, pair in enumerate(SIXTEEN_TYPE_PAIRS) if self.letter in pair)
        if len(code) != 4 or code[place] not in SIXTEEN_TYPE_PAIRS[place]:
            return Verdict(None, f"16-type code missing or unreadable ({code!r})")
        return Verdict(code[place] == self.letter, f"16-type {code} (letter {self.letter})")


@dataclass(frozen=True, slots=True)
class AllCondition:
    """Every one of several conditions holds; one that cannot decide makes the whole undecided."""

    parts: tuple[Condition, ...]

    def check(self, result: AssessmentResult) -> Verdict:
        verdicts = [part.check(result) for part in self.parts]
        failed = [v for v in verdicts if v.holds is False]
        if failed:
            return Verdict(False, failed[0].evidence)
        holds = None if any(v.holds is None for v in verdicts) else True
        return Verdict(holds, "; ".join(v.evidence for v in verdicts))


def domain_title(domain: StrengthsDomain) -> str:
    return domain.value.replace("_", " ").title()
