"""Behavioral-assessment results as organizations export them: one format per instrument, one way to read them.

``parse_results`` reads a CSV or JSON file of one instrument (given, or told from the file's columns)
into ``AssessmentResult``s, or raises one ``InputError`` naming every problem. Each instrument is a
module declaring its columns (``base.InstrumentFormat``), registered in ``registry``.
"""

from kairos.profiles.instruments.base import InstrumentFormat, Reading, RowProblems
from kairos.profiles.instruments.parse import MAX_CELL, parse_results, read_results
from kairos.profiles.instruments.registry import FORMATS, format_for, instrument_named

__all__ = [
    "FORMATS",
    "MAX_CELL",
    "InstrumentFormat",
    "Reading",
    "RowProblems",
    "format_for",
    "instrument_named",
    "parse_results",
    "read_results",
]
