"""Slack answers over HTTP on a real database: nudges delivered by the worker to a stand-in Slack, then clicks,
reflections and thread replies posted to the app as Slack posts them — signed, replayed, forged, too big."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.channels.slack import SlackChannel, from_settings
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import deliveries, events, responses
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.slack_api import (
    FORM,
    JSON,
    SIGNING_SECRET,
    TOKEN,
    SlackApi,
    block_actions,
    form,
    signed_headers,
    thread_reply,
    url_verification,
    view_submission,
)

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)
NOW = DUE + timedelta(minutes=20)
USERS = {"boss@example.com": "U0BOSS001", "rep@example.com": "U0REP0001"}


@dataclass
class Slack:
    """A delivered 1:1 brief (to boss) and tip (to rep), and the app Slack calls back."""

    db: Database
    api: SlackApi
    client: TestClient
    nudges: dict[str, tuple[int, str, str]]  # person → (moment id, DM channel, message ts)

    def post(self, path: str, body: bytes, kind: dict[str, str], *, at: datetime = NOW, **headers: str) -> Any:
        signed = signed_headers(body, int(at.timestamp()), **headers)
        return self.client.post(f"/channels/slack/{path}", content=body, headers={**kind, **signed})

    def click(self, person: str, action: str, *, user: str | None = None, action_ts: str = "1772441000.000001",
              value: str | None = None) -> Any:  # fmt: skip
        moment, dm, ts = self.nudges[person]
        message = self.api.messages[(dm, ts)]
        payload = block_actions(user or USERS[f"{person}@example.com"], action, value or str(moment), channel=dm,
                                message_ts=ts, action_ts=action_ts, blocks=message["blocks"],
                                block_id=f"kairos.answer.{moment}")  # fmt: skip
        return self.post("interactions", form(payload), FORM)

    def responses(self) -> list[tuple[int, str, str, str | None, str]]:
        with self.db.transaction() as conn:
            rows = conn.execute(select(responses).order_by(responses.c.id))
            return [(r.moment_id, r.person_id, r.kind, r.text, r.channel) for r in rows]

    def rejections(self) -> list[dict[str, Any]]:
        with self.db.transaction() as conn:
            rows = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected").order_by(events.c.seq))
            return [r.data for r in rows]


@pytest.fixture
def slack(db: Database, tmp_path: Path) -> Iterator[Slack]:
    api = SlackApi(USERS).start()
    try:
        config = {"bot_token": TOKEN, "signing_secret": SIGNING_SECRET, "api_url": api.url}
        small_org(db, tmp_path)
        channel = from_settings(load_settings(slack=config))
        assert isinstance(channel, SlackChannel)
        rt = runtime(db, tmp_path, channels={"slack": channel}, delivery={"channels": ["slack"]}, slack=config)
        tick(rt, DUE)
        with db.transaction() as conn:
            rows = conn.execute(select(deliveries).where(deliveries.c.channel == "slack", deliveries.c.status ==
                                                         "delivered"))  # fmt: skip
            sent = {r.recipient_id: (r.moment_id, *r.provider_id.split(":")) for r in rows}
        assert set(sent) == {"boss", "rep"}, sent
        settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False), slack=config)
        yield Slack(db, api, TestClient(create_app(settings, db, clock=FrozenClock(NOW))), sent)
    finally:
        api.stop()


@pytest.fixture
def bare(db: Database) -> Iterator[Slack]:
    """The app alone, nothing delivered: for requests refused before anything is read."""
    api = SlackApi(USERS).start()
    try:
        config = {"bot_token": TOKEN, "signing_secret": SIGNING_SECRET, "api_url": api.url}
        settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False), slack=config)
        yield Slack(db, api, TestClient(create_app(settings, db, clock=FrozenClock(NOW))), {})
    finally:
        api.stop()


# --- buttons ----------------------------------------------------------------------------------------------------


def test_a_rating_chosen_in_the_message_is_stored_with_its_value(slack: Slack) -> None:
    moment = slack.nudges["rep"][0]
    assert slack.click("rep", "kairos.rating", value=f"{moment}:4").status_code == 200
    with slack.db.transaction() as conn:
        [row] = conn.execute(select(responses)).all()
    assert (row.moment_id, row.kind, row.rating, row.channel) == (moment, "rating", 4, "slack")
    bad = slack.click("rep", "kairos.rating", value=f"{moment}:9", action_ts="1772441000.000002")
    assert bad.status_code == 400 and len(slack.responses()) == 1


def test_a_click_on_applied_is_stored_and_the_message_then_shows_it_was_noted(slack: Slack) -> None:
    moment, dm, ts = slack.nudges["boss"]
    response = slack.click("boss", "kairos.applied")
    assert response.status_code == 200 and response.content == b""
    assert slack.responses() == [(moment, "boss", "applied", None, "slack")]
    (update,) = slack.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (dm, ts)
    kinds = [b["type"] for b in slack.api.messages[(dm, ts)]["blocks"]]
    assert kinds[-2:] == ["context", "actions"]  # "Noted", and the Reflect button alone
    assert slack.api.messages[(dm, ts)]["blocks"][-2]["elements"][0]["text"] == "Noted: you applied it."


def test_a_replayed_click_answers_200_and_changes_nothing(slack: Slack) -> None:
    assert slack.click("boss", "kairos.applied").status_code == 200
    again = slack.click("boss", "kairos.applied")
    assert again.status_code == 200 and again.content == b""
    assert len(slack.responses()) == 1
    assert [r["reason"] for r in slack.rejections()] == ["replayed"]


def test_a_click_on_someone_elses_nudge_is_refused_and_only_the_clicker_is_told(slack: Slack) -> None:
    response = slack.click("boss", "kairos.applied", user=USERS["rep@example.com"])
    assert response.status_code == 200
    assert slack.responses() == []
    assert [r["reason"] for r in slack.rejections()] == ["not_recipient"]
    (told,) = slack.api.calls_to("chat.postEphemeral")
    assert told.params["user"] == "U0REP0001" and "someone else" in told.params["text"]
    assert slack.api.calls_to("chat.update") == []


def test_a_slack_user_kairos_does_not_know_is_refused_and_told_how_to_answer(slack: Slack) -> None:
    assert slack.click("boss", "kairos.snooze", user="U0STRANGER").status_code == 200
    assert [r["reason"] for r in slack.rejections()] == ["unknown_sender"]
    assert "inbox" in slack.api.calls_to("chat.postEphemeral")[0].params["text"]


def test_a_click_naming_a_moment_that_was_never_delivered_is_refused(slack: Slack) -> None:
    assert slack.click("boss", "kairos.applied", value="1").status_code == 200
    assert slack.responses() == [] and [r["reason"] for r in slack.rejections()] == ["not_delivered"]


def test_reflect_opens_the_modal_and_its_submission_is_stored_as_a_reflection(slack: Slack) -> None:
    moment = slack.nudges["rep"][0]
    assert slack.click("rep", "kairos.reflect").status_code == 200
    (opened,) = slack.api.calls_to("views.open")
    assert opened.params["trigger_id"] and opened.params["view"]["private_metadata"] == str(moment)
    assert slack.responses() == []  # nothing recorded before the reflection is written
    submitted = slack.post("interactions", form(view_submission("U0REP0001", str(moment), "I asked first <b>.")), FORM)
    assert submitted.status_code == 200 and submitted.content == b""  # an empty 200 closes the modal
    assert slack.responses() == [(moment, "rep", "reflection", "I asked first <b>.", "slack")]


def test_an_empty_reflection_is_shown_as_an_error_in_the_modal(slack: Slack) -> None:
    moment = slack.nudges["rep"][0]
    response = slack.post("interactions", form(view_submission("U0REP0001", str(moment), "   ")), FORM)
    assert response.status_code == 200
    assert response.json() == {"response_action": "errors", "errors": {
        "kairos.reflection.block": "Write a few words (at most 3,000 characters), then save."}}  # fmt: skip
    assert slack.responses() == []


def test_a_reflection_on_someone_elses_nudge_is_shown_as_an_error_in_the_modal(slack: Slack) -> None:
    moment = slack.nudges["boss"][0]
    response = slack.post("interactions", form(view_submission("U0REP0001", str(moment), "mine")), FORM)
    assert response.json()["response_action"] == "errors" and slack.responses() == []


# --- events -----------------------------------------------------------------------------------------------------


def test_the_events_url_check_echoes_the_challenge(bare: Slack) -> None:
    response = bare.post("events", json.dumps(url_verification("chal-123")).encode(), JSON)
    assert response.status_code == 200 and response.json() == {"challenge": "chal-123"}


def test_a_reply_in_the_nudges_thread_is_stored_as_a_reflection(slack: Slack) -> None:
    moment, dm, ts = slack.nudges["rep"]
    event = thread_reply("U0REP0001", "Tried it &amp; it helped", channel=dm, thread_ts=ts, event_id="Ev01")
    response = slack.post("events", json.dumps(event).encode(), JSON)
    assert response.status_code == 200
    assert slack.responses() == [(moment, "rep", "reflection", "Tried it & it helped", "slack")]


def test_slacks_retry_of_an_event_is_a_replay(slack: Slack) -> None:
    moment, dm, ts = slack.nudges["rep"]
    body = json.dumps(thread_reply("U0REP0001", "once", channel=dm, thread_ts=ts, event_id="Ev02")).encode()
    assert slack.post("events", body, JSON).status_code == 200
    retry = slack.post("events", body, JSON, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200
    assert len(slack.responses()) == 1 and [r["reason"] for r in slack.rejections()] == ["replayed"]


def test_a_reply_in_a_thread_kairos_did_not_start_is_refused_quietly(slack: Slack) -> None:
    event = thread_reply("U0REP0001", "hello", channel="D0REP0001", thread_ts="1700000000.000001", event_id="Ev03")
    assert slack.post("events", json.dumps(event).encode(), JSON).status_code == 200
    assert slack.responses() == [] and [r["reason"] for r in slack.rejections()] == ["unknown_message"]


def test_our_own_message_and_other_events_are_ignored(slack: Slack) -> None:
    _, dm, ts = slack.nudges["rep"]
    own = thread_reply("U0KAIROSBOT", "bot", channel=dm, thread_ts=ts, bot_id="BKAIROS01", event_id="Ev04")
    assert slack.post("events", json.dumps(own).encode(), JSON).status_code == 200
    assert slack.responses() == [] and slack.rejections() == []


# --- refused before anything is read ----------------------------------------------------------------------------


def test_unsigned_forged_and_stale_requests_answer_401_and_are_recorded(bare: Slack) -> None:
    slack = bare
    body = form(block_actions("U0BOSS001", "kairos.applied", "7", channel="D0BOSS001", message_ts="1772440000.1"))
    unsigned = slack.client.post("/channels/slack/interactions", content=body, headers=FORM)
    forged = slack.post("interactions", body, FORM, **{"X-Slack-Signature": "v0=" + "0" * 64})
    stale = slack.post("interactions", body, FORM, at=NOW - timedelta(minutes=6))
    assert [r.status_code for r in (unsigned, forged, stale)] == [401, 401, 401]
    assert [r["reason"] for r in slack.rejections()] == ["unsigned", "forged", "stale"]
    assert all(r["size"] == len(body) and r["remote"] == "testclient" for r in slack.rejections())
    assert slack.responses() == []


def test_a_body_over_the_limit_answers_413_unread(bare: Slack) -> None:
    slack = bare
    body = b"payload=" + b"x" * (256 * 1024)
    response = slack.post("events", body, JSON)
    assert response.status_code == 413
    (rejected,) = slack.rejections()
    assert rejected["reason"] == "oversized" and rejected["size"] == len(body)


def test_a_signed_body_kairos_cannot_read_answers_400_and_is_recorded_without_the_body(bare: Slack) -> None:
    slack = bare
    response = slack.post("interactions", b"payload=%7Bnot-json-secret-words", FORM)
    assert response.status_code == 400
    (rejected,) = slack.rejections()
    assert rejected["reason"] == "malformed" and "secret-words" not in json.dumps(rejected)


def test_without_a_signing_secret_slack_answers_are_refused_503(db: Database) -> None:
    settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False),
                             slack={"bot_token": TOKEN})  # fmt: skip
    client = TestClient(create_app(settings, db, clock=FrozenClock(NOW)))
    body = json.dumps(url_verification()).encode()
    response = client.post("/channels/slack/events", content=body, headers={**JSON, **signed_headers(body, 0)})
    assert response.status_code == 503 and "KAIROS_SLACK__SIGNING_SECRET" in response.json()["detail"]
    with db.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(events).where(events.c.type == "channel.rejected")
                            ).scalar_one() == 1  # fmt: skip
