"""What Slack sends Kairos, read: the signature first, then clicks, reflections and thread replies as answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.signature import SignatureVerifier

from kairos.deliver.base import Answer, Rejected
from kairos.deliver.channels.slack import (
    Challenge,
    Clicked,
    Ignored,
    Reflect,
    parse_event,
    parse_interaction,
    signature,
    verify,
)
from kairos.domain.response import ResponseKind
from tests.support.slack_api import (
    SIGNING_SECRET,
    block_actions,
    form,
    signed_headers,
    thread_reply,
    url_verification,
    view_submission,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def refused(call: object) -> str:
    with pytest.raises(Rejected) as caught:
        call()  # type: ignore[operator]
    assert caught.value.channel == "slack"
    return caught.value.reason


# --- the signature ----------------------------------------------------------------------------------------------


def test_our_signature_is_slacks_v0_signature() -> None:
    body = form(block_actions("U1", "kairos.applied", "41", channel="D1", message_ts="1.2"))
    expected = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=str(STAMP), body=body)
    assert signature(SIGNING_SECRET, str(STAMP), body) == expected


def test_a_request_signed_by_slack_within_five_minutes_passes() -> None:
    body = b'{"type":"url_verification","challenge":"c"}'
    for skew in (0, 299, -299):
        verify(SIGNING_SECRET, body, lower(signed_headers(body, STAMP + skew)), NOW)


def test_a_request_without_signature_headers_is_unsigned() -> None:
    body = b"payload=%7B%7D"
    assert refused(lambda: verify(SIGNING_SECRET, body, {}, NOW)) == "unsigned"
    only_stamp = {"x-slack-request-timestamp": str(STAMP)}
    assert refused(lambda: verify(SIGNING_SECRET, body, only_stamp, NOW)) == "unsigned"


def test_a_wrong_secret_a_changed_body_or_a_junk_timestamp_is_forged() -> None:
    body = b"payload=%7B%7D"
    wrong = lower(signed_headers(body, STAMP, secret="not-the-secret"))
    assert refused(lambda: verify(SIGNING_SECRET, body, wrong, NOW)) == "forged"
    changed = lower(signed_headers(body, STAMP))
    assert refused(lambda: verify(SIGNING_SECRET, body + b"x", changed, NOW)) == "forged"
    junk = {**lower(signed_headers(body, STAMP)), "x-slack-request-timestamp": "12e9"}
    assert refused(lambda: verify(SIGNING_SECRET, body, junk, NOW)) == "forged"
    non_ascii = {**lower(signed_headers(body, STAMP)), "x-slack-signature": "v0=é"}
    assert refused(lambda: verify(SIGNING_SECRET, body, non_ascii, NOW)) == "forged"


def test_a_correctly_signed_request_older_or_newer_than_five_minutes_is_stale() -> None:
    body = b"payload=%7B%7D"
    for skew in (301, -301, -86400):
        headers = lower(signed_headers(body, STAMP + skew))
        assert refused(lambda h=headers: verify(SIGNING_SECRET, body, h, NOW)) == "stale"  # type: ignore[misc]


# --- interactions -----------------------------------------------------------------------------------------------


def test_a_click_on_applied_is_an_answer_naming_its_moment_and_the_clicker() -> None:
    blocks = [{"type": "actions", "block_id": "kairos.answer.41", "elements": []}]
    payload = block_actions("U0BOSS001", "kairos.applied", "41", channel="D0BOSS001", message_ts="1772440000.000100",
                            action_ts="1772440100.000200", blocks=blocks, block_id="kairos.answer.41")  # fmt: skip
    parsed = parse_interaction(form(payload), NOW)
    assert isinstance(parsed, Clicked)
    assert parsed.answer == Answer("slack", "1772440000.000100:1772440100.000200:U0BOSS001", "U0BOSS001",
                                   ResponseKind.APPLIED, moment_id=41, received_at=NOW)  # fmt: skip
    assert (parsed.channel_id, parsed.message_ts, parsed.block_id) == ("D0BOSS001", "1772440000.000100",
                                                                        "kairos.answer.41")  # fmt: skip
    assert parsed.blocks == blocks


@pytest.mark.parametrize(("action", "kind"), [("kairos.not_relevant", ResponseKind.NOT_RELEVANT),
                                              ("kairos.snooze", ResponseKind.SNOOZE)])  # fmt: skip
def test_each_answer_button_is_its_kind(action: str, kind: ResponseKind) -> None:
    parsed = parse_interaction(form(block_actions("U1", action, "7", channel="D1", message_ts="1.1")), NOW)
    assert isinstance(parsed, Clicked) and parsed.answer.kind is kind and parsed.answer.moment_id == 7


def test_the_reflect_button_asks_for_the_modal_and_records_nothing() -> None:
    parsed = parse_interaction(form(block_actions("U1", "kairos.reflect", "7", channel="D1", message_ts="1.1")), NOW)
    assert parsed == Reflect("12466734323.1395872398.ac9bd59c2e2b1f2f1a8a2b2e1f1e7a8c", 7, "U1")


def test_another_apps_button_or_another_interaction_is_ignored() -> None:
    other = parse_interaction(form(block_actions("U1", "approve_expense", "7", channel="D1", message_ts="1.1")), NOW)
    assert isinstance(other, Ignored)
    assert isinstance(parse_interaction(form({"type": "view_closed", "view": {}}), NOW), Ignored)
    assert isinstance(parse_interaction(form(view_submission("U1", "7", "x", callback_id="other")), NOW), Ignored)


def test_a_submitted_reflection_is_a_reflection_answer() -> None:
    parsed = parse_interaction(form(view_submission("U0BOSS001", "41", "It went well & I <listened>.")), NOW)
    assert parsed == Answer("slack", "view:VKAIROS01", "U0BOSS001", ResponseKind.REFLECTION, moment_id=41,
                            text="It went well & I <listened>.", received_at=NOW)  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        b"", b"payload=", b"payload=not-json", b"payload=%5B%5D", b"\xff\xfe", b"a=1&b=2",
        form({"type": "block_actions", "actions": "no"}),
        form(block_actions("U1", "kairos.applied", "forty-one", channel="D1", message_ts="1.1")),
        form(block_actions("U1", "kairos.applied", "-1", channel="D1", message_ts="1.1")),
        form({**block_actions("U1", "kairos.applied", "1", channel="D1", message_ts="1.1"), "user": None}),
        form({**block_actions("U1", "kairos.applied", "1", channel="D1", message_ts="1.1"), "container": {}}),
        form(view_submission("U1", "", "text")),
        form({**view_submission("U1", "1", "t"), "view": {"callback_id": "kairos.reflection", "private_metadata": "1",
                                                           "id": "V1", "state": {"values": {}}}}),
        b"payload=" + b"%5B" * 5000,
    ],
)  # fmt: skip
def test_a_signed_interaction_kairos_cannot_read_is_malformed(body: bytes) -> None:
    assert refused(lambda: parse_interaction(body, NOW)) == "malformed"


# --- events -----------------------------------------------------------------------------------------------------


def test_the_url_check_is_answered_with_its_challenge() -> None:
    assert parse_event(json.dumps(url_verification("abc")).encode(), NOW) == Challenge("abc")


def test_a_reply_in_a_nudges_thread_is_a_reflection_on_that_message() -> None:
    event = thread_reply("U0BOSS001", "Tried it &amp; <@U0REP> liked it", channel="D0BOSS001",
                         thread_ts="1772440000.000100", event_id="Ev123")  # fmt: skip
    parsed = parse_event(json.dumps(event).encode(), NOW)
    assert parsed == Answer("slack", "Ev123", "U0BOSS001", ResponseKind.REFLECTION,
                            provider_ref="D0BOSS001:1772440000.000100", text="Tried it & @U0REP liked it",
                            received_at=NOW)  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"bot_id": "BKAIROS01"},  # our own post (or another bot's)
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"thread_ts": None},  # a plain message, not in a thread
        {"thread_ts": "1772440300.000300"},  # the parent of a thread itself
        {"type": "reaction_added"},
    ],
)
def test_messages_that_are_not_a_persons_thread_reply_are_ignored(change: dict[str, object]) -> None:
    event = thread_reply("U1", "hi", channel="D1", thread_ts="1772440000.000100")
    event["event"] = {k: v for k, v in {**event["event"], **change}.items() if v is not None}
    assert isinstance(parse_event(json.dumps(event).encode(), NOW), Ignored)


def test_other_events_api_envelopes_are_ignored() -> None:
    assert isinstance(parse_event(b'{"type": "app_rate_limited", "minute_rate_limited": 1}', NOW), Ignored)


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"not json", b"\xff", b'{"type": "url_verification"}', b'{"type": "event_callback"}',
     json.dumps({**thread_reply("U1", "x", channel="D1", thread_ts="1.1"), "event_id": None}).encode(),
     json.dumps(thread_reply("U1", None, channel="D1", thread_ts="1.1")).encode(),  # type: ignore[arg-type]
     b"[" * 100000],
)  # fmt: skip
def test_a_signed_event_kairos_cannot_read_is_malformed(body: bytes) -> None:
    assert refused(lambda: parse_event(body, NOW)) == "malformed"


def test_time_is_taken_from_the_caller_not_the_clock() -> None:
    later = NOW + timedelta(days=3)
    parsed = parse_event(json.dumps(thread_reply("U1", "x", channel="D1", thread_ts="1.1")).encode(), later)
    assert isinstance(parsed, Answer) and parsed.received_at == later
