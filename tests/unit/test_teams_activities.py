"""What Teams posts to the bot, read as Microsoft documents it: answers, replies, and who is in which chat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from kairos.deliver.base import Rejected
from kairos.deliver.channels.teams import MAX_ACTIVITY_BYTES, answer_in, read_activity, reference_in, tenant_of
from kairos.domain.response import ResponseKind
from tests.support.botframework import BOT, TENANT, BotFramework, TeamsUser


@pytest.fixture
def bf() -> Iterator[BotFramework]:
    found = BotFramework()
    yield found
    found.server.server_close()


@pytest.fixture
def ana() -> TeamsUser:
    return TeamsUser("ana", "ana@example.com")


def _refused(activity: dict[str, Any]) -> str:
    with pytest.raises(Rejected) as refused:
        answer_in(activity)
    return refused.value.reason


def test_a_button_press_is_an_answer_naming_its_moment(bf: BotFramework, ana: TeamsUser) -> None:
    activity = bf.submit(ana, 42, "applied")
    answer = answer_in(activity)
    assert answer is not None
    assert (answer.channel, answer.kind, answer.moment_id, answer.sender) == ("teams", ResponseKind.APPLIED, 42,
                                                                              ana.aad)  # fmt: skip
    assert answer.external_id == f"{ana.conversation}/{activity['id']}" and answer.text is None


@pytest.mark.parametrize("kind", ["applied", "not_relevant", "snooze"])
def test_every_button_kind_is_read(bf: BotFramework, ana: TeamsUser, kind: str) -> None:
    answer = answer_in(bf.submit(ana, 3, kind, reflection="typed but not sent"))
    assert answer is not None and answer.kind.value == kind and answer.text is None


def test_the_reflection_comes_from_its_own_box(bf: BotFramework, ana: TeamsUser) -> None:
    activity = bf.submit(ana, 42, "reflection", reflection="  I asked before giving advice.  ")
    activity["value"]["reflection_41"] = "another nudge's box in the same digest"
    answer = answer_in(activity)
    assert answer is not None and answer.kind is ResponseKind.REFLECTION
    assert answer.text == "I asked before giving advice."


@pytest.mark.parametrize("typed", [None, "", "   ", "x" * 5001])
def test_an_empty_or_huge_reflection_is_malformed(bf: BotFramework, ana: TeamsUser, typed: str | None) -> None:
    assert _refused(bf.submit(ana, 42, "reflection", reflection=typed)) == "malformed"


@pytest.mark.parametrize(
    "data",
    [{"moment": "42", "kind": "applied"}, {"moment": True, "kind": "applied"}, {"moment": 0, "kind": "applied"},
     {"moment": 42, "kind": "rating"}, {"moment": 42, "kind": "delete"}, {"moment": 42}, "42", None],
)  # fmt: skip
def test_card_data_that_the_card_never_sends_is_malformed(bf: BotFramework, ana: TeamsUser, data: Any) -> None:
    activity = bf.submit(ana, 42, "applied")
    activity["value"]["kairos"] = data
    assert _refused(activity) == "malformed"


def test_a_reply_to_a_card_is_a_reflection_on_the_message_it_answers(bf: BotFramework, ana: TeamsUser) -> None:
    answer = answer_in(bf.reply(ana, "1:1700000000000", "It went better than last time."))
    assert answer is not None and answer.kind is ResponseKind.REFLECTION
    assert answer.provider_ref == "1:1700000000000" and answer.moment_id is None
    assert answer.text == "It went better than last time."


def test_a_plain_message_and_other_activities_are_not_answers(bf: BotFramework, ana: TeamsUser) -> None:
    assert answer_in(bf.say(ana, "hello")) is None
    assert answer_in(bf.reply(ana, "1:17", "   ")) is None
    assert answer_in(bf.install(ana)) is None
    assert answer_in(bf.added(ana)) is None


def test_a_one_to_one_chat_gives_a_full_conversation_reference(bf: BotFramework, ana: TeamsUser) -> None:
    found = reference_in(bf.install(ana))
    assert found.channel == "teams" and found.value == ana.aad
    assert found.detail == {"service_url": bf.service_url, "conversation_id": ana.conversation, "user_id": ana.user_id,
                            "tenant_id": TENANT, "bot_id": BOT}  # fmt: skip


def test_a_team_or_group_chat_names_the_person_but_not_a_chat_with_them(bf: BotFramework, ana: TeamsUser) -> None:
    activity = bf.install(ana)
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                                "id": "19:general@thread.tacv2"}  # fmt: skip
    found = reference_in(activity)
    assert "conversation_id" not in found.detail and found.detail["user_id"] == ana.user_id


def test_without_an_entra_object_id_the_teams_user_id_is_the_address(bf: BotFramework, ana: TeamsUser) -> None:
    activity = bf.install(ana)
    del activity["from"]["aadObjectId"]
    assert reference_in(activity).value == ana.user_id


def test_the_tenant_is_read_from_the_conversation_or_the_channel_data(bf: BotFramework, ana: TeamsUser) -> None:
    activity = bf.install(ana)
    assert tenant_of(activity) == TENANT
    del activity["conversation"]["tenantId"]
    assert tenant_of(activity) == TENANT
    del activity["channelData"]
    assert tenant_of(activity) is None


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", json.dumps({"type": "message"}).encode(),
     json.dumps({"type": "message", "serviceUrl": "https://x", "channelId": 7}).encode(), b"[" * 100_000],
)  # fmt: skip
def test_a_body_that_is_not_an_activity_is_malformed(body: bytes) -> None:
    with pytest.raises(Rejected) as refused:
        read_activity(body)
    assert refused.value.reason == "malformed"
    assert not body or body.decode(errors="replace")[:20] not in refused.value.detail  # never the body


def test_an_oversized_body_is_refused_unread() -> None:
    with pytest.raises(Rejected) as refused:
        read_activity(b" " * (MAX_ACTIVITY_BYTES + 1))
    assert refused.value.reason == "oversized"


@pytest.mark.parametrize("broken", ["from", "conversation", "id"])
def test_an_answer_without_sender_chat_or_id_is_malformed(bf: BotFramework, ana: TeamsUser, broken: str) -> None:
    activity = bf.submit(ana, 42, "applied")
    del activity[broken]
    assert _refused(activity) == "malformed"
