"""Email over SMTP: a multipart message (plain text and HTML) per nudge, answerable by link or by reply.

Every message ends with its delivery note. When the nudge carries one-tap links, both parts show them as text
(never images), with the person's inbox and preferences; when replies are enabled (``KAIROS_MAIL_IN__REPLY_DOMAIN``)
the Reply-To is a signed address naming the moment (``reply+m42.<mac>@domain``, read by ``email_inbound``), and the
message says what to write back. A brief about a meeting carries itself as ``brief.ics``; a daily digest shows
each nudge it gathers with that nudge's own links.
"""

from __future__ import annotations

import html
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import quote

from kairos.clock import Clock, SystemClock
from kairos.deliver.base import Address, Channel, Check, Receipt, ReceiptStatus
from kairos.deliver.ics import brief_calendar
from kairos.deliver.tokens import Signer, signer
from kairos.domain.nudge import Links, Nudge
from kairos.domain.person import Person
from kairos.settings import Settings, SmtpSettings

# The one-tap answers, in the order they are shown, with the words on each link.
ANSWER_LABELS = {"applied": "I applied it", "not_relevant": "Not relevant", "snooze": "Remind me later",
                 "reflection": "Write a reflection", "rating": "Rate it"}  # fmt: skip
REPLY_HINT = (
    'You can also answer by email: reply "done", "not relevant" or "later", a rating from 1 to 5, or write a '
    "sentence of reflection."
)
_TEXT_FOOTER, _HTML_FOOTER = "\n\n--\n", "<hr>"  # where a composed nudge's "why you are seeing this" starts
_POLICY = policy.SMTP.clone(max_line_length=998)  # RFC 5322's limit: long link headers stay unencoded on one line
_LINK_STYLE = "display: inline-block; padding: 0.4em 0.8em; margin: 0 0.4em 0.4em 0; border: 1px solid #1a56a6; "
_LINK_STYLE += "border-radius: 4px; color: #1a56a6; text-decoration: underline"


class EmailChannel(Channel):
    name = "email"
    resend_is_safe = False  # SMTP has no idempotency: a message accepted once would be accepted again

    def __init__(
        self,
        settings: SmtpSettings,
        reply_signer: Signer | None = None,
        reply_domain: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        # Replies are asked for only when both are known: an address nobody receives mail for would bounce.
        self.replies = (reply_signer, reply_domain) if reply_signer and reply_domain else None
        self.clock = clock or SystemClock()
        self.answers = REPLY_HINT if self.replies else ""

    def reply_address(self, nudge: Nudge) -> str | None:
        """The signed address a reply to this nudge goes to; None when replies are off or the reply could not say
        which nudge it answers (a digest of several)."""
        if nudge.digest:
            return self.reply_address(nudge.digest[0]) if len(nudge.digest) == 1 else None
        if self.replies is None or nudge.moment_id is None:
            return None
        reply_signer, domain = self.replies
        return f"{reply_signer.reply_local_part(nudge.moment_id, nudge.recipient_id)}@{domain}"

    def message(self, nudge: Nudge, idempotency_key: str) -> EmailMessage:
        now = self.clock.now()
        msg = EmailMessage(policy=_POLICY)
        msg["From"] = self.settings.sender
        msg["To"] = formataddr((nudge.recipient_name, nudge.recipient_email))
        msg["Subject"] = nudge.subject
        msg["Date"] = format_datetime(now.astimezone(UTC))
        # The Message-ID derives from the idempotency key so mail systems can spot a duplicate.
        msg["Message-ID"] = make_msgid(idstring=idempotency_key.replace("/", "."), domain=self._domain())
        msg["X-Kairos-Delivery"] = idempotency_key
        msg["Auto-Submitted"] = "auto-generated"
        reply_to = self.reply_address(nudge)
        if reply_to:
            msg["Reply-To"] = reply_to
        if nudge.links.preferences:
            msg["List-Unsubscribe"] = f"<{nudge.links.preferences}>"
        text, body = self._parts(nudge, reply_to is not None)
        msg.set_content(text)
        msg.add_alternative(body, subtype="html")
        if nudge.meeting:
            ics = brief_calendar(nudge, stamp=now, domain=self._domain())
            msg.add_attachment(ics, maintype="text", subtype="calendar", filename="brief.ics",
                               params={"method": "PUBLISH"})  # fmt: skip
        return msg

    def _domain(self) -> str:
        return self.settings.sender.rsplit("@", 1)[-1].strip("> ") or "kairos.local"

    def _parts(self, nudge: Nudge, replies: bool) -> tuple[str, str]:
        """The plain-text and HTML bodies: the nudge (or each nudge of a digest) with its own answer links, the
        inbox and preferences links, how to answer by reply, and the delivery note last."""
        if nudge.digest:
            texts, htmls = [], []
            for i, member in enumerate(nudge.digest, 1):
                own = _answer_links(member.links) + self._mail_link(member, len(nudge.digest) > 1)
                texts.append(f"{i}. {member.subject}\n\n" + _before_footer(member.text.strip(), _TEXT_FOOTER,
                                                                            _links_text(own)))  # fmt: skip
                htmls.append(f"<section><h2>{i}. {html.escape(member.subject)}</h2>"
                             + _before_footer(_html_body(member.html), _HTML_FOOTER, _buttons_html(own))
                             + "</section>")  # fmt: skip
            text, body = "\n\n".join(texts), "<hr>".join(htmls)
        else:
            answers = _answer_links(nudge.links)
            text = _before_footer(nudge.text.rstrip(), _TEXT_FOOTER, _links_text(answers))
            body = _before_footer(_html_body(nudge.html), _HTML_FOOTER, _buttons_html(answers))
        text += _links_text(_place_links(nudge.links))
        body += _places_html(_place_links(nudge.links))
        if (replies or (nudge.digest and self.replies)) and REPLY_HINT not in nudge.delivery_note:
            text += f"\n\n{REPLY_HINT}"
            body += f"<p>{html.escape(REPLY_HINT)}</p>"
        if nudge.delivery_note:
            text += f"\n\n{nudge.delivery_note}"
            body += f'<p style="font-size: 0.9em; color: #444">{html.escape(nudge.delivery_note)}</p>'
        return text + "\n", _document(body)

    def _mail_link(self, member: Nudge, needed: bool) -> list[tuple[str, str]]:
        """For one nudge of a digest of several: a link that starts a reply to that nudge's own reply address."""
        address = self.reply_address(member) if needed else None
        return [("Answer by email", f"mailto:{address}?subject={quote('Re: ' + member.subject)}")] if address else []

    def reaches(self, person: Person, address: Address | None) -> bool:
        return bool(person.email)

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """A connection greeted, upgraded with STARTTLS and logged in as the settings say: where a delivery and a
        check both start."""
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls()
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password.get_secret_value() if s.password else "")
            yield smtp

    def check(self) -> Check:
        """Connect, greet, upgrade and log in as a delivery would, then NOOP; no message is started."""
        s = self.settings
        try:
            with self._session() as smtp:
                code, _ = smtp.noop()
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return Check(False, f"{s.host}:{s.port}: {type(exc).__name__}: {exc}")
        login = f", logged in as {s.username}" if s.username else ""
        return Check(code == 250, f"{s.host}:{s.port} answered{' with STARTTLS' if s.starttls else ''}{login}")

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        msg = self.message(nudge, idempotency_key)
        in_flight = False
        try:
            with self._session() as smtp:
                sender = msg["From"].addresses[0].addr_spec
                code, reply = smtp.mail(sender)
                if code != 250:
                    return _refused(code, reply, "MAIL FROM")
                code, reply = smtp.rcpt(nudge.recipient_email)
                if code not in (250, 251):
                    return _refused(code, reply, "RCPT TO")
                # From here the server may accept the message at any instant.
                mark_in_flight()
                in_flight = True
                code, reply = smtp.data(msg.as_bytes())  # CRLF line ends: the message's policy is policy.SMTP
                if code != 250:
                    return _refused(code, reply, "DATA")
        except smtplib.SMTPResponseException as exc:
            return _refused(exc.smtp_code, exc.smtp_error, "SMTP")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            if in_flight:  # the connection broke while the server was taking the message: it may have it
                return Receipt(ReceiptStatus.UNCERTAIN, detail=f"the connection failed during DATA: "
                                                              f"{type(exc).__name__}: {exc}")  # fmt: skip
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}")
        return Receipt(
            ReceiptStatus.DELIVERED, provider_id=msg["Message-ID"], detail=f"{code} {reply.decode(errors='replace')}"
        )


