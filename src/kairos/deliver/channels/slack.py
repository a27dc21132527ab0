"""Slack: each nudge as a direct message from the Kairos app, with answer buttons; answers come back from Slack.

Outbound. The person's Slack user is their stored address, or found by their email (``users.lookupByEmail``) and
returned as ``Receipt.learned``; the direct-message channel (``conversations.open``) is kept in the address
detail. The message is Block Kit: the subject, the body, a context line with the "why" and the delivery note,
and four buttons whose value is the moment id. Everything taken from a nudge is mrkdwn-escaped and marked
``verbatim``, so no text becomes a mention or a link; only Kairos's own inbox and preference links are linked.
The provider id is ``{channel}:{ts}``, which is what a thread reply names.

Inbound. Slack signs every request (``v0`` HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the app's signing
secret). :func:`verify` checks that on the raw body before anything is parsed; :func:`parse_interaction` and
:func:`parse_event` then turn a button click, a submitted reflection and a reply in a nudge's thread into
:class:`Answer` objects. The HTTP side is ``kairos.api.channels.slack``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qs

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from kairos.deliver.base import Address, Answer, Channel, Check, Receipt, ReceiptStatus, Rejected
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.response import ResponseKind
from kairos.settings import Settings, SlackSettings

NAME = "slack"
ANSWERS = {
    "kairos.applied": ResponseKind.APPLIED,
    "kairos.not_relevant": ResponseKind.NOT_RELEVANT,
    "kairos.snooze": ResponseKind.SNOOZE,
}
REFLECT = "kairos.reflect"  # opens the reflection modal; nothing is recorded until it is submitted
RATING = "kairos.rating"  # a select of 1–5; each option's value is "<moment>:<rating>"
BUTTONS = (("kairos.applied", "I applied it"), ("kairos.not_relevant", "Not relevant"), ("kairos.snooze", "Not now"),
           (REFLECT, "Reflect…"))  # fmt: skip
NOTED = {
    ResponseKind.APPLIED: "Noted: you applied it.",
    ResponseKind.NOT_RELEVANT: "Noted: not relevant. Kairos takes that into account.",
    ResponseKind.SNOOZE: "Noted: not now. Kairos plans it again for another day.",
    ResponseKind.RATING: "Noted: thank you for rating it.",
}
REFLECTION_VIEW = "kairos.reflection"  # the modal's callback_id
REFLECTION_BLOCK, REFLECTION_INPUT = "kairos.reflection.block", "kairos.reflection.text"

MAX_BODY_BYTES = 256 * 1024  # a click carries its whole message back: a full 50-block digest is ~70 KiB
TOLERANCE_SECONDS = 300  # Slack's own advice: a request signed more than five minutes ago may be a replay
# Block Kit's limits (Slack refuses a message that exceeds one)
MAX_BLOCKS, TEXT_CHARS, HEADER_CHARS, INPUT_CHARS = 50, 3000, 150, 3000
MAX_BODY_SECTIONS = 8  # a nudge is short; anything longer is cut, with the rest in the inbox
DIGEST_BODY_CHARS = 700

# How Slack's error codes are treated (https://docs.slack.dev/reference/methods/chat.postMessage#errors and the
# other methods' lists). Anything not named here will not work by trying again: permanent.
RETRY_ERRORS = frozenset({"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
                          "request_timeout", "team_added_to_org"})  # fmt: skip
UNREACHABLE_ERRORS = frozenset({"users_not_found", "user_not_found", "user_not_visible", "user_disabled",
                                "cannot_dm_bot", "channel_not_found", "is_archived",
                                "messages_tab_disabled"})  # fmt: skip
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                          "missing_scope", "not_allowed_token_type", "no_permission", "team_access_not_granted",
                          "ekm_access_denied", "org_login_required"})  # fmt: skip


class SlackChannel(Channel):
    name = NAME
    resend_is_safe = False  # chat.postMessage has no idempotency key: a message accepted once would be posted again
    answers = "Answer with the buttons, or reply in this message's thread."

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        token = settings.bot_token.get_secret_value() if settings.bot_token else ""
        base = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
        # No retry handlers: the worker owns retries, and a silent retry after a lost reply could post twice.
        self.client = WebClient(token=token, base_url=base, timeout=math.ceil(settings.timeout_seconds),
                                retry_handlers=[])  # fmt: skip

    def reaches(self, person: Person, address: Address | None) -> bool:
        return address is not None or (self.settings.lookup_by_email and bool(person.email))

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        learned: Address | None = None
        in_flight = False
        try:
            if address is None:
                found = self._look_up(nudge.recipient_email)
                if isinstance(found, Receipt):
                    return found
                address = learned = found
            if not address.detail.get("dm"):
                address = learned = self._opened(address)
            blocks, text = message(nudge)
            metadata = {"event_type": "kairos_nudge",
                        "event_payload": {"delivery": idempotency_key, "moment": nudge.moment_id or 0}}  # fmt: skip
            mark_in_flight()  # from here Slack may post the message at any instant
            in_flight = True
            try:
                posted = self._post(address, blocks, text, metadata)
            except SlackApiError as exc:
                if _error(exc) != "channel_not_found" or learned is not None:
                    raise
                # the kept direct-message channel is gone: Slack refused the post, so opening it again cannot
                # duplicate anything
                address = learned = self._opened(Address(NAME, address.value, _without_dm(address.detail)))
                posted = self._post(address, blocks, text, metadata)
        except SlackApiError as exc:
            return _failed(exc, learned, address)
        except (SlackClientError, OSError, TimeoutError) as exc:  # URLError is an OSError; so is a refused connection
            if in_flight and not _never_connected(exc):  # the post may have reached Slack before the failure
                said = f"the connection failed while posting: {type(exc).__name__}: {exc}"
                return Receipt(ReceiptStatus.UNCERTAIN, detail=said, learned=learned)
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"Slack unreachable: {type(exc).__name__}: {exc}",
                           learned=learned)  # fmt: skip
        provider_id = f"{posted['channel']}:{posted['ts']}"
        return Receipt(
            ReceiptStatus.DELIVERED, provider_id=provider_id, detail=f"posted {provider_id}", learned=learned
        )

    def check(self) -> Check:
        """``auth.test``: the token is valid, and for which workspace and bot user."""
        try:
            found = self.client.auth_test()
        except SlackApiError as exc:
            return Check(False, f"Slack refused the bot token: {_error(exc) or exc.response.status_code}")
        except (SlackClientError, OSError, TimeoutError) as exc:
            return Check(False, f"Slack unreachable: {type(exc).__name__}: {exc}")
        return Check(True, f"signed in to {found.get('team') or found.get('team_id')} as {found.get('user')}")

    def _look_up(self, email: str) -> Address | Receipt:
        if not (self.settings.lookup_by_email and email):
            return Receipt(ReceiptStatus.UNREACHABLE, detail="no Slack user on record and lookup by email is off")
        user = self.client.users_lookupByEmail(email=email)["user"]
        return Address(NAME, str(user["id"]))

    def _opened(self, address: Address) -> Address:
        """The address with the bot's direct-message channel to this user, opened (or found) now."""
        channel = self.client.conversations_open(users=address.value)["channel"]["id"]
        return Address(NAME, address.value, {**address.detail, "dm": str(channel)})

    def _post(self, address: Address, blocks: list[dict[str, Any]], text: str, metadata: dict[str, Any]) -> Any:
        return self.client.chat_postMessage(channel=address.detail["dm"], text=text, blocks=blocks, metadata=metadata,
                                            unfurl_links=False, unfurl_media=False)  # fmt: skip

    # --- what the API router asks of Slack after an answer ------------------------------------------------------

    def open_reflection(self, trigger_id: str, moment_id: int) -> None:
        self.client.views_open(trigger_id=trigger_id, view=reflection_view(moment_id))

    def mark_answered(self, clicked: Clicked) -> None:
        """Replace the answered buttons with what was noted, so a second click cannot count twice by mistake."""
        blocks = answered_blocks(clicked.blocks, clicked.block_id, clicked.answer)
        if blocks:
            self.client.chat_update(channel=clicked.channel_id, ts=clicked.message_ts, blocks=blocks,
                                    text=NOTED.get(clicked.answer.kind, "Noted."))  # fmt: skip

    def tell(self, channel_id: str, user: str, text: str) -> None:
        """A message only ``user`` sees, in the conversation they answered in."""
        self.client.chat_postEphemeral(channel=channel_id, user=user, text=escape(text))


