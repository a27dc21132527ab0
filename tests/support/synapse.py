"""A real Synapse homeserver for the Matrix channel's tests: one per test session, on 127.0.0.1 with a free port.

The configuration is generated once (``--generate-config``), then a second file overrides what a test machine needs:
one client listener on 127.0.0.1, no federation, no key servers, no presence, cheap password hashing and rate
limits no test reaches. Users are registered through the shared-secret admin API, so no test needs open
registration. Each test makes its own users (``unique``), hence its own rooms.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio
import pytest

from tests.support.servers import ServerProcess, free_port, http_answers

SERVER_NAME = "kairos.test"
GENEROUS = {"per_second": 1000, "burst_count": 1000}


@dataclass(frozen=True, slots=True)
class MatrixUser:
    user_id: str
    password: str
    access_token: str
    device_id: str


def _overrides(port: int, secret: str) -> dict[str, Any]:
    """Top-level keys replaced whole: a second ``-c`` file does not merge into the first."""
    return {
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            },
        ],  # fmt: skip
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],  # an invite to another server fails at once instead of reaching out
        "presence": {"enabled": False},
        "bcrypt_rounds": 4,
        "registration_shared_secret": secret,
        "report_stats": False,
        "enable_metrics": False,
        "caches": {"sync_response_cache_duration": 0},  # else a second initial /sync within 2 min is the first again
        "rc_message": GENEROUS,
        "rc_registration": GENEROUS,
        "rc_login": {"address": GENEROUS, "account": GENEROUS, "failed_attempts": GENEROUS},
        "rc_joins": {"local": GENEROUS, "remote": GENEROUS},
        "rc_joins_per_room": GENEROUS,
        "rc_invites": {"per_room": GENEROUS, "per_user": GENEROUS, "per_issuer": GENEROUS},
        "rc_room_creation": GENEROUS,
        "rc_profile": GENEROUS,
    }


class SynapseServer(ServerProcess):
    """Synapse as its own process group, and the few admin calls tests need."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_urlsafe(24)
        config = workdir / "hs.yaml"
        generate = [
            sys.executable, "-m", "synapse.app.homeserver", "--server-name", SERVER_NAME, "--config-path",
            str(config), "--data-directory", str(workdir), "--generate-config", "--report-stats=no",
        ]  # fmt: skip
        subprocess.run(generate, cwd=workdir, check=True, capture_output=True, timeout=60)
        overrides = workdir / "overrides.yaml"
        overrides.write_text(json.dumps(_overrides(self.port, self.secret)))  # JSON is YAML
        started = time.monotonic()
        super().__init__(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config), "-c", str(overrides)],
            workdir / "synapse.log",
            lambda: http_answers(f"{self.url}/health"),
        )
        self.start_seconds = time.monotonic() - started

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
        request = urllib.request.Request(
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None
        )
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def register(self, localpart: str, password: str = "correct horse battery") -> MatrixUser:
        """A new user through ``/_synapse/admin/v1/register``: a nonce, then an HMAC-SHA1 over the fields."""
        nonce = self._call("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"notadmin"]))
        found = self._call("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": localpart, "password": password, "admin": False, "mac": mac.hexdigest(),
        })  # fmt: skip
        return MatrixUser(found["user_id"], password, found["access_token"], found["device_id"])

    def login(self, user: MatrixUser) -> MatrixUser:
        """A second session (another device, another access token) for the same user."""
        found = self._call("POST", "/_matrix/client/v3/login", {
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user.user_id},
            "password": user.password,
        })  # fmt: skip
        return MatrixUser(user.user_id, user.password, found["access_token"], found["device_id"])

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"


class MatrixClient:
    """Someone's own Matrix client (matrix-nio), driven one call at a time from a synchronous test."""

    def __init__(self, server: SynapseServer, user: MatrixUser) -> None:
        self.server, self.user = server, user

    def _run(self, work: Callable[[nio.AsyncClient], Awaitable[Any]]) -> Any:
        async def session() -> Any:
            client = nio.AsyncClient(self.server.url, self.user.user_id, device_id=self.user.device_id)
            client.access_token = self.user.access_token
            try:
                return await work(client)
            finally:
                await client.close()

        return asyncio.run(session())

    def _sync(self) -> Any:
        found = self._run(lambda c: c.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 200}}}))
        assert isinstance(found, nio.SyncResponse), found
        return found

    def invites(self) -> list[str]:
        return list(self._sync().rooms.invite)

    def join(self, room_id: str) -> None:
        joined = self._run(lambda c: c.join(room_id))
        assert isinstance(joined, nio.JoinResponse), joined

    def leave(self, room_id: str) -> None:
        left = self._run(lambda c: c.room_leave(room_id))
        assert isinstance(left, nio.RoomLeaveResponse), left

    def invite(self, room_id: str, user_id: str) -> None:
        invited = self._run(lambda c: c.room_invite(room_id, user_id))
        assert isinstance(invited, nio.RoomInviteResponse), invited

    def timeline(self, room_id: str, kind: str = "m.room.message") -> list[dict[str, Any]]:
        """The events of ``kind`` in ``room_id``, oldest first, as the person's client receives them."""
        room = self._sync().rooms.join.get(room_id)
        return [e.source for e in room.timeline.events if e.source.get("type") == kind] if room else []

    def send(self, room_id: str, kind: str, content: dict[str, Any]) -> str:
        sent = self._run(lambda c: c.room_send(room_id, kind, content))
        assert isinstance(sent, nio.RoomSendResponse), sent
        return str(sent.event_id)

    def react(self, room_id: str, event_id: str, key: str) -> str:
        relation = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return self.send(room_id, "m.reaction", {"m.relates_to": relation})

    def reply(self, room_id: str, event_id: str, text: str, quoted: str = "the nudge") -> str:
        """A reply as clients send it: the quoted fallback first, then the person's words."""
        body = f"> <{self.server.user_id('bot')}> {quoted}\n> second line\n\n{text}"
        return self.send(room_id, "m.room.message", {
            "msgtype": "m.text", "body": body, "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
        })  # fmt: skip

    def logout(self) -> None:
        out = self._run(lambda c: c.logout())
        assert isinstance(out, nio.LogoutResponse), out


def unique(prefix: str) -> str:
    """A localpart no other test uses: the server lives for the whole session."""
    return f"{prefix}-{secrets.token_hex(4)}"


_RUNNING = pytest.StashKey[SynapseServer]()


@pytest.fixture(scope="session", name="synapse")
def synapse_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SynapseServer:
    """``synapse``: one homeserver for the test session; import ``synapse_fixture`` into a test module to use it.

    Each importing module gets its own copy of the fixture, so the server is kept in the session's stash: the
    second module finds it running, and it stops when the session ends."""
    running = request.config.stash.get(_RUNNING, None)
    if running is None:
        running = SynapseServer(tmp_path_factory.mktemp("synapse"))
        request.config.stash[_RUNNING] = running
        request.config.add_cleanup(running.stop)
    return running
