"""Replies to email nudges: an SMTP server (`kairos mail-in`) that turns "done", "later" or a sentence into an answer.

A nudge's Reply-To is ``reply+m<moment>.<mac>@<reply domain>`` (``deliver/tokens.py``). Mail for anything else is
refused at ``RCPT TO`` (550), before its body is sent: an unknown domain or local part, a moment that does not exist,
a MAC not made for the moment's recipient. A message larger than ``KAIROS_MAIL_IN__MAX_MESSAGE_BYTES`` is refused
with 552. The body is the text part (or the HTML part without its tags) with the quoted original and the signature
cut off; its first line decides what the answer is (:func:`read_reply`). The From address must be the recipient's
own (or an alias): ``deliver/inbound.accept`` checks it, notes the Message-ID so a resent copy changes nothing,
and stores the response. Automatic replies (out of office, delivery reports) are taken with 250 and recorded only
as a rejection, so no mail system retries them and nobody is told anything.

Every refusal is a ``channel.rejected`` event with its reason; the message itself is never stored in one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from html.parser import HTMLParser
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from kairos.clock import Clock, SystemClock
from kairos.deliver.base import Answer, Rejected
from kairos.deliver.inbound import accept, record_rejection
from kairos.deliver.tokens import Signer, signer
from kairos.domain.response import ResponseKind
from kairos.ingest.responses import MAX_REFLECTION
from kairos.settings import Settings, SettingsError
from kairos.store import Database
from kairos.store import moments as moment_store

CHANNEL = "email"
log = logging.getLogger(__name__)

# The first line of a reply, lowercased and without surrounding punctuation, that means each answer.
APPLIED = frozenset({"done", "applied", "did it", "i did it", "yes", "✅", "✔", "✔️", "👍"})
NOT_RELEVANT = frozenset({"not relevant", "no", "irrelevant", "not applicable", "n/a"})
SNOOZE = frozenset({"later", "snooze", "not now", "remind me later"})
_RATING = re.compile(r"^([1-5])(?:\s*/\s*5)?$")
_PUNCTUATION = " \t.!?,;:'\"()[]*_-~"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Where the quoted original starts: "On Mon, 2 Mar 2026, Kairos <…> wrote:" (in a few languages, and wrapped over
# two lines by Gmail), Outlook's separators and header blocks, forwarding markers, "Sent from my phone".
_WROTE = re.compile(
    r"^(on|am|le|el|il|op|em)\b.*\d.*\b(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)\b.*:\s*$", re.I
)
_SEPARATOR = re.compile(
    r"^(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|forwarded message)\s*-{2,}"
    r"|_{10,}|begin forwarded message:|sent from my \S+.*|get outlook for \S+.*)$",
    re.I,
)
_HEADER_FROM = re.compile(r"^\**(from|von|de)\s*:\**\s", re.I)
_HEADER_NEXT = re.compile(r"^\**(sent|date|to|subject|gesendet|an|betreff|envoyé|objet)\s*:", re.I)

_REFUSED = {  # what the sending mail server is told, by reason (its 5xx text reaches the person as a bounce)
    "not_configured": "550 5.1.1 Replies to Kairos nudges are not enabled here",
    "unknown_message": "550 5.1.1 No such Kairos reply address",
    "forged": "550 5.1.1 No such Kairos reply address",  # the same words: no oracle for guessing moment ids
    "unknown_sender": "550 5.7.1 Kairos does not know this sender: reply from the address the nudge was sent to",
    "not_recipient": "550 5.7.1 Only the person a nudge was sent to can answer it",
    "not_delivered": "550 5.1.1 That nudge was never delivered, so it cannot be answered",
    "malformed": "550 5.6.0 Kairos could not read this reply",
    "replayed": "250 2.0.0 This reply was already recorded",
    "unsupported": "250 2.0.0 Nothing to record (an automatic or empty reply)",
}
_KIND_WORDS = {
    ResponseKind.APPLIED: "applied",
    ResponseKind.NOT_RELEVANT: "not relevant",
    ResponseKind.SNOOZE: "later",
    ResponseKind.REFLECTION: "a reflection",
    ResponseKind.RATING: "a rating",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What the words of a reply mean."""

    kind: ResponseKind
    text: str | None = None
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """A reply message read: who sent it, the id a resent copy shares, and what it says."""

    sender: str
    external_id: str
    reply: Reply


