"""Matrix: each nudge is a message from the organization's bot in a direct room with the person; reactions and
replies come back through ``/sync``.

Outbound. The bot's access token sends ``m.room.message`` into the person's direct room, created on first use
(``is_direct``, trusted private chat) and returned as the address learned. The delivery's idempotency key is the
transaction id: Synapse maps (room, device, transaction id) to the first event for 24 hours, so a resend after a
crash returns that event instead of posting a second message — which is why ``resend_is_safe`` holds (a test
checks it against Synapse). New rooms are also written to the bot's ``m.direct`` list, so a resend whose room was
never stored finds the same room. A room the person left, or the bot lost, is replaced by a new one.

Inbound. Matrix never calls Kairos: ``poll`` runs one ``/sync`` from the stored cursor and turns reactions and
replies on the bot's messages into answers; the worker's tick stores them (``deliver/inbound.drain``).

matrix-nio is asynchronous and the worker is not: each call runs in its own event loop with its own client.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    DirectRoomsResponse,
    ErrorResponse,
    MessageDirection,
    RoomCreateError,
    RoomGetEventError,
    RoomMessagesError,
    RoomPreset,
    RoomSendError,
    SyncError,
    WhoamiError,
)

from kairos.deliver.base import Address, Answer, Channel, Check, Receipt, ReceiptStatus, Rejected
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.response import ResponseKind
from kairos.errors import DeliveryError
from kairos.ingest.responses import MAX_REFLECTION
from kairos.settings import MatrixSettings, Settings, SettingsError

NAME = "matrix"
TOKEN_HINT = "the homeserver refused the bot's access token; log the bot in again and set KAIROS_MATRIX__ACCESS_TOKEN"
DIGEST_KEY = "org.kairos.digest"  # the moment ids of a digest's items, in order, so a reply can name one by number
_USER_ID = re.compile(r"@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-\[\]:]+")
MAX_EVENT_BYTES = 60_000  # Matrix refuses events over 64 KiB, envelope included
_GAP_PAGES = 10  # a limited timeline is filled in from /messages, at most this many pages per room and poll
_T = TypeVar("_T")

# A reaction's key (or a reply that is only that symbol) → the answer it gives; other keys are not answers.
REACTIONS = {
    "✅": ResponseKind.APPLIED, "👍": ResponseKind.APPLIED, "✔": ResponseKind.APPLIED,
    "👎": ResponseKind.NOT_RELEVANT, "❌": ResponseKind.NOT_RELEVANT,
    "⏰": ResponseKind.SNOOZE, "💤": ResponseKind.SNOOZE,
}  # fmt: skip
RATINGS = {f"{n}\u20e3": n for n in range(1, 6)}  # the keycaps 1️⃣ … 5️⃣, without their variation selector
LINK_LABELS = {"applied": "I applied it", "not_relevant": "Not relevant", "snooze": "Remind me later",
               "reflection": "Write a reflection", "rating": "Rate it"}  # fmt: skip
HOW_TO_ANSWER = ("React ✅ if you applied it, 👎 if it is not relevant or ⏰ to be reminded later, 1️⃣ to 5️⃣ to rate "
                 "it; reply to the message to share a reflection.")  # fmt: skip
HOW_TO_ANSWER_DIGEST = ('This digest holds several notes: reply to it with a note\'s number and ✅, 👎 or ⏰, or the '
                        'number and your reflection ("2 ✅", "1 It went well"). A reaction on the whole digest cannot '
                        'say which note it answers.')  # fmt: skip


class MatrixChannel(Channel):
    name = NAME
    resend_is_safe = True  # Synapse returns the first event for a repeated transaction id (tested)
    answers = HOW_TO_ANSWER

    def __init__(self, settings: MatrixSettings, *, timeline_limit: int = 100) -> None:
        if not settings.homeserver or settings.access_token is None:
            raise SettingsError("the Matrix channel needs KAIROS_MATRIX__HOMESERVER and KAIROS_MATRIX__ACCESS_TOKEN")
        self.settings = settings
        self.homeserver = settings.homeserver.rstrip("/")
        self.timeline_limit = timeline_limit
        self._bot: str | None = settings.user_id  # else asked once with whoami

    # --- who ---------------------------------------------------------------------------------------------------

    def user_id_for(self, person_id: str, email: str) -> str | None:
        """A person's Matrix id from ``user_id_template``, when set and when it makes a valid id."""
        template = self.settings.user_id_template
        if not template:
            return None
        local = email.rsplit("@", 1)[0] if "@" in email else ""
        if "{email_local}" in template and not local:
            return None
        user = _formatted(template, local.lower(), person_id.lower())
        return user if user is not None and _USER_ID.fullmatch(user) else None

    def reaches(self, person: Person, address: Address | None) -> bool:
        if address is not None and address.value:
            return True
        return self.user_id_for(person.id, person.email) is not None

    # --- send --------------------------------------------------------------------------------------------------

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        user = address.value if address is not None and address.value else None
        user = user or self.user_id_for(nudge.recipient_id, nudge.recipient_email)
        if user is None:
            why = "no Matrix id on record and none made by KAIROS_MATRIX__USER_ID_TEMPLATE"
            return Receipt(ReceiptStatus.UNREACHABLE, detail=why)
        detail = dict(address.detail) if address is not None and address.value == user else {}
        content = message_content(nudge)
        try:
            return self._run(lambda c: self._deliver(c, user, detail, content, idempotency_key, mark_in_flight))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}"[:300])

    async def _deliver(self, client: AsyncClient, user: str, detail: dict[str, Any], content: dict[str, Any],
                       txn: str, mark_in_flight: Callable[[], None]) -> Receipt:  # fmt: skip
        stored = detail.get("room_id") if isinstance(detail.get("room_id"), str) else None
        room = await self._room_for(client, user, stored)
        if isinstance(room, Receipt):
            return room
        mark_in_flight()  # from here the homeserver may accept the message
        sent = await client.room_send(room, "m.room.message", content, tx_id=txn)
        if isinstance(sent, RoomSendError) and sent.status_code == "M_FORBIDDEN" and room == stored:
            # The bot lost the room (kicked, room shut down) between the check and the send: one new room.
            room = await self._new_room(client, user)
            if isinstance(room, Receipt):
                return room
            sent = await client.room_send(room, "m.room.message", content, tx_id=txn)
        if isinstance(sent, ErrorResponse):
            return failure(sent, "sending the message")
        learned = Address(NAME, user, {**detail, "room_id": room}) if room != stored else None
        return Receipt(ReceiptStatus.DELIVERED, provider_id=sent.event_id, detail=f"event in room {room}",
                       learned=learned)  # fmt: skip

    async def _room_for(self, client: AsyncClient, user: str, stored: str | None) -> str | Receipt:
        """The direct room to send into: the stored one while the person is in it (joined or invited), else the one
        the bot's ``m.direct`` lists for them, else a new one."""
        if stored is not None:
            usable = await self._usable(client, stored, user)
            if usable is not False:
                return stored if usable is True else usable
        listed = (await self._direct_rooms(client)).get(user, [])
        for room in [r for r in listed[-1:] if r != stored]:
            usable = await self._usable(client, room, user)
            if usable is not False:
                return room if usable is True else usable
        return await self._new_room(client, user)

    async def _usable(self, client: AsyncClient, room: str, user: str) -> bool | Receipt:
        """Is ``user`` still in ``room`` (as the bot sees it)? A token or server problem is returned as a receipt."""
        found = await client.room_get_state_event(room, "m.room.member", user)
        content = getattr(found, "content", None)
        errcode = content.get("errcode") if isinstance(content, dict) else getattr(found, "status_code", None)
        status = _http_status(found)
        if errcode or status >= 400:
            verdict = classify(status, str(errcode or ""))
            if verdict in (ReceiptStatus.RETRYABLE, ReceiptStatus.PERMANENT):
                return failure(found, "checking the direct room")
            return False  # the bot is not in the room or the room is gone
        membership = content.get("membership") if isinstance(content, dict) else None
        if membership in ("join", "invite"):
            return True
        await client.room_leave(room)  # the person left: the bot leaves too; a failure here changes nothing
        return False

    async def _new_room(self, client: AsyncClient, user: str) -> str | Receipt:
        profile = await client.get_profile(user)
        if isinstance(profile, ErrorResponse):
            status = _http_status(profile)
            if status == 404:
                return Receipt(ReceiptStatus.UNREACHABLE, detail=f"{user} has no Matrix account")
            if classify(status, profile.status_code or "") in (ReceiptStatus.RETRYABLE, ReceiptStatus.PERMANENT):
                return failure(profile, "looking the person up")
            # a server that hides profiles from strangers answers 403: creating the room will tell
        created = await client.room_create(is_direct=True, invite=[user], preset=RoomPreset.trusted_private_chat)
        if isinstance(created, RoomCreateError):
            return failure(created, "creating the direct room")
        await self._remember_direct(client, user, created.room_id)
        return str(created.room_id)

    async def _direct_rooms(self, client: AsyncClient) -> dict[str, list[str]]:
        """The bot's ``m.direct``: person → their direct rooms, newest last (nothing when it cannot be read)."""
        if not isinstance(await self._whoami(client), str):
            return {}
        found = await client.list_direct_rooms()
        if not isinstance(found, DirectRoomsResponse) or not isinstance(found.rooms, dict):
            return {}
        return {user: [r for r in rooms if isinstance(r, str)] for user, rooms in found.rooms.items()
                if isinstance(user, str) and isinstance(rooms, list)}  # fmt: skip

    async def _remember_direct(self, client: AsyncClient, user: str, room: str) -> None:
        """Put ``room`` in the bot's ``m.direct`` as the person's one room (nio has no call for writing it). Not
        stored is not fatal: only a resend after a crash, before the room was learned, would miss it."""
        bot = await self._whoami(client)
        if not isinstance(bot, str):
            return
        rooms = await self._direct_rooms(client)
        rooms[user] = [room]
        path = f"/_matrix/client/v3/user/{quote(bot, safe='')}/account_data/m.direct"
        headers = {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"}
        response = await client.send("PUT", path, json.dumps(rooms), headers)
        response.release()

    def check(self) -> Check:
        """``whoami`` with the bot's token: the homeserver answers and the token is valid."""
        try:
            who = self._run(self._whoami)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Check(False, f"{self.homeserver}: {type(exc).__name__}: {exc}")
        if isinstance(who, ErrorResponse):
            return Check(False, f"{self.homeserver} refused the bot's token: {who.status_code or ''} {who.message}")
        return Check(True, f"{self.homeserver} knows the bot as {who}")

    async def _whoami(self, client: AsyncClient) -> str | ErrorResponse:
        """The bot's user id: from the settings, else asked once."""
        if self._bot is None:
            who = await client.whoami()
            if isinstance(who, WhoamiError):
                return who
            self._bot = str(who.user_id)
        client.user_id = self._bot  # nio builds the account data paths from it
        return self._bot

    # --- poll --------------------------------------------------------------------------------------------------

    def poll(self, since: str | None) -> tuple[list[Answer | Rejected], str | None]:
        """Reactions and replies since ``since`` (a ``next_batch``), and the new cursor. Raises DeliveryError when the
        homeserver cannot be read; the cursor then stays where it was."""
        try:
            return self._run(lambda c: self._poll(c, since))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            message = f"Matrix: /sync at {self.homeserver} failed: {type(exc).__name__}: {exc}"
            raise DeliveryError(message, retryable=True) from exc

    async def _poll(self, client: AsyncClient, since: str | None) -> tuple[list[Answer | Rejected], str | None]:
        bot = await self._whoami(client)
        if not isinstance(bot, str):
            raise unreadable(bot, "asking who the bot is")
        synced = await client.sync(timeout=0, sync_filter=sync_filter(bot, self.timeline_limit), since=since)
        if isinstance(synced, SyncError):
            raise unreadable(synced, "/sync")
        found: list[Answer | Rejected] = []
        digests: dict[str, list[int] | None] = {}
        for room_id, room in synced.rooms.join.items():
            events = [event.source for event in room.timeline.events]
            if room.timeline.limited and since:
                events = await self._gap(client, room_id, room.timeline.prev_batch, since, bot) + events
            for event in events:
                item = parse_event(event, bot)
                if isinstance(item, Answer) and item.provider_ref:
                    if item.provider_ref not in digests:
                        digests[item.provider_ref] = await self._digest_items(client, room_id, item.provider_ref, bot)
                    items = digests[item.provider_ref]
                    item = for_digest(item, items) if items else item
                if item is not None:
                    found.append(item)
        return found, synced.next_batch

    async def _gap(self, client: AsyncClient, room_id: str, prev_batch: str | None, since: str,
                   bot: str) -> list[dict[str, Any]]:  # fmt: skip
        """What a limited timeline left out, oldest first: /messages backwards from its start to the cursor."""
        older: list[dict[str, Any]] = []
        token = prev_batch
        for _ in range(_GAP_PAGES):
            page = await client.room_messages(
                room_id, start=token, end=since, direction=MessageDirection.back, limit=self.timeline_limit,
                message_filter=timeline_filter(bot),
            )  # fmt: skip
            if isinstance(page, RoomMessagesError):
                raise unreadable(page, f"reading what /sync left out in room {room_id}")
            older += [event.source for event in page.chunk]
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        return older[::-1]

    async def _digest_items(self, client: AsyncClient, room_id: str, event_id: str, bot: str) -> list[int] | None:
        """The moment ids of the digest ``event_id`` is, when it is one of the bot's digests."""
        found = await client.room_get_event(room_id, event_id)
        if isinstance(found, RoomGetEventError):
            return None  # not visible to the bot: the answer goes on with its reference alone
        source = getattr(found.event, "source", {})
        if source.get("sender") != bot:
            return None
        items = source.get("content", {}).get(DIGEST_KEY)
        if isinstance(items, list) and 0 < len(items) <= 100 and all(type(i) is int for i in items):
            return items
        return None

    # --- the event loop ----------------------------------------------------------------------------------------

    def _run(self, work: Callable[[AsyncClient], Awaitable[_T]]) -> _T:
        """Run ``work`` with a fresh client in a private event loop, within a deadline for the whole call."""
        token = self.settings.access_token
        assert token is not None
        config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=self.settings.timeout_seconds,
                                   encryption_enabled=False, store_sync_tokens=False)  # fmt: skip

        async def session() -> _T:
            client = AsyncClient(self.homeserver, self._bot or "", device_id=self.settings.device_id or "",
                                 config=config)  # fmt: skip
            client.access_token = token.get_secret_value()
            try:
                async with asyncio.timeout(self.settings.timeout_seconds * 3):
                    return await work(client)
            finally:
                await client.close()

        return asyncio.run(session())


