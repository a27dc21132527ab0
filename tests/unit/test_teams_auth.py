"""Who may talk to the Teams bot: the Bot Connector's JWT, checked as Microsoft documents, and the bot's own token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from kairos.deliver.base import Rejected
from kairos.deliver.channels.teams_auth import BotFrameworkError, BotToken, ConnectorTokens, KeysUnavailable
from kairos.settings import TeamsSettings
from tests.support.botframework import APP_ID, KID, BotFramework, TeamsUser, rsa_key

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def bf() -> Iterator[BotFramework]:
    found = BotFramework()  # served through httpx.MockTransport: no socket in these tests
    yield found
    found.server.server_close()


def _tokens(bf: BotFramework, ticks: Ticks | None = None) -> ConnectorTokens:
    settings = TeamsSettings(**bf.settings())
    return ConnectorTokens(settings, httpx.Client(transport=bf.transport()), ticks or Ticks())


def _activity(bf: BotFramework) -> dict[str, Any]:
    return bf.submit(TeamsUser("ana", "ana@example.com"), 7, "applied")


def _refusal(bf: BotFramework, activity: dict[str, Any], token: str | None, now: datetime = NOW) -> str:
    with pytest.raises(Rejected) as refused:
        _tokens(bf).verify(token, now).admits(activity)
    return refused.value.reason


def test_a_token_the_bot_connector_signed_for_this_activity_passes(bf: BotFramework) -> None:
    activity = _activity(bf)
    verified = _tokens(bf).verify(f"Bearer {bf.sign(activity, NOW)}", NOW)
    verified.admits(activity)
    assert verified.claims["aud"] == APP_ID and verified.endorsements == frozenset({"msteams"})


def test_a_request_without_a_bearer_token_is_unsigned(bf: BotFramework) -> None:
    activity = _activity(bf)
    assert _refusal(bf, activity, None) == "unsigned"
    assert _refusal(bf, activity, "Basic YWxhZGRpbjpvcGVuc2VzYW1l") == "unsigned"
    assert _refusal(bf, activity, "Bearer ") == "unsigned"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-bot"}, "forged"),
        ({"iss": "https://sts.windows.net/evil/"}, "forged"),
        ({"aud": None}, "forged"),
        ({"iss": None}, "forged"),
        ({"exp": None}, "forged"),
        ({"serviceurl": "https://smba.evil.example/teams/"}, "forged"),
        ({"serviceurl": None}, "forged"),
    ],
    ids=["wrong-audience", "wrong-issuer", "no-audience", "no-issuer", "no-expiry", "other-service-url",
         "no-service-url"],
)  # fmt: skip
def test_a_token_with_the_wrong_claims_is_refused(bf: BotFramework, claims: dict[str, Any], reason: str) -> None:
    activity = _activity(bf)
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, **claims)}") == reason


def test_an_expired_token_is_stale_after_five_minutes_of_clock_skew(bf: BotFramework) -> None:
    activity = _activity(bf)
    expired = int((NOW - timedelta(minutes=4)).timestamp())
    _tokens(bf).verify(f"Bearer {bf.sign(activity, NOW, exp=expired)}", NOW).admits(activity)
    long_expired = int((NOW - timedelta(minutes=6)).timestamp())
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, exp=long_expired)}") == "stale"


def test_a_token_not_valid_yet_is_stale(bf: BotFramework) -> None:
    activity = _activity(bf)
    future = int((NOW + timedelta(minutes=10)).timestamp())
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, nbf=future)}") == "stale"


def test_a_token_signed_by_another_key_under_the_listed_key_id_is_forged(bf: BotFramework) -> None:
    activity = _activity(bf)
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, key=rsa_key())}") == "forged"


def test_a_token_signed_by_an_unlisted_key_is_forged(bf: BotFramework) -> None:
    activity = _activity(bf)
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, key=rsa_key(), kid='elsewhere')}") == "forged"


@pytest.mark.parametrize("algorithm", ["none", "HS256", "RS512", "PS256"])
def test_only_rs256_is_accepted(bf: BotFramework, algorithm: str) -> None:
    activity = _activity(bf)
    assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW, algorithm=algorithm)}") == "forged"


def test_hmac_signed_with_the_public_key_is_refused(bf: BotFramework) -> None:
    """The classic confusion attack: HS256 keyed with the RSA public key's bytes."""
    activity = _activity(bf)
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": int(NOW.timestamp()) + 600,
              "serviceurl": activity["serviceUrl"]}  # fmt: skip
    public = bf.key.public_key().public_numbers().n.to_bytes(256, "big")
    forged = jwt.encode(claims, public, algorithm="HS256", headers={"kid": KID})
    assert _refusal(bf, activity, f"Bearer {forged}") == "forged"