def read_reply(body: str) -> Reply:
    """The answer in a reply's body; :class:`Rejected` when nothing is left once quotes are cut, or too much is."""
    cleaned = without_quotes(body)
    if not cleaned:
        raise Rejected(CHANNEL, "unsupported", "the reply is empty once the quoted nudge and signature are cut")
    lines = cleaned.splitlines()
    first = lines[0].strip().lower().strip(_PUNCTUATION)
    rest = "\n".join(lines[1:]).strip() or None
    rated = _RATING.match(first)
    if first in APPLIED:
        reply = Reply(ResponseKind.APPLIED, rest)
    elif first in NOT_RELEVANT:
        reply = Reply(ResponseKind.NOT_RELEVANT, rest)
    elif first in SNOOZE:
        reply = Reply(ResponseKind.SNOOZE, rest)
    elif rated:
        reply = Reply(ResponseKind.RATING, rest, int(rated[1]))
    else:
        reply = Reply(ResponseKind.REFLECTION, cleaned)
    if reply.text is not None and len(reply.text) > MAX_REFLECTION:
        detail = f"Kairos keeps a reflection to {MAX_REFLECTION} characters and this one has {len(reply.text)}"
        raise Rejected(CHANNEL, "oversized", detail + "; please shorten it and reply again")
    return reply


def without_quotes(body: str) -> str:
    """The reply's own words: quoted lines, the quoted original and the signature cut off."""
    lines = storable(body).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip() == "--" or _SEPARATOR.match(stripped):
            break  # "-- " opens a signature (RFC 3676); many clients drop its space
        if _WROTE.match(stripped) or (i + 1 < len(lines) and _WROTE.match(f"{stripped} {lines[i + 1].strip()}")):
            break
        if _HEADER_FROM.match(stripped) and any(_HEADER_NEXT.match(n.strip()) for n in lines[i + 1 : i + 4]):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def storable(text: str) -> str:
    """Text as a database keeps it: without control characters (PostgreSQL refuses NUL) and without the unpaired
    surrogates that undecodable bytes leave in parsed headers."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).encode("utf-8", "replace").decode("utf-8")


def parse_reply(raw: bytes, mail_from: str, max_bytes: int) -> ParsedReply:
    """Read one reply message; :class:`Rejected` (not yet recorded) when it is too large, unreadable, automatic,
    empty, or its reflection too long."""
    if len(raw) > max_bytes:
        raise Rejected(CHANNEL, "oversized", f"Kairos takes replies of up to {max_bytes} bytes and this one has "
                                             f"{len(raw)}; please reply with a few sentences")  # fmt: skip
    try:
        sender, external_id, automatic, body = _read(raw, mail_from)
    except Exception as exc:  # the stdlib parser raises assorted errors on hostile input; each is a malformed reply
        raise Rejected(CHANNEL, "malformed", f"the message could not be read ({type(exc).__name__})") from None
    if automatic:
        raise Rejected(CHANNEL, "unsupported", f"an automatic message ({automatic})")
    if "@" not in sender:
        raise Rejected(CHANNEL, "malformed", "the message has no sender address")
    return ParsedReply(sender, external_id, read_reply(body))


def _read(raw: bytes, mail_from: str) -> tuple[str, str, str | None, str]:
    message = BytesParser(policy=default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    from_header = message.get("From")
    addresses = getattr(from_header, "addresses", ()) if from_header is not None else ()
    sender = storable(addresses[0].addr_spec if addresses else mail_from).strip().lower()
    given_id = storable(str(message.get("Message-ID", "") or "")).strip()
    external_id = given_id[:300] if given_id else "sha256:" + hashlib.sha256(raw).hexdigest()
    return sender, external_id, automatic_reason(message, mail_from), body_text(message)


def automatic_reason(message: EmailMessage, mail_from: str) -> str | None:
    """Why a message was written by a machine (out of office, a bounce, a list), or None when a person wrote it."""
    if not mail_from.strip("<> "):
        return "an empty envelope sender: a delivery report"
    submitted = str(message.get("Auto-Submitted", "") or "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted[:40]}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        value = message.get(header)
        if value is not None and str(value).strip().lower() != "no":
            return f"{header} is set"
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "auto_reply", "junk", "list"):
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report"
    return None


def body_text(message: EmailMessage) -> str:
    """The text a person wrote: the plain part, else the HTML part as text; empty when there is neither."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    return html_text(content) if part.get_content_type() == "text/html" else content


