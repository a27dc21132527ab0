"""The outgoing webhook channel: what it sends, how it reads the receiver's answer, and how it is configured.

The HTTP exchange itself is tested against a real local receiver in tests/integration/test_webhook_out.py; here an
in-memory transport records the order of events around the commit point.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from kairos.deliver.base import ReceiptStatus
from kairos.deliver.channels.webhook import (
    EVENT_TYPE,
    WebhookChannel,
    encode,
    from_settings,
    payload,
    receipt,
    webhook_id,
)
from kairos.deliver.signing import new_secret, secret_key, verify
from kairos.domain.nudge import Links, Nudge
from kairos.settings import OutgoingWebhookSettings, SettingsError, load_settings
from tests.factories import person

SECRET = new_secret()
SENT_AT = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)


def nudge(moment_id: int = 11, **overrides: object) -> Nudge:
    values: dict[str, object] = {
        "recipient_id": "boss",
        "recipient_email": "boss@example.com",
        "recipient_name": "Bea Böss",
        "subject": "Your 1:1 with Rita at 10:00",
        "text": "Ask Rita about the review.",
        "html": "<p>Ask Rita about the review.</p>",
        "why": {"play": "one-on-one-brief", "facts": [{"ref": "acme@2026.1/giving-feedback/level-3"}]},
        "moment_id": moment_id,
        "links": Links(respond={"applied": "https://k.example/r/a", "snooze": "https://k.example/r/s"},
                       inbox="https://k.example/inbox", preferences="https://k.example/prefs"),
        "delivery_note": "Sent by webhook: the organization's first channel. Change it at https://k.example/prefs",
        "meeting": {"uid": "weekly-1on1", "title": "1:1 Bea / Rita", "start": "2026-03-02T09:00:00+00:00"},
    }  # fmt: skip
    values.update(overrides)
    return Nudge(**values)  # type: ignore[arg-type]


def test_the_payload_is_a_standard_webhooks_event_with_the_whole_nudge_in_data() -> None:
    sent = payload(nudge(), "moment-11/webhook", SENT_AT)
    assert sent["type"] == EVENT_TYPE == "nudge.due"
    assert sent["id"] == "moment-11/webhook"
    assert sent["timestamp"] == "2026-03-02T08:45:00Z"
    data = sent["data"]
    assert data["recipient"] == {"id": "boss", "name": "Bea Böss", "email": "boss@example.com"}
    assert data["moment_id"] == 11
    assert data["subject"] == "Your 1:1 with Rita at 10:00"
    assert data["text"] and data["html"] and data["why"]["play"] == "one-on-one-brief"
    assert data["delivery_note"].startswith("Sent by webhook")
    assert data["links"] == {"respond": {"applied": "https://k.example/r/a", "snooze": "https://k.example/r/s"},
                             "inbox": "https://k.example/inbox", "preferences": "https://k.example/prefs"}  # fmt: skip
    assert data["meeting"]["uid"] == "weekly-1on1"
    assert data["digest"] == []


def test_a_digest_lists_each_member_with_its_own_moment_id_and_answer_links() -> None:
    members = (
        nudge(21, links=Links(respond={"applied": "https://k.example/r/21"})),
        nudge(22, links=Links(respond={"applied": "https://k.example/r/22"}), meeting=None),
    )
    digest = nudge(None, subject="Your coaching digest", digest=members, meeting=None, links=Links())
    data = payload(digest, "digest-boss-2026-03-02/webhook", SENT_AT)["data"]
    assert data["moment_id"] is None
    assert [m["moment_id"] for m in data["digest"]] == [21, 22]
    assert [m["links"]["respond"]["applied"] for m in data["digest"]] == ["https://k.example/r/21",
                                                                          "https://k.example/r/22"]  # fmt: skip
    assert "recipient" not in data["digest"][0]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("moment-7/webhook", "moment-7/webhook"),
        ("digest-jane.doe-20260302T073000/webhook", "digest-jane%2Edoe-20260302T073000/webhook"),
        ("digest-Zoë K/webhook", "digest-Zo%C3%AB%20K/webhook"),
        ("digest-100%/webhook", "digest-100%25/webhook"),
    ],
)
def test_the_webhook_id_is_the_idempotency_key_with_full_stops_and_spaces_escaped(key: str, expected: str) -> None:
    assert webhook_id(key) == expected


def test_the_body_is_minified_utf8_json() -> None:
    body = encode(payload(nudge(), "moment-11/webhook", SENT_AT))
    assert b'"type":"nudge.due"' in body and b", " not in body.split(b'"text"')[0]
    assert "Bea Böss".encode() in body
    assert json.loads(body)["data"]["recipient"]["name"] == "Bea Böss"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, ReceiptStatus.DELIVERED), (201, ReceiptStatus.DELIVERED), (202, ReceiptStatus.DELIVERED),
        (204, ReceiptStatus.DELIVERED),
        (410, ReceiptStatus.PERMANENT),
        (408, ReceiptStatus.RETRYABLE), (429, ReceiptStatus.RETRYABLE), (500, ReceiptStatus.RETRYABLE),
        (502, ReceiptStatus.RETRYABLE), (503, ReceiptStatus.RETRYABLE), (504, ReceiptStatus.RETRYABLE),
        (301, ReceiptStatus.PERMANENT), (302, ReceiptStatus.PERMANENT), (307, ReceiptStatus.PERMANENT),
        (308, ReceiptStatus.PERMANENT),
        (400, ReceiptStatus.PERMANENT), (401, ReceiptStatus.PERMANENT), (403, ReceiptStatus.PERMANENT),
        (404, ReceiptStatus.PERMANENT), (413, ReceiptStatus.PERMANENT), (422, ReceiptStatus.PERMANENT),
    ],
)  # fmt: skip
def test_the_receivers_status_decides_delivered_retryable_or_permanent(status: int, expected: ReceiptStatus) -> None:
    got = receipt(status, "", httpx.Headers(), b"", "moment-1/webhook")
    assert got.status is expected
    assert got.detail.startswith(str(status))
    assert (got.provider_id == "moment-1/webhook") == (expected is ReceiptStatus.DELIVERED)


def test_gone_says_the_receiver_unsubscribed() -> None:
    assert "unsubscribed" in receipt(410, "Gone", httpx.Headers(), b"", "m").detail


def test_a_rate_limit_keeps_the_receivers_retry_after_in_the_detail() -> None:
    got = receipt(429, "Too Many Requests", httpx.Headers({"retry-after": "30"}), b"", "m")
    assert got.detail == "429 Too Many Requests (Retry-After: 30)"


def test_a_redirect_is_not_followed_and_names_where_to_point_the_setting() -> None:
    got = receipt(308, "Permanent Redirect", httpx.Headers({"location": "https://new.example/hook"}), b"", "m")
    assert "KAIROS_WEBHOOK_OUT__URL" in got.detail and "https://new.example/hook" in got.detail


@pytest.mark.parametrize(
    ("answer", "shown"),
    [(b'{"id": "rcv-42"}', "rcv-42"), (b"ok", None), (b'["rcv"]', None), (b'{"id": 5}', None),
     (json.dumps({"id": "x" * 500}).encode(), None), (b'{"id": "a\\nb"}', None)],
)  # fmt: skip
def test_an_id_the_receiver_gives_its_copy_is_shown_and_anything_else_ignored(answer: bytes, shown: str | None) -> None:
    got = receipt(200, "OK", httpx.Headers(), answer, "moment-1/webhook")
    assert got.provider_id == "moment-1/webhook"
    assert (f"receiver id {shown}" in got.detail) if shown else ("receiver id" not in got.detail)


class Streamed(httpx.SyncByteStream):
    """An answer that arrives as a stream, as it does over a socket (the channel reads it raw and capped)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self.body


