"""The web inbox (D6), one-tap answers and preferences: JSON under /api/v1, and the small pages links open.

Every request carries a signed link token (``deliver/tokens.py``) that names one person and what it allows —
``inbox`` (read and answer their nudges), ``respond`` (one answer to one nudge), ``preferences`` (change how they are
reached) — as ``Authorization: Bearer <token>`` or ``?token=``. Sign-in for people and roles arrives with the web app;
these links are what email and chat messages carry meanwhile.

A one-tap link (``GET /r/<token>``) only shows a confirmation form: mail scanners open links, and an answer must
come from the person pressing the button (``POST /r/<token>``).
"""

from __future__ import annotations

import html
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from kairos.api.deps import Services, services
from kairos.deliver.base import Answer, Rejected
from kairos.deliver.inbound import accept
from kairos.deliver.tokens import BadToken, Grant
from kairos.domain.commitment import CommitmentKind, Visibility
from kairos.domain.preferences import Preference
from kairos.domain.response import ResponseKind
from kairos.errors import InputError
from kairos.ingest.agreements import record_commitment
from kairos.ingest.preferences import Change, change_preferences
from kairos.ingest.responses import MAX_REFLECTION
from kairos.settings import Settings
from kairos.store import channels as channel_store
from kairos.store import inbox as inbox_store
from kairos.store import moments as moment_store

router = APIRouter(tags=["inbox"])
MAX_PAGE = 100


def _grant(svc: Services, scope: str, token: str | None, authorization: str | None) -> Grant:
    raw = token
    if authorization and authorization.lower().startswith("bearer "):
        raw = authorization[7:].strip()
    if not raw:
        raise Unauthorized("a link token is needed (Authorization: Bearer … or ?token=…)")
    try:
        return svc.signer.check(raw, scope, svc.clock.now())
    except BadToken as exc:
        raise Unauthorized(str(exc)) from None


class Unauthorized(Exception):
    """A missing, altered, expired or wrong-purpose link token: 401, saying which (never repeating the token)."""


def unauthorized_handler(request: Request, exc: Exception) -> JSONResponse | HTMLResponse:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "unauthorized", "detail": str(exc)}, status_code=401)
    return HTMLResponse(_page("Link not valid", f"<p>{html.escape(str(exc))}</p>"), status_code=401)


TokenQuery = Annotated[str | None, Query(description="a link token, if not sent as a bearer token")]
AuthHeader = Annotated[str | None, Header()]
Svc = Annotated[Services, Depends(services)]


# --- JSON ---------------------------------------------------------------------------------------------------------


@router.get("/api/v1/inbox")
def inbox_list(svc: Svc, token: TokenQuery = None, authorization: AuthHeader = None,
               limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
               before: Annotated[int | None, Query(description="moment id: only older nudges")] = None,
               ) -> dict[str, Any]:  # fmt: skip
    """The person's nudges, newest first; ``next`` pages on."""
    grant = _grant(svc, "inbox", token, authorization)
    with svc.db.transaction() as conn:
        items = inbox_store.page(conn, grant.person_id, limit=limit, before=before)
        unread = inbox_store.unread(conn, grant.person_id)
    more = len(items) == limit
    return {"person": grant.person_id, "unread": unread, "items": items,
            "next": items[-1]["moment_id"] if more and items else None}  # fmt: skip


@router.get("/api/v1/inbox/{moment_id}")
def inbox_item(moment_id: int, svc: Svc, token: TokenQuery = None, authorization: AuthHeader = None) -> Any:
    """One nudge; reading it marks it read."""
    grant = _grant(svc, "inbox", token, authorization)
    with svc.db.transaction() as conn:
        item = inbox_store.one(conn, grant.person_id, moment_id)
        if item is None:
            return JSONResponse({"error": "not_found", "detail": f"no nudge {moment_id} in this inbox"}, 404)
        inbox_store.mark_read(conn, grant.person_id, moment_id, svc.clock.now())
    return item


class AnswerBody(BaseModel):
    kind: ResponseKind
    text: str | None = Field(default=None, max_length=MAX_REFLECTION)
    rating: int | None = Field(default=None, ge=1, le=5)


