"""A composed nudge: the message and the stored record of why it exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Nudge:
    recipient_id: str
    recipient_email: str
    recipient_name: str
    subject: str
    text: str
    html: str
    why: dict[str, Any]  # event, play, decision rule, framework version, facts used
