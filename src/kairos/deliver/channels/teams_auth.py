"""Trust between Kairos and the Bot Framework, both ways.

Outbound, the bot proves who it is with a token from Microsoft Entra (OAuth 2.0 client credentials with the
bot's app id and secret, scope ``https://api.botframework.com/.default``), kept until shortly before it expires.

Inbound, the Bot Connector signs every request with a JWT in ``Authorization: Bearer``. It is trusted only when
(Microsoft's "Authenticate requests from the Bot Connector service"): it is signed RS256 by a key listed in the
Bot Framework's OpenID metadata, its issuer is ``KAIROS_TEAMS__ISSUER``, its audience is the bot's app id, it is
within its validity period (5 minutes of clock skew), its ``serviceurl`` claim equals the activity's
``serviceUrl``, and the signing key's endorsements (when it lists any) include the activity's ``channelId``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import jwt

from kairos.deliver.base import Rejected
from kairos.settings import TeamsSettings

CHANNEL = "teams"
SCOPE = "https://api.botframework.com/.default"
ALGORITHM = "RS256"  # the only one the Bot Connector signs with; "none" and HMAC are never accepted
SKEW_SECONDS = 300  # Microsoft's "industry-standard clock-skew is 5 minutes"
KEYS_SECONDS = 24 * 3600  # the key list is stable (the SDK keeps it 5 days); re-read daily
REFRESH_GAP_SECONDS = 60  # an unknown key id re-reads the list at most once a minute (no fetch storms)
MAX_TOKEN_CHARS = 16_000


class BotFrameworkError(Exception):
    """A Bot Framework or Entra call that did not succeed: its HTTP status (None when the connection failed),
    Microsoft's error code when the body names one, and how long the server asked us to wait."""

    def __init__(self, what: str, status: int | None, detail: str, code: str = "", retry_after: float | None = None):
        super().__init__(f"{what}: {status or 'no answer'} {code} {detail}".strip())
        self.what, self.status, self.code, self.detail, self.retry_after = what, status, code, detail, retry_after
        self.maybe_sent = False  # a connection that failed after the request went out: the server may have it


class KeysUnavailable(Exception):
    """The Bot Framework's signing keys could not be read: no request can be verified until they can."""


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare from Microsoft, and the worker's own backoff applies


def error_of(what: str, response: httpx.Response) -> BotFrameworkError:
    """Microsoft's error body (``{"error": {"code", "message"}}``, or OAuth's ``error``/``error_description``)."""
    code, message = "", ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code, message = str(error.get("code") or ""), str(error.get("message") or "")
        elif isinstance(error, str):
            code, message = error, str(body.get("error_description") or "")
        sub = body.get("subCode") or (error.get("subCode") if isinstance(error, dict) else None)
        if sub and not code:
            code = str(sub)
    return BotFrameworkError(what, response.status_code, message[:200], code[:80], retry_after(response))


