"""A stand-in for Slack: its Web API on 127.0.0.1, and the requests Slack sends to an app, signed as Slack signs them.

``SlackApi`` answers the Web API methods Kairos calls (``auth.test``, ``users.lookupByEmail``, ``conversations.open``,
``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, ``views.open``) with the response shapes Slack
documents, records every call, checks the bot token like Slack does (``invalid_auth``), and fails on request:
``rate_limited`` (HTTP 429 with ``Retry-After``), a 5xx, a Slack error such as ``invalid_auth``, or a reply slower
than the client's timeout.

The payload builders (``block_actions``, ``view_submission``, ``thread_reply``, ``url_verification``) follow Slack's
documented interaction and Events API shapes; ``signed_headers`` signs a body with the ``v0`` scheme.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "xoxb-kairos-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER = "UKAIROSBOT"
BOT_ID = "BKAIROS01"
TEAM = "T0KAIROS1"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int = 200
    error: str | None = None  # Slack's error code in {"ok": false, "error": ...}
    retry_after: int | None = None
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout: a timeout)
    times: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class SlackApi:
    """Slack's Web API, small and local. ``users`` maps email → Slack user id (the workspace's people)."""

    def __init__(self, users: dict[str, str] | None = None, token: str = TOKEN) -> None:
        self.users = dict(users or {})
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) → what was posted
        self._failures: dict[str, list[Failure]] = {}
        self._ts = itertools.count(100)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> SlackApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, method: str, *, status: int = 200, error: str | None = None, retry_after: int | None = None,
             delay: float = 0.0, times: int = 1, **extra: Any) -> None:  # fmt: skip
        """The next ``times`` calls of ``method`` fail this way."""
        self._failures.setdefault(method, []).append(Failure(status, error, retry_after, delay, times, extra))

    def rate_limit(self, method: str, retry_after: int = 30, times: int = 1) -> None:
        self.fail(method, status=429, error="ratelimited", retry_after=retry_after, times=times)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @staticmethod
    def dm_of(user: str) -> str:
        """The direct-message channel id Slack gives the bot's conversation with ``user``."""
        return "D" + user[1:]

    # --- the methods -------------------------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.calls.append(Call(method, params, headers))
            failure = self._next_failure(method)
        if failure is not None:
            return self._failed(failure)
        if headers.get("authorization") != f"Bearer {self.token}":
            return _json({"ok": False, "error": "not_authed" if "authorization" not in headers else "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method", "req_method": method})
        return _json(handler(params))

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _failed(self, failure: Failure) -> tuple[int, dict[str, str], bytes]:
        if failure.delay:
            time.sleep(failure.delay)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        if failure.status >= 500:
            return failure.status, {"Content-Type": "text/html", **headers}, b"<html>Service Unavailable</html>"
        status, more, body = _json({"ok": False, "error": failure.error or "fatal_error", **failure.extra})
        return failure.status, {**more, **headers}, body

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://kairos-test.slack.com/", "team": "Kairos Test", "user": "kairos",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Slack's method name
        email = str(params.get("email", ""))
        user = self.users.get(email.lower())
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": email.split("@")[0], "deleted": False,
                                     "is_bot": False, "profile": {"email": email}}}  # fmt: skip

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if self.users and users not in self.users.values():
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": self.dm_of(users)}}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Slack's method name
        channel = str(params.get("channel", ""))
        if not channel.startswith("D"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = f"1772440000.{next(self._ts):06d}"
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": "AKAIROS01", "ts": ts,
                   "team": TEAM, "text": params.get("text", ""), "blocks": params.get("blocks", [])}  # fmt: skip
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (str(params.get("channel", "")), str(params.get("ts", "")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = {**self.messages[key], "text": params.get("text", ""), "blocks": params.get("blocks")}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": params.get("text", "")}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Slack's method name
        return {"ok": True, "message_ts": f"1772440000.{next(self._ts):06d}"}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = params.get("view") or {}
        return {"ok": True, "view": {"id": "VKAIROS01", "team_id": TEAM, "hash": "1772440000.abcdef", **view}}


def _json(data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode()


def _handler(api: SlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._serve(b"")

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _serve(self, body: bytes) -> None:
            url = urlsplit(self.path)
            method = url.path.rsplit("/", 1)[-1]
            params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(url.query).items()}
            kind = self.headers.get("Content-Type", "")
            if body and kind.startswith("application/json"):
                params.update(json.loads(body))
            elif body:
                params.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, more, answer = api.answer(method, params, headers)
            try:
                self.send_response(status)
                for name, value in more.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing left to tell it

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            return

    return Handler


@contextmanager
def running(users: dict[str, str] | None = None) -> Iterator[SlackApi]:
    api = SlackApi(users).start()
    try:
        yield api
    finally:
        api.stop()


# --- what Slack sends to the app --------------------------------------------------------------------------------


def signed_headers(body: bytes, timestamp: int, secret: str = SIGNING_SECRET, **more: str) -> dict[str, str]:
    """The headers Slack puts on a request: ``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": signature, "X-Slack-Request-Timestamp": str(timestamp), **more}


def form(payload: dict[str, Any]) -> bytes:
    """An interaction as Slack posts it: ``application/x-www-form-urlencoded`` with one ``payload`` field."""
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def block_actions(user: str, action_id: str, value: str, *, channel: str, message_ts: str,
                  action_ts: str = "1772440100.000200", blocks: list[dict[str, Any]] | None = None,
                  block_id: str = "kairos.answer") -> dict[str, Any]:  # fmt: skip
    """A click on a button in a message the app posted (Slack's ``block_actions`` payload)."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "AKAIROS01",
        "token": "deprecated-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "12466734323.1395872398.ac9bd59c2e2b1f2f1a8a2b2e1f1e7a8c",
        "team": {"id": TEAM, "domain": "kairos-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": message_ts,
            "text": "a nudge",
            "blocks": blocks or [],
        },  # fmt: skip
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0KAIROS1/1395872398/abcdefghijklmnop",
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": "a button", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": action_ts,
            }  # fmt: skip
        ],
    }
    if action_id == "kairos.rating":  # a choice in the rating select: Slack sends the chosen option, not a value
        action = payload["actions"][0]
        del action["value"], action["text"]
        action |= {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "4 of 5"},
                                                                "value": value}}  # fmt: skip
    return payload


