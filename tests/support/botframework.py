"""A local stand-in for the Bot Framework, in the shapes Microsoft documents, on 127.0.0.1 with a free port.

It serves what Kairos calls — the Entra token endpoint (client credentials), the Bot Framework's OpenID metadata and
its JWKS (an RSA key made here, with ``endorsements``), and the Bot Connector (``/v3/conversations``, activities,
replies, members) — records every call, and can be told to fail the next calls with any status. It also plays the
Bot Connector calling the bot: :meth:`BotFramework.sign` makes the JWT that goes with an activity, and the
``install``/``submit``/``reply`` helpers build Teams activities as Teams posts them.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

APP_ID = "7c1f3e9a-0d55-4b64-9b8e-1f2a3b4c5d6e"
APP_PASSWORD = "bot-secret"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ISSUER = "https://api.botframework.com"
KID = "kairos-test-key"
BOT = f"28:{APP_ID}"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _shared_key() -> rsa.RSAPrivateKey:
    """The stand-in's signing key, made once per test run (a fresh one costs a tenth of a second)."""
    return rsa_key()


def jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    found: dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid, "n": _b64(numbers.n),
                             "e": _b64(numbers.e)}  # fmt: skip
    if endorsements is not None:
        found["endorsements"] = endorsements
    return found


@dataclass
class TeamsUser:
    """A person in the test tenant: their Teams id, Entra object id, email and their chat with the bot."""

    name: str
    email: str
    user_id: str = ""
    aad: str = ""
    conversation: str = ""

    def __post_init__(self) -> None:
        self.user_id = self.user_id or f"29:{self.name}-{uuid.uuid4().hex[:10]}"
        self.aad = self.aad or str(uuid.uuid4())
        self.conversation = self.conversation or f"a:{self.name}-chat-{uuid.uuid4().hex[:8]}"


@dataclass
class Call:
    op: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    status: int
    code: str = ""
    retry_after: str | None = None
    times: int = 1


@dataclass
class State:
    tokens: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    members: dict[str, TeamsUser] = field(default_factory=dict)  # by Teams user id and by Entra object id
    conversations: dict[str, str] = field(default_factory=dict)  # conversation id → user id
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversation id → posted activities
    counter: int = 0