def _error(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return str(data.get("error") or "")


def _failed(exc: SlackApiError, learned: Address | None, address: Address | None) -> Receipt:
    """A Slack refusal as a receipt: busy or broken on Slack's side is retried; a person Slack cannot reach is
    unreachable; a bad token or missing scope is permanent, with what the operator must fix.

    ``learned`` (a user found, a conversation opened on the way) is kept; after ``channel_not_found`` the kept
    direct-message channel is dropped, so the next attempt opens it again."""
    error, status = _error(exc), exc.response.status_code
    if status == 429 or error in RETRY_ERRORS or status >= 500:
        wait = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        after = f"; Slack asks to wait {wait} s" if wait else ""
        return Receipt(ReceiptStatus.RETRYABLE, detail=f"Slack busy: HTTP {status} {error}".strip() + after,
                       learned=learned)  # fmt: skip
    if error == "channel_not_found":
        return Receipt(ReceiptStatus.UNREACHABLE, detail="Slack cannot open a conversation with this person "
                       "(channel_not_found)", learned=_forget_dm(learned or address))  # fmt: skip
    if error in UNREACHABLE_ERRORS:
        return Receipt(ReceiptStatus.UNREACHABLE, detail=f"Slack cannot reach this person: {error}", learned=learned)
    if error in TOKEN_ERRORS:
        needed = exc.response.data.get("needed") if isinstance(exc.response.data, dict) else None
        scope = f" (the app needs the scope {needed})" if needed else ""
        return Receipt(ReceiptStatus.PERMANENT, detail=f"Slack refused the bot token: {error}{scope}; fix "
                       f"KAIROS_SLACK__BOT_TOKEN or the app's scopes, then retry the failed deliveries",
                       learned=learned)  # fmt: skip
    return Receipt(ReceiptStatus.PERMANENT, detail=f"Slack refused the message: {error or f'HTTP {status}'}",
                   learned=learned)  # fmt: skip


def _without_dm(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if k != "dm"}


def _forget_dm(address: Address | None) -> Address | None:
    """After a refusal the kept direct-message channel is not trusted: the next attempt opens it again."""
    return Address(NAME, address.value, _without_dm(address.detail)) if address else None


def from_settings(settings: Settings) -> SlackChannel | None:
    """Slack is on once the app's bot token is set (``KAIROS_SLACK__BOT_TOKEN``)."""
    if settings.slack.bot_token is None or not settings.slack.bot_token.get_secret_value():
        return None
    return SlackChannel(settings.slack)


# --- the message --------------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's three control characters as entities: person-supplied text never becomes a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack leaves bare URLs, #channels and @names in the text as they are
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str, limit: int) -> dict[str, Any]:
    # plain_text is shown as it is: no mentions, links or formatting are parsed in it
    return {"type": "plain_text", "text": _clip(" ".join(text.split()) or "Kairos", limit), "emoji": True}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _split_footer(text: str) -> tuple[str, str]:
    """The body and the "why you are seeing this" footer the composer puts after ``--``."""
    body, sep, footer = text.rpartition("\n\n--\n")
    return (body, footer.strip()) if sep else (text, "")


