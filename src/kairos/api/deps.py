"""What request handlers receive: the settings and the database, handed in by the app factory."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from fastapi import Request

from kairos.clock import Clock
from kairos.deliver.tokens import Signer, signer
from kairos.settings import Settings
from kairos.store import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock

    @functools.cached_property
    def signer(self) -> Signer:
        """Checks link tokens; the key is read (or made) on first use."""
        return signer(self.settings)


def services(request: Request) -> Services:
    """FastAPI dependency: ``Depends(services)`` in a handler."""
    found: Services = request.app.state.services
    return found