# --- what is sent ----------------------------------------------------------------------------------------------


def message_content(nudge: Nudge) -> dict[str, Any]:
    """The ``m.room.message`` for a nudge: plain text and HTML with the same words. Everything from the nudge is
    escaped, only Kairos's own links become links, and ``m.mentions`` is empty so nothing in it pings anyone."""
    text, markup = _items(nudge)
    own = [(label, url) for label, url in (("Your inbox", nudge.links.inbox), ("Preferences", nudge.links.preferences))
           if url and url not in nudge.delivery_note]  # fmt: skip
    # The worker's delivery note already says how to answer (the channel's ``answers``); say it when it does not.
    footer = [] if HOW_TO_ANSWER in nudge.delivery_note else [HOW_TO_ANSWER]
    footer += [HOW_TO_ANSWER_DIGEST] if len(nudge.digest) > 1 else []
    footer += [nudge.delivery_note] if nudge.delivery_note else []
    text += ["\n".join(footer + [f"{label}: {url}" for label, url in own])]
    markup += ["<p>" + "<br>".join(html.escape(line) for line in footer)
               + "".join(f"<br>{_link(label, url)}" for label, url in own) + "</p>"]  # fmt: skip
    content: dict[str, Any] = {
        "msgtype": "m.text", "body": "\n\n".join(text), "format": "org.matrix.custom.html",
        "formatted_body": "".join(markup), "m.mentions": {},
    }  # fmt: skip
    moments = [member.moment_id for member in nudge.digest]
    if moments and all(isinstance(m, int) for m in moments):
        content[DIGEST_KEY] = moments
    return _fitted(content)