def _why_line(nudge: Nudge) -> str:
    footer = _split_footer(nudge.text)[1]
    if footer:
        return footer
    play = nudge.why.get("play") if isinstance(nudge.why, dict) else None
    return f"Why you are seeing this: the play “{play['title']}”." if isinstance(play, dict) and "title" in play else ""


def _chunks(text: str, limit: int, count: int) -> list[str]:
    """``text`` escaped, in at most ``count`` pieces of at most ``limit`` characters, cut between paragraphs."""
    pieces: list[str] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        escaped = _lines(escape(paragraph))
        while escaped:
            cut = _cut(escaped, limit)
            if pieces and len(pieces[-1]) + 2 + len(cut) <= limit:
                pieces[-1] += "\n\n" + cut
            else:
                pieces.append(cut)
            escaped = escaped[len(cut) :].lstrip()
    if len(pieces) > count:
        pieces = pieces[: count - 1] + [_cut(pieces[count - 1], limit - 40) + "… (the rest is in your inbox)"]
    return pieces or ["…"]


def _lines(escaped: str) -> str:
    """The composer's quotes (``> ``) and bullets (``- ``) in Slack's own form: formatting only, never a link."""
    out = [("> " + line[5:] if line.startswith("&gt; ") else "• " + line[2:] if line.startswith("- ") else line)
           for line in escaped.split("\n")]  # fmt: skip
    return "\n".join(out)


