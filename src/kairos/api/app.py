"""The app factory. Nothing is built at import time: settings and the database come in as arguments."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from kairos import __version__
from kairos.api import inbox, scim, webhooks, xapi
from kairos.api.channels import slack, teams
from kairos.api.deps import Services, services
from kairos.clock import Clock, SystemClock
from kairos.settings import Settings
from kairos.store import Database


def create_app(settings: Settings, db: Database, clock: Clock | None = None) -> FastAPI:
    app = FastAPI(title="Kairos", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.services = Services(settings=settings, db=db, clock=clock or SystemClock())

    @app.get("/healthz", tags=["health"])
    def healthz(svc: Services = Depends(services)) -> dict[str, str]:  # noqa: B008 - FastAPI's idiom
        svc.db.require_schema()
        return {"status": "ok", "version": __version__}

    app.include_router(webhooks.router, prefix="/webhooks")
    app.include_router(scim.router)  # prefix /scim/v2 (scim.PREFIX)
    app.include_router(xapi.router, prefix="/xapi")  # learning records (xAPI 1.0.3 statements)
    app.include_router(inbox.router)  # the web inbox, one-tap answers and preferences (/api/v1, /r, /inbox)
    app.include_router(slack.router, prefix="/channels/slack")  # Slack interactions and events
    app.include_router(teams.router, prefix="/channels/teams")  # the Teams bot's messaging endpoint
    app.add_exception_handler(inbox.Unauthorized, inbox.unauthorized_handler)
    return app