def _fitted(content: dict[str, Any]) -> dict[str, Any]:
    """A message within Matrix's 64 KiB event limit: a long digest loses its HTML first, then the end of its text
    (the whole of it is in the person's inbox)."""
    if len(json.dumps(content).encode()) <= MAX_EVENT_BYTES:
        return content
    plain = {k: v for k, v in content.items() if k not in ("format", "formatted_body")}
    spare = MAX_EVENT_BYTES - len(json.dumps({**plain, "body": ""}).encode()) - 200
    body = plain["body"]
    while len(json.dumps(body).encode()) > spare:
        body = body[: int(len(body) * 0.9)]
    cut = "" if body == plain["body"] else "\n\n… (cut: the whole message is in your Kairos inbox)"
    return {**plain, "body": body + cut}


def _items(nudge: Nudge) -> tuple[list[str], list[str]]:
    """The message's parts, as text and HTML: the nudge, or the digest's items numbered, each with its links."""
    if not nudge.digest:
        return [nudge.subject, nudge.text, *_links_text(nudge)], [
            f"<p><strong>{html.escape(nudge.subject)}</strong></p>",
            _paragraphs(nudge.text),
            _links_html(nudge),
        ]
    text, markup = [nudge.subject], [f"<p><strong>{html.escape(nudge.subject)}</strong></p>"]
    for number, member in enumerate(nudge.digest, 1):
        text += [f"{number}. {member.subject}", member.text, *_links_text(member)]
        markup += [f"<h4>{number}. {html.escape(member.subject)}</h4>", _paragraphs(member.text), _links_html(member)]
    return text, markup


