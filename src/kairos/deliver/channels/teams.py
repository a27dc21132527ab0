"""Microsoft Teams through the Bot Framework: each nudge is an Adaptive Card in the person's chat with the bot.

A person's Teams address is a conversation reference — ``Address("teams", <aadObjectId or Teams user id>,
{"service_url", "conversation_id", "tenant_id", "user_id", "bot_id"})`` — learned when they install the app or
write to the bot (:meth:`TeamsInbound.remember`). With a service URL and their user id but no conversation yet,
the bot opens a one-to-one chat (``POST /v3/conversations``) and the receipt carries the new reference.

The card says everything as text runs, which Adaptive Cards never read as Markdown: a meeting titled
``[click](https://evil.example)`` shows exactly so. Its buttons are ``Action.Submit`` with
``{"kairos": {"moment": id, "kind": k}}``; Teams posts them back as a message activity whose ``value`` holds that
data and the card's inputs (the reflection box). A plain reply to the card is a reflection.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from kairos.deliver.base import Address, Answer, Channel, Check, Receipt, ReceiptStatus, Rejected
from kairos.deliver.channels.teams_auth import CHANNEL, BotFrameworkError, BotToken, ConnectorTokens, error_of
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.response import ResponseKind
from kairos.settings import Settings, TeamsSettings
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import people as people_store

log = logging.getLogger(__name__)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
MAX_ACTIVITY_BYTES = 256_000  # a Teams activity is far smaller; anything larger is refused unread
MAX_ID_CHARS = 300
MAX_REFLECTION_CHARS = 5000
MAX_CARD_CHARS = 24_000  # Teams refuses a message over about 28 kB; this leaves room for the activity around it
FOOTER = "\n\n--\n"  # the composer puts "why you are seeing this" after this line
BUTTONS = (
    (ResponseKind.APPLIED, "I applied it", "positive"),
    (ResponseKind.NOT_RELEVANT, "Not relevant", "default"),
    (ResponseKind.SNOOZE, "Not now", "default"),
)
ANSWERABLE = {kind.value: kind for kind, _, _ in BUTTONS} | {
    ResponseKind.REFLECTION.value: ResponseKind.REFLECTION,
    ResponseKind.RATING.value: ResponseKind.RATING,
}
GONE = {"BotNotInConversationRoster", "ConversationBlockedByUser", "ForbiddenOperationException",
        "MessageWritesBlocked"}  # fmt: skip  # 403 codes meaning this person removed or blocked the app
ACKNOWLEDGED = {
    "applied": "Noted: you applied it.",
    "not_relevant": "Noted: not relevant. Kairos takes that into account.",
    "snooze": "Noted: not now.",  # a brief is not planned again, so promise no return
    "reflection": "Thank you: your reflection is saved.",
    "rating": "Thank you: your rating is saved.",
}
REFUSED = {
    "not_recipient": "This card was meant for someone else, so nothing was recorded.",
    "unknown_sender": "Kairos does not know your Teams account yet, so nothing was recorded.",
    "unknown_message": "Kairos could not match this to a nudge it sent you; nothing was recorded.",
    "not_delivered": "Kairos could not match this to a nudge it sent you; nothing was recorded.",
    "malformed": "Kairos could not read that answer; nothing was recorded. A reflection needs some text, a rating a "
    "choice from 1 to 5.",
}


# --- the card -------------------------------------------------------------------------------------------------


def _run(text: str, **style: Any) -> dict[str, Any]:
    """One line of untrusted text: a TextRun is never parsed as Markdown, so links and emphasis stay literal."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _lines(text: str, **style: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for paragraph in text.strip().split("\n\n"):
        for n, line in enumerate(ln for ln in paragraph.splitlines() if ln.strip()):
            stripped = line.strip()
            shown = "• " + stripped[2:] if stripped.startswith("- ") else line.rstrip()
            block = _run(shown, **style)
            if n:
                block["spacing"] = "None"
            blocks.append(block)
    return blocks


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _answers(moment_id: int, reflection: bool = True) -> list[dict[str, Any]]:
    """The buttons (and reflection box) of one nudge; every button names its moment."""

    def submit(kind: ResponseKind, title: str, style: str, inputs: str) -> dict[str, Any]:
        return {"type": "Action.Submit", "title": title, "style": style, "associatedInputs": inputs,
                "data": {"kairos": {"moment": moment_id, "kind": kind.value}}}  # fmt: skip

    found: list[dict[str, Any]] = [
        {"type": "ActionSet", "actions": [submit(kind, title, style, "none") for kind, title, style in BUTTONS]}
    ]
    if reflection:
        found += [
            {"type": "Input.Text", "id": f"reflection_{moment_id}", "label": "A reflection, if you like",
             "placeholder": "What did you try, and how did it go?", "isMultiline": True,
             "maxLength": MAX_REFLECTION_CHARS},
            {"type": "ActionSet", "actions": [submit(ResponseKind.REFLECTION, "Send reflection", "default", "auto")]},
            {"type": "Input.ChoiceSet", "id": f"rating_{moment_id}", "label": "How useful was this?",
             "style": "compact", "choices": [{"title": f"{n} of 5", "value": str(n)} for n in range(1, 6)]},
            {"type": "ActionSet", "actions": [submit(ResponseKind.RATING, "Rate", "default", "auto")]},
        ]  # fmt: skip
    return found