def _cut(escaped: str, limit: int) -> str:
    """The first piece of ``escaped`` up to ``limit`` characters: at a space if one is near, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    space = escaped.rfind(" ", 0, limit + 1)
    piece = escaped[: space if space > limit // 2 else limit]
    amp = piece.rfind("&")
    return piece[:amp] if amp > piece.rfind(";") else piece  # every & was escaped, so this is a cut entity


def _fitted(text: str, limit: int, render: Callable[[str], str]) -> str:
    """``render(text)``, with ``text`` cut before rendering (so no entity or link is split) until it fits."""
    out = render(text)
    while len(out) > limit:
        text = _clip(text, max(1, min(len(text) - 1, len(text) * limit // len(out))))
        out = render(text)
    return out


def _linked(text: str, links: Mapping[str, str]) -> str:
    """``text`` escaped, with Kairos's own links (and only those) made clickable."""
    out = escape(text)
    for url, label in links.items():
        if url.startswith(("https://", "http://")):
            out = out.replace(escape(url), f"<{escape(url).replace('|', '%7C')}|{label}>")
    return out


def _context(nudge: Nudge, *lines: str) -> dict[str, Any] | None:
    trusted = {u: label for u, label in ((nudge.links.preferences, "change how Kairos reaches you"),
                                         (nudge.links.inbox, "your Kairos inbox")) if u}  # fmt: skip
    elements = [_mrkdwn(_fitted(line, TEXT_CHARS, lambda t: _linked(t, trusted))) for line in lines if line.strip()]
    return {"type": "context", "elements": elements[:10]} if elements else None


def _actions(moment_id: int) -> dict[str, Any]:
    buttons = [{"type": "button", "action_id": action, "text": _plain(label, 75), "value": str(moment_id),
                **({"style": "primary"} if action == "kairos.applied" else {})}
               for action, label in BUTTONS]  # fmt: skip
    rating = {
        "type": "static_select",
        "action_id": RATING,
        "placeholder": _plain("Rate it 1–5", 75),
        "options": [{"text": _plain(f"{n} of 5", 75), "value": f"{moment_id}:{n}"} for n in range(1, 6)],
    }
    return {"type": "actions", "block_id": f"kairos.answer.{moment_id}", "elements": [*buttons, rating]}


def message(nudge: Nudge) -> tuple[list[dict[str, Any]], str]:
    """The Block Kit blocks of a nudge (or a digest) and the plain ``text`` Slack shows in notifications."""
    if nudge.digest:
        return _digest(nudge), escape(_clip(f"{nudge.subject}: " + "; ".join(m.subject for m in nudge.digest), 3000))
    body = _split_footer(nudge.text)[0]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(nudge.subject, HEADER_CHARS)}]
    blocks += [{"type": "section", "text": _mrkdwn(c)} for c in _chunks(body, TEXT_CHARS, MAX_BODY_SECTIONS)]
    context = _context(nudge, _why_line(nudge), nudge.delivery_note)
    blocks += [context] if context else []
    blocks += [_actions(nudge.moment_id)] if nudge.moment_id is not None else []
    return blocks, escape(_clip(f"{nudge.subject}\n\n{body}", 3000))


