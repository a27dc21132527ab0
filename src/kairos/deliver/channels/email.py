"""Email over SMTP: a multipart message (plain text and HTML) per nudge."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from kairos.deliver.base import Channel, Receipt, ReceiptStatus
from kairos.domain.nudge import Nudge
from kairos.settings import SmtpSettings


class EmailChannel(Channel):
    name = "email"
    resend_is_safe = False  # SMTP has no idempotency: a message accepted once would be accepted again

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def message(self, nudge: Nudge, idempotency_key: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = formataddr((nudge.recipient_name, nudge.recipient_email))
        msg["Subject"] = nudge.subject
        msg["Date"] = formatdate(localtime=False)
        # The Message-ID derives from the idempotency key so mail systems can spot a duplicate.
        domain = self.settings.sender.rsplit("@", 1)[-1].strip("> ") or "kairos.local"
        msg["Message-ID"] = make_msgid(idstring=idempotency_key.replace("/", "."), domain=domain)
        msg["X-Kairos-Delivery"] = idempotency_key
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(nudge.text)
        msg.add_alternative(nudge.html, subtype="html")
        return msg

    def send(self, nudge: Nudge, idempotency_key: str, mark_in_flight: Callable[[], None]) -> Receipt:
        msg = self.message(nudge, idempotency_key)
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                smtp.ehlo()
                if s.starttls:
                    smtp.starttls()
                    smtp.ehlo()
                if s.username:
                    smtp.login(s.username, s.password.get_secret_value() if s.password else "")
                sender = msg["From"].addresses[0].addr_spec
                code, reply = smtp.mail(sender)
                if code != 250:
                    return _refused(code, reply, "MAIL FROM")
                code, reply = smtp.rcpt(nudge.recipient_email)
                if code not in (250, 251):
                    return _refused(code, reply, "RCPT TO")
                # From here the server may accept the message at any instant.
                mark_in_flight()
                # smtplib leaves bytes as they are, and SMTP wants CRLF line ends
                code, reply = smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
                if code != 250:
                    return _refused(code, reply, "DATA")
        except smtplib.SMTPResponseException as exc:
            return _refused(exc.smtp_code, exc.smtp_error, "SMTP")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}")
        return Receipt(
            ReceiptStatus.DELIVERED, provider_id=msg["Message-ID"], detail=f"{code} {reply.decode(errors='replace')}"
        )


def _refused(code: int, reply: bytes | str, stage: str) -> Receipt:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    status = ReceiptStatus.RETRYABLE if 400 <= code < 500 else ReceiptStatus.PERMANENT
    return Receipt(status, detail=f"{stage} refused: {code} {text}")
