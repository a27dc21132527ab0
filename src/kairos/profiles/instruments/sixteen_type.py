"""16-type: four letters, one from each pair E/I, S/N, T/F, J/P, stored upper-case (``INTJ``).

An ``-A`` or ``-T`` suffix (assertive, turbulent), which some free versions of the test add, is
accepted and dropped: it is not part of the four-letter type the style mapping reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import InstrumentFormat, Reading, RowProblems
from kairos.profiles.reference import SIXTEEN_TYPE_PAIRS

_TYPE = re.compile(r"^([a-z]{4})(?:\s*-\s*[at])?$", re.IGNORECASE | re.ASCII)
_PAIRS = ", ".join("/".join(pair) for pair in SIXTEEN_TYPE_PAIRS)


class SixteenType(InstrumentFormat):
    instrument = Instrument.SIXTEEN_TYPE
    title = "16-type"

    @property
    def required(self) -> tuple[str, ...]:
        return ("type",)

    @property
    def identified_by(self) -> str:
        return "type (four letters)"

    def fits(self, values: Mapping[str, str]) -> bool:
        return not values.get("type", "")[:1].isdigit()

    def read(self, values: Mapping[str, str], problems: RowProblems) -> Reading | None:
        text = values.get("type", "")
        match = _TYPE.match(text)
        letters = match[1].upper() if match else ""
        if not match or not all(letter in pair for letter, pair in zip(letters, SIXTEEN_TYPE_PAIRS, strict=True)):
            problems.add(f"four letters, one from each pair {_PAIRS}, such as INTJ (an -A or -T suffix is dropped)",
                         field="type", value=text)  # fmt: skip
            return None
        return Reading(type_code=letters)
