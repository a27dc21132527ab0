"""The one place channels are registered and built from settings.

Each channel module offers ``from_settings(settings) -> Channel | None`` (None when the operator has not
configured it). Adding a channel is one module and one line in ``FACTORIES``.
"""

from __future__ import annotations

from collections.abc import Callable

from kairos.deliver.base import Channel
from kairos.deliver.channels import calendar, email, inbox, matrix, slack, teams, webhook
from kairos.settings import Settings, SettingsError

FACTORIES: dict[str, Callable[[Settings], Channel | None]] = {
    "calendar": calendar.from_settings,
    "email": email.from_settings,
    "inbox": inbox.from_settings,
    "matrix": matrix.from_settings,
    "slack": slack.from_settings,
    "teams": teams.from_settings,
    "webhook": webhook.from_settings,
}


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every configured channel by name; a name in ``KAIROS_DELIVERY__CHANNELS`` that is unknown is refused."""
    unknown = [name for name in settings.delivery.channels if name not in FACTORIES]
    if unknown:
        raise SettingsError(
            f"KAIROS_DELIVERY__CHANNELS names {', '.join(unknown)}; known channels: {', '.join(sorted(FACTORIES))}"
        )
    built = {name: factory(settings) for name, factory in FACTORIES.items()}
    return {name: channel for name, channel in built.items() if channel is not None}
