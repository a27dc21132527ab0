"""What request handlers receive: the settings and the database, handed in by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from kairos.clock import Clock
from kairos.settings import Settings
from kairos.store import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock


def services(request: Request) -> Services:
    """FastAPI dependency: ``Depends(services)`` in a handler."""
    found: Services = request.app.state.services
    return found
