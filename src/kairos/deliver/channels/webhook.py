"""Outgoing webhooks: every nudge routed here is POSTed as signed JSON to one endpoint the organization runs.

The receiver decides how to show it (an intranet, a ticketing tool, a chat Kairos has no channel for) and routes it
to the person named in the payload. Requests follow Standard Webhooks (``deliver/signing.py``): the ``webhook-id``
is the delivery's idempotency key and stays the same on every retry, so a receiver that deduplicates by it — as the
specification asks — never shows a nudge twice, and a resend after a crash is safe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from kairos.deliver import signing
from kairos.deliver.backoff import parse_retry_after
from kairos.deliver.base import Address, Channel, Check, Receipt, ReceiptStatus
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.settings import OutgoingWebhookSettings, Settings, SettingsError

EVENT_TYPE = "nudge.due"  # a nudge is due for the person in data.recipient: show it to them now
MAX_RESPONSE_BYTES = 64 * 1024  # what a receiver answers is read up to this much, never more
MAX_RECEIVER_ID = 200
USER_AGENT = "Kairos-Webhooks/1"
ANSWERS = "Answer with the links that come with it."


class WebhookChannel(Channel):
    name = "webhook"
    resend_is_safe = True  # the webhook-id is the idempotency key, and receivers deduplicate by it

    def __init__(
        self,
        settings: OutgoingWebhookSettings,
        keys: list[bytes],
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
        answers: str = "",
    ) -> None:
        assert settings.url, "from_settings builds the channel only when a URL is configured"
        self.url = settings.url
        self.answers = answers
        self.keys = keys
        self.timeout = settings.timeout_seconds
        self.clock = clock
        self._transport = transport
        self._client: httpx.Client | None = None

    def check(self) -> Check:
        """A webhook cannot be asked anything without delivering something: only the settings are checked (at
        start); the receiver itself is not called."""
        return Check(True, f"signs with {len(self.keys)} key(s) for {self.url}; the receiver is not called by a check")

    def reaches(self, person: Person, address: Address | None) -> bool:
        """Always: the receiver routes each nudge to its person by the payload's recipient."""
        return True

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        now, msg_id = self.clock(), webhook_id(idempotency_key)
        body = encode(payload(nudge, msg_id, datetime.fromtimestamp(now, UTC)))
        headers = signing.sign(self.keys, msg_id, int(now), body)
        # identity: the answer is read raw and capped, so a compressed one could not inflate past the cap
        headers |= {"content-type": "application/json", "user-agent": USER_AGENT, "accept-encoding": "identity"}
        deadline = time.monotonic() + self.timeout
        # From here the receiver may accept the message at any instant.
        mark_in_flight()
        try:
            with self.client.stream("POST", self.url, content=body, headers=headers) as response:
                answer = _read_capped(response, deadline)
        except httpx.TimeoutException as exc:
            return Receipt(
                ReceiptStatus.RETRYABLE, detail=f"no answer within {self.timeout:g} s ({type(exc).__name__})"
            )
        except httpx.TransportError as exc:
            return Receipt(ReceiptStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}")
        return receipt(response.status_code, response.reason_phrase, response.headers, answer, msg_id)

    @property
    def client(self) -> httpx.Client:
        """One client, so consecutive deliveries reuse the connection (keep-alive). The standard proxy and CA
        variables (``HTTPS_PROXY``, ``NO_PROXY``, ``SSL_CERT_FILE``) apply, as an egress proxy is how many operators
        keep outgoing webhooks away from internal addresses."""
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False, transport=self._transport)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def webhook_id(idempotency_key: str) -> str:
    """The ``webhook-id`` for a delivery: its idempotency key, with any byte that may not appear in an id (a full
    stop, a space: a digest key carries the person's id, which an HR system may spell ``jane.doe``) written as
    ``%XX``. The same key always gives the same id, so every retry carries it."""
    return "".join(chr(b) if chr(b) in _ID_SAFE else f"%{b:02X}" for b in idempotency_key.encode("utf-8"))


_ID_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/:")


def payload(nudge: Nudge, msg_id: str, sent_at: datetime) -> dict[str, Any]:
    """The JSON a receiver gets: Standard Webhooks' ``type``/``timestamp``/``data`` with the whole nudge in data.

    A receiver shows ``data.delivery_note`` with every message (why this channel, how to change it);
    ``data.digest`` lists the nudges a daily digest gathers, each with its own ``moment_id`` and answer links.
    """
    return {
        "type": EVENT_TYPE,
        "id": msg_id,
        "timestamp": sent_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "recipient": {"id": nudge.recipient_id, "name": nudge.recipient_name, "email": nudge.recipient_email},
            **_message(nudge),
            "delivery_note": nudge.delivery_note,
            "digest": [_message(member) for member in nudge.digest],
        },
    }


