"""CliftonStrengths: the 34 themes ranked, best first, in ``theme_1`` … ``theme_34`` (Gallup's "Theme 1" …)."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import RankedFormat
from kairos.profiles.reference import CLIFTONSTRENGTHS_THEMES


class CliftonStrengths(RankedFormat):
    instrument = Instrument.CLIFTONSTRENGTHS
    title = "CliftonStrengths"
    prefix = "theme"
    noun = "theme"
    names = tuple(CLIFTONSTRENGTHS_THEMES)
