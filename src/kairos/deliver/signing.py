"""Standard Webhooks signatures (https://www.standardwebhooks.com, version 1.0.0): sign what Kairos sends, and the
reference verifier offered to the people who receive it.

A request carries three headers. ``webhook-id`` names the message and stays the same on every retry, so a receiver
deduplicates by it; ``webhook-timestamp`` is the attempt's time in unix seconds; ``webhook-signature`` is one or more
space-separated ``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}``, one per key, so a key can be rotated
without a gap. A secret is written ``whsec_<base64 key>``; the key is the decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

PREFIX = "whsec_"
VERSION = "v1"  # the symmetric scheme; "v1a" (ed25519) signatures are skipped by this verifier
TOLERANCE = timedelta(minutes=5)
MIN_KEY_BYTES = 24  # the specification's minimum (192 bits)
ID, TIMESTAMP, SIGNATURE = "webhook-id", "webhook-timestamp", "webhook-signature"


class SignatureError(Exception):
    """Why a request is not trusted. ``reason`` is one of the inbound rejection reasons (``deliver/base.py``):
    ``unsigned`` (a header is missing), ``malformed`` (a header cannot be read), ``stale`` (outside the tolerance),
    ``forged`` (no signature matches)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Verified:
    """A request whose signature matched: its id (to deduplicate by) and the attempt's time."""

    msg_id: str
    timestamp: int


def new_secret(key_bytes: int = 32) -> str:
    """A fresh random secret in the ``whsec_`` form, for an operator setting up a receiver."""
    return PREFIX + base64.b64encode(secrets.token_bytes(key_bytes)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The key inside a ``whsec_<base64>`` secret (the prefix may be left off). Raises ValueError, naming the fault."""
    encoded = secret.strip().removeprefix(PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is whsec_ followed by base64; this one is not base64") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a webhook secret needs at least {MIN_KEY_BYTES} random bytes; this one has {len(key)}")
    return key


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of ``{msg_id}.{timestamp}.{body}``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return f"{VERSION}," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def sign(keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers for ``body``, signed with every key (the current one first, then any being retired).

    The id may not contain a full stop: the signed content is joined by full stops, and an id that carried one could
    make two different (id, timestamp, body) triples sign the same bytes.
    """
    if not keys:
        raise ValueError("at least one key is needed to sign")
    if not msg_id or "." in msg_id or any(c.isspace() for c in msg_id):
        raise ValueError(f"a webhook id may not be empty or contain '.' or spaces: {msg_id!r}")
    if timestamp < 0:
        raise ValueError(f"a webhook timestamp is unix seconds, not {timestamp}")
    return {
        ID: msg_id,
        TIMESTAMP: str(timestamp),
        SIGNATURE: " ".join(signature(key, msg_id, timestamp, body) for key in keys),
    }


def verify(
    keys: Sequence[bytes], headers: Mapping[str, str], body: bytes, now: float, tolerance: timedelta = TOLERANCE
) -> Verified:
    """Check a received request: the three headers are present, the timestamp is within ``tolerance`` of ``now``
    (unix seconds) either way, and one ``v1`` signature matches one of ``keys`` (compared in constant time).

    ``body`` must be the raw bytes as received: parsing and re-serializing JSON changes them. Returns what was
    verified; raises :class:`SignatureError`. Deduplicating by ``Verified.msg_id`` is the receiver's job.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = lowered.get(ID), lowered.get(TIMESTAMP), lowered.get(SIGNATURE)
    missing = [name for name, value in ((ID, msg_id), (TIMESTAMP, stamp), (SIGNATURE, signatures)) if not value]
    if missing or msg_id is None or stamp is None or signatures is None:
        raise SignatureError("unsigned", f"missing {', '.join(missing)}")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("malformed", "webhook-timestamp is not unix seconds")
    timestamp = int(stamp)
    if abs(now - timestamp) > tolerance.total_seconds():
        raise SignatureError("stale", f"webhook-timestamp is {now - timestamp:+.0f} s from now")
    offered = [_decoded(part) for part in signatures.split(" ") if part.startswith(f"{VERSION},")]
    offered_bytes = [sig for sig in offered if sig is not None]
    if not offered_bytes:
        raise SignatureError("malformed", "no v1 signature in webhook-signature")
    for key in keys:
        expected = base64.b64decode(signature(key, msg_id, timestamp, body).split(",", 1)[1])
        # compare with every offered signature (no early exit), so the time taken does not say which one matched
        if any([hmac.compare_digest(expected, sig) for sig in offered_bytes]):
            return Verified(msg_id, timestamp)
    raise SignatureError("forged", "no signature matches")


def _decoded(part: str) -> bytes | None:
    try:
        return base64.b64decode(part.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None
