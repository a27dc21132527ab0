"""DISC: a score from 0 to 100 on each of Dominance, Influence, Steadiness and Conscientiousness."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import ScoredFormat
from kairos.profiles.reference import DISC_SCALES


class Disc(ScoredFormat):
    instrument = Instrument.DISC
    title = "DISC"
    scales = DISC_SCALES
    top = 100
