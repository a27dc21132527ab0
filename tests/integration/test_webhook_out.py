"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1 (tests/support/webhook_receiver.py) that verifies
every signature with the reference verifier an integrator would use."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.base import Receipt, ReceiptStatus
from kairos.deliver.channels.webhook import MAX_RESPONSE_BYTES, WebhookChannel, from_settings
from kairos.deliver.signing import new_secret
from kairos.domain.nudge import Links, Nudge
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import deliveries, responses
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.servers import free_port
from tests.support.webhook_receiver import Script, WebhookReceiver

SECRET = new_secret()
DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # Monday 09:45 in Berlin: the brief for the 10:00 1:1 is due


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as running:
        yield running


def channel_to(url: str, secret: str = SECRET, timeout: float = 5.0) -> WebhookChannel:
    built = from_settings(load_settings(webhook_out={"url": url, "secret": secret, "timeout_seconds": timeout}))
    assert built is not None
    return built


def send_once(url: str, secret: str = SECRET, timeout: float = 5.0) -> Receipt:
    channel = channel_to(url, secret, timeout)
    try:
        return channel.send(nudge(), None, "moment-7/webhook", InFlight())
    finally:
        channel.close()


def nudge(moment_id: int = 7) -> Nudge:
    return Nudge(
        recipient_id="rep", recipient_email="rep@example.com", recipient_name="Rita Report",
        subject="Before your 1:1", text="Name one piece of feedback you owe.", html="<p>Name one piece…</p>",
        why={"play": "one-on-one-tip"}, moment_id=moment_id,
        links=Links(respond={"applied": f"https://k.example/r/{moment_id}/applied"}),
        delivery_note="Sent by webhook, the organization's first channel.",
    )  # fmt: skip


class InFlight:
    def __init__(self) -> None:
        self.marked = 0

    def __call__(self) -> None:
        self.marked += 1


def test_a_nudge_arrives_signed_and_the_receiver_verifies_it(receiver: WebhookReceiver) -> None:
    channel, in_flight = channel_to(receiver.url), InFlight()
    got = channel.send(nudge(), None, "moment-7/webhook", in_flight)
    channel.close()
    assert got.status is ReceiptStatus.DELIVERED, got.detail
    assert got.provider_id == "moment-7/webhook"
    assert got.detail == "200 OK (receiver id rcv-1)"
    assert in_flight.marked == 1
    [arrival] = receiver.deliveries
    assert arrival.verified is not None and arrival.webhook_id == "moment-7/webhook"
    assert arrival.headers["content-type"] == "application/json"
    data = arrival.json["data"]
    assert arrival.json["type"] == "nudge.due"
    assert data["recipient"]["email"] == "rep@example.com"
    assert data["moment_id"] == 7 and data["links"]["respond"]["applied"] == "https://k.example/r/7/applied"
    assert data["delivery_note"] == "Sent by webhook, the organization's first channel."


def test_the_same_delivery_sent_twice_carries_the_same_webhook_id_so_the_receiver_can_drop_the_copy(
    receiver: WebhookReceiver,
) -> None:
    channel = channel_to(receiver.url)
    first = channel.send(nudge(), None, "moment-7/webhook", InFlight())
    second = channel.send(nudge(), None, "moment-7/webhook", InFlight())
    channel.close()
    assert first.status is second.status is ReceiptStatus.DELIVERED
    a, b = receiver.arrivals
    assert a.webhook_id == b.webhook_id == "moment-7/webhook"
    assert a.verified and b.verified
    assert (a.duplicate, b.duplicate) == (False, True)


def test_a_digest_for_a_person_whose_id_has_a_full_stop_arrives_with_an_escaped_id_and_each_member(
    receiver: WebhookReceiver,
) -> None:
    digest = replace(nudge(0), moment_id=None, subject="Your coaching digest", digest=(nudge(31), nudge(32)))
    channel = channel_to(receiver.url)
    got = channel.send(digest, None, "digest-jane.doe-20260302T073000/webhook", InFlight())
    channel.close()
    assert got.status is ReceiptStatus.DELIVERED
    assert got.provider_id == "digest-jane%2Edoe-20260302T073000/webhook"
    [arrival] = receiver.deliveries
    assert arrival.webhook_id == got.provider_id == arrival.json["id"]
    assert [m["moment_id"] for m in arrival.json["data"]["digest"]] == [31, 32]
    assert arrival.json["data"]["digest"][1]["links"]["respond"]["applied"] == "https://k.example/r/32/applied"


def test_a_receiver_that_is_down_is_retried_later() -> None:
    channel, in_flight = channel_to(f"http://127.0.0.1:{free_port()}/kairos"), InFlight()
    got = channel.send(nudge(), None, "moment-7/webhook", in_flight)
    channel.close()
    assert got.status is ReceiptStatus.RETRYABLE
    assert "ConnectError" in got.detail
    assert in_flight.marked == 1  # marked before trying: a resend is safe anyway, the id is the same


def test_gone_means_the_receiver_unsubscribed_and_it_is_not_retried(receiver: WebhookReceiver) -> None:
    receiver.fail_next(1, 410)
    got = send_once(receiver.url)
    assert got.status is ReceiptStatus.PERMANENT
    assert got.detail.startswith("410 Gone") and "unsubscribed" in got.detail