def _answer_links(links: Links) -> list[tuple[str, str]]:
    """(label, URL) of each one-tap answer: the three known ones first, any other kind after."""
    known = [(ANSWER_LABELS[kind], links.respond[kind]) for kind in ANSWER_LABELS if kind in links.respond]
    other = [(kind.replace("_", " ").capitalize(), url) for kind, url in links.respond.items()
             if kind not in ANSWER_LABELS]  # fmt: skip
    return known + other


def _place_links(links: Links) -> list[tuple[str, str]]:
    found = [("Your Kairos inbox", links.inbox), ("Your delivery preferences", links.preferences)]
    return [(label, url) for label, url in found if url]


def _links_text(links: list[tuple[str, str]]) -> str:
    return "\n\n" + "\n".join(f"{label}: {url}" for label, url in links) if links else ""


def _buttons_html(links: list[tuple[str, str]]) -> str:
    """Answer links as real links with their words as text, so screen readers and image-blocking clients show them."""
    if not links:
        return ""
    buttons = "".join(f'<a href="{html.escape(url)}" style="{_LINK_STYLE}">{html.escape(label)}</a>'
                      for label, url in links)  # fmt: skip
    return f'<p role="group" aria-label="Answer this note">{buttons}</p>'


def _places_html(links: list[tuple[str, str]]) -> str:
    if not links:
        return ""
    return "<p>" + " · ".join(f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in links) + "</p>"


def _before_footer(body: str, footer_mark: str, links: str) -> str:
    """``links`` put after the nudge's own words and before its "why you are seeing this" footer (or at the end)."""
    at = body.rfind(footer_mark)
    return body + links if at == -1 else body[:at] + links + body[at:]


def _html_body(document: str) -> str:
    """What is inside ``<body>`` of a composed nudge's HTML (the whole text when it is a fragment)."""
    lower = document.lower()
    start, end = lower.find("<body"), lower.rfind("</body>")
    if start == -1 or end == -1:
        return document
    return document[document.index(">", start) + 1 : end]


def _document(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Kairos</title></head>'
        f'<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">{body}</body></html>'
    )


def _refused(code: int, reply: bytes | str, stage: str) -> Receipt:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    status = ReceiptStatus.RETRYABLE if 400 <= code < 500 else ReceiptStatus.PERMANENT
    return Receipt(status, detail=f"{stage} refused: {code} {text}")


def from_settings(settings: Settings) -> EmailChannel:
    """Email is always on: the SMTP server defaults to the local one. Replies are signed only when asked for."""
    domain = settings.mail_in.reply_domain
    return EmailChannel(settings.smtp, signer(settings) if domain else None, domain)
