"""The Teams bot's messaging endpoint: ``POST /channels/teams/messages``, where the Bot Connector posts activities.

Each request goes through, in order:

1. **Configured?** Without ``KAIROS_TEAMS__APP_ID`` and ``KAIROS_TEAMS__APP_PASSWORD`` it answers 503.
2. **Small enough?** A body over 256 kB answers 413.
3. **Signed by the Bot Connector?** The bearer JWT is verified (``deliver/channels/teams_auth.py``), then bound
   to the activity (its ``serviceUrl``, the key's endorsements for its ``channelId``): any failure answers 401.
   When the signing keys cannot be read it answers 503 (the request may be genuine; the connector retries).
4. **Readable?** An activity without its type, service URL, channel or sender answers 400.
5. **Ours?** Another tenant than ``KAIROS_TEAMS__TENANT_ID``, or a channel other than ``msteams``, is refused.
6. **Acted on**, answering 200 with what happened: an install or a message teaches the sender's chat with the bot;
   an uninstall forgets it; a button on a card or a reply to one is an answer stored by ``deliver/inbound.py``
   (a replay is ``duplicate`` and changes nothing), and the person gets a one-line reply saying so.

Every refusal is recorded as a ``channel.rejected`` event (never the body).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kairos.api.deps import Services, services
from kairos.deliver.base import Rejected
from kairos.deliver.channels.teams import MAX_ACTIVITY_BYTES, TeamsInbound, answer_in, read_activity, tenant_of
from kairos.deliver.channels.teams_auth import CHANNEL, KeysUnavailable
from kairos.deliver.inbound import accept, record_rejection

router = APIRouter(tags=["teams"])
log = logging.getLogger(__name__)

STATUS = {"unsigned": 401, "forged": 401, "stale": 401, "malformed": 400, "oversized": 413, "not_configured": 503}
TEAMS_CHANNEL_ID = "msteams"
_building = threading.Lock()


def inbound_for(app: FastAPI, svc: Services) -> TeamsInbound:
    """One :class:`TeamsInbound` per app (its key and token caches outlive requests); built on first use."""
    with _building:
        found: TeamsInbound | None = getattr(app.state, "teams_inbound", None)
        if found is None:
            found = TeamsInbound(svc.settings.teams)
            app.state.teams_inbound = found
        return found


@router.post("/messages")
async def messages(request: Request, svc: Services = Depends(services)) -> JSONResponse:  # noqa: B008
    remote = request.client.host if request.client else ""
    teams = svc.settings.teams
    if not teams.app_id or teams.app_password is None or not teams.app_password.get_secret_value():
        detail = "the Teams bot is not configured: set KAIROS_TEAMS__APP_ID and KAIROS_TEAMS__APP_PASSWORD"
        return await run_in_threadpool(_refuse, svc, Rejected(CHANNEL, "not_configured", detail), remote, 0)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ACTIVITY_BYTES:
        oversized = Rejected(CHANNEL, "oversized", f"body larger than {MAX_ACTIVITY_BYTES} bytes")
        return await run_in_threadpool(_refuse, svc, oversized, remote, int(declared))
    body = await _read(request)
    if body is None:  # no declared length (chunked), and more than the limit: stopped reading there
        oversized = Rejected(CHANNEL, "oversized", f"body larger than {MAX_ACTIVITY_BYTES} bytes")
        return await run_in_threadpool(_refuse, svc, oversized, remote, MAX_ACTIVITY_BYTES + 1)
    inbound = inbound_for(request.app, svc)
    return await run_in_threadpool(_handle, svc, inbound, body, request.headers.get("authorization"), remote)


async def _read(request: Request) -> bytes | None:
    """The body, or None once it grows past the limit (never held whole in memory)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_ACTIVITY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(svc: Services, refused: Rejected, remote: str, size: int) -> JSONResponse:
    record_rejection(svc.db, refused, svc.clock.now(), remote=remote, size=size)
    return _rejected(refused)


def _rejected(refused: Rejected) -> JSONResponse:
    status = STATUS.get(refused.reason, 200)
    return JSONResponse({"status": "rejected", "reason": refused.reason, "detail": refused.detail}, status)


def _handle(svc: Services, inbound: TeamsInbound, body: bytes, authorization: str | None, remote: str) -> JSONResponse:
    now = svc.clock.now()
    try:
        verified = inbound.tokens.verify(authorization, now)
        activity = read_activity(body)
        verified.admits(activity)
        _ours(activity, svc.settings.teams.tenant_id)
    except KeysUnavailable as exc:
        log.warning("teams activity not verified: %s", exc)
        return JSONResponse({"status": "unavailable", "detail": f"signing keys unavailable: {exc}"}, 503)
    except Rejected as refused:
        return _refuse(svc, refused, remote, len(body))
    try:
        return JSONResponse(_act(svc, inbound, activity, remote, len(body)))
    except Rejected as refused:  # an activity with the right envelope and a wrong inside
        return _refuse(svc, refused, remote, len(body))


def _ours(activity: dict[str, Any], tenant_id: str | None) -> None:
    if activity["channelId"] != TEAMS_CHANNEL_ID:
        raise Rejected(CHANNEL, "unsupported", "only activities from Microsoft Teams (channelId msteams) count")
    if tenant_id and tenant_of(activity) != tenant_id:
        raise Rejected(CHANNEL, "unknown_sender", "the activity comes from another Microsoft Entra tenant")


def _act(svc: Services, inbound: TeamsInbound, activity: dict[str, Any], remote: str, size: int) -> dict[str, Any]:
    """What one authentic activity changes, as the JSON answer."""
    now = svc.clock.now()
    kind, action = activity["type"], activity.get("action")
    if kind == "installationUpdate" and isinstance(action, str) and action.startswith("remove"):
        return {"status": "forgotten" if inbound.forget(svc.db, activity) else "ignored"}
    if kind not in ("installationUpdate", "conversationUpdate", "message"):
        return {"status": "ignored", "type": str(kind)[:40]}
    person = inbound.remember(svc.db, activity, now)
    try:
        answer = answer_in(activity)
    except Rejected as refused:  # the card's data or the reflection is unusable: tell the person, not Teams
        record_rejection(svc.db, refused, now, remote=remote, size=size)
        inbound.acknowledge(activity, refused.reason)
        return {"status": "rejected", "reason": refused.reason, "detail": refused.detail}
    if answer is None:
        if person is None:
            stranger = Rejected(CHANNEL, "unknown_sender", "a Teams user Kairos cannot match to a person wrote")
            record_rejection(svc.db, stranger, now, remote=remote, size=size)
            return {"status": "unknown_sender"}
        return {"status": "learned" if kind != "message" else "ignored", "person": person}
    try:
        accepted = accept(svc.db, answer, now, working_days=tuple(svc.settings.working_days), remote=remote, size=size)
    except Rejected as refused:  # already recorded by accept()
        if refused.reason == "replayed":
            return {"status": "duplicate"}
        inbound.acknowledge(activity, refused.reason)
        return {"status": "rejected", "reason": refused.reason, "detail": refused.detail}
    inbound.acknowledge(activity, accepted.kind)
    return {"status": "accepted", "response": accepted.response_id, "moment": accepted.moment_id,
            "kind": accepted.kind}  # fmt: skip