@router.post("/api/v1/inbox/{moment_id}/responses", status_code=201)
def inbox_answer(moment_id: int, body: AnswerBody, svc: Svc, token: TokenQuery = None,
                 authorization: AuthHeader = None,
                 idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> Any:  # fmt: skip
    """Answer a nudge from the inbox. An ``Idempotency-Key`` header makes a retried request count once."""
    grant = _grant(svc, "inbox", token, authorization)
    answer = Answer(channel="inbox", external_id=idempotency_key or uuid.uuid4().hex, sender=grant.person_id,
                    kind=body.kind, moment_id=moment_id, text=body.text, rating=body.rating)  # fmt: skip
    return _answer(svc, answer)


def _answer(svc: Services, answer: Answer) -> Any:
    try:
        done = accept(svc.db, answer, svc.clock.now(), working_days=tuple(svc.settings.working_days))
    except Rejected as refused:
        status = {"replayed": 200, "unknown_message": 404, "not_recipient": 404, "not_delivered": 409}.get(
            refused.reason, 400
        )
        return JSONResponse({"error": refused.reason, "detail": refused.detail}, status_code=status)
    return {"response": done.response_id, "moment_id": done.moment_id, "kind": done.kind}


class CommitmentBody(BaseModel):
    kind: CommitmentKind
    text: str = Field(min_length=1, max_length=2000)
    due: date | None = None
    visibility: Visibility = Visibility.MANAGER


@router.post("/api/v1/inbox/{moment_id}/commitments", status_code=201)
def inbox_commitment(moment_id: int, body: CommitmentBody, svc: Svc, token: TokenQuery = None,
                     authorization: AuthHeader = None) -> Any:  # fmt: skip
    """Record what was agreed in the 1:1 a brief or tip was about (a next step, the manager's feedback or action);
    it comes back in the next brief and tip until it is followed up (``docs/agreements.md``)."""
    grant = _grant(svc, "inbox", token, authorization)
    with svc.db.transaction() as conn:
        item = inbox_store.one(conn, grant.person_id, moment_id)
        row = moment_store.find(conn, moment_id)
    if item is None or row is None:
        return JSONResponse({"error": "not_found", "detail": f"no nudge {moment_id} in this inbox"}, 404)
    meeting = row.context.get("meeting")
    if not meeting:
        return JSONResponse({"error": "invalid", "detail": "this nudge is not about a meeting"}, 400)
    try:
        done = record_commitment(svc.db, person_id=row.subject_id or row.recipient_id, kind=body.kind,
                                 text=body.text, by=grant.person_id, now=svc.clock.now(), meeting_key=meeting,
                                 due=body.due, visibility=body.visibility,
                                 origin="POST /api/v1/inbox/{moment}/commitments")  # fmt: skip
    except InputError as exc:
        return JSONResponse({"error": "invalid", "detail": str(exc)}, status_code=400)
    return {"commitment": done.id, "person": done.person_id, "kind": done.kind.value, "meeting": meeting}


class PreferencesBody(BaseModel):
    channel: str | None = Field(default=None, description="a channel name, or 'default'")
    opt_out: list[str] = Field(default_factory=list)
    opt_in: list[str] = Field(default_factory=list)
    pacing: str | None = Field(default=None, description="realtime or digest")
    digest_time: str | None = Field(default=None, description="HH:MM, or 'default'")
    quiet_hours: str | None = Field(default=None, description="HH:MM-HH:MM, or 'default'")


def _preferences_json(pref: Preference | None, person_id: str, svc: Services) -> dict[str, Any]:
    pref = pref or Preference(person_id=person_id)
    org = svc.settings
    return {
        "person": person_id,
        "channel": pref.channel,
        "opted_out": sorted(pref.opted_out),
        "pacing": pref.pacing.value,
        "digest_time": pref.digest_time.strftime("%H:%M") if pref.digest_time else None,
        "quiet_hours": f"{pref.quiet_start:%H:%M}-{pref.quiet_end:%H:%M}" if pref.own_quiet_hours else None,
        "organization": {
            "channels": org.delivery.channels,
            "digest_time": org.delivery.digest_time.strftime("%H:%M"),
            "quiet_hours": f"{org.quiet_hours.start:%H:%M}-{org.quiet_hours.end:%H:%M}",
        },
    }


@router.get("/api/v1/preferences")
def preferences_get(svc: Svc, token: TokenQuery = None, authorization: AuthHeader = None) -> dict[str, Any]:
    grant = _grant(svc, "preferences", token, authorization)
    with svc.db.transaction() as conn:
        pref = channel_store.preference(conn, grant.person_id)
    return _preferences_json(pref, grant.person_id, svc)


@router.put("/api/v1/preferences")
def preferences_put(body: PreferencesBody, svc: Svc, token: TokenQuery = None,
                    authorization: AuthHeader = None) -> Any:  # fmt: skip
    grant = _grant(svc, "preferences", token, authorization)
    change = Change(channel=body.channel, opt_out=tuple(body.opt_out), opt_in=tuple(body.opt_in), pacing=body.pacing,
                    digest_time=body.digest_time, quiet_hours=body.quiet_hours)  # fmt: skip
    try:
        pref = change_preferences(svc.db, grant.person_id, change, by=grant.person_id,
                                  enabled=_enabled(svc.settings), now=svc.clock.now())  # fmt: skip
    except InputError as exc:
        return JSONResponse({"error": "invalid", "detail": str(exc)}, status_code=400)
    return _preferences_json(pref, grant.person_id, svc)


def _enabled(settings: Settings) -> list[str]:
    from kairos.deliver.registry import build_channels

    return [name for name, channel in build_channels(settings).items() if not channel.companion]


# --- pages --------------------------------------------------------------------------------------------------------

_LABELS = {
    "applied": "I applied it",
    "not_relevant": "Not relevant",
    "snooze": "Remind me later",
    "reflection": "Write a reflection",
    "rating": "Rate it",
}


@router.get("/r/{token}", response_class=HTMLResponse)
def one_tap_form(token: str, svc: Svc) -> HTMLResponse:
    """The confirmation a one-tap link opens; nothing is recorded until the button is pressed."""
    grant = _grant(svc, "respond", token, None)
    label = _LABELS.get(grant.kind or "", grant.kind or "")
    with svc.db.transaction() as conn:
        item = inbox_store.one(conn, grant.person_id, grant.moment_id or 0)
    subject = html.escape(item["subject"]) if item else "this note"
    field = ""
    if grant.kind == ResponseKind.RATING.value:
        choices = "".join(f'<option value="{n}">{n} of 5</option>' for n in range(1, 6))
        field = (
            '<p><label for="rating">How useful was it?</label><br>'
            f'<select id="rating" name="rating">{choices}</select></p>'
        )
    if grant.kind == ResponseKind.REFLECTION.value:
        field = (
            '<p><label for="text">Your reflection</label><br>'
            f'<textarea id="text" name="text" rows="6" cols="60" maxlength="{MAX_REFLECTION}" required></textarea></p>'
        )
    body = (
        f"<p>Your answer to <strong>{subject}</strong>:</p>"
        f'<form method="post">{field}<p><button type="submit">{html.escape(label)}</button></p></form>'
    )
    return HTMLResponse(_page("Your answer", body))


@router.post("/r/{token}", response_class=HTMLResponse)
def one_tap_record(token: str, svc: Svc, text: Annotated[str | None, Form(max_length=MAX_REFLECTION)] = None,
                   rating: Annotated[int | None, Form(ge=1, le=5)] = None) -> HTMLResponse:  # fmt: skip
    grant = _grant(svc, "respond", token, None)
    kind = ResponseKind(grant.kind or "")
    answer = Answer(channel="inbox", external_id=f"link-{uuid.uuid4().hex}", sender=grant.person_id, kind=kind,
                    moment_id=grant.moment_id, text=text, rating=rating)  # fmt: skip
    try:
        accept(svc.db, answer, svc.clock.now(), working_days=tuple(svc.settings.working_days))
    except Rejected as refused:
        return HTMLResponse(_page("Not recorded", f"<p>{html.escape(refused.detail or refused.reason)}</p>"), 400)
    said = {"snooze": "We will bring it back on your next working morning."}.get(kind.value, "")
    return HTMLResponse(_page("Thank you", f"<p>Noted: {html.escape(_LABELS.get(kind.value, kind.value))}. "
                                           f"{said}</p>"))  # fmt: skip


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(svc: Svc, token: TokenQuery = None) -> HTMLResponse:
    """A plain list of the person's nudges (the full web app replaces this page)."""
    grant = _grant(svc, "inbox", token, None)
    with svc.db.transaction() as conn:
        items = inbox_store.page(conn, grant.person_id, limit=MAX_PAGE)
    if not items:
        return HTMLResponse(_page("Your Kairos inbox", "<p>Nothing yet.</p>"))
    blocks = []
    for item in items:
        answered = ", ".join(r["kind"].replace("_", " ") for r in item["responses"]) or "not answered yet"
        blocks.append(
            f"<article><h2>{html.escape(item['subject'])}</h2>"
            f'<pre style="white-space: pre-wrap; font-family: inherit">{html.escape(item["text"])}</pre>'
            f"<p><small>{html.escape(item['created_at'][:16].replace('T', ' '))} UTC · {html.escape(answered)}"
            "</small></p></article>"
        )
    return HTMLResponse(_page("Your Kairos inbox", "<hr>".join(blocks)))


@router.get("/preferences", response_class=HTMLResponse)
def preferences_page(svc: Svc, token: TokenQuery = None) -> HTMLResponse:
    grant = _grant(svc, "preferences", token, None)
    with svc.db.transaction() as conn:
        pref = channel_store.preference(conn, grant.person_id) or Preference(person_id=grant.person_id)
    enabled = _enabled(svc.settings)
    options = ['<option value="default">The organization\'s choice</option>'] + [
        f'<option value="{c}"{" selected" if pref.channel == c else ""}>{html.escape(c)}</option>'
        for c in [*enabled, "inbox"]
    ]
    outs = "".join(
        f'<p><input type="checkbox" id="out-{c}" name="opt_out" value="{c}"{" checked" if c in pref.opted_out else ""}>'
        f' <label for="out-{c}">Never on {html.escape(c)}</label></p>'
        for c in enabled
    )
    quiet = f"{pref.quiet_start:%H:%M}-{pref.quiet_end:%H:%M}" if pref.own_quiet_hours else ""
    digest = pref.digest_time.strftime("%H:%M") if pref.digest_time else ""
    realtime = " checked" if pref.pacing.value == "realtime" else ""
    daily = " checked" if pref.pacing.value == "digest" else ""
    body = (
        f'<form method="post" action="/preferences?token={html.escape(token or "")}">'
        f'<p><label for="channel">Where Kairos reaches you</label><br><select id="channel" name="channel">'
        f"{''.join(options)}</select></p>{outs}"
        f'<fieldset><legend>When</legend><p><input type="radio" id="rt" name="pacing" value="realtime"{realtime}> '
        f'<label for="rt">When each note is due</label></p><p><input type="radio" id="dg" name="pacing" '
        f'value="digest"{daily}> <label for="dg">One daily digest at</label> <input id="dt" name="digest_time" '
        f'value="{digest}" placeholder="{svc.settings.delivery.digest_time:%H:%M}" size="5" aria-label="digest time">'
        f"</p></fieldset>"
        f'<p><label for="quiet">Your quiet hours (HH:MM-HH:MM)</label><br><input id="quiet" name="quiet_hours" '
        f'value="{quiet}" placeholder="{svc.settings.quiet_hours.start:%H:%M}-{svc.settings.quiet_hours.end:%H:%M}">'
        f'</p><p><button type="submit">Save</button></p></form>'
    )
    return HTMLResponse(_page("How Kairos reaches you", body))


@router.post("/preferences", response_class=HTMLResponse)
def preferences_save(
    svc: Svc, token: TokenQuery = None, channel: Annotated[str, Form()] = "default",
    opt_out: Annotated[list[str] | None, Form()] = None, pacing: Annotated[str, Form()] = "realtime",
    digest_time: Annotated[str, Form()] = "", quiet_hours: Annotated[str, Form()] = "",
) -> HTMLResponse:  # fmt: skip
    grant = _grant(svc, "preferences", token, None)
    enabled = _enabled(svc.settings)
    chosen_out = set(opt_out or [])
    change = Change(channel=channel, opt_out=tuple(chosen_out), opt_in=tuple(c for c in enabled if c not in chosen_out),
                    pacing=pacing, digest_time=digest_time.strip() or "default",
                    quiet_hours=quiet_hours.strip() or "default")  # fmt: skip
    try:
        change_preferences(svc.db, grant.person_id, change, by=grant.person_id, enabled=enabled, now=svc.clock.now())
    except InputError as exc:
        return HTMLResponse(_page("Not saved", f"<p>{html.escape(str(exc))}</p>"), status_code=400)
    return HTMLResponse(_page("Saved", "<p>Your preferences are saved; the next note follows them.</p>"))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{html.escape(title)} · Kairos</title></head>'
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; margin: 2em auto; padding: 0 1em">'
        f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
