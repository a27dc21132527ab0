"""Big Five (IPIP): a percentile from 0 to 100 on each of the five traits; all five are required."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import ScoredFormat
from kairos.profiles.reference import BIG_FIVE_TRAITS


class BigFive(ScoredFormat):
    instrument = Instrument.BIG_FIVE
    title = "Big Five"
    scales = BIG_FIVE_TRAITS
    top = 100
