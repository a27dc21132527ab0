"""HBDI (Herrmann Brain Dominance): a preference score from 0 to 200 on each of the quadrants A, B, C and D."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import ScoredFormat
from kairos.profiles.reference import HBDI_QUADRANTS


class Hbdi(ScoredFormat):
    instrument = Instrument.HBDI
    title = "HBDI"
    scales = HBDI_QUADRANTS
    top = 200
