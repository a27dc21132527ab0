"""The Teams messaging endpoint over HTTP on a real database: who may post, what is too big, and how Kairos learns
each person's chat with the bot from the activities Teams sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store.schema import events, responses
from tests.support.botframework import BOT, TENANT, BotFramework, TeamsUser, rsa_key
from tests.support.loop import small_org

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Teams:
    db: Database
    bf: BotFramework
    client: TestClient
    bea: TeamsUser
    rita: TeamsUser

    def post(self, activity: dict[str, Any] | None, *, body: bytes | None = None, at: datetime = NOW,
             **claims: Any) -> Any:  # fmt: skip
        raw = body if body is not None else json.dumps(activity).encode()
        headers = {"Content-Type": "application/json", **self.bf.auth(activity or {}, at, **claims)}
        return self.client.post("/channels/teams/messages", content=raw, headers=headers)

    def rejections(self) -> list[dict[str, Any]]:
        with self.db.transaction() as conn:
            rows = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected").order_by(events.c.seq))
            return [r.data for r in rows]

    def address(self, person: str) -> Any:
        with self.db.transaction() as conn:
            return channel_store.address(conn, person, "teams")


def _client(db: Database, **teams: Any) -> TestClient:
    settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False), teams=teams)
    return TestClient(create_app(settings, db, clock=FrozenClock(NOW)))


@pytest.fixture
def teams(db: Database, tmp_path: Path) -> Iterator[Teams]:
    small_org(db, tmp_path)
    with BotFramework() as bf:
        bea, rita = TeamsUser("bea", "boss@example.com"), TeamsUser("rita", "Rep@Example.com")
        bf.add(bea, rita)
        yield Teams(db, bf, _client(db, **bf.settings()), bea, rita)


# --- learning where people are ------------------------------------------------------------------------------------


def test_installing_the_app_teaches_kairos_the_persons_chat_through_a_member_lookup(teams: Teams) -> None:
    response = teams.post(teams.bf.install(teams.bea))
    assert response.status_code == 200 and response.json() == {"status": "learned", "person": "boss"}
    stored = teams.address("boss")
    assert stored.value == teams.bea.aad
    assert stored.detail == {"service_url": teams.bf.service_url, "conversation_id": teams.bea.conversation,
                             "user_id": teams.bea.user_id, "tenant_id": TENANT, "bot_id": BOT}  # fmt: skip
    [lookup] = teams.bf.calls("member")
    assert lookup.path.endswith(f"/members/{teams.bea.user_id.replace(':', '%3A')}")


def test_the_email_is_matched_without_case_and_a_known_address_needs_no_lookup(teams: Teams) -> None:
    assert teams.post(teams.bf.added(teams.rita)).json()["person"] == "rep"
    assert teams.post(teams.bf.say(teams.rita, "hello")).json() == {"status": "ignored", "person": "rep"}
    assert len(teams.bf.calls("member")) == 1


def test_a_new_service_url_replaces_the_stored_one(teams: Teams) -> None:
    teams.post(teams.bf.install(teams.bea))
    moved = {**teams.bf.say(teams.bea, "hi"), "serviceUrl": teams.bf.url + "/teams/"}
    assert teams.post(moved).status_code == 200
    assert teams.address("boss").detail["service_url"] == teams.bf.url + "/teams/"


def test_a_message_in_a_team_never_replaces_the_one_to_one_chat(teams: Teams) -> None:
    teams.post(teams.bf.install(teams.bea))
    in_team = teams.bf.say(teams.bea, "hi all")
    in_team["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                               "id": "19:general@thread.tacv2"}  # fmt: skip
    assert teams.post(in_team).status_code == 200
    assert teams.address("boss").detail["conversation_id"] == teams.bea.conversation


def test_removing_the_app_forgets_the_chat(teams: Teams) -> None:
    teams.post(teams.bf.install(teams.bea))
    assert teams.post(teams.bf.install(teams.bea, action="remove")).json() == {"status": "forgotten"}
    assert teams.address("boss") is None


def test_someone_kairos_does_not_know_is_recorded_and_nothing_is_stored(teams: Teams) -> None:
    stranger = TeamsUser("sam", "sam@elsewhere.example")
    teams.bf.add(stranger)
    assert teams.post(teams.bf.install(stranger)).json() == {"status": "unknown_sender"}
    assert [r["reason"] for r in teams.rejections()] == ["unknown_sender"]


def test_a_failed_member_lookup_leaves_the_sender_unknown_for_now(teams: Teams) -> None:
    teams.bf.fail("member", 503)
    assert teams.post(teams.bf.install(teams.bea)).json() == {"status": "unknown_sender"}
    assert teams.address("boss") is None
    assert teams.post(teams.bf.install(teams.bea)).json()["status"] == "learned"


def test_another_tenant_is_refused(teams: Teams) -> None:
    other = teams.bf.install(teams.bea)
    other["conversation"]["tenantId"] = other["channelData"]["tenant"]["id"] = "another-tenant"
    response = teams.post(other)
    assert response.status_code == 200 and response.json()["reason"] == "unknown_sender"
    assert teams.address("boss") is None and not teams.bf.calls("member")


def test_another_bot_framework_channel_is_refused(teams: Teams) -> None:
    webchat = {**teams.bf.install(teams.bea), "channelId": "webchat"}
    assert teams.post(webchat).json()["reason"] == "forged"  # the key is endorsed for msteams only
    teams.bf.endorsements = ["msteams", "webchat"]
    endorsed = _client(teams.db, **teams.bf.settings())  # a fresh app reads the keys again
    response = endorsed.post("/channels/teams/messages", content=json.dumps(webchat).encode(),
                             headers=teams.bf.auth(webchat, NOW))  # fmt: skip
    assert response.status_code == 200 and response.json()["reason"] == "unsupported"
    assert teams.address("boss") is None


# --- who may post ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "reason"),
    [({"aud": "another-bot"}, "forged"), ({"iss": "https://evil.example"}, "forged"),
     ({"serviceurl": "https://smba.evil.example/"}, "forged"), ({"key": None, "kid": "unknown"}, "forged"),
     ({"exp": int((NOW - timedelta(minutes=6)).timestamp())}, "stale"), ({"algorithm": "HS256"}, "forged")],
    ids=["audience", "issuer", "service-url", "unknown-key", "expired", "hmac"],
)  # fmt: skip
def test_a_request_the_bot_connector_did_not_sign_is_401_recorded_and_changes_nothing(
    teams: Teams, claims: dict[str, Any], reason: str
) -> None:
    response = teams.post(teams.bf.install(teams.bea), **claims)
    assert response.status_code == 401 and response.json()["reason"] == reason
    assert [(r["reason"], r["channel"]) for r in teams.rejections()] == [(reason, "teams")]
    assert teams.address("boss") is None and not teams.bf.calls("member")


def test_a_request_signed_by_another_key_is_forged(teams: Teams) -> None:
    response = teams.post(teams.bf.install(teams.bea), key=rsa_key())
    assert response.status_code == 401 and teams.rejections()[0]["reason"] == "forged"


def test_a_request_without_a_token_is_unsigned(teams: Teams) -> None:
    body = json.dumps(teams.bf.install(teams.bea)).encode()
    response = teams.client.post("/channels/teams/messages", content=body)
    assert response.status_code == 401 and response.json()["reason"] == "unsigned"
    rejection = teams.rejections()[0]
    assert rejection["reason"] == "unsigned" and rejection["size"] == len(body)
    assert teams.bea.email not in json.dumps(rejection)  # never the body


def test_a_body_that_is_not_an_activity_is_400(teams: Teams) -> None:
    response = teams.post({"serviceUrl": teams.bf.service_url}, body=b'{"type": "message"')
    assert response.status_code == 400 and teams.rejections()[0]["reason"] == "malformed"


def test_an_oversized_body_is_413_and_not_read(teams: Teams) -> None:
    huge = {**teams.bf.say(teams.bea, "x" * 300_000)}
    response = teams.post(huge)
    assert response.status_code == 413 and teams.rejections()[0]["reason"] == "oversized"
    assert teams.address("boss") is None


def test_an_unconfigured_bot_answers_503(db: Database) -> None:
    response = _client(db).post("/channels/teams/messages", content=b"{}")
    assert response.status_code == 503 and "KAIROS_TEAMS__APP_ID" in response.json()["detail"]


def test_unreadable_signing_keys_answer_503_so_the_connector_tries_again(teams: Teams) -> None:
    teams.bf.fail("keys", 500)
    assert teams.post(teams.bf.install(teams.bea)).status_code == 503
    assert teams.rejections() == []
    assert teams.post(teams.bf.install(teams.bea)).status_code == 200


def test_other_activities_are_acknowledged_and_ignored(teams: Teams) -> None:
    typing = {**teams.bf.say(teams.bea, ""), "type": "typing"}
    assert teams.post(typing).json() == {"status": "ignored", "type": "typing"}
    with teams.db.transaction() as conn:
        assert conn.execute(select(responses)).first() is None