def _links_text(nudge: Nudge) -> list[str]:
    links = nudge.links.respond
    return ["\n".join(f"{LINK_LABELS.get(kind, kind)}: {url}" for kind, url in links.items())] if links else []


def _links_html(nudge: Nudge) -> str:
    links = nudge.links.respond
    return "<p>" + " · ".join(_link(LINK_LABELS.get(k, k), url) for k, url in links.items()) + "</p>" if links else ""


def _link(label: str, url: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>'


def _paragraphs(text: str) -> str:
    blocks = [block.strip("\n") for block in text.split("\n\n") if block.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line) for line in block.splitlines()) + "</p>" for block in blocks)


# --- what comes back -------------------------------------------------------------------------------------------


def timeline_filter(bot: str) -> dict[str, Any]:
    """Messages and reactions from others; encrypted ones too, to count what the bot cannot read."""
    return {"types": ["m.room.message", "m.reaction", "m.room.encrypted"], "not_senders": [bot]}


def sync_filter(bot: str, limit: int) -> dict[str, Any]:
    """Only what can be an answer: messages and reactions in the bot's rooms, not its own; no presence or state."""
    nothing: dict[str, Any] = {"types": []}
    return {
        "presence": nothing, "account_data": nothing,
        "room": {"timeline": {**timeline_filter(bot), "limit": limit}, "state": nothing, "ephemeral": nothing,
                 "account_data": nothing, "include_leave": False},
    }  # fmt: skip


