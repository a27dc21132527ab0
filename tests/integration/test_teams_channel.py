"""Sending a nudge to Teams over HTTP, against a local stand-in for the Bot Framework: every outcome classified."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kairos.deliver.base import Address, ReceiptStatus
from kairos.deliver.channels.teams import CARD_TYPE, TeamsChannel, from_settings
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.settings import TeamsSettings, load_settings
from tests.support.botframework import APP_ID, BOT, TENANT, BotFramework, TeamsUser
from tests.support.servers import free_port

NUDGE = Nudge(recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea Boss",
              subject="Before your 1:1 with Rita", text="Ask one open question.\n\n--\nWhy you are seeing this: a 1:1.",
              html="", why={}, moment_id=42, delivery_note="Sent on Microsoft Teams, the organization's first "
              "channel that reaches you.")  # fmt: skip
BEA = Person(id="boss", name="Bea Boss", email="boss@example.com", manager_id=None, role="EM", level="M1", team="Core",
             location="Berlin", time_zone="Europe/Berlin", start_date=None)  # fmt: skip


@pytest.fixture
def bf() -> Iterator[BotFramework]:
    with BotFramework() as server:
        yield server


@pytest.fixture
def bea(bf: BotFramework) -> TeamsUser:
    user = TeamsUser("bea", "boss@example.com")
    bf.add(user)
    return user


def _channel(bf: BotFramework, **more: Any) -> TeamsChannel:
    return TeamsChannel(TeamsSettings(**bf.settings(**more)))


def _chat(bf: BotFramework, user: TeamsUser) -> Address:
    return Address("teams", user.aad, {"service_url": bf.service_url, "conversation_id": user.conversation,
                                       "user_id": user.user_id, "tenant_id": TENANT, "bot_id": BOT})  # fmt: skip


class Marks:
    """mark_in_flight, noting how many activities the connector had received when it was called."""

    def __init__(self, bf: BotFramework) -> None:
        self.bf = bf
        self.seen: list[int] = []

    def __call__(self) -> None:
        self.seen.append(len(self.bf.calls("send")))


def test_a_nudge_is_posted_as_a_card_to_the_stored_chat(bf: BotFramework, bea: TeamsUser) -> None:
    marks = Marks(bf)
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", marks)
    assert receipt.status is ReceiptStatus.DELIVERED and receipt.learned is None
    [posted] = bf.posted(bea.conversation)
    assert receipt.provider_id == posted["id"]
    assert posted["type"] == "message" and posted["attachments"][0]["contentType"] == CARD_TYPE
    assert marks.seen == [0]  # marked in flight right before the one POST that may deliver
    [send] = bf.calls("send")
    assert send.headers["authorization"].startswith("Bearer bot-token-")


def test_the_bot_token_is_fetched_once_for_many_sends(bf: BotFramework, bea: TeamsUser) -> None:
    channel = _channel(bf)
    for n in range(3):
        assert channel.send(NUDGE, _chat(bf, bea), f"{n}/teams", lambda: None).status is ReceiptStatus.DELIVERED
    assert len(bf.calls("token")) == 1


def test_without_a_chat_the_bot_opens_one_and_the_receipt_carries_it(bf: BotFramework, bea: TeamsUser) -> None:
    address = Address("teams", bea.aad, {"user_id": bea.user_id, "tenant_id": TENANT})
    receipt = _channel(bf).send(NUDGE, address, "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.DELIVERED
    [create] = bf.calls("create")
    assert create.body == {"bot": {"id": f"28:{APP_ID}"}, "members": [{"id": bea.user_id}], "isGroup": False,
                           "tenantId": TENANT, "channelData": {"tenant": {"id": TENANT}}}  # fmt: skip
    assert receipt.learned == Address("teams", bea.aad, {"user_id": bea.user_id, "tenant_id": TENANT,
                                                         "conversation_id": bea.conversation,
                                                         "service_url": bf.service_url})  # fmt: skip
    assert len(bf.posted(bea.conversation)) == 1


def test_reaches_needs_a_chat_or_a_user_id_and_a_service_url(bf: BotFramework, bea: TeamsUser) -> None:
    with_url, without_url = _channel(bf), _channel(bf, service_url=None)
    assert with_url.reaches(BEA, _chat(bf, bea)) and without_url.reaches(BEA, _chat(bf, bea))
    bare = Address("teams", bea.aad, {})
    assert with_url.reaches(BEA, bare) and not without_url.reaches(BEA, bare)
    assert not with_url.reaches(BEA, None) and not with_url.reaches(BEA, Address("slack", "U1"))


def test_nobody_to_reach_is_unreachable_and_nothing_is_sent(bf: BotFramework) -> None:
    marks = Marks(bf)
    receipt = _channel(bf, service_url=None).send(NUDGE, None, "42/teams", marks)
    assert receipt.status is ReceiptStatus.UNREACHABLE and marks.seen == [] and not bf.calls()


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 412])
def test_throttling_and_server_errors_are_retried_later(bf: BotFramework, bea: TeamsUser, status: int) -> None:
    bf.fail("send", status, retry_after="7")
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.RETRYABLE and "Retry-After 7 s" in receipt.detail


def test_a_connection_that_fails_is_retried_later(bf: BotFramework, bea: TeamsUser) -> None:
    address = Address("teams", bea.aad, {**_chat(bf, bea).detail, "service_url": f"http://127.0.0.1:{free_port()}/"})
    receipt = _channel(bf, timeout_seconds=2).send(NUDGE, address, "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.RETRYABLE and "ConnectError" in receipt.detail


def test_a_token_refused_once_is_renewed_and_the_send_goes_through(bf: BotFramework, bea: TeamsUser) -> None:
    bf.fail("send", 401)
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.DELIVERED and len(bf.calls("token")) == 2


def test_a_bot_the_connector_keeps_refusing_is_permanent_with_a_hint(bf: BotFramework, bea: TeamsUser) -> None:
    bf.fail("send", 401, times=2)
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.PERMANENT and "Azure Bot registration" in receipt.detail


def test_a_bot_disabled_by_the_admin_is_permanent(bf: BotFramework, bea: TeamsUser) -> None:
    bf.fail("send", 403, code="BotDisabledByAdmin")
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.PERMANENT and "BotDisabledByAdmin" in receipt.detail


@pytest.mark.parametrize("code", ["ConversationBlockedByUser", "BotNotInConversationRoster"])
def test_a_person_who_blocked_or_removed_the_app_is_unreachable(bf: BotFramework, bea: TeamsUser, code: str) -> None:
    bf.fail("send", 403, code=code)
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.UNREACHABLE


def test_a_chat_that_is_gone_is_unreachable_and_forgotten(bf: BotFramework, bea: TeamsUser) -> None:
    address = Address("teams", bea.aad, {**_chat(bf, bea).detail, "conversation_id": "a:deleted"})
    receipt = _channel(bf).send(NUDGE, address, "42/teams", lambda: None)
    assert receipt.status is ReceiptStatus.UNREACHABLE
    assert receipt.learned is not None and "conversation_id" not in receipt.learned.detail
    assert receipt.learned.detail["user_id"] == bea.user_id


def test_a_person_without_the_app_installed_cannot_be_written_to(bf: BotFramework) -> None:
    stranger = Address("teams", "00000000-0000-0000-0000-000000000000", {})
    marks = Marks(bf)
    receipt = _channel(bf).send(NUDGE, stranger, "42/teams", marks)
    assert receipt.status is ReceiptStatus.UNREACHABLE and marks.seen == [] and not bf.calls("send")


def test_wrong_bot_credentials_are_permanent_and_nothing_is_sent(bf: BotFramework, bea: TeamsUser) -> None:
    marks = Marks(bf)
    receipt = _channel(bf, app_password="wrong").send(NUDGE, _chat(bf, bea), "42/teams", marks)
    assert receipt.status is ReceiptStatus.PERMANENT and "KAIROS_TEAMS__APP_PASSWORD" in receipt.detail
    assert "invalid_client" in receipt.detail and marks.seen == [] and not bf.calls("send")


def test_an_unreachable_token_endpoint_is_retried_later(bf: BotFramework, bea: TeamsUser) -> None:
    bf.fail("token", 503)
    marks = Marks(bf)
    receipt = _channel(bf).send(NUDGE, _chat(bf, bea), "42/teams", marks)
    assert receipt.status is ReceiptStatus.RETRYABLE and marks.seen == [] and not bf.calls("send")


def test_the_channel_is_on_only_with_an_app_id_and_secret(bf: BotFramework) -> None:
    assert from_settings(load_settings()) is None
    assert from_settings(load_settings(teams={"app_id": APP_ID})) is None
    built = from_settings(load_settings(teams=bf.settings()))
    assert isinstance(built, TeamsChannel) and not built.resend_is_safe
    built.close()