def test_garbage_in_the_bearer_token_is_forged(bf: BotFramework) -> None:
    activity = _activity(bf)
    for token in ("not-a-jwt", "a.b.c", "x" * 20_000):
        assert _refusal(bf, activity, f"Bearer {token}") == "forged"


def test_a_key_endorsed_for_other_channels_cannot_vouch_for_teams() -> None:
    bf = BotFramework(endorsements=["webchat", "skype"])
    try:
        activity = _activity(bf)
        assert _refusal(bf, activity, f"Bearer {bf.sign(activity, NOW)}") == "forged"
    finally:
        bf.server.server_close()


def test_a_key_without_endorsements_does_not_restrict_the_channel() -> None:
    bf = BotFramework(endorsements=[])
    bf.endorsements = None  # type: ignore[assignment]  # the key document lists no endorsements at all
    try:
        activity = _activity(bf)
        _tokens(bf).verify(f"Bearer {bf.sign(activity, NOW)}", NOW).admits(activity)
    finally:
        bf.server.server_close()


def test_keys_are_read_once_and_again_only_for_an_unknown_key_id(bf: BotFramework) -> None:
    ticks = Ticks()
    tokens = _tokens(bf, ticks)
    activity = _activity(bf)
    for _ in range(3):
        tokens.verify(f"Bearer {bf.sign(activity, NOW)}", NOW)
    assert len(bf.calls("metadata")) == 1 and len(bf.calls("keys")) == 1
    unknown = f"Bearer {bf.sign(activity, NOW, kid='rotated-in')}"
    ticks.at += 120
    with pytest.raises(Rejected):
        tokens.verify(unknown, NOW)
    with pytest.raises(Rejected):
        tokens.verify(unknown, NOW)  # within a minute of the last read: no second fetch
    assert len(bf.calls("keys")) == 2
    ticks.at += 25 * 3600
    tokens.verify(f"Bearer {bf.sign(activity, NOW)}", NOW)
    assert len(bf.calls("keys")) == 3  # re-read daily


def test_unreadable_keys_are_not_a_verdict_on_the_request(bf: BotFramework) -> None:
    bf.fail("metadata", 503)
    activity = _activity(bf)
    with pytest.raises(KeysUnavailable):
        _tokens(bf).verify(f"Bearer {bf.sign(activity, NOW)}", NOW)


def test_the_bot_token_is_fetched_by_client_credentials_and_cached_until_shortly_before_it_expires(
    bf: BotFramework,
) -> None:
    ticks = Ticks()
    token = BotToken(TeamsSettings(**bf.settings()), httpx.Client(transport=bf.transport()), ticks)
    first = token.header()
    assert token.header() == first and len(bf.calls("token")) == 1
    form = bf.calls("token")[0].body
    assert form["grant_type"] == ["client_credentials"] and form["client_id"] == [APP_ID]
    assert form["scope"] == ["https://api.botframework.com/.default"]
    ticks.at += 3599 - 301
    assert token.header() == first
    ticks.at += 2
    assert token.header() != first and len(bf.calls("token")) == 2


def test_a_refused_secret_is_an_error_with_entras_code(bf: BotFramework) -> None:
    settings = TeamsSettings(**bf.settings(app_password="wrong"))
    with pytest.raises(BotFrameworkError) as failed:
        BotToken(settings, httpx.Client(transport=bf.transport())).header()
    assert failed.value.status == 401 and failed.value.code == "invalid_client"