def _message(nudge: Nudge) -> dict[str, Any]:
    return {
        "moment_id": nudge.moment_id,
        "subject": nudge.subject,
        "text": nudge.text,
        "html": nudge.html,
        "why": nudge.why,
        "links": {"respond": dict(nudge.links.respond), "inbox": nudge.links.inbox,
                  "preferences": nudge.links.preferences},
        "meeting": nudge.meeting,
    }  # fmt: skip


def encode(document: dict[str, Any]) -> bytes:
    """Minified UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def receipt(status: int, reason: str, headers: httpx.Headers, answer: bytes, msg_id: str) -> Receipt:
    """What the receiver's status means for this delivery (Standard Webhooks' "delivery success and failure").

    2xx delivered; 410 Gone: the receiver unsubscribed, never retried; 408, 429 and 5xx: busy or failing now, retried
    later; a redirect is not followed (the URL should be updated instead), so it fails like any other 4xx.
    """
    said = f"{status} {reason}".strip()
    if 200 <= status < 300:
        own = _receiver_id(answer)
        return Receipt(
            ReceiptStatus.DELIVERED, provider_id=msg_id, detail=said + (f" (receiver id {own})" if own else "")
        )
    if status == 410:
        return Receipt(ReceiptStatus.PERMANENT, detail=f"{said}: the receiver unsubscribed; fix it there, then resend")
    if status in (408, 429) or 500 <= status < 600:
        wait = headers.get("retry-after")
        return Receipt(ReceiptStatus.RETRYABLE, detail=said + (f" (Retry-After: {wait[:40]})" if wait else ""),
                       retry_after=parse_retry_after(wait, datetime.now(UTC)))  # fmt: skip
    if 300 <= status < 400:
        where = headers.get("location", "")[:200] or "(the receiver named none)"
        detail = f"{said}: redirects are not followed; set KAIROS_WEBHOOK_OUT__URL to the new address {where}"
        return Receipt(ReceiptStatus.PERMANENT, detail=detail)
    return Receipt(ReceiptStatus.PERMANENT, detail=f"{said}: the receiver refused the request")


def _read_capped(response: httpx.Response, deadline: float) -> bytes:
    """The start of the answer, at most ``MAX_RESPONSE_BYTES``, and no later than ``deadline`` (a receiver that
    trickles bytes would otherwise hold the worker past its timeout)."""
    kept = bytearray()
    for chunk in response.iter_raw():
        kept += chunk[: MAX_RESPONSE_BYTES - len(kept)]
        if len(kept) >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
            break
    return bytes(kept)


def _receiver_id(answer: bytes) -> str | None:
    """An ``id`` the receiver gave its copy (``{"id": "..."}``), shown in the trace; anything else is ignored."""
    try:
        document = json.loads(answer)
    except ValueError:
        return None
    own = document.get("id") if isinstance(document, dict) else None
    return own if isinstance(own, str) and 0 < len(own) <= MAX_RECEIVER_ID and own.isprintable() else None


def keys_from(settings: OutgoingWebhookSettings) -> list[bytes]:
    """The signing keys, the current one first. Raises SettingsError naming the setting that is wrong."""
    found = []
    for name, secret in (("SECRET", settings.secret), ("PREVIOUS_SECRET", settings.previous_secret)):
        if secret is None:
            continue
        try:
            found.append(signing.secret_key(secret.get_secret_value()))
        except ValueError as exc:
            raise SettingsError(f"KAIROS_WEBHOOK_OUT__{name}: {exc}") from None
    return found


def from_settings(settings: Settings) -> WebhookChannel | None:
    """The channel when ``KAIROS_WEBHOOK_OUT__URL`` is set; a URL without a secret is refused (unsigned requests
    could be forged by anyone who learns the receiver's address)."""
    out = settings.webhook_out
    if not out.url:
        return None
    if not out.url.startswith(("https://", "http://")):
        raise SettingsError(f"KAIROS_WEBHOOK_OUT__URL must start with https:// (or http:// on a test machine): "
                            f"{out.url!r}")  # fmt: skip
    if out.secret is None:
        raise SettingsError("KAIROS_WEBHOOK_OUT__SECRET is required with KAIROS_WEBHOOK_OUT__URL: a whsec_ secret "
                            "the receiver verifies signatures with (python -c 'from kairos.deliver.signing import "
                            "new_secret; print(new_secret())')")  # fmt: skip
    # The receiver shows the payload's answer links; without a public URL there are none to show.
    return WebhookChannel(out, keys_from(out), answers=ANSWERS if settings.delivery.public_url else "")