def reaction_kind(key: str) -> ResponseKind | None:
    """The answer a reaction key gives, ignoring emoji variation selectors and skin tones (👍🏽 is 👍)."""
    bare = _bare(key)
    return ResponseKind.RATING if bare in RATINGS else REACTIONS.get(bare)


def reaction_rating(key: str) -> int | None:
    """The rating a keycap reaction gives (1️⃣ is 1), else None."""
    return RATINGS.get(_bare(key))


def _bare(key: str) -> str:
    bare = "".join(ch for ch in key.strip() if ch not in "\ufe0e\ufe0f" and not "\U0001f3fb" <= ch <= "\U0001f3ff")
    return unicodedata.normalize("NFC", bare)


def without_fallback(body: str) -> str:
    """A reply's own words: the quoted original (leading "> " lines, then one blank line) taken off."""
    lines = body.split("\n")
    quoted = 0
    while quoted < len(lines) and lines[quoted].startswith(">"):
        quoted += 1
    if quoted and quoted < len(lines) and not lines[quoted].strip():
        quoted += 1
    return "\n".join(lines[quoted:]).strip()


def parse_event(event: object, bot: str) -> Answer | Rejected | None:
    """One timeline event as an answer, a refusal, or None when it is not an answer (the bot's own messages,
    other reactions, edits, deleted messages). Never raises: the events are written by anyone in the room."""
    if not isinstance(event, Mapping):
        return Rejected(NAME, "malformed", "an event that is not an object")
    kind, sender, event_id, content = (event.get(k) for k in ("type", "sender", "event_id", "content"))
    if not all(isinstance(v, str) and 0 < len(v) <= 255 for v in (kind, sender, event_id)):
        return Rejected(NAME, "malformed", "an event without a type, sender or id")
    if not isinstance(content, Mapping):
        return Rejected(NAME, "malformed", "an event without content")
    if sender == bot or not content:
        return None  # our own, or deleted (a redacted event keeps no content)
    assert isinstance(sender, str) and isinstance(event_id, str)
    stamp = _received_at(event.get("origin_server_ts"))
    relates = content.get("m.relates_to")
    relates = relates if isinstance(relates, Mapping) else {}
    if kind == "m.reaction":
        return _reaction(relates, sender, event_id, stamp)
    if kind == "m.room.message":
        return _reply(content, relates, sender, event_id, stamp)
    if kind == "m.room.encrypted":
        return Rejected(NAME, "unsupported", "an end-to-end encrypted event, which the bot cannot read")
    return None


