"""Every instrument Kairos reads, in one place: a new instrument is a module beside the others and a line here."""

from __future__ import annotations

from collections.abc import Mapping

from kairos.domain.style import Instrument
from kairos.ingest.base import normalize_header
from kairos.profiles.instruments.base import InstrumentFormat
from kairos.profiles.instruments.big_five import BigFive
from kairos.profiles.instruments.cliftonstrengths import CliftonStrengths
from kairos.profiles.instruments.disc import Disc
from kairos.profiles.instruments.enneagram import Enneagram
from kairos.profiles.instruments.hbdi import Hbdi
from kairos.profiles.instruments.insights import Insights
from kairos.profiles.instruments.sixteen_type import SixteenType
from kairos.profiles.instruments.via import Via

FORMATS: Mapping[Instrument, InstrumentFormat] = {
    f.instrument: f
    for f in (Disc(), CliftonStrengths(), Enneagram(), Insights(), Hbdi(), BigFive(), Via(), SixteenType())
}


def format_for(instrument: Instrument) -> InstrumentFormat:
    return FORMATS[instrument]


def instrument_named(name: str) -> Instrument | None:
    """The instrument a person means by ``name``: its value (``big_five``) or its title (``Big Five``, ``16-type``)."""
    wanted = normalize_header(name)
    for instrument, format_ in FORMATS.items():
        if wanted in (instrument.value, normalize_header(format_.title)):
            return instrument
    return None
