"""Sending to Slack, against a local stand-in for its Web API: who is messaged, when the commit point is, and
what every kind of Slack failure becomes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from pydantic import SecretStr

from kairos.deliver.base import Address, ReceiptStatus
from kairos.deliver.channels.slack import SlackChannel, from_settings
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.settings import SlackSettings, load_settings
from tests.support.servers import free_port
from tests.support.slack_api import TOKEN, SlackApi

BOSS = "U0BOSS001"
KEY = "41/slack"


@pytest.fixture
def api() -> Iterator[SlackApi]:
    server = SlackApi({"boss@example.com": BOSS}).start()
    yield server
    server.stop()


def channel(api_url: str, **changes: Any) -> SlackChannel:
    values: dict[str, Any] = {"bot_token": SecretStr(TOKEN), "api_url": api_url, "timeout_seconds": 1, **changes}
    return SlackChannel(SlackSettings(**values))


def nudge() -> Nudge:
    return Nudge(recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea Boss",
                 subject="Your 1:1 with Rita", text="Ask what went well.", html="", why={}, moment_id=41,
                 delivery_note="You got this on Slack.")  # fmt: skip


def person(email: str = "boss@example.com") -> Person:
    return Person("boss", "Bea Boss", email, None, "Manager", "M1", "Core", "Berlin", "Europe/Berlin", date(2020, 1, 1))


class Ledger:
    """``mark_in_flight`` that notes how many Slack calls had been made when it was called."""

    def __init__(self, api: SlackApi) -> None:
        self.api = api
        self.marked_after: list[list[str]] = []

    def __call__(self) -> None:
        self.marked_after.append([c.method for c in self.api.calls])


def test_a_person_without_an_address_is_found_by_email_their_dm_opened_and_the_address_learned(api: SlackApi) -> None:
    receipt = channel(api.url).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert [c.method for c in api.calls] == ["users.lookupByEmail", "conversations.open", "chat.postMessage"]
    assert api.calls[0].params["email"] == "boss@example.com"
    assert api.calls[1].params["users"] == BOSS
    assert receipt.learned == Address("slack", BOSS, {"dm": "D0BOSS001"})
    posted = api.calls[2].params
    assert posted["channel"] == "D0BOSS001" and posted["unfurl_links"] is False
    assert posted["metadata"] == {"event_type": "kairos_nudge", "event_payload": {"delivery": KEY, "moment": 41}}


def test_the_provider_id_is_channel_and_ts_which_is_what_a_thread_reply_names(api: SlackApi) -> None:
    receipt = channel(api.url).send(nudge(), None, KEY, Ledger(api))
    ((dm, ts),) = api.messages
    assert receipt.provider_id == f"{dm}:{ts}"


def test_a_known_address_with_its_dm_goes_straight_to_the_message(api: SlackApi) -> None:
    receipt = channel(api.url).send(nudge(), Address("slack", BOSS, {"dm": "D0BOSS001"}), KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.DELIVERED
    assert [c.method for c in api.calls] == ["chat.postMessage"]
    assert receipt.learned is None  # nothing new to store


def test_a_known_user_without_a_dm_opens_it_and_keeps_it(api: SlackApi) -> None:
    receipt = channel(api.url).send(nudge(), Address("slack", BOSS, {"team": "T1"}), KEY, Ledger(api))
    assert [c.method for c in api.calls] == ["conversations.open", "chat.postMessage"]
    assert receipt.learned == Address("slack", BOSS, {"team": "T1", "dm": "D0BOSS001"})


def test_the_commit_point_is_marked_right_before_chat_post_message(api: SlackApi) -> None:
    ledger = Ledger(api)
    channel(api.url).send(nudge(), None, KEY, ledger)
    assert ledger.marked_after == [["users.lookupByEmail", "conversations.open"]]


def test_a_failed_lookup_never_reaches_the_commit_point(api: SlackApi) -> None:
    ledger = Ledger(api)
    receipt = channel(api.url).send(replace(nudge(), recipient_email="nobody@example.com"), None, KEY, ledger)
    assert receipt.status is ReceiptStatus.UNREACHABLE and "users_not_found" in receipt.detail
    assert ledger.marked_after == []


def test_a_kept_dm_that_slack_no_longer_knows_is_opened_again_once(api: SlackApi) -> None:
    receipt = channel(api.url).send(nudge(), Address("slack", BOSS, {"dm": "Cgone"}), KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.DELIVERED
    assert [c.method for c in api.calls] == ["chat.postMessage", "conversations.open", "chat.postMessage"]
    assert receipt.learned == Address("slack", BOSS, {"dm": "D0BOSS001"})


# --- what each failure becomes (one table, as the channel declares it) ----------------------------------------

FAILURES = [
    # method, how it fails, receipt status, words in the detail
    ("chat.postMessage", {"status": 429, "error": "ratelimited", "retry_after": 30}, ReceiptStatus.RETRYABLE,
     "Slack asks to wait 30 s"),
    ("chat.postMessage", {"error": "rate_limited"}, ReceiptStatus.RETRYABLE, "rate_limited"),
    ("chat.postMessage", {"status": 503}, ReceiptStatus.RETRYABLE, "HTTP 503"),
    ("chat.postMessage", {"status": 500}, ReceiptStatus.RETRYABLE, "HTTP 500"),
    ("chat.postMessage", {"error": "internal_error"}, ReceiptStatus.RETRYABLE, "internal_error"),
    ("conversations.open", {"status": 429, "error": "ratelimited", "retry_after": 5}, ReceiptStatus.RETRYABLE,
     "wait 5 s"),
    ("users.lookupByEmail", {"error": "users_not_found"}, ReceiptStatus.UNREACHABLE, "users_not_found"),
    ("conversations.open", {"error": "user_not_found"}, ReceiptStatus.UNREACHABLE, "user_not_found"),
    ("conversations.open", {"error": "user_disabled"}, ReceiptStatus.UNREACHABLE, "user_disabled"),
    ("chat.postMessage", {"error": "channel_not_found"}, ReceiptStatus.UNREACHABLE, "channel_not_found"),
    ("chat.postMessage", {"error": "invalid_auth"}, ReceiptStatus.PERMANENT, "KAIROS_SLACK__BOT_TOKEN"),
    ("users.lookupByEmail", {"error": "not_authed"}, ReceiptStatus.PERMANENT, "KAIROS_SLACK__BOT_TOKEN"),
    ("chat.postMessage", {"error": "account_inactive"}, ReceiptStatus.PERMANENT, "fix KAIROS_SLACK__BOT_TOKEN"),
    ("chat.postMessage", {"error": "token_revoked"}, ReceiptStatus.PERMANENT, "token_revoked"),
    ("users.lookupByEmail", {"error": "missing_scope", "needed": "users:read.email"}, ReceiptStatus.PERMANENT,
     "needs the scope users:read.email"),
    ("chat.postMessage", {"error": "invalid_blocks"}, ReceiptStatus.PERMANENT, "invalid_blocks"),
    ("chat.postMessage", {"error": "msg_too_long"}, ReceiptStatus.PERMANENT, "msg_too_long"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "failure", "status", "words"), FAILURES, ids=[f"{m}-{f}" for m, f, _, _ in FAILURES]
)
def test_each_slack_failure_becomes_the_receipt_it_means(
    api: SlackApi, method: str, failure: dict[str, Any], status: ReceiptStatus, words: str
) -> None:
    api.fail(method, **failure)
    receipt = channel(api.url).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is status, receipt
    assert words in receipt.detail, receipt.detail
    assert len(api.calls_to(method)) == 1  # the channel never retries by itself: the worker owns retries


def test_a_channel_not_found_after_opening_the_dm_forgets_the_dm_for_next_time(api: SlackApi) -> None:
    api.fail("chat.postMessage", error="channel_not_found")
    receipt = channel(api.url).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.UNREACHABLE
    assert receipt.learned == Address("slack", BOSS, {})


def test_a_lookup_that_succeeded_is_kept_when_the_post_must_be_retried(api: SlackApi) -> None:
    api.rate_limit("chat.postMessage")
    receipt = channel(api.url).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.RETRYABLE
    assert receipt.learned == Address("slack", BOSS, {"dm": "D0BOSS001"})


def test_a_wrong_bot_token_is_permanent_and_says_what_to_fix(api: SlackApi) -> None:
    receipt = channel(api.url, bot_token=SecretStr("xoxb-wrong")).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.PERMANENT
    assert receipt.detail.startswith("Slack refused the bot token: invalid_auth; fix KAIROS_SLACK__BOT_TOKEN")


def test_slack_unreachable_is_retryable() -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/"
    receipt = channel(dead).send(nudge(), Address("slack", BOSS, {"dm": "D0BOSS001"}), KEY, lambda: None)
    assert receipt.status is ReceiptStatus.RETRYABLE and receipt.detail.startswith("Slack unreachable")


def test_a_reply_slower_than_the_timeout_after_the_commit_point_is_uncertain(api: SlackApi) -> None:
    api.fail("chat.postMessage", delay=1.5)
    receipt = channel(api.url).send(nudge(), Address("slack", BOSS, {"dm": "D0BOSS001"}), KEY, Ledger(api))
    # Slack may have posted it: the worker must not post it again
    assert receipt.status is ReceiptStatus.UNCERTAIN and "timed out" in receipt.detail.lower(), receipt.detail


# --- who Slack can reach, and when the channel is on ---------------------------------------------------------


def test_slack_reaches_people_with_an_address_or_an_email_it_may_look_up(api: SlackApi) -> None:
    on, off = channel(api.url), channel(api.url, lookup_by_email=False)
    assert on.reaches(person(), None) and on.reaches(person(""), Address("slack", BOSS))
    assert not on.reaches(person(""), None)
    assert not off.reaches(person(), None) and off.reaches(person(), Address("slack", BOSS))


def test_without_an_address_and_with_lookup_off_nothing_is_sent(api: SlackApi) -> None:
    receipt = channel(api.url, lookup_by_email=False).send(nudge(), None, KEY, Ledger(api))
    assert receipt.status is ReceiptStatus.UNREACHABLE and api.calls == []


def test_slack_is_off_without_a_bot_token() -> None:
    assert from_settings(load_settings()) is None
    assert from_settings(load_settings(slack={"bot_token": ""})) is None
    built = from_settings(load_settings(slack={"bot_token": TOKEN, "api_url": "http://127.0.0.1:1/api"}))
    assert isinstance(built, SlackChannel) and built.client.base_url == "http://127.0.0.1:1/api/"
