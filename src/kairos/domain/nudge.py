"""A composed nudge: the message and the stored record of why it exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Links:
    """Where a person acts on a nudge outside the chat tool: one-tap answers, their inbox, their preferences.

    Empty when no public URL is configured (``KAIROS_DELIVERY__PUBLIC_URL``): a message then says how to answer
    in the channel itself.
    """

    respond: dict[str, str] = field(default_factory=dict)  # response kind → signed URL
    inbox: str | None = None
    preferences: str | None = None


@dataclass(frozen=True, slots=True)
class Nudge:
    recipient_id: str
    recipient_email: str
    recipient_name: str
    subject: str
    text: str
    html: str
    why: dict[str, Any]  # event, play, decision rule, framework version, facts used
    moment_id: int | None = None  # set once stored; channels put it in their answer buttons
    links: Links = field(default_factory=Links)
    delivery_note: str = ""  # which channel and why this one, how to change it (added at delivery time)
    meeting: dict[str, Any] | None = None  # uid, title, start, end (ISO) of the meeting a brief is about
    digest: tuple[Nudge, ...] = ()  # a daily digest carries the nudges it gathers
