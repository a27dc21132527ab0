"""Enneagram: a type from 1 to 9 and, optionally, its wing — one of the two neighbouring types."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kairos.domain.style import Instrument
from kairos.profiles.instruments.base import InstrumentFormat, Reading, RowProblems
from kairos.profiles.reference import enneagram_wings

# "5", or "5w4" with the wing written into the type, as many reports print it.
_TYPE = re.compile(r"^([1-9])(?:\s*w\s*([1-9]))?$", re.IGNORECASE | re.ASCII)
_WING = re.compile(r"^(?:w\s*)?([1-9])$", re.IGNORECASE | re.ASCII)


class Enneagram(InstrumentFormat):
    instrument = Instrument.ENNEAGRAM
    title = "Enneagram"

    @property
    def required(self) -> tuple[str, ...]:
        return ("type",)

    @property
    def optional(self) -> tuple[str, ...]:
        return ("wing",)

    @property
    def identified_by(self) -> str:
        return "type (a number) with an optional wing"

    def fits(self, values: Mapping[str, str]) -> bool:
        return values.get("type", "")[:1].isdigit() or not values.get("type")

    def read(self, values: Mapping[str, str], problems: RowProblems) -> Reading | None:
        text, wing_text = values.get("type", ""), values.get("wing", "")
        match = _TYPE.match(text)
        if match is None:
            problems.add("an Enneagram type from 1 to 9, such as 5, or 5w4 with its wing", field="type", value=text)
            return None
        kind, wing = int(match[1]), match[2]
        if wing_text:
            wing_match = _WING.match(wing_text)
            if wing_match is None:
                problems.add("a wing from 1 to 9, or nothing", field="wing", value=wing_text)
                return None
            if wing is not None and wing != wing_match[1]:
                problems.add(f"the wing the type gives ({wing}), or nothing", field="wing", value=wing_text)
                return None
            wing = wing_match[1]
        if wing is not None and int(wing) not in enneagram_wings(kind):
            low, high = sorted(enneagram_wings(kind))
            problems.add(f"a wing adjacent to type {kind}: {low} or {high}", field="wing" if wing_text else "type",
                         value=wing_text or text)  # fmt: skip
            return None
        return Reading(type_code=f"{kind}w{wing}" if wing else str(kind))
