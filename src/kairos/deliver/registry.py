"""The one place channels are registered and built from settings."""

from __future__ import annotations

from kairos.deliver.base import Channel
from kairos.deliver.channels.email import EmailChannel
from kairos.settings import Settings


def build_channels(settings: Settings) -> dict[str, Channel]:
    return {"email": EmailChannel(settings.smtp)}