class BotFramework:
    """The stand-in server. Use as a context manager; ``service_url`` is the connector's base for activities."""

    def __init__(self, endorsements: list[str] | None = None) -> None:
        self.key = _shared_key()
        self.endorsements = ["msteams"] if endorsements is None else endorsements
        self.state = State()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.service_url = f"{self.url}/teams/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> BotFramework:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- configuration for Kairos ---
    def settings(self, **more: Any) -> dict[str, Any]:
        return {"app_id": APP_ID, "app_password": APP_PASSWORD, "tenant_id": TENANT, "service_url": self.service_url,
                "token_url": f"{self.url}/botframework.com/oauth2/v2.0/token",
                "openid_metadata_url": f"{self.url}/v1/.well-known/openidconfiguration", "issuer": ISSUER,
                "timeout_seconds": 5, **more}  # fmt: skip

    # --- steering ---
    def add(self, *users: TeamsUser) -> None:
        with self.lock:
            for user in users:
                self.state.members[user.user_id] = user
                self.state.members[user.aad] = user
                self.state.conversations[user.conversation] = user.user_id

    def fail(self, op: str, status: int, code: str = "", retry_after: str | None = None, times: int = 1) -> None:
        """The next ``times`` calls of ``op`` (token, metadata, keys, create, send, reply, member) fail."""
        with self.lock:
            self.state.failures.setdefault(op, []).append(Failure(status, code, retry_after, times))

    def calls(self, op: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.state.calls if op is None or c.op == op]

    def posted(self, conversation: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.state.activities.get(conversation, []))

    # --- playing the Bot Connector that calls the bot ---
    def sign(self, activity: dict[str, Any] | None, now: datetime, *, key: rsa.RSAPrivateKey | None = None,
             kid: str = KID, algorithm: str = "RS256", headers: dict[str, Any] | None = None,
             **claims: Any) -> str:  # fmt: skip
        """The JWT the connector sends with ``activity``; ``claims`` override or (as None) remove standard ones."""
        at = int(now.timestamp())
        body: dict[str, Any] = {"iss": ISSUER, "aud": APP_ID, "nbf": at - 60, "exp": at + 3600, "iat": at - 60,
                                "serviceurl": (activity or {}).get("serviceUrl", self.service_url)}  # fmt: skip
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        signing: Any = key or self.key
        if algorithm.startswith("HS"):
            signing = "an-hmac-secret-an-attacker-chose-" + "0123456789abcdef" * 4
        elif algorithm == "none":
            signing = None
        return jwt.encode(body, signing, algorithm=algorithm, headers={"kid": kid, **(headers or {})})

    def auth(self, activity: dict[str, Any], now: datetime, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.sign(activity, now, **claims)}"}

    def _activity(self, user: TeamsUser, kind: str, **more: Any) -> dict[str, Any]:
        with self.lock:
            self.state.counter += 1
            n = self.state.counter
        return {"type": kind, "id": f"f:{n}{uuid.uuid4().hex[:6]}", "timestamp": "2026-03-02T09:00:00.000Z",
                "channelId": "msteams", "serviceUrl": self.service_url,
                "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad},
                "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": user.conversation},
                "recipient": {"id": BOT, "name": "Kairos"}, "channelData": {"tenant": {"id": TENANT}},
                "locale": "en-US", **more}  # fmt: skip

    def install(self, user: TeamsUser, action: str = "add") -> dict[str, Any]:
        return self._activity(user, "installationUpdate", action=action)

    def added(self, user: TeamsUser) -> dict[str, Any]:
        return self._activity(user, "conversationUpdate", membersAdded=[{"id": BOT}])

    def submit(self, user: TeamsUser, moment: int, kind: str, reflection: str | None = None,
               reply_to: str | None = None, rating: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Action.Submit: a message with no text whose ``value`` is the button's data plus the card's inputs."""
        value: dict[str, Any] = {"kairos": {"moment": moment, "kind": kind}}
        if reflection is not None:
            value[f"reflection_{moment}"] = reflection
        if rating is not None:
            value[f"rating_{moment}"] = rating
        more: dict[str, Any] = {"value": value}
        if reply_to:
            more["replyToId"] = reply_to
        return self._activity(user, "message", **more)

    def reply(self, user: TeamsUser, reply_to: str, text: str) -> dict[str, Any]:
        return self._activity(user, "message", text=text, textFormat="plain", replyToId=reply_to)

    def say(self, user: TeamsUser, text: str) -> dict[str, Any]:
        return self._activity(user, "message", text=text, textFormat="plain")

    def transport(self) -> httpx.MockTransport:
        """The same answers without a socket, for unit tests: ``httpx.Client(transport=bf.transport())``."""

        def answer(request: httpx.Request) -> httpx.Response:
            headers = {k.lower(): v for k, v in request.headers.items()}
            status, body = self.handle(request.method, request.url.raw_path.decode(), headers, request.content)
            retry = body.pop("__retry_after", None)
            return httpx.Response(status, json=body, headers={"Retry-After": retry} if retry is not None else {})

        return httpx.MockTransport(answer)

    # --- serving ---
    def _failure(self, op: str) -> Failure | None:
        with self.lock:
            queue = self.state.failures.get(op) or []
            if not queue:
                return None
            found = queue[0]
            found.times -= 1
            if found.times <= 0:
                queue.pop(0)
            return found

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        op, parts = _route(method, path)
        body: Any = None
        if raw:
            body = parse_qs(raw.decode()) if op == "token" else json.loads(raw)
        with self.lock:
            self.state.calls.append(Call(op, method, path, headers, body))
        failure = self._failure(op)
        if failure is not None:
            return failure.status, {
                "__retry_after": failure.retry_after,
                "error": {"code": failure.code or "Failed", "message": f"told to fail {op}"},
            }
        if op == "token":
            return self._token(body or {})
        if op == "metadata":
            return 200, {"issuer": ISSUER, "authorization_endpoint": "https://invalid.botframework.com",
                         "jwks_uri": f"{self.url}/v1/.well-known/keys",
                         "id_token_signing_alg_values_supported": ["RS256"],
                         "token_endpoint_auth_methods_supported": ["private_key_jwt"]}  # fmt: skip
        if op == "keys":
            return 200, {"keys": [jwk(self.key, KID, self.endorsements)]}
        if op == "unknown":
            return 404, {"error": {"code": "NotFound", "message": path}}
        if headers.get("authorization", "").removeprefix("Bearer ") not in self.state.tokens:
            return 401, {"message": "Authorization has been denied for this request."}
        return self._connector(op, parts, body)

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        wanted = {"grant_type": "client_credentials", "client_id": APP_ID, "client_secret": APP_PASSWORD,
                  "scope": "https://api.botframework.com/.default"}  # fmt: skip
        if any(form.get(k) != [v] for k, v in wanted.items()):
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."}
        token = f"bot-token-{uuid.uuid4().hex}"
        with self.lock:
            self.state.tokens.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}

    def _connector(self, op: str, parts: list[str], body: Any) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if op == "create":
                user = self.state.members.get(body["members"][0]["id"])
                if user is None:
                    return 403, {"error": {"code": "ForbiddenOperationException", "message": "Bot is not installed "
                                           "in user's personal scope"}}  # fmt: skip
                self.state.conversations[user.conversation] = user.user_id
                return 201, {"id": user.conversation}
            conversation = parts[0]
            if conversation not in self.state.conversations:
                return 404, {"error": {"code": "ConversationNotFound", "message": "Conversation not found."}}
            if op in ("send", "reply"):
                self.state.counter += 1
                activity_id = f"1:{self.state.counter}{uuid.uuid4().hex[:8]}"
                self.state.activities.setdefault(conversation, []).append({**body, "id": activity_id})
                return 201, {"id": activity_id}
            member = self.state.members.get(parts[1])
            if member is None:
                return 404, {"error": {"code": "MemberNotFoundInConversation", "message": "Member not found"}}
            return 200, {"id": member.user_id, "objectId": member.aad, "name": member.name, "givenName": member.name,
                         "email": member.email, "userPrincipalName": member.email, "tenantId": TENANT,
                         "userRole": "user"}  # fmt: skip


def _route(method: str, path: str) -> tuple[str, list[str]]:
    parts = [unquote(p) for p in urlsplit(path).path.split("/") if p]
    if method == "POST" and parts[-3:] == ["oauth2", "v2.0", "token"]:
        return "token", []
    if method == "GET" and parts[-1:] == ["openidconfiguration"]:
        return "metadata", []
    if method == "GET" and parts[-1:] == ["keys"]:
        return "keys", []
    if parts[:2] == ["teams", "v3"] and len(parts) >= 3 and parts[2] == "conversations":
        rest = parts[3:]
        if method == "POST" and not rest:
            return "create", []
        if method == "POST" and len(rest) == 2 and rest[1] == "activities":
            return "send", [rest[0]]
        if method == "POST" and len(rest) == 3 and rest[1] == "activities":
            return "reply", [rest[0], rest[2]]
        if method == "GET" and len(rest) == 3 and rest[1] == "members":
            return "member", [rest[0], rest[2]]
    return "unknown", []


def _handler(bf: BotFramework) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = bf.handle(self.command, self.path, headers, raw)
            retry = body.pop("__retry_after", None)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry is not None:
                self.send_header("Retry-After", retry)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def running() -> Iterator[BotFramework]:
    """For a pytest fixture: ``yield from running()``."""
    with BotFramework() as bf:
        yield bf
