"""The Matrix channel's rules without a homeserver: who it reaches, what a message says, how events read as answers,
and what each refusal from the homeserver means for the delivery."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kairos.deliver.base import Address, Answer, ReceiptStatus, Rejected
from kairos.deliver.channels.matrix import (
    DIGEST_KEY,
    MatrixChannel,
    classify,
    for_digest,
    from_settings,
    message_content,
    parse_event,
    reaction_kind,
    sync_filter,
    without_fallback,
)
from kairos.domain.nudge import Links, Nudge
from kairos.domain.response import ResponseKind
from kairos.settings import MatrixSettings, SettingsError, load_settings
from tests.factories import person

BOT = "@kairos:example.org"
NUDGE_EVENT = "$nudge"


def channel(**settings: Any) -> MatrixChannel:
    values: dict[str, Any] = {"homeserver": "https://matrix.example.org", "access_token": "syt_x", **settings}
    return MatrixChannel(MatrixSettings(**values))


def nudge(**changes: Any) -> Nudge:
    values: dict[str, Any] = {
        "recipient_id": "boss", "recipient_email": "boss@example.com", "recipient_name": "Bea", "subject": "Before 1:1",
        "text": "Ask <i>Rita</i>.\nhttps://evil.example @room", "html": "", "why": {}, "moment_id": 7,
        "delivery_note": "Sent on Matrix because you chose it.",
    }  # fmt: skip
    return Nudge(**{**values, **changes})


def event(content: dict[str, Any], kind: str = "m.room.message", sender: str = "@bea:example.org") -> dict[str, Any]:
    return {"type": kind, "sender": sender, "event_id": "$answer", "origin_server_ts": 1772442000000,
            "content": content}  # fmt: skip


def reaction(key: str, target: str = NUDGE_EVENT) -> dict[str, Any]:
    return event({"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}, "m.reaction")


def reply(body: str, **content: Any) -> dict[str, Any]:
    return event({"msgtype": "m.text", "body": body, "m.relates_to": {"m.in_reply_to": {"event_id": NUDGE_EVENT}},
                  **content})  # fmt: skip


# --- settings and reach ----------------------------------------------------------------------------------------


def test_the_channel_is_off_without_a_homeserver_and_a_token() -> None:
    assert from_settings(load_settings()) is None
    assert from_settings(load_settings(matrix={"homeserver": "https://m.example.org"})) is None
    built = from_settings(load_settings(matrix={"homeserver": "https://m.example.org", "access_token": "t"}))
    assert isinstance(built, MatrixChannel) and built.resend_is_safe


@pytest.mark.parametrize("template", ["@{name}:example.org", "{email_local}", "@{email_local}", "@{0}:x.org"])
def test_a_template_that_cannot_make_a_matrix_id_is_refused_at_start(template: str) -> None:
    with pytest.raises(SettingsError, match="KAIROS_MATRIX__USER_ID_TEMPLATE"):
        from_settings(load_settings(matrix={"homeserver": "https://m.example.org", "access_token": "t",
                                            "user_id_template": template}))  # fmt: skip


def test_a_person_is_reached_by_an_address_on_record_or_by_the_template() -> None:
    on_record = Address("matrix", "@bea:example.org")
    assert channel().reaches(person("boss"), on_record)
    assert not channel().reaches(person("boss"), None)
    templated = channel(user_id_template="@{email_local}:example.org")
    assert templated.reaches(person("boss", email="Bea.Boss@example.com"), None)
    assert templated.user_id_for("boss", "Bea.Boss@example.com") == "@bea.boss:example.org"
    assert channel(user_id_template="@{id}:example.org").user_id_for("Boss", "") == "@boss:example.org"
    assert not templated.reaches(person("boss", email=""), None)
    assert templated.user_id_for("boss", "bea boss@example.com") is None  # a space is no Matrix id


def test_without_an_id_the_send_is_unreachable_and_nothing_is_marked_in_flight() -> None:
    marks: list[bool] = []
    receipt = channel().send(nudge(), None, "moment-7/matrix", lambda: marks.append(True))
    assert receipt.status is ReceiptStatus.UNREACHABLE and marks == []


# --- what is sent ----------------------------------------------------------------------------------------------


def test_a_message_escapes_the_nudge_pings_nobody_and_says_how_to_answer_and_why_this_channel() -> None:
    content = message_content(nudge())
    assert content["m.mentions"] == {}
    assert "&lt;i&gt;Rita&lt;/i&gt;" in content["formatted_body"] and "<i>" not in content["formatted_body"]
    assert "<a " not in content["formatted_body"]  # the person's URL is not made a link by Kairos
    for part in (content["body"], content["formatted_body"]):
        assert "Sent on Matrix because you chose it." in part and "React ✅" in part
    assert DIGEST_KEY not in content


def test_kairos_own_links_are_the_only_links() -> None:
    links = Links({"applied": "https://k.example/r?t=a&b=1"}, inbox="https://k.example/inbox")
    content = message_content(nudge(links=links))
    assert '<a href="https://k.example/r?t=a&amp;b=1">I applied it</a>' in content["formatted_body"]
    assert '<a href="https://k.example/inbox">Your inbox</a>' in content["formatted_body"]
    assert "I applied it: https://k.example/r?t=a&b=1" in content["body"]


def test_a_digest_numbers_its_items_and_carries_their_moments() -> None:
    items = (nudge(moment_id=3, subject="First"), nudge(moment_id=4, subject="<Second>"))
    content = message_content(nudge(moment_id=None, subject="Today", text="", digest=items))
    assert content[DIGEST_KEY] == [3, 4]
    assert "1. First" in content["body"] and "2. <Second>" in content["body"]
    assert "<h4>2. &lt;Second&gt;</h4>" in content["formatted_body"]
    assert '"2 ✅"' in content["body"]
    unnumbered = (nudge(moment_id=None), nudge(moment_id=None))
    assert DIGEST_KEY not in message_content(nudge(digest=unnumbered))


def test_a_digest_too_long_for_one_matrix_event_loses_its_html_then_its_end() -> None:
    long = tuple(nudge(moment_id=n, text="Long advice. " * 400) for n in range(12))
    content = message_content(nudge(moment_id=None, digest=long))
    assert len(json.dumps(content).encode()) <= 60_000
    assert "formatted_body" not in content and content["body"].endswith("is in your Kairos inbox)")
    assert content[DIGEST_KEY] == list(range(12))
    shorter = message_content(nudge(moment_id=None, digest=long[:6]))
    assert "formatted_body" not in shorter and not shorter["body"].endswith("inbox)")
    assert "formatted_body" in message_content(nudge(moment_id=None, digest=long[:3]))


def test_the_sync_filter_reads_only_messages_and_reactions_from_others() -> None:
    timeline = sync_filter(BOT, 50)["room"]["timeline"]
    assert timeline == {"types": ["m.room.message", "m.reaction", "m.room.encrypted"], "not_senders": [BOT],
                        "limit": 50}  # fmt: skip


# --- what comes back -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "kind"), [
    ("✅", ResponseKind.APPLIED), ("👍", ResponseKind.APPLIED), ("👍🏽", ResponseKind.APPLIED),
    ("👎", ResponseKind.NOT_RELEVANT), ("❌", ResponseKind.NOT_RELEVANT), ("⏰️", ResponseKind.SNOOZE),
    ("💤", ResponseKind.SNOOZE), ("🎉", None), ("", None), ("4️⃣", ResponseKind.RATING), ("4\u20e3", ResponseKind.RATING),
    ("6️⃣", None),
])  # fmt: skip
def test_reaction_keys(key: str, kind: ResponseKind | None) -> None:
    assert reaction_kind(key) == kind


def test_a_reaction_answers_the_event_it_annotates() -> None:
    found = parse_event(reaction("✅"), BOT)
    assert isinstance(found, Answer)
    assert (found.kind, found.provider_ref, found.external_id, found.sender) == (
        ResponseKind.APPLIED, NUDGE_EVENT, "$answer", "@bea:example.org")  # fmt: skip
    assert found.received_at is not None and found.received_at.year == 2026


def test_a_keycap_reaction_is_a_rating_of_its_number() -> None:
    found = parse_event(reaction("3️⃣"), BOT)
    assert isinstance(found, Answer) and (found.kind, found.rating) == (ResponseKind.RATING, 3)


def test_a_reaction_that_is_not_an_answer_and_the_bots_own_events_are_ignored() -> None:
    assert parse_event(reaction("🎉"), BOT) is None
    assert parse_event(event({"msgtype": "m.text", "body": "hi"}, sender=BOT), BOT) is None
    assert parse_event(event({}), BOT) is None  # deleted (redacted)
    assert parse_event(event({"body": "x"}, kind="m.room.topic"), BOT) is None


def test_a_reply_is_a_reflection_without_the_quoted_original() -> None:
    found = parse_event(reply("> <@kairos:example.org> Before 1:1\n> more\n\nIt went well.\n> my own quote"), BOT)
    assert isinstance(found, Answer)
    assert (found.kind, found.text, found.provider_ref) == (
        ResponseKind.REFLECTION, "It went well.\n> my own quote", NUDGE_EVENT)  # fmt: skip


def test_a_reply_that_is_only_an_answer_symbol_is_that_answer() -> None:
    found = parse_event(reply("> quoted\n\n👎"), BOT)
    assert isinstance(found, Answer) and found.kind is ResponseKind.NOT_RELEVANT and found.text is None


def test_a_reply_in_a_thread_answers_the_thread_root() -> None:
    threaded = event({"msgtype": "m.text", "body": "Done it", "m.relates_to": {
        "rel_type": "m.thread", "event_id": NUDGE_EVENT, "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$latest-in-thread"}}})  # fmt: skip
    found = parse_event(threaded, BOT)
    assert isinstance(found, Answer) and found.provider_ref == NUDGE_EVENT


@pytest.mark.parametrize(("payload", "reason"), [
    ([], "malformed"),
    ({"type": "m.reaction"}, "malformed"),
    (event("not an object"), "malformed"),  # type: ignore[arg-type]
    (event({"m.relates_to": {"rel_type": "m.annotation", "key": "✅"}}, "m.reaction"), "malformed"),
    (event({"msgtype": "m.text", "body": "hello"}), "unknown_message"),
    (reply("x" * 5001), "oversized"),
    (reply("> only the quote\n\n  "), "malformed"),
    (reply("photo", msgtype="m.image"), "unsupported"),
    (reply(["not", "text"]), "unsupported"),  # type: ignore[arg-type]
    (event({"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "hello"}, "m.room.encrypted"), "unsupported"),
])  # fmt: skip
def test_what_is_refused_and_why(payload: Any, reason: str) -> None:
    found = parse_event(payload, BOT)
    assert isinstance(found, Rejected) and found.reason == reason
    assert "x" * 100 not in found.detail and "hello" not in found.detail  # never the payload


def test_an_edit_is_not_a_second_answer() -> None:
    edit = reply("* fixed typo", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$answer0"}})
    assert parse_event(edit, BOT) is None


@pytest.mark.parametrize(("body", "own"), [
    ("> <@a:b> hi\n> there\n\nmine", "mine"), ("mine", "mine"), (">only quote", ""), ("> q\nno blank", "no blank"),
    ("\n\n  padded  \n", "padded"),
])  # fmt: skip
def test_the_reply_fallback_is_taken_off(body: str, own: str) -> None:
    assert without_fallback(body) == own


def test_a_digest_answer_names_its_item_by_number() -> None:
    said = Answer("matrix", "$a", "@bea:example.org", ResponseKind.REFLECTION, provider_ref="$d", text="2 ✅")
    found = for_digest(said, [10, 11, 12])
    assert isinstance(found, Answer) and (found.moment_id, found.kind, found.text) == (11, ResponseKind.APPLIED, None)
    found = for_digest(replace_text(said, "#3. Tried it, worked"), [10, 11, 12])
    assert isinstance(found, Answer) and (found.moment_id, found.text) == (12, "Tried it, worked")
    for text, reason in (("4 ✅", "unknown_message"), ("no number", "unknown_message"), ("2", "malformed")):
        refused = for_digest(replace_text(said, text), [10, 11, 12])
        assert isinstance(refused, Rejected) and refused.reason == reason
    reacted = Answer("matrix", "$a", "@bea:example.org", ResponseKind.APPLIED, provider_ref="$d")
    refused = for_digest(reacted, [10, 11])
    assert isinstance(refused, Rejected) and refused.reason == "unsupported"
    found = for_digest(reacted, [10])
    assert isinstance(found, Answer) and found.moment_id == 10


def replace_text(answer: Answer, text: str) -> Answer:
    return Answer(answer.channel, answer.external_id, answer.sender, answer.kind, provider_ref=answer.provider_ref,
                  text=text)  # fmt: skip


# --- refusals from the homeserver ------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "errcode", "verdict"), [
    (429, "M_LIMIT_EXCEEDED", ReceiptStatus.RETRYABLE), (400, "M_LIMIT_EXCEEDED", ReceiptStatus.RETRYABLE),
    (502, "", ReceiptStatus.RETRYABLE), (500, "M_UNKNOWN", ReceiptStatus.RETRYABLE), (0, "", ReceiptStatus.RETRYABLE),
    (401, "M_UNKNOWN_TOKEN", ReceiptStatus.PERMANENT), (401, "M_MISSING_TOKEN", ReceiptStatus.PERMANENT),
    (403, "M_FORBIDDEN", ReceiptStatus.UNREACHABLE), (404, "M_NOT_FOUND", ReceiptStatus.UNREACHABLE),
    (400, "M_BAD_JSON", ReceiptStatus.PERMANENT), (413, "M_TOO_LARGE", ReceiptStatus.PERMANENT),
])  # fmt: skip
def test_what_each_refusal_means(status: int, errcode: str, verdict: ReceiptStatus) -> None:
    assert classify(status, errcode) is verdict
