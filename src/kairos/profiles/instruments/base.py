"""The contract every assessment instrument fulfils: the columns it owns, and how one row of them is read.

An instrument module declares its columns and ranges as data and reads only the fields that are
its own. Everything instruments share — files, people, dates, duplicates, telling instruments
apart — lives in ``records`` and ``parse``. Scales (DISC, HBDI …) and rankings (CliftonStrengths,
VIA) are common enough to get a base class each that does the reading from the declared data.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cached_property
from typing import ClassVar

from kairos.domain.style import Instrument
from kairos.ingest.base import Problems, normalize_header

# Columns any instrument's file may have besides its own: who the row is about, and when it was taken.
# The name columns are read for the benefit of whoever edits the file (and exports that carry them); the
# person is identified by `person_id` or `email` alone.
PERSON_COLUMNS = ("person_id", "email")
COMMON_COLUMNS = (*PERSON_COLUMNS, "name", "first_name", "last_name", "taken_on")

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
# A decimal comma, as Excel writes numbers in many European locales. Only one or two decimals, so that
# "1,000" is refused rather than read as 1.
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]{1,2}$")


def read_number(text: str) -> float | None:
    """A finite number written as ``72``, ``72.5``, ``72,5`` or ``7.25e1``; None for anything else."""
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class Reading:
    """What one row says in its instrument's own terms: the fields of an ``AssessmentResult`` it fills."""

    scores: Mapping[str, float] = field(default_factory=dict)
    ranking: tuple[str, ...] = ()
    type_code: str | None = None


@dataclass(frozen=True, slots=True)
class RowProblems:
    """Where an instrument reports what is wrong with one row: every problem names that row.

    ``reported`` are the row's fields already found wrong while the file was read (an over-long cell, a
    JSON list where a value belongs); they read as empty, and saying so again would only add noise.
    """

    problems: Problems
    row: int | None
    reported: frozenset[str] = frozenset()

    def add(self, expected: str, *, field: str, value: object) -> None:
        if normalize_header(field) not in self.reported:
            self.problems.add(expected, row=self.row, field=field, value=value)


class InstrumentFormat(ABC):
    """One instrument's file format: the columns it owns and how one row of them becomes a reading.

    Column names are header names as ``normalize_header`` leaves them (``Theme 1`` is ``theme_1``).
    ``read`` is handed every column of the format, with ``""`` for an empty cell or a missing field.
    """

    instrument: ClassVar[Instrument]
    title: ClassVar[str]  # as people know it: "CliftonStrengths", "Insights Discovery"

    @property
    @abstractmethod
    def required(self) -> tuple[str, ...]:
        """The columns every file of this instrument has."""

    @property
    def optional(self) -> tuple[str, ...]:
        return ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)

    @property
    def identified_by(self) -> str:
        """The columns that tell this instrument apart, as an error about an unrecognized file lists them."""
        return ", ".join(self.columns)

    def spelled(self, column: str) -> str:
        """A column as the documentation writes it, for messages (``D`` rather than ``d``)."""
        return column

    def fits(self, values: Mapping[str, str]) -> bool:
        """Whether a row's values could be this instrument's: tells apart instruments that share their columns."""
        return True

    @abstractmethod
    def read(self, values: Mapping[str, str], problems: RowProblems) -> Reading | None:
        """The row's reading, or None once its problems are added."""


class ScoredFormat(InstrumentFormat):
    """An instrument that reports a score on each of a few named scales, all in one range (decimals allowed)."""

    scales: ClassVar[tuple[str, ...]]  # the score names as ``profiles.reference`` spells them
    bottom: ClassVar[float] = 0
    top: ClassVar[float]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(normalize_header(scale) for scale in self.scales)

    @property
    def identified_by(self) -> str:
        return ", ".join(self.scales)

    def spelled(self, column: str) -> str:
        return {normalize_header(scale): scale for scale in self.scales}.get(column, column)

    def read(self, values: Mapping[str, str], problems: RowProblems) -> Reading | None:
        scores: dict[str, float] = {}
        for scale, column in zip(self.scales, self.required, strict=True):
            text = values.get(column, "")
            value = read_number(text)
            if value is None or not self.bottom <= value <= self.top:
                problems.add(f"a number from {self.bottom:g} to {self.top:g} (the {self.title} {scale} score)",
                             field=scale, value=text)  # fmt: skip
            else:
                scores[scale] = value
        return Reading(scores=scores) if len(scores) == len(self.scales) else None


def _name_key(name: str) -> str:
    """How ranked names are compared: without case, spaces, hyphens or underscores, with & read as 'and'."""
    return re.sub(r"[\s\-_]+", "", name.lower().replace("&", "and"))


class RankedFormat(InstrumentFormat):
    """An instrument that ranks a fixed list of names, best first, in columns ``<prefix>_1`` … ``<prefix>_<n>``.

    At least the top ``least`` ranks are filled, and ranks run from 1 without gaps; names are matched
    without case, spaces or hyphens and stored as the instrument spells them.
    """

    prefix: ClassVar[str]  # "theme" for theme_1 …
    noun: ClassVar[str]  # what one ranked name is called in messages
    names: ClassVar[tuple[str, ...]]  # the canonical spellings
    aliases: ClassVar[Mapping[str, str]] = {}  # other published spellings → the canonical one
    least: ClassVar[int] = 5

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f"{self.prefix}_{rank}" for rank in range(1, self.least + 1))

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(f"{self.prefix}_{rank}" for rank in range(self.least + 1, len(self.names) + 1))

    @property
    def identified_by(self) -> str:
        return f"{self.prefix}_1 … {self.prefix}_{len(self.names)}"

    @cached_property
    def _canonical(self) -> dict[str, str]:
        spellings = {name: name for name in self.names} | dict(self.aliases)
        return {_name_key(spelled): name for spelled, name in spellings.items()}

    def canonical(self, text: str) -> str | None:
        return self._canonical.get(_name_key(text))

    def read(self, values: Mapping[str, str], problems: RowProblems) -> Reading | None:
        columns = self.columns
        filled = [rank for rank, column in enumerate(columns, start=1) if values.get(column, "")]
        last = max([*filled, self.least])
        ranked_in: dict[str, str] = {}  # name → the column that ranks it
        valid = True
        for rank, column in enumerate(columns[:last], start=1):
            text = values.get(column, "")
            name = self.canonical(text) if text else None
            if name is not None and name not in ranked_in:
                ranked_in[name] = column
                continue
            valid = False
            if not text:
                why = f"at least the top {self.least} are required" if rank <= self.least else (
                    f"ranks run from 1 without gaps, and {columns[last - 1]} is filled")  # fmt: skip
                problems.add(f"a {self.title} {self.noun} at rank {rank} ({why})", field=column, value=text)
            elif name is None:
                problems.add(self._unknown(text), field=column, value=text)
            else:
                problems.add(f"each {self.noun} ranked once ({name} is also in {ranked_in[name]})", field=column,
                             value=text)  # fmt: skip
        return Reading(ranking=tuple(ranked_in)) if valid else None

    def _unknown(self, text: str) -> str:
        close = get_close_matches(_name_key(text), list(self._canonical), n=1, cutoff=0.75)
        hint = f" (did you mean {self._canonical[close[0]]}?)" if close else ""
        return f"one of the {len(self.names)} {self.title} {self.noun}s{hint}, listed in docs/formats/assessments.md"