def _digest(nudge: Nudge) -> list[dict[str, Any]]:
    """One section, its why and its own buttons per gathered nudge; as many as Slack allows in one message."""
    members = list(nudge.digest)
    room = MAX_BLOCKS - 2  # the header and the closing context
    shown = members if 3 * len(members) <= room else members[: (room - 1) // 3]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(nudge.subject, HEADER_CHARS)}]
    for member in shown:
        head = f"*{escape(_clip(' '.join(member.subject.split()), 300))}*\n"
        body = _fitted(_clip(_split_footer(member.text)[0].strip(), DIGEST_BODY_CHARS), TEXT_CHARS - len(head),
                       lambda t: _lines(escape(t)))  # fmt: skip
        blocks.append({"type": "section", "text": _mrkdwn(head + body)})
        blocks += [c for c in [_context(member, _why_line(member))] if c]
        blocks += [_actions(member.moment_id)] if member.moment_id is not None else []
    if len(shown) < len(members):
        rest = f"{len(members) - len(shown)} more are in your Kairos inbox."
        link = f" <{escape(nudge.links.inbox)}|Open it>" if nudge.links.inbox else ""
        blocks.append({"type": "section", "text": _mrkdwn(escape(rest) + link)})
    closing = _context(nudge, nudge.delivery_note)
    return blocks + ([closing] if closing else [])


def answered_blocks(blocks: list[dict[str, Any]], block_id: str, answer: Answer) -> list[dict[str, Any]]:
    """The message's blocks with the answered buttons replaced by what was noted (the reflect button stays)."""
    out: list[dict[str, Any]] = []
    found = False
    for block in blocks:
        if block.get("type") == "actions" and block.get("block_id") == block_id and answer.moment_id is not None:
            found = True
            out.append({"type": "context", "block_id": f"kairos.noted.{answer.moment_id}",
                        "elements": [_mrkdwn(escape(NOTED.get(answer.kind, "Noted.")))]})  # fmt: skip
            reflect = [e for e in block.get("elements", []) if e.get("action_id") == REFLECT]
            if reflect:
                out.append({"type": "actions", "block_id": f"kairos.reflect.{answer.moment_id}", "elements": reflect})
        else:
            out.append(block)
    return out if found else []


def reflection_view(moment_id: int) -> dict[str, Any]:
    """The modal the Reflect button opens; ``private_metadata`` carries the moment it answers."""
    return {
        "type": "modal", "callback_id": REFLECTION_VIEW, "private_metadata": str(moment_id),
        "title": _plain("Reflect", 24), "submit": _plain("Save", 24), "close": _plain("Cancel", 24),
        "blocks": [{"type": "input", "block_id": REFLECTION_BLOCK, "label": _plain("What happened when you tried it?",
                    2000), "element": {"type": "plain_text_input", "action_id": REFLECTION_INPUT, "multiline": True,
                                       "max_length": INPUT_CHARS}}],
    }  # fmt: skip


# --- what Slack sends -------------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's ``v0`` signature of a request (the same as ``slack_sdk.signature.SignatureVerifier`` computes, but on
    bytes: a body that is not UTF-8 is refused as forged instead of raising)."""
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, headers: Mapping[str, str], now: datetime) -> None:
    """Raise :class:`Rejected` unless Slack signed exactly ``body`` with ``secret`` within five minutes of ``now``.

    ``headers`` are lower-cased. Checked on the raw bytes, before anything reads them.
    """
    given, timestamp = headers.get("x-slack-signature", ""), headers.get("x-slack-request-timestamp", "")
    if not given or not timestamp:
        raise Rejected(NAME, "unsigned", "no X-Slack-Signature or X-Slack-Request-Timestamp header")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Rejected(NAME, "forged", "X-Slack-Request-Timestamp is not Unix seconds")
    expected = signature(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, given.strip().encode("utf-8", "replace")):
        raise Rejected(NAME, "forged", "X-Slack-Signature does not match the body and the signing secret")
    if abs(now.timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
        raise Rejected(NAME, "stale", "signed more than five minutes from the server clock")


@dataclass(frozen=True, slots=True)
class Clicked:
    """A button answer, with where its message is (to show it was noted)."""

    answer: Answer
    channel_id: str
    message_ts: str
    block_id: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Reflect:
    """The Reflect button: open the modal on ``trigger_id`` (valid for three seconds); nothing is recorded yet."""

    trigger_id: str
    moment_id: int
    user: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """A genuine Slack request that is not an answer (another event, another app's button)."""

    what: str


@dataclass(frozen=True, slots=True)
class Challenge:
    """The Events API's ``url_verification``: answer with the challenge."""

    challenge: str


def _malformed(what: str) -> Rejected:
    return Rejected(NAME, "malformed", what)


def _text(data: Mapping[str, Any], key: str, where: str, limit: int = 300) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _malformed(f"{where}.{key} is not a short string")
    return value


def _dict(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise _malformed(f"{where} is not an object")
    return data


def _moment(value: Any, where: str) -> int:
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18):
        raise _malformed(f"{where} is not a moment id")
    return int(value)


def parse_interaction(body: bytes, now: datetime) -> Clicked | Reflect | Answer | Ignored:
    """A verified interaction request (form field ``payload``, JSON): a click, the Reflect button, or a reflection."""
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=10)
        payload = _dict(json.loads(fields["payload"][0]), "payload")
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, RecursionError):
        raise _malformed("not a form with a JSON payload field") from None
    kind = payload.get("type")
    if kind == "block_actions":
        return _block_actions(payload, now)
    if kind == "view_submission":
        return _view_submission(payload, now)
    return Ignored(f"interaction {str(kind)[:40]}")