def test_in_flight_is_marked_before_the_request_leaves_and_the_request_is_signed_at_the_clocks_time() -> None:
    events: list[str] = []
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        events.append("request")
        seen.append(request)
        return httpx.Response(200, stream=Streamed(b'{"id": "rcv-1"}'))

    settings = OutgoingWebhookSettings(url="https://hooks.example/kairos", secret=SECRET)
    channel = WebhookChannel(settings, [secret_key(SECRET)], clock=lambda: 1_772_440_000.7,
                             transport=httpx.MockTransport(handler))  # fmt: skip
    got = channel.send(nudge(), None, "moment-11/webhook", lambda: events.append("in flight"))
    channel.close()
    assert events == ["in flight", "request"]
    assert got.status is ReceiptStatus.DELIVERED and got.provider_id == "moment-11/webhook"
    assert got.detail == "200 OK (receiver id rcv-1)"
    request = seen[0]
    assert request.headers["webhook-timestamp"] == "1772440000"
    assert request.headers["content-type"] == "application/json"
    assert verify([secret_key(SECRET)], dict(request.headers), request.content, 1_772_440_000)
    assert json.loads(request.content)["timestamp"] == "2026-03-02T08:26:40.700000Z"


def test_the_channel_reaches_everyone_and_a_resend_is_safe() -> None:
    channel = from_settings(load_settings(webhook_out={"url": "https://hooks.example/k", "secret": SECRET}))
    assert channel is not None
    assert channel.name == "webhook" and channel.resend_is_safe
    assert channel.reaches(person("anyone"), None)


def test_the_delivery_note_says_to_answer_with_the_links_only_when_there_are_links() -> None:
    out = {"url": "https://hooks.example/k", "secret": SECRET}
    with_links = from_settings(load_settings(webhook_out=out, delivery={"public_url": "https://k.example"}))
    without = from_settings(load_settings(webhook_out=out))
    assert with_links is not None and with_links.answers == "Answer with the links that come with it."
    assert without is not None and without.answers == ""


def test_without_a_url_the_channel_is_off() -> None:
    assert from_settings(load_settings()) is None


@pytest.mark.parametrize(
    ("webhook_out", "says"),
    [
        ({"url": "https://hooks.example/k"}, "KAIROS_WEBHOOK_OUT__SECRET is required"),
        ({"url": "https://hooks.example/k", "secret": "whsec_%%%"}, "KAIROS_WEBHOOK_OUT__SECRET: "),
        ({"url": "https://hooks.example/k", "secret": SECRET, "previous_secret": "whsec_c2hvcnQ="},
         "KAIROS_WEBHOOK_OUT__PREVIOUS_SECRET: a webhook secret needs at least 24"),
        ({"url": "ftp://hooks.example/k", "secret": SECRET}, "must start with https://"),
    ],
)  # fmt: skip
def test_a_misconfigured_webhook_is_refused_at_start_naming_the_setting(webhook_out: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        from_settings(load_settings(webhook_out=webhook_out))


def test_during_a_rotation_the_channel_signs_with_the_new_key_first_and_the_old_one_too() -> None:
    old = new_secret()
    channel = from_settings(
        load_settings(webhook_out={"url": "https://hooks.example/k", "secret": SECRET, "previous_secret": old})
    )
    assert channel is not None
    assert channel.keys == [secret_key(SECRET), secret_key(old)]