@pytest.mark.parametrize(("status", "headers", "detail"), [
    (500, {}, "500 Internal Server Error"),
    (503, {"retry_after": "120"}, "503 Service Unavailable (Retry-After: 120)"),
    (429, {"retry_after": "30"}, "429 Too Many Requests (Retry-After: 30)"),
])  # fmt: skip
def test_a_busy_or_failing_receiver_is_retried_and_then_delivered(
    receiver: WebhookReceiver, status: int, headers: dict[str, str], detail: str
) -> None:
    receiver.fail_next(1, status, **headers)
    channel = channel_to(receiver.url)
    failed = channel.send(nudge(), None, "moment-7/webhook", InFlight())
    retried = channel.send(nudge(), None, "moment-7/webhook", InFlight())
    channel.close()
    assert (failed.status, failed.detail) == (ReceiptStatus.RETRYABLE, detail)
    assert retried.status is ReceiptStatus.DELIVERED
    assert [a.webhook_id for a in receiver.arrivals] == ["moment-7/webhook"] * 2
    assert [a.duplicate for a in receiver.arrivals] == [False, False]  # the failed one was not accepted


def test_a_receiver_slower_than_the_timeout_is_retried(receiver: WebhookReceiver) -> None:
    receiver.fail_next(1, 200, delay=5.0)
    channel = channel_to(receiver.url, timeout=0.5)
    started = time.monotonic()
    got = channel.send(nudge(), None, "moment-7/webhook", InFlight())
    channel.close()
    assert got.status is ReceiptStatus.RETRYABLE
    assert got.detail.startswith("no answer within 0.5 s")
    assert time.monotonic() - started < 3


def test_a_redirect_is_not_followed(receiver: WebhookReceiver) -> None:
    receiver.fail_next(1, 308, location=receiver.url + "/moved")
    got = send_once(receiver.url)
    assert got.status is ReceiptStatus.PERMANENT
    assert "redirects are not followed" in got.detail and "/kairos/moved" in got.detail
    assert len(receiver.arrivals) == 1


def test_a_receiver_that_does_not_know_the_secret_refuses_and_that_is_not_retried(receiver: WebhookReceiver) -> None:
    got = send_once(receiver.url, secret=new_secret())
    assert got.status is ReceiptStatus.PERMANENT and got.detail.startswith("401")
    assert receiver.arrivals[0].rejected == "forged"


def test_a_huge_answer_is_read_only_up_to_the_cap(receiver: WebhookReceiver) -> None:
    receiver.script(Script(200, body_bytes=20 * MAX_RESPONSE_BYTES))
    got = send_once(receiver.url)
    assert got.status is ReceiptStatus.DELIVERED and got.detail == "200 OK"


def test_a_rotated_key_is_accepted_by_a_receiver_that_knows_only_the_old_one() -> None:
    old = new_secret()
    with WebhookReceiver(old) as receiver:
        settings = load_settings(webhook_out={"url": receiver.url, "secret": SECRET, "previous_secret": old})
        channel = from_settings(settings)
        assert channel is not None
        got = channel.send(nudge(), None, "moment-7/webhook", InFlight())
        channel.close()
    assert got.status is ReceiptStatus.DELIVERED
    assert len(receiver.arrivals[0].headers["webhook-signature"].split(" ")) == 2


def test_the_worker_delivers_the_brief_by_webhook_and_records_the_webhook_id(
    db: Database, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    small_org(db, tmp_path)
    rt = runtime(db, tmp_path, channels={"webhook": channel_to(receiver.url)}, delivery={"channels": ["webhook"]})
    report = tick(rt, DUE)
    assert report.finished["delivered"] >= 1
    briefs = [a for a in receiver.deliveries if a.json["data"]["recipient"]["id"] == "boss"]
    assert len(briefs) == 1
    data = briefs[0].json["data"]
    assert data["moment_id"] and data["delivery_note"] and data["meeting"]["uid"] == "weekly-1on1"
    with db.transaction() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.moment_id == data["moment_id"])).one()
    assert row.channel == "webhook" and row.status == "delivered"
    assert row.provider_id == briefs[0].webhook_id == row.idempotency_key


def test_a_person_answers_a_webhook_nudge_through_its_one_tap_link(
    db: Database, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    small_org(db, tmp_path)
    public = "http://testserver"
    delivery = {"channels": ["webhook"], "public_url": public, "secret_key": "k" * 32}
    channel = from_settings(load_settings(delivery=delivery, webhook_out={"url": receiver.url, "secret": SECRET}))
    assert channel is not None
    rt = runtime(db, tmp_path, channels={"webhook": channel}, delivery=delivery)
    tick(rt, DUE)
    [brief] = [a.json["data"] for a in receiver.deliveries if a.json["data"]["recipient"]["id"] == "boss"]
    assert "Answer with the links that come with it." in brief["delivery_note"]
    link = brief["links"]["respond"]["applied"]
    assert link.startswith(public + "/r/")
    client = TestClient(create_app(rt.settings, db, clock=FrozenClock(DUE + timedelta(minutes=5))))
    assert client.post(link.removeprefix(public)).status_code == 200
    with db.transaction() as conn:
        answered = conn.execute(select(responses).where(responses.c.moment_id == brief["moment_id"])).one()
    assert (answered.person_id, answered.kind) == ("boss", "applied")


def test_a_failed_webhook_is_retried_by_the_worker_with_the_same_webhook_id(
    db: Database, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    small_org(db, tmp_path)
    rt = runtime(db, tmp_path, channels={"webhook": channel_to(receiver.url)}, delivery={"channels": ["webhook"]})
    receiver.fail_next(10, 503)
    tick(rt, DUE)
    failed = list(receiver.arrivals)
    assert failed and all(a.status == 503 for a in failed) and not receiver.deliveries
    receiver.scripts.clear()
    tick(rt, DUE + timedelta(minutes=2))  # past any first retry wait (at most one minute), before the 1:1
    assert sorted(a.webhook_id for a in receiver.deliveries) == sorted(a.webhook_id for a in failed)
    with db.transaction() as conn:
        rows = conn.execute(select(deliveries).where(deliveries.c.channel == "webhook")).all()
    assert {(r.status, r.attempts) for r in rows} == {("delivered", 2)}