class BotToken:
    """The bot's access token for the Bot Connector, fetched by client credentials and cached."""

    def __init__(self, settings: TeamsSettings, http: httpx.Client, monotonic: Callable[[], float] = time.monotonic):
        self.settings, self.http, self.monotonic = settings, http, monotonic
        self._token: str | None = None
        self._until = 0.0
        self._lock = threading.Lock()

    def header(self) -> str:
        with self._lock:
            if self._token is None or self.monotonic() >= self._until:
                self._token, lifetime = self._fetch()
                # Renew well before the end, so a token never expires between the check and the request.
                self._until = self.monotonic() + max(0.0, lifetime - min(300.0, lifetime / 2))
            return f"Bearer {self._token}"

    def forget(self) -> None:
        """Drop the cached token (the connector refused it): the next call fetches a new one."""
        with self._lock:
            self._token = None

    def _fetch(self) -> tuple[str, float]:
        s = self.settings
        form = {
            "grant_type": "client_credentials",
            "client_id": s.app_id or "",
            "client_secret": s.app_password.get_secret_value() if s.app_password else "",
            "scope": SCOPE,
        }
        try:
            response = self.http.post(s.token_url, data=form, timeout=s.timeout_seconds)
        except httpx.HTTPError as exc:
            raise BotFrameworkError("bot token", None, f"{type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise error_of("bot token", response)
        try:
            body = response.json()
            token, lifetime = body["access_token"], float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise BotFrameworkError("bot token", 200, "the token endpoint's answer has no access_token") from None
        if not isinstance(token, str) or not token:
            raise BotFrameworkError("bot token", 200, "the token endpoint's answer has no access_token")
        return token, lifetime


@dataclass(frozen=True, slots=True)
class Verified:
    """A token whose signature, issuer, audience and validity were checked; the activity checks remain."""

    claims: Mapping[str, Any]
    endorsements: frozenset[str] | None  # None: the signing key lists none

    def admits(self, activity: Mapping[str, Any]) -> None:
        """Raise :class:`Rejected` unless the token was issued for this activity's service URL and channel."""
        service_url = self.claims.get("serviceurl", self.claims.get("serviceUrl"))
        if not isinstance(service_url, str) or service_url != activity.get("serviceUrl"):
            raise Rejected(CHANNEL, "forged", "the token's serviceurl claim is not the activity's serviceUrl")
        if self.endorsements is not None and activity.get("channelId") not in self.endorsements:
            raise Rejected(CHANNEL, "forged", "the signing key is not endorsed for the activity's channel")


class ConnectorTokens:
    """Verifies the JWT the Bot Connector sends with each activity (rules in the module docstring)."""

    def __init__(self, settings: TeamsSettings, http: httpx.Client, monotonic: Callable[[], float] = time.monotonic):
        self.settings, self.http, self.monotonic = settings, http, monotonic
        self._keys: dict[str, dict[str, Any]] = {}
        self._algorithms: tuple[str, ...] = (ALGORITHM,)
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def verify(self, authorization: str | None, now: datetime) -> Verified:
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Rejected(CHANNEL, "forged", "the bearer token is not a JWT") from None
        if header.get("alg") != ALGORITHM or ALGORITHM not in self._algorithms:
            raise Rejected(CHANNEL, "forged", f"tokens are signed {ALGORITHM}, not {str(header.get('alg'))[:20]}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Rejected(CHANNEL, "forged", "the token names no signing key (kid)")
        jwk = self._key(kid)
        claims = _decode(token, jwk, self.settings)
        _check_time(claims, now)
        endorsements = jwk.get("endorsements")
        listed = frozenset(e for e in endorsements if isinstance(e, str)) if isinstance(endorsements, list) else None
        return Verified(claims, listed)

    def _key(self, kid: str) -> dict[str, Any]:
        with self._lock:
            stale = self._read_at is None or self.monotonic() - self._read_at > KEYS_SECONDS
            unknown = kid not in self._keys and (
                self._read_at is None or self.monotonic() - self._read_at > REFRESH_GAP_SECONDS
            )
            if stale or unknown:
                self._read()
            found = self._keys.get(kid)
        if found is None:
            raise Rejected(CHANNEL, "forged", "the token is signed by a key the Bot Framework does not list")
        return found

    def _read(self) -> None:
        metadata = self._json(self.settings.openid_metadata_url, "the OpenID metadata")
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise KeysUnavailable("the OpenID metadata names no jwks_uri")
        supported = metadata.get("id_token_signing_alg_values_supported")
        if isinstance(supported, list):
            self._algorithms = tuple(a for a in supported if isinstance(a, str))
        keys = self._json(jwks_uri, "the signing keys").get("keys")
        if not isinstance(keys, list):
            raise KeysUnavailable("the signing key document has no keys")
        self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
        self._read_at = self.monotonic()

    def _json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, timeout=self.settings.timeout_seconds)
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailable(f"{what} at {url}: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise KeysUnavailable(f"{what} at {url}: HTTP {response.status_code}")
        return body


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Rejected(CHANNEL, "unsigned", "no Authorization: Bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise Rejected(CHANNEL, "forged", "the bearer token is too long to be the Bot Connector's")
    return token.strip()


def _decode(token: str, jwk: dict[str, Any], settings: TeamsSettings) -> dict[str, Any]:
    """Signature, issuer and audience; times are checked against the app's clock by :func:`_check_time`."""
    try:
        key = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
    except jwt.PyJWTError:
        raise Rejected(CHANNEL, "forged", "the listed signing key is not an RSA key") from None
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key=key, algorithms=[ALGORITHM], audience=settings.app_id, issuer=settings.issuer,
            options={"require": ["exp", "iss", "aud"], "verify_exp": False, "verify_nbf": False,
                     "verify_iat": False},
        )  # fmt: skip
    except jwt.InvalidAudienceError:
        raise Rejected(CHANNEL, "forged", "the token was issued for another bot (aud)") from None
    except jwt.InvalidIssuerError:
        raise Rejected(CHANNEL, "forged", "the token was not issued by the Bot Framework (iss)") from None
    except jwt.InvalidSignatureError:
        raise Rejected(CHANNEL, "forged", "the token's signature does not verify") from None
    except jwt.PyJWTError as exc:
        raise Rejected(CHANNEL, "forged", f"the token is not valid: {type(exc).__name__}") from None
    return claims


def _check_time(claims: Mapping[str, Any], now: datetime) -> None:
    at = now.timestamp()
    expires, not_before = claims.get("exp"), claims.get("nbf")
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        raise Rejected(CHANNEL, "forged", "the token's exp is not a time")
    if at > expires + SKEW_SECONDS:
        raise Rejected(CHANNEL, "stale", "the token has expired")
    if not_before is not None:
        if not isinstance(not_before, int | float) or isinstance(not_before, bool):
            raise Rejected(CHANNEL, "forged", "the token's nbf is not a time")
        if at < not_before - SKEW_SECONDS:
            raise Rejected(CHANNEL, "stale", "the token is not valid yet")
