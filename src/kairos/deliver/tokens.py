"""Signed tokens for the links a message carries and for email reply addresses.

A link token says who may do what until when — ``{"p": person, "s": scope, "m": moment, "k": kind, "e": expiry}``
— as base64url JSON plus an HMAC-SHA256 over it with the deployment's secret key. It needs no database row, and a
changed byte or an expired date makes it worthless. Scopes: ``respond`` (a one-tap answer to one nudge), ``inbox``
(read one person's inbox), ``preferences`` (change one person's preferences).

A reply address must fit in an email local part (64 characters) and survive mail systems that lowercase it, so it
carries only the moment id and a 20-hex-digit MAC over the moment and its recipient: ``reply+m42.3f9a…@domain``.

The key is ``KAIROS_DELIVERY__SECRET_KEY``; unset, a random key is created once in ``<data_dir>/secret.key``
(readable by its owner only) so links survive restarts of a single-machine deployment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kairos.settings import Settings

SCOPES = ("respond", "inbox", "preferences")
_REPLY = re.compile(r"^reply\+m(?P<moment>\d{1,12})\.(?P<mac>[0-9a-f]{20})$")


class BadToken(Exception):
    """A token that was altered, expired, or made for something else. The message never repeats the token."""


@dataclass(frozen=True, slots=True)
class Grant:
    person_id: str
    scope: str
    expires: datetime
    moment_id: int | None = None
    kind: str | None = None


def secret_key(settings: Settings) -> bytes:
    if settings.delivery.secret_key is not None and settings.delivery.secret_key.get_secret_value():
        return settings.delivery.secret_key.get_secret_value().encode()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class Signer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the secret key needs at least 16 characters")
        self._key = key

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()

    def issue(self, grant: Grant) -> str:
        if grant.scope not in SCOPES:
            raise ValueError(f"unknown scope {grant.scope}")
        claims: dict[str, object] = {"p": grant.person_id, "s": grant.scope, "e": int(grant.expires.timestamp())}
        if grant.moment_id is not None:
            claims["m"] = grant.moment_id
        if grant.kind is not None:
            claims["k"] = grant.kind
        body = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        return _b64(body) + "." + _b64(self._mac(body))

    def check(self, token: str, scope: str, now: datetime) -> Grant:
        """The grant inside a token made for ``scope``; :class:`BadToken` for anything else."""
        if not isinstance(token, str) or len(token) > 1000 or token.count(".") != 1:
            raise BadToken("not a Kairos link token")
        body_part, mac_part = token.split(".")
        try:
            body, mac = _unb64(body_part), _unb64(mac_part)
        except (binascii.Error, ValueError):
            raise BadToken("not a Kairos link token") from None
        if not hmac.compare_digest(mac, self._mac(body)):
            raise BadToken("the link was altered or made by another deployment")
        try:
            claims = json.loads(body)
            grant = Grant(person_id=str(claims["p"]), scope=str(claims["s"]),
                          expires=datetime.fromtimestamp(int(claims["e"]), tz=now.tzinfo),
                          moment_id=int(claims["m"]) if "m" in claims else None,
                          kind=str(claims["k"]) if "k" in claims else None)  # fmt: skip
        except (ValueError, KeyError, TypeError):
            raise BadToken("not a Kairos link token") from None
        if grant.scope != scope:
            raise BadToken(f"this link is for {grant.scope}, not {scope}")
        if grant.expires <= now:
            raise BadToken(f"this link expired on {grant.expires:%d %B %Y}")
        return grant

    def reply_local_part(self, moment_id: int, recipient_id: str) -> str:
        return f"reply+m{moment_id}.{self._reply_mac(moment_id, recipient_id)}"

    def read_reply_local_part(self, local_part: str) -> int | None:
        """The moment a reply address names, if it is well formed; the MAC is checked with :meth:`reply_matches`."""
        found = _REPLY.match(local_part.lower())
        return int(found["moment"]) if found else None

    def reply_matches(self, local_part: str, recipient_id: str) -> bool:
        found = _REPLY.match(local_part.lower())
        if found is None:
            return False
        expected = self._reply_mac(int(found["moment"]), recipient_id)
        return hmac.compare_digest(found["mac"], expected)

    def _reply_mac(self, moment_id: int, recipient_id: str) -> str:
        return self._mac(f"reply:{moment_id}:{recipient_id}".encode()).hex()[:20]


def signer(settings: Settings) -> Signer:
    return Signer(secret_key(settings))


def expiry(settings: Settings, now: datetime) -> datetime:
    return now + timedelta(days=settings.delivery.link_days)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
