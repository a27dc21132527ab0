"""A real HTTP receiver for outgoing webhooks, on 127.0.0.1 in a thread: it verifies every request's Standard
Webhooks signature with ``kairos.deliver.signing.verify`` (as an integrator would), records what arrived, and can be
told to misbehave for the next requests (an error status, a redirect, a slow answer, a huge answer).

    with WebhookReceiver(SECRET) as receiver:
        receiver.fail_next(2, 503)
        ... send to receiver.url ...
        assert receiver.deliveries[-1].verified
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kairos.deliver.signing import SignatureError, Verified, secret_key, verify

MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Script:
    """How to answer one request instead of 200: a status, after a delay, with extra headers or a long body."""

    status: int = 200
    delay: float = 0.0  # seconds to hold the request before answering (longer than the sender's timeout: a timeout)
    headers: dict[str, str] = field(default_factory=dict)
    body_bytes: int = 0  # answer with this many bytes instead of the usual small JSON


@dataclass
class Arrival:
    """One request as the receiver saw it."""

    headers: dict[str, str]
    body: bytes
    verified: Verified | None  # None when the signature check failed
    rejected: str | None  # the SignatureError reason, when it failed
    status: int  # what the receiver answered
    duplicate: bool  # its webhook-id had been accepted before

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


class WebhookReceiver:
    def __init__(self, *secrets: str, clock: Callable[[], float] = time.time, path: str = "/kairos") -> None:
        self.keys = [secret_key(s) for s in secrets]
        self.clock = clock
        self.path = path
        self.arrivals: list[Arrival] = []
        self.scripts: deque[Script] = deque()
        self.accepted_ids: set[str] = set()
        self.lock = threading.Lock()
        self.release = threading.Event()  # set on stop, so a held request does not outlive the receiver
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def fail_next(self, n: int, status: int = 500, *, delay: float = 0.0, **headers: str) -> None:
        """Answer the next ``n`` requests with ``status`` (after ``delay`` seconds), then 200 again."""
        self.script(*[Script(status, delay, {k.replace("_", "-"): v for k, v in headers.items()})] * n)

    def script(self, *scripts: Script) -> None:
        with self.lock:
            self.scripts.extend(scripts)

    @property
    def deliveries(self) -> list[Arrival]:
        """The requests that verified and were answered 2xx, in arrival order."""
        with self.lock:
            return [a for a in self.arrivals if a.verified and 200 <= a.status < 300]

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[Script, Arrival]:
        try:
            verified: Verified | None = verify(self.keys, headers, body, self.clock())
            rejected = None
        except SignatureError as exc:
            verified, rejected = None, exc.reason
        with self.lock:
            script = Script(401) if verified is None else (self.scripts.popleft() if self.scripts else Script())
            duplicate = verified is not None and verified.msg_id in self.accepted_ids
            if verified is not None and 200 <= script.status < 300:
                self.accepted_ids.add(verified.msg_id)
            arrival = Arrival(headers, body, verified, rejected, script.status, duplicate)
            self.arrivals.append(arrival)
        return script, arrival

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("content-length") or 0)
                if self.path != receiver.path or length > MAX_BODY:
                    self._reply(404 if self.path != receiver.path else 413, b"")
                    return
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                script, arrival = receiver._answer(headers, body)
                if script.delay:
                    receiver.release.wait(script.delay)
                own = {"id": f"rcv-{len(receiver.arrivals)}", "duplicate": arrival.duplicate}
                answer = b"x" * script.body_bytes if script.body_bytes else json.dumps(own).encode()
                self._reply(script.status, answer, script.headers)

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test): nothing left to answer

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet

        return Handler
