"""VIA character strengths: the 24 strengths ranked, best first, in ``strength_1`` … ``strength_24``."""

from __future__ import annotations

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import RankedFormat
from kairos.profiles.reference import VIA_STRENGTHS


class Via(RankedFormat):
    instrument = Instrument.VIA
    title = "VIA"
    prefix = "strength"
    noun = "strength"
    names = tuple(VIA_STRENGTHS)
    # British spellings, which reports in English outside the US use ("&" for "and" is matched anyway).
    aliases = {"Judgement": "Judgment", "Humour": "Humor"}
