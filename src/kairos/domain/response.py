"""What a person did with a nudge: the answer that flows back into the loop (step 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ResponseKind(StrEnum):
    APPLIED = "applied"  # "I applied it"
    NOT_RELEVANT = "not_relevant"
    SNOOZE = "snooze"  # "not now": the moment is planned again later
    REFLECTION = "reflection"  # free text
    RATING = "rating"  # 1–5


@dataclass(frozen=True, slots=True)
class Response:
    id: int
    moment_id: int
    person_id: str
    kind: ResponseKind
    received_at: datetime
    channel: str
    text: str | None = None
    rating: int | None = None
    intervention: str | None = None  # the kind of help the moment carried, as decided then