def _reaction(
    relates: Mapping[str, Any], sender: str, event_id: str, stamp: datetime | None
) -> Answer | Rejected | None:
    target, key = relates.get("event_id"), relates.get("key")
    if relates.get("rel_type") != "m.annotation" or not _is_id(target) or not isinstance(key, str):
        return Rejected(NAME, "malformed", "a reaction that annotates no event")
    kind = reaction_kind(key[:20])
    if kind is None:
        return None  # a reaction that is not an answer (🎉)
    return Answer(NAME, event_id, sender, kind, provider_ref=target, rating=reaction_rating(key[:20]),
                  received_at=stamp)  # fmt: skip


def _reply(content: Mapping[str, Any], relates: Mapping[str, Any], sender: str, event_id: str,
           stamp: datetime | None) -> Answer | Rejected | None:  # fmt: skip
    if relates.get("rel_type") == "m.replace":
        return None  # an edit: the first version was the answer
    in_reply_to = relates.get("m.in_reply_to")
    replied = in_reply_to.get("event_id") if isinstance(in_reply_to, Mapping) else None
    target = relates.get("event_id") if relates.get("rel_type") == "m.thread" else replied
    if not _is_id(target):
        return Rejected(NAME, "unknown_message", "a message that replies to no nudge")
    body = content.get("body")
    if content.get("msgtype") not in ("m.text", "m.emote") or not isinstance(body, str):
        return Rejected(NAME, "unsupported", "a reply that is not text")
    text = without_fallback(body.replace("\x00", ""))  # JSON allows NUL; a PostgreSQL text column does not
    if len(text) > MAX_REFLECTION:
        return Rejected(NAME, "oversized", f"a reply of {len(text)} characters (at most {MAX_REFLECTION})")
    if not text:
        return Rejected(NAME, "malformed", "an empty reply")
    kind = reaction_kind(text) if len(text) <= 20 else None
    if kind is not None:
        return Answer(NAME, event_id, sender, kind, provider_ref=target, received_at=stamp)
    return Answer(NAME, event_id, sender, ResponseKind.REFLECTION, provider_ref=target, text=text, received_at=stamp)


