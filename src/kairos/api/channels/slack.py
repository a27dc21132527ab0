"""Slack calls Kairos here: ``POST /channels/slack/interactions`` (buttons, the reflection modal) and
``POST /channels/slack/events`` (the Events API: replies in a nudge's thread).

Each request goes through, in order:

1. **Configured?** Without ``KAIROS_SLACK__SIGNING_SECRET`` nothing can be verified: 503.
2. **Small enough?** A body over 256 KiB is refused unread: 413.
3. **Signed by Slack, recently?** ``deliver.channels.slack.verify`` on the raw bytes: 401 when unsigned, forged
   or stale. Nothing is parsed before this.
4. **Understood?** A signed body Kairos cannot read: 400.
5. **Answered.** ``deliver.inbound.accept`` stores the answer (or refuses it: a replay, someone else's nudge).

Every refusal is recorded as a ``channel.rejected`` event, never with the body. Slack shows the person an error
for anything but a 200, so refusals after step 4 still answer 200: a replay (Slack's own retries included) changes
nothing, and a person whose answer cannot count is told so in a message only they see.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from slack_sdk.errors import SlackClientError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kairos.api.deps import Services, services
from kairos.deliver.base import Answer, Rejected
from kairos.deliver.channels import slack
from kairos.deliver.inbound import accept, record_rejection

router = APIRouter(tags=["slack"])
log = logging.getLogger(__name__)

# What a person is told when their answer cannot count (only they see it).
EXPLAINED = {
    "unknown_sender": "Kairos does not know your Slack account yet, so this answer was not recorded. You can answer "
    "from your Kairos inbox.",
    "not_recipient": "This note was written for someone else, so your answer was not recorded.",
    "not_delivered": "Kairos has no record of sending you this note, so your answer was not recorded.",
    "unknown_message": "Kairos cannot find this note any more, so your answer was not recorded.",
    "malformed": "Kairos could not record that answer.",
}


@router.post("/interactions")
async def interactions(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    """Button clicks (``block_actions``) and submitted reflections (``view_submission``)."""
    verified = await _verified(request, svc)
    if isinstance(verified, Response):
        return verified
    body, remote = verified
    return await run_in_threadpool(_interaction, svc, body, remote)


@router.post("/events")
async def events(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    """The Events API: the URL check, and replies in a nudge's thread as reflections."""
    verified = await _verified(request, svc)
    if isinstance(verified, Response):
        return verified
    body, remote = verified
    return await run_in_threadpool(_event, svc, body, remote)


async def _verified(request: Request, svc: Services) -> tuple[bytes, str] | Response:
    """The raw body and the caller's address once steps 1–3 pass, else the refusal (already recorded)."""
    remote = request.client.host if request.client else ""
    secret = svc.settings.slack.signing_secret
    if secret is None or not secret.get_secret_value():
        refused = Rejected(slack.NAME, "not_configured", "KAIROS_SLACK__SIGNING_SECRET is not set")
        return await run_in_threadpool(_refuse, svc, refused, 503, remote, 0)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > slack.MAX_BODY_BYTES:
        return await run_in_threadpool(_refuse, svc, _oversized(), 413, remote, int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > slack.MAX_BODY_BYTES:
            return await run_in_threadpool(_refuse, svc, _oversized(), 413, remote, len(body))
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        slack.verify(secret.get_secret_value(), bytes(body), headers, svc.clock.now())
    except Rejected as refused:
        return await run_in_threadpool(_refuse, svc, refused, 401, remote, len(body))
    return bytes(body), remote


def _oversized() -> Rejected:
    return Rejected(slack.NAME, "oversized", f"body larger than {slack.MAX_BODY_BYTES} bytes")


def _refuse(svc: Services, refused: Rejected, status: int, remote: str, size: int) -> JSONResponse:
    record_rejection(svc.db, refused, svc.clock.now(), remote=remote, size=size)
    return JSONResponse({"status": "rejected", "reason": refused.reason, "detail": refused.detail}, status_code=status)


def _interaction(svc: Services, body: bytes, remote: str) -> Response:
    now = svc.clock.now()
    try:
        parsed = slack.parse_interaction(body, now)
    except Rejected as refused:
        return _refuse(svc, refused, 400, remote, len(body))
    channel = slack.from_settings(svc.settings)
    if isinstance(parsed, slack.Reflect):
        if channel is not None:
            _quietly(channel.open_reflection, parsed.trigger_id, parsed.moment_id)  # must happen within 3 seconds
        return Response(status_code=200)
    if isinstance(parsed, slack.Clicked):
        return _clicked(svc, channel, parsed, remote, len(body))
    if isinstance(parsed, Answer):
        return _reflected(svc, parsed, remote, len(body))
    return Response(status_code=200)


def _clicked(svc: Services, channel: slack.SlackChannel | None, clicked: slack.Clicked, remote: str,
             size: int) -> Response:  # fmt: skip
    """A button answer: stored, then the message shows it was noted (after the response, so Slack gets it fast)."""
    try:
        accept(svc.db, clicked.answer, svc.clock.now(), working_days=tuple(svc.settings.working_days), remote=remote,
               size=size)  # fmt: skip
    except Rejected as refused:
        said = EXPLAINED.get(refused.reason)
        if channel is None or said is None:
            return Response(status_code=200)
        task = BackgroundTask(_quietly, channel.tell, clicked.channel_id, clicked.answer.sender, said)
        return Response(status_code=200, background=task)
    if channel is None:
        return Response(status_code=200)
    return Response(status_code=200, background=BackgroundTask(_quietly, channel.mark_answered, clicked))


def _reflected(svc: Services, answer: Answer, remote: str, size: int) -> Response:
    """A submitted reflection: an empty 200 closes the modal; a refusal is shown in it (a replay closes it too)."""
    try:
        accept(svc.db, answer, svc.clock.now(), working_days=tuple(svc.settings.working_days), remote=remote,
               size=size)  # fmt: skip
    except Rejected as refused:
        if refused.reason == "replayed":
            return Response(status_code=200)
        said = EXPLAINED.get(refused.reason, "Kairos could not record that reflection.")
        if refused.reason == "malformed":
            said = "Write a few words (at most 3,000 characters), then save."
        return JSONResponse({"response_action": "errors", "errors": {slack.REFLECTION_BLOCK: said}})
    return Response(status_code=200)


def _event(svc: Services, body: bytes, remote: str) -> Response:
    now = svc.clock.now()
    try:
        parsed = slack.parse_event(body, now)
    except Rejected as refused:
        return _refuse(svc, refused, 400, remote, len(body))
    if isinstance(parsed, slack.Challenge):
        return JSONResponse({"challenge": parsed.challenge})
    if isinstance(parsed, Answer):
        # a refusal is recorded by accept; the 200 stops Slack retrying an event that will never count
        with contextlib.suppress(Rejected):
            accept(svc.db, parsed, now, working_days=tuple(svc.settings.working_days), remote=remote, size=len(body))
    return Response(status_code=200)


def _quietly(call: Callable[..., object], *args: Any) -> None:
    """A courtesy call to Slack (open the modal, mark a message answered): its failure is logged, the answer stands."""
    try:
        call(*args)
    except (SlackClientError, OSError) as exc:
        log.warning("Slack %s failed: %s", getattr(call, "__name__", "call"), exc)