def view_submission(user: str, moment: str, text: str | None, *, view_id: str = "VKAIROS01",
                    callback_id: str = "kairos.reflection") -> dict[str, Any]:  # fmt: skip
    """A submitted reflection modal (Slack's ``view_submission`` payload)."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "kairos-test"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "AKAIROS01",
        "token": "deprecated-verification-token",
        "trigger_id": "12466734323.1395872398.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "view": {
            "id": view_id,
            "team_id": TEAM,
            "type": "modal",
            "blocks": [],
            "private_metadata": moment,
            "callback_id": callback_id,
            "hash": "1772440200.zzzz",
            "app_id": "AKAIROS01",
            "bot_id": BOT_ID,
            "state": {
                "values": {
                    "kairos.reflection.block": {"kairos.reflection.text": {"type": "plain_text_input", "value": text}}
                }
            },
        },  # fmt: skip
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def thread_reply(user: str, text: str, *, channel: str, thread_ts: str, event_id: str = "Ev0KAIROS01",
                 ts: str = "1772440300.000300", **more: Any) -> dict[str, Any]:  # fmt: skip
    """A person's reply in a message's thread, as the Events API delivers it (``message.im``)."""
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "thread_ts": thread_ts,
             "parent_user_id": BOT_USER, "event_ts": ts, "channel_type": "im", **more}  # fmt: skip
    return {"token": "deprecated-verification-token", "team_id": TEAM, "api_app_id": "AKAIROS01", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": 1772440300,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}  # fmt: skip


def url_verification(challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") -> dict[str, Any]:
    return {"token": "deprecated-verification-token", "challenge": challenge, "type": "url_verification"}