def for_digest(answer: Answer, items: list[int]) -> Answer | Rejected:
    """An answer to a digest names its item: the number a reply starts with ("2 ✅", "1. It went well"). A reaction
    can only answer a digest of one item."""
    if len(items) == 1:
        return replace(answer, moment_id=items[0])
    if answer.text is None:
        return Rejected(NAME, "unsupported", f"a reaction on a digest of {len(items)} nudges; reply with a number")
    found = re.match(r"\s*#?(\d{1,3})\s*[.):-]?\s*(.*)\Z", answer.text, re.DOTALL)
    if found is None or not 1 <= int(found.group(1)) <= len(items):
        return Rejected(NAME, "unknown_message", f"a reply to a digest of {len(items)} nudges that names none")
    moment_id, rest = items[int(found.group(1)) - 1], found.group(2).strip()
    kind = reaction_kind(rest) if len(rest) <= 20 else None
    if kind is not None:
        return replace(answer, moment_id=moment_id, kind=kind, text=None)
    if not rest:
        return Rejected(NAME, "malformed", "a reply with an item number and no answer")
    return replace(answer, moment_id=moment_id, kind=ResponseKind.REFLECTION, text=rest)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255


def _received_at(value: object) -> datetime | None:
    if type(value) is not int:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- errors ----------------------------------------------------------------------------------------------------


def classify(status: int, errcode: str) -> ReceiptStatus:
    """What a homeserver's refusal means for the delivery: try later, never as is, or not this person here."""
    if errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or status == 401:
        return ReceiptStatus.PERMANENT
    if errcode == "M_LIMIT_EXCEEDED" or status == 429 or status >= 500 or status == 0:
        return ReceiptStatus.RETRYABLE
    if errcode in ("M_FORBIDDEN", "M_NOT_FOUND") or status in (403, 404):
        return ReceiptStatus.UNREACHABLE
    return ReceiptStatus.PERMANENT


def failure(error: Any, doing: str) -> Receipt:
    status, errcode = _http_status(error), str(getattr(error, "status_code", None) or "")
    content = getattr(error, "content", None)  # nio reports some refusals as a response carrying the error
    if not errcode and isinstance(content, dict):
        errcode = str(content.get("errcode") or "")
    message = getattr(error, "message", None) or (content.get("error") if isinstance(content, dict) else "") or ""
    verdict = classify(status, errcode)
    detail = f"{doing}: {status} {errcode} {message}".strip()[:250]
    if errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or status == 401:
        detail += f"; {TOKEN_HINT}"
    return Receipt(verdict, detail=detail)


def unreadable(error: Any, doing: str) -> DeliveryError:
    """A failed read of the homeserver, for the worker: whether the next tick may do better, and why."""
    refused = failure(error, doing)
    return DeliveryError(f"Matrix: {refused.detail}", retryable=refused.status == ReceiptStatus.RETRYABLE)


def _http_status(response: Any) -> int:
    transport = getattr(response, "transport_response", None)
    return int(getattr(transport, "status", 0) or 0)


def _formatted(template: str, email_local: str, person_id: str) -> str | None:
    try:
        return template.format(email_local=email_local, id=person_id)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


def from_settings(settings: Settings) -> MatrixChannel | None:
    """The Matrix channel when a homeserver and the bot's access token are set."""
    matrix = settings.matrix
    if not matrix.homeserver or matrix.access_token is None:
        return None
    if matrix.user_id_template:
        example = _formatted(matrix.user_id_template, "bea.boss", "boss")
        if example is None or not _USER_ID.fullmatch(example):
            raise SettingsError(
                f"KAIROS_MATRIX__USER_ID_TEMPLATE {matrix.user_id_template!r} must make a Matrix id from "
                f"{{email_local}} and/or {{id}}, e.g. @{{email_local}}:example.org (got {example!r})"
            )
    return MatrixChannel(matrix)