class _HtmlText(HTMLParser):
    """Text of an HTML reply, a line per block; quoted originals (``blockquote``), styles and scripts left out."""

    _SKIPPED = frozenset({"blockquote", "style", "script", "head", "title"})
    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "hr", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(document: str) -> str:
    parser = _HtmlText()
    parser.feed(document)
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines())


class ReplyHandler:
    """The aiosmtpd handler: checks the reply address at ``RCPT TO`` and the message at ``DATA``."""

    def __init__(self, db: Database, reply_signer: Signer, settings: Settings, clock: Clock) -> None:
        self.db, self.signer, self.settings, self.clock = db, reply_signer, settings, clock
        self.domain = (settings.mail_in.reply_domain or "").lower()
        self.max_bytes = settings.mail_in.max_message_bytes

    def moment_of(self, address: str) -> int:
        """The moment a reply address names; :class:`Rejected` (not yet recorded) when it names none or is forged."""
        local, _, domain = address.strip("<> ").rpartition("@")
        if not self.domain:
            raise Rejected(CHANNEL, "not_configured", "KAIROS_MAIL_IN__REPLY_DOMAIN is not set")
        if domain.lower() != self.domain:
            raise Rejected(CHANNEL, "unknown_message", f"mail for another domain ({storable(domain[:100])})")
        moment_id = self.signer.read_reply_local_part(local)
        if moment_id is None:
            raise Rejected(CHANNEL, "unknown_message", "not a reply address Kairos makes")
        with self.db.transaction() as conn:
            row = moment_store.find(conn, moment_id)
        if row is None:
            raise Rejected(CHANNEL, "unknown_message", f"no nudge {moment_id}")
        if not self.signer.reply_matches(local, row.recipient_id):
            raise Rejected(CHANNEL, "forged", f"the reply address of nudge {moment_id} was not signed for its "
                                              f"recipient")  # fmt: skip
        return moment_id

    def check_recipient(self, address: str, remote: str = "") -> str:
        """The SMTP answer to ``RCPT TO: address``."""
        try:
            self.moment_of(address)
        except Rejected as refused:
            record_rejection(self.db, refused, self.clock.now(), remote=remote)
            return smtp_reply(refused)
        return "250 2.1.5 OK"

    def receive(self, raw: bytes, recipient: str, mail_from: str, remote: str = "") -> str:
        """Read, check and store one reply; the SMTP answer to its ``DATA``."""
        now = self.clock.now()
        try:
            moment_id = self.moment_of(recipient)
            parsed = parse_reply(raw, mail_from, self.max_bytes)
        except Rejected as refused:
            record_rejection(self.db, refused, now, remote=remote, size=len(raw))
            return smtp_reply(refused)
        reply = parsed.reply
        answer = Answer(channel=CHANNEL, external_id=parsed.external_id, sender=parsed.sender, kind=reply.kind,
                        moment_id=moment_id, text=reply.text, rating=reply.rating, received_at=now)  # fmt: skip
        try:
            accept(self.db, answer, now, working_days=tuple(self.settings.working_days), remote=remote, size=len(raw))
        except Rejected as refused:  # accept() has recorded it
            return smtp_reply(refused)
        return f"250 2.0.0 Thank you: recorded as {_KIND_WORDS[reply.kind]}"

    def refuse_oversized(self, remote: str = "") -> str:
        """The answer when the SMTP server itself stops reading a message over the size limit."""
        refused = Rejected(CHANNEL, "oversized", f"Kairos takes replies of up to {self.max_bytes} bytes; please "
                                                 f"reply with a few sentences")  # fmt: skip
        record_rejection(self.db, refused, self.clock.now(), remote=remote, size=self.max_bytes + 1)
        return smtp_reply(refused)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if envelope.rcpt_tos:
            return "452 4.5.3 One Kairos reply address per message"  # each reply answers one nudge
        answer = await asyncio.to_thread(self.check_recipient, address, _remote(session))
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        return await asyncio.to_thread(
            self.receive, raw, envelope.rcpt_tos[0], envelope.mail_from or "", _remote(session)
        )

    async def handle_exception(self, error: Exception) -> str:
        """Anything unforeseen (the database down) is a temporary failure: the sending server keeps the reply and
        tries again, instead of bouncing it with aiosmtpd's default 500 and the error's text."""
        log.error("kairos mail-in could not handle a message: %s", type(error).__name__, exc_info=error)
        return "451 4.3.0 Kairos could not take this reply just now; it will be tried again"


