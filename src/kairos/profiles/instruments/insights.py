"""Insights Discovery: the four colour energies, each from 0 to 6 as the profile's bars show them."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import ScoredFormat
from kairos.profiles.reference import INSIGHTS_ENERGIES


class Insights(ScoredFormat):
    instrument = Instrument.INSIGHTS
    title = "Insights Discovery"
    scales = INSIGHTS_ENERGIES
    top = 6