def _block_actions(payload: Mapping[str, Any], now: datetime) -> Clicked | Reflect | Ignored:
    actions = payload.get("actions")
    if not isinstance(actions, list):
        raise _malformed("block_actions without actions")
    ours = [a for a in actions if isinstance(a, dict) and a.get("action_id") in (*ANSWERS, REFLECT, RATING)]
    if not ours:
        return Ignored("not a Kairos button")
    action = ours[0]
    user = _text(_dict(payload.get("user"), "user"), "id", "user")
    rating: int | None = None
    if action["action_id"] == RATING:
        chosen = _text(_dict(action.get("selected_option"), "actions.selected_option"), "value", "selected_option")
        moment_part, _, rated = chosen.partition(":")
        if rated not in ("1", "2", "3", "4", "5"):
            raise _malformed("selected_option.value is not a rating from 1 to 5")
        moment, rating, kind = _moment(moment_part, "selected_option.value"), int(rated), ResponseKind.RATING
    else:
        moment = _moment(action.get("value"), "actions.value")
        if action["action_id"] == REFLECT:
            return Reflect(_text(payload, "trigger_id", "payload"), moment, user)
        kind = ANSWERS[action["action_id"]]
    container = _dict(payload.get("container"), "container")
    channel, ts = _text(container, "channel_id", "container"), _text(container, "message_ts", "container")
    answer = Answer(NAME, f"{ts}:{_text(action, 'action_ts', 'action')}:{user}", user, kind, moment_id=moment,
                    rating=rating, received_at=now)  # fmt: skip
    message = payload.get("message")
    blocks = message.get("blocks") if isinstance(message, dict) else None
    return Clicked(answer, channel, ts, str(action.get("block_id") or ""), blocks if isinstance(blocks, list) else [])


def _view_submission(payload: Mapping[str, Any], now: datetime) -> Answer | Ignored:
    view = _dict(payload.get("view"), "view")
    if view.get("callback_id") != REFLECTION_VIEW:
        return Ignored("not the Kairos reflection modal")
    user = _text(_dict(payload.get("user"), "user"), "id", "user")
    moment = _moment(view.get("private_metadata"), "view.private_metadata")
    values = _dict(_dict(view.get("state"), "view.state").get("values"), "view.state.values")
    field = _dict(_dict(values.get(REFLECTION_BLOCK), "the reflection block").get(REFLECTION_INPUT), "the input")
    text = field.get("value")
    if text is not None and not isinstance(text, str):
        raise _malformed("the reflection is not text")
    return Answer(NAME, f"view:{_text(view, 'id', 'view')}", user, ResponseKind.REFLECTION, moment_id=moment,
                  text=text or "", received_at=now)  # fmt: skip


def parse_event(body: bytes, now: datetime) -> Challenge | Answer | Ignored:
    """A verified Events API request: the URL check, or a person's reply in a nudge's thread (a reflection)."""
    try:
        payload = _dict(json.loads(body), "the body")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _malformed("not JSON") from None
    if payload.get("type") == "url_verification":
        return Challenge(_text(payload, "challenge", "payload", limit=500))
    if payload.get("type") != "event_callback":
        return Ignored(f"events {str(payload.get('type'))[:40]}")
    event = _dict(payload.get("event"), "event")
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return Ignored("not a person's message")  # edits, deletions, joins and bots' own posts (ours included)
    thread, ts = event.get("thread_ts"), event.get("ts")
    if not isinstance(thread, str) or not thread or thread == ts:
        return Ignored("not a reply in a thread")
    channel, user = _text(event, "channel", "event"), _text(event, "user", "event")
    text = event.get("text")
    if not isinstance(text, str):
        raise _malformed("event.text is not text")
    return Answer(NAME, _text(payload, "event_id", "payload"), user, ResponseKind.REFLECTION,
                  provider_ref=f"{channel}:{thread}", text=readable(text), received_at=now)  # fmt: skip


_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def readable(text: str) -> str:
    """A message's text as the person wrote it: Slack's link and mention markup as words, entities decoded."""

    def word(found: re.Match[str]) -> str:
        target, label = found.group(1), found.group(2)
        if label:
            return label
        return "@" + target[1:] if target.startswith(("@", "#")) else target.lstrip("!")

    return _MARKUP.sub(word, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _never_connected(exc: BaseException) -> bool:
    """A failure before any byte of the request left: refused, unresolvable, or the connect itself timed out."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))