def smtp_reply(refused: Rejected) -> str:
    if refused.reason == "oversized":
        return f"552 5.3.4 {refused.detail}"
    return _REFUSED.get(refused.reason, "550 5.7.1 Kairos could not record this reply")


def _remote(session: Any) -> str:
    peer = getattr(session, "peer", None)
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(peer or "")


class _ReplySmtp(SMTP):
    """aiosmtpd's session, with the refusals it makes itself recorded too. It answers before any handler hook: 552
    for a declared ``SIZE=`` over the limit or data that outgrows it (keeping none of it in memory), 500 for a line
    longer than SMTP allows."""

    async def push(self, status: AnyStr) -> None:
        text = status.decode() if isinstance(status, bytes) else status
        handler = self.event_handler
        if isinstance(handler, ReplyHandler) and text.startswith(("552 Error", "500 Line too long")):
            remote = _remote(self.session)
            if text.startswith("552"):
                await super().push(await asyncio.to_thread(handler.refuse_oversized, remote))
                return
            refused = Rejected(CHANNEL, "malformed", "a line longer than SMTP allows (RFC 5321 4.5.3.1.6)")
            await asyncio.to_thread(record_rejection, handler.db, refused, handler.clock.now(), remote=remote)
        await super().push(status)


class ReplyController(Controller):
    def factory(self) -> SMTP:
        return _ReplySmtp(self.handler, **self.SMTP_kwargs)


def controller(settings: Settings, db: Database, clock: Clock | None = None, *, port: int | None = None) -> Controller:
    """The reply server, not yet started (``start()``/``stop()``); ``port`` overrides ``KAIROS_MAIL_IN__PORT``."""
    mail_in = settings.mail_in
    if not mail_in.reply_domain:
        raise SettingsError("set KAIROS_MAIL_IN__REPLY_DOMAIN (the domain whose mail reaches `kairos mail-in`)")
    handler = ReplyHandler(db, signer(settings), settings, clock or SystemClock())
    return ReplyController(handler, hostname=mail_in.host, port=port if port is not None else mail_in.port,
                           server_hostname=mail_in.reply_domain, data_size_limit=mail_in.max_message_bytes)  # fmt: skip


def serve(settings: Settings, db: Database, clock: Clock | None = None, stop: threading.Event | None = None) -> None:
    """Receive replies on ``KAIROS_MAIL_IN__HOST``:``PORT`` until interrupted, or until ``stop`` is set
    (``kairos mail-in`` is ``serve(settings, db)``)."""
    server = controller(settings, db, clock)
    server.start()
    try:
        (stop or threading.Event()).wait()
    finally:
        server.stop()


__all__ = ["ParsedReply", "Reply", "ReplyHandler", "controller", "parse_reply", "read_reply", "serve"]