def _nudge_items(nudge: Nudge, text_limit: int | None = None, reflection: bool = True) -> list[dict[str, Any]]:
    body, _, why = nudge.text.partition(FOOTER)
    if text_limit is not None:
        body, why = _cut(body, text_limit), _cut(why, max(100, text_limit // 3)) if text_limit else ""
    items = [_run(nudge.subject, weight="Bolder", size="Medium"), *_lines(body)]
    items += _lines(why, isSubtle=True, size="Small")
    if nudge.moment_id is not None:
        items += _answers(nudge.moment_id, reflection)
    return items


def _links(nudge: Nudge) -> list[dict[str, Any]]:
    shown = [("Open in Kairos", nudge.links.inbox), ("Preferences", nudge.links.preferences)]
    actions = [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in shown
               if url and url.startswith(("https://", "http://"))]  # fmt: skip
    return [{"type": "ActionSet", "actions": actions}] if actions else []


def _card(nudge: Nudge, items: list[dict[str, Any]], answers: str) -> dict[str, Any]:
    notes = [note for note in (answers, nudge.delivery_note) if note]
    body = items + [{**_run(note, isSubtle=True, size="Small"), "separator": n == 0} for n, note in enumerate(notes)]
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "body": body + _links(nudge)}  # fmt: skip


def _digest(nudge: Nudge, answers: str, limit: int, reflection: bool) -> dict[str, Any]:
    items = [_run(nudge.subject, weight="Bolder", size="Large")]
    items += [{"type": "Container", "separator": True, "spacing": "Large",
               "items": _nudge_items(member, limit, reflection)} for member in nudge.digest]  # fmt: skip
    return _card(nudge, items, answers)


def card(nudge: Nudge, answers: str = "") -> dict[str, Any]:
    """The Adaptive Card for a nudge, or for a digest: one container per nudge, each with its own answers.

    Teams refuses a message over about 28 kB, so a long digest shortens its nudges' text (the inbox has it whole),
    then leaves it out, then leaves out the reflection boxes: the buttons always stay.
    """
    if not nudge.digest:
        return _card(nudge, _nudge_items(nudge), answers)
    for limit in (2000, 1200, 800, 500, 300, 150, 0):
        built = _digest(nudge, answers, limit, reflection=True)
        if len(json.dumps(built)) <= MAX_CARD_CHARS:
            return built
    return _digest(nudge, answers, 0, reflection=False)


def message(nudge: Nudge, bot_id: str, answers: str = "") -> dict[str, Any]:
    """The message activity carrying the card (``summary`` is what a notification shows)."""
    return {"type": "message", "from": {"id": bot_id}, "summary": _cut(nudge.subject, 200),
            "attachments": [{"contentType": CARD_TYPE, "content": card(nudge, answers)}]}  # fmt: skip


# --- the Bot Connector REST API -------------------------------------------------------------------------------


class Connector:
    """The few Bot Connector calls Kairos makes, at the service URL of each conversation."""

    def __init__(self, http: httpx.Client, token: BotToken, timeout: float) -> None:
        self.http, self.token, self.timeout = http, token, timeout

    def create_conversation(self, service_url: str, bot_id: str, user_id: str, tenant_id: str | None) -> str:
        payload: dict[str, Any] = {"bot": {"id": bot_id}, "members": [{"id": user_id}], "isGroup": False}
        if tenant_id:
            payload |= {"tenantId": tenant_id, "channelData": {"tenant": {"id": tenant_id}}}
        found = self._call("POST", _url(service_url, "v3", "conversations"), "create conversation", payload)
        conversation = found.get("id")
        if not isinstance(conversation, str) or not conversation:
            raise BotFrameworkError("create conversation", 200, "the answer names no conversation id")
        return conversation

    def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        url = _url(service_url, "v3", "conversations", conversation_id, "activities")
        found = self._call("POST", url, "send", activity)
        activity_id = found.get("id")
        return activity_id if isinstance(activity_id, str) and activity_id else ""

    def reply(self, service_url: str, conversation_id: str, activity_id: str, text: str) -> None:
        url = _url(service_url, "v3", "conversations", conversation_id, "activities", activity_id)
        self._call("POST", url, "reply", {"type": "message", "text": text, "textFormat": "plain",
                                          "replyToId": activity_id})  # fmt: skip

    def member(self, service_url: str, conversation_id: str, user_id: str) -> dict[str, Any]:
        """A TeamsChannelAccount: ``id``, ``objectId``/``aadObjectId``, ``email``, ``userPrincipalName`` …"""
        url = _url(service_url, "v3", "conversations", conversation_id, "members", user_id)
        return self._call("GET", url, "member lookup", None)

    def _call(self, method: str, url: str, what: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        for attempt in (1, 2):
            try:
                response = self.http.request(method, url, json=payload, timeout=self.timeout,
                                             headers={"Authorization": self.token.header()})  # fmt: skip
            except httpx.HTTPError as exc:
                error = BotFrameworkError(what, None, f"{type(exc).__name__}: {exc}")
                # refused or never connected: nothing reached the connector; anything later may have
                error.maybe_sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                raise error from None
            if response.status_code == 401 and attempt == 1:
                self.token.forget()  # refused, so nothing was accepted: safe to try once with a fresh token
                continue
            if response.status_code >= 300:
                raise error_of(what, response)
            try:
                body = response.json() if response.content else {}
            except ValueError:
                body = {}
            return body if isinstance(body, dict) else {}
        raise AssertionError("unreachable")  # pragma: no cover


def _url(service_url: str, *parts: str) -> str:
    return "/".join([service_url.rstrip("/"), *(quote(p, safe="") for p in parts)])


def receipt_for(error: BotFrameworkError, learned: Address | None = None) -> Receipt:
    """What a failed call means for the delivery: try later, never, or not on this channel."""
    detail = str(error)
    if error.retry_after is not None:
        detail += f" (Retry-After {error.retry_after:g} s)"
    status = error.status
    if status is None or status == 429 or status == 412 or status >= 500:
        return Receipt(ReceiptStatus.RETRYABLE, detail=detail, learned=learned)
    if error.what == "bot token":
        hint = "check KAIROS_TEAMS__APP_ID, KAIROS_TEAMS__APP_PASSWORD and KAIROS_TEAMS__TOKEN_URL"
        return Receipt(ReceiptStatus.PERMANENT, detail=f"{detail}; {hint}", learned=learned)
    if status == 404 or (status == 403 and error.code in GONE):
        return Receipt(ReceiptStatus.UNREACHABLE, detail=f"{detail}; the person removed or blocked the app, or the "
                                                         f"chat is gone", learned=learned)  # fmt: skip
    if status in (401, 403):
        hint = "the Bot Framework refused the bot: check the Azure Bot registration, its Teams channel and the app id"
        return Receipt(ReceiptStatus.PERMANENT, detail=f"{detail}; {hint}", learned=learned)
    return Receipt(ReceiptStatus.PERMANENT, detail=detail, learned=learned)


# --- the channel ----------------------------------------------------------------------------------------------


def _clients(settings: TeamsSettings, http: httpx.Client | None) -> tuple[httpx.Client, Connector]:
    client = http or httpx.Client(timeout=settings.timeout_seconds, follow_redirects=False)
    return client, Connector(client, BotToken(settings, client), settings.timeout_seconds)


class TeamsChannel(Channel):
    name = CHANNEL
    resend_is_safe = False  # the Bot Connector has no idempotency key: a resent activity is a second message
    answers = "Answer with the buttons on this card, or reply to it in this chat."

    def __init__(self, settings: TeamsSettings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.http, self.connector = _clients(settings, http)

    @property
    def bot_id(self) -> str:
        return f"28:{self.settings.app_id}"  # how Teams names a bot in conversations

    def reaches(self, person: Person, address: Address | None) -> bool:
        return self._reachable(address)

    def _reachable(self, address: Address | None) -> bool:
        """A stored chat with the bot, or a user id and a service URL to open one with."""
        if address is None or address.channel != CHANNEL:
            return False
        detail = address.detail
        if detail.get("conversation_id") and detail.get("service_url"):
            return True
        return bool(detail.get("service_url") or self.settings.service_url) and bool(
            detail.get("user_id") or address.value
        )

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        if address is None or not self._reachable(address):
            return Receipt(ReceiptStatus.UNREACHABLE, detail="no Teams chat with this person and no way to open one")
        detail = dict(address.detail)
        service_url = str(detail.get("service_url") or self.settings.service_url)
        bot_id = str(detail.get("bot_id") or self.bot_id)
        learned: Address | None = None
        conversation = detail.get("conversation_id")
        stored_chat = bool(conversation)
        in_flight = False
        try:
            if not conversation:
                user = str(detail.get("user_id") or address.value)
                tenant = detail.get("tenant_id") or self.settings.tenant_id
                conversation = self.connector.create_conversation(service_url, bot_id, user, tenant)
                detail |= {"conversation_id": conversation, "service_url": service_url, "user_id": user}
                if tenant:
                    detail["tenant_id"] = tenant
                learned = Address(CHANNEL, address.value, detail)
            activity = message(nudge, bot_id, self.answers)
            self.connector.token.header()  # a refused or unreachable login must fail before the commit point
            # From here the connector may post the card at any instant.
            mark_in_flight()
            in_flight = True
            activity_id = self.connector.send(service_url, str(conversation), activity)
        except BotFrameworkError as error:
            if in_flight and error.status is None and error.maybe_sent:  # Teams may have the card
                return Receipt(ReceiptStatus.UNCERTAIN, detail=f"the connection failed while posting: {error}",
                               learned=learned)  # fmt: skip
            if error.status == 404 and stored_chat:
                # The stored chat is gone: forget it, so the next attempt opens a new one.
                learned = Address(CHANNEL, address.value, {k: v for k, v in detail.items() if k != "conversation_id"})
            return receipt_for(error, learned)
        if not activity_id:
            return Receipt(ReceiptStatus.DELIVERED, detail="posted; the connector returned no activity id",
                           learned=learned)  # fmt: skip
        return Receipt(ReceiptStatus.DELIVERED, provider_id=activity_id, detail=f"activity {activity_id}",
                       learned=learned)  # fmt: skip

    def check(self) -> Check:
        """The bot's token by client credentials: the app id, its secret and the token endpoint work together."""
        try:
            self.connector.token.header()
        except BotFrameworkError as error:
            return Check(False, str(error))
        return Check(True, f"the bot {self.settings.app_id} got its Bot Framework token")

    def close(self) -> None:
        self.http.close()


def from_settings(settings: Settings) -> TeamsChannel | None:
    """On when the bot's app id and secret are set."""
    teams = settings.teams
    if not teams.app_id or teams.app_password is None or not teams.app_password.get_secret_value():
        return None
    return TeamsChannel(teams)


# --- what comes in --------------------------------------------------------------------------------------------


def _text(value: Any, field: str, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
        raise Rejected(CHANNEL, "malformed", f"{field}: a string of 1 to {MAX_ID_CHARS} characters")
    return value


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Rejected(CHANNEL, "malformed", f"{field}: an object")
    return value


def read_activity(body: bytes) -> dict[str, Any]:
    """The activity in a request body, with the fields Kairos relies on checked (never the body in a refusal)."""
    if len(body) > MAX_ACTIVITY_BYTES:
        raise Rejected(CHANNEL, "oversized", f"body larger than {MAX_ACTIVITY_BYTES} bytes")
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Rejected(CHANNEL, "malformed", "the body is not JSON") from None
    activity = _object(activity, "the activity")
    _text(activity.get("type"), "type")
    _text(activity.get("serviceUrl"), "serviceUrl")
    _text(activity.get("channelId"), "channelId")
    return activity


def tenant_of(activity: Mapping[str, Any]) -> str | None:
    conversation = activity.get("conversation") if isinstance(activity.get("conversation"), dict) else {}
    found = conversation.get("tenantId") if conversation else None
    if not found:
        data = activity.get("channelData")
        tenant = data.get("tenant") if isinstance(data, dict) else None
        found = tenant.get("id") if isinstance(tenant, dict) else None
    return found if isinstance(found, str) and found else None


def reference_in(activity: Mapping[str, Any]) -> Address:
    """The sender's address as this activity shows it; a one-to-one chat gives a full conversation reference."""
    sender = _object(activity.get("from"), "from")
    user_id = _text(sender.get("id"), "from.id")
    aad = _text(sender.get("aadObjectId"), "from.aadObjectId", required=False)
    conversation = _object(activity.get("conversation"), "conversation")
    conversation_id = _text(conversation.get("id"), "conversation.id")
    kind = conversation.get("conversationType")
    personal = kind == "personal" or (kind is None and not conversation.get("isGroup"))
    detail: dict[str, Any] = {"service_url": activity["serviceUrl"], "user_id": user_id}
    if personal:
        detail["conversation_id"] = conversation_id
    tenant = tenant_of(activity)
    if tenant:
        detail["tenant_id"] = tenant
    recipient = activity.get("recipient")
    if isinstance(recipient, dict) and isinstance(recipient.get("id"), str) and len(recipient["id"]) <= MAX_ID_CHARS:
        detail["bot_id"] = recipient["id"]
    return Address(CHANNEL, str(aad or user_id), detail)


def answer_in(activity: Mapping[str, Any]) -> Answer | None:
    """A button pressed on a card, or a reply to one; None for any other message."""
    if activity.get("type") != "message":
        return None
    sender = reference_in(activity)
    activity_id = _text(activity.get("id"), "id")
    external = f"{activity['conversation']['id']}/{activity_id}"
    if len(external) > MAX_ID_CHARS:
        external = hashlib.sha256(external.encode()).hexdigest()
    value = activity.get("value")
    if isinstance(value, dict) and "kairos" in value:
        data = _object(value["kairos"], "value.kairos")
        moment, kind = data.get("moment"), ANSWERABLE.get(str(data.get("kind")))
        if not isinstance(moment, int) or isinstance(moment, bool) or moment <= 0 or kind is None:
            raise Rejected(CHANNEL, "malformed", "value.kairos: a moment id and a kind the card offers")
        text = None
        if kind is ResponseKind.REFLECTION:
            typed = value.get(f"reflection_{moment}")
            text = typed.strip() if isinstance(typed, str) else ""
            if not text or len(text) > MAX_REFLECTION_CHARS:
                raise Rejected(CHANNEL, "malformed", f"a reflection of 1 to {MAX_REFLECTION_CHARS} characters")
        rating = None
        if kind is ResponseKind.RATING:
            chosen = value.get(f"rating_{moment}")
            if chosen not in ("1", "2", "3", "4", "5"):
                raise Rejected(CHANNEL, "malformed", "a rating from 1 to 5")
            rating = int(chosen)
        return Answer(CHANNEL, external, sender.value, kind, moment_id=moment, text=text, rating=rating)
    reply_to, text = activity.get("replyToId"), activity.get("text")
    if isinstance(reply_to, str) and reply_to and isinstance(text, str) and text.strip():
        if len(text) > MAX_REFLECTION_CHARS:
            raise Rejected(CHANNEL, "malformed", f"a reflection of at most {MAX_REFLECTION_CHARS} characters")
        return Answer(CHANNEL, external, sender.value, ResponseKind.REFLECTION, provider_ref=reply_to[:MAX_ID_CHARS],
                      text=text.strip())  # fmt: skip
    return None


class TeamsInbound:
    """What the messaging endpoint needs beyond parsing: the token check and the connector (member lookups,
    replies). Built once per app; safe to share between request threads."""

    def __init__(self, settings: TeamsSettings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.http, self.connector = _clients(settings, http)
        self.tokens = ConnectorTokens(settings, self.http)

    def remember(self, db: Database, activity: Mapping[str, Any], now: datetime) -> str | None:
        """Who sent this activity (their stored address, else the email Teams gives for them), storing or
        refreshing their conversation reference; None when Kairos does not know them."""
        found = reference_in(activity)
        with db.transaction() as conn:
            person = channel_store.person_at(conn, CHANNEL, found.value)
        if person is None:
            email = self.email_of(found)
            if email:
                with db.transaction() as conn:
                    person = people_store.by_email(conn, email)
        if person is None:
            return None
        with db.transaction() as conn:
            stored = channel_store.address(conn, person, CHANNEL)
            # A group chat or team names the person but not a chat with them: never let it replace one.
            fuller = "conversation_id" in found.detail or stored is None
            if fuller and (stored is None or stored.value != found.value or stored.detail != found.detail):
                channel_store.set_address(conn, person, found, "install", now)
        return person

    def forget(self, db: Database, activity: Mapping[str, Any]) -> str | None:
        """The app was removed: the stored chat can no longer be written to."""
        found = reference_in(activity)
        with db.transaction() as conn:
            person = channel_store.person_at(conn, CHANNEL, found.value)
            if person is not None:
                channel_store.remove_address(conn, person, CHANNEL)
        return person

    def email_of(self, found: Address) -> str | None:
        """The sender's email or user principal name, from Teams' member lookup (GET …/members/{userId})."""
        detail = found.detail
        conversation = detail.get("conversation_id")
        if not conversation:
            return None
        try:
            member = self.connector.member(detail["service_url"], conversation, detail["user_id"])
        except BotFrameworkError as error:
            log.warning("teams member lookup failed: %s", error)
            return None
        for field in ("email", "userPrincipalName"):
            value = member.get(field)
            if isinstance(value, str) and "@" in value:
                return value
        return None

    def acknowledge(self, activity: Mapping[str, Any], outcome: str) -> None:
        """A short reply under the answer so the person sees it counted (or why not); failures are only logged."""
        text = ACKNOWLEDGED.get(outcome) or REFUSED.get(outcome)
        conversation = activity.get("conversation")
        if not text or not isinstance(conversation, dict):
            return
        try:
            self.connector.reply(activity["serviceUrl"], str(conversation.get("id")), str(activity.get("id")), text)
        except BotFrameworkError as error:
            log.warning("teams acknowledgement not sent: %s", error)

    def close(self) -> None:
        self.http.close()
