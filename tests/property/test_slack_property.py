"""Slack's inbound parsers and message builder under arbitrary input.

Parsers: any body either parses or is refused with one of the fixed reasons, never a crash; over HTTP, a forged,
stale, oversized, unreadable or replayed request is refused, recorded without its body, and changes no response.
Messages: any text stays inert (no raw ``<`` or ``>``, no cut entity) and within Block Kit's limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.base import Answer, Rejected
from kairos.deliver.channels.slack import (
    MAX_BLOCKS,
    MAX_BODY_BYTES,
    Challenge,
    Clicked,
    Ignored,
    Reflect,
    SlackChannel,
    from_settings,
    message,
    parse_event,
    parse_interaction,
    verify,
)
from kairos.domain.nudge import Links, Nudge
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
    view_submission,
)

QUICK = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
STAMP = int(NOW.timestamp())
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)

NAMES = ["type", "actions", "action_id", "value", "user", "id", "container", "channel_id", "message_ts", "action_ts",
         "trigger_id", "view", "callback_id", "private_metadata", "state", "values", "event", "thread_ts", "ts",
         "channel", "text", "bot_id", "subtype", "event_id", "challenge", "kairos.reflection.block",
         "kairos.reflection.text"]  # fmt: skip
WORDS = st.sampled_from(["block_actions", "view_submission", "event_callback", "url_verification", "message",
                         "kairos.applied", "kairos.snooze", "kairos.reflect", "kairos.reflection", "41", "0",
                         "1772440000.000100", "U0BOSS001", "D0BOSS001", "", "-1", "99999999999999999999"])  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | WORDS
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), inner,
                                                                 max_size=5),
    max_leaves=20,
)  # fmt: skip


def near_valid() -> st.SearchStrategy[dict[str, Any]]:
    """A real payload with one field replaced, so most examples get past the first checks."""
    bases = [
        block_actions("U1", "kairos.applied", "41", channel="D1", message_ts="1.1"),
        block_actions("U1", "kairos.reflect", "41", channel="D1", message_ts="1.1"),
        view_submission("U1", "41", "text"),
    ]
    return st.builds(lambda base, key, value: {**base, key: value}, st.sampled_from(bases),
                     st.sampled_from(sorted({k for b in bases for k in b})), JSONISH)  # fmt: skip


INTERACTION_BODIES = (
    st.binary(max_size=300)
    | JSONISH.map(lambda v: form(v) if isinstance(v, dict) else json.dumps(v).encode())
    | near_valid().map(form)
)
EVENT_BODIES = (
    st.binary(max_size=300)
    | JSONISH.map(lambda v: json.dumps(v).encode())
    | st.builds(lambda key, value: json.dumps({**thread_reply("U1", "t", channel="D1", thread_ts="1.1"), key: value}
                                              ).encode(), st.sampled_from(["event", "type", "event_id"]), JSONISH)
)  # fmt: skip


# --- the parsers alone ------------------------------------------------------------------------------------------


@QUICK
@given(INTERACTION_BODIES)
def test_any_interaction_body_parses_or_is_malformed(body: bytes) -> None:
    try:
        parsed = parse_interaction(body, NOW)
    except Rejected as refused:
        assert refused.reason == "malformed" and len(refused.detail) < 300
        return
    assert isinstance(parsed, Clicked | Reflect | Answer | Ignored)
    if isinstance(parsed, Clicked):
        assert parsed.answer.moment_id is not None and parsed.answer.sender


@QUICK
@given(EVENT_BODIES)
def test_any_event_body_parses_or_is_malformed(body: bytes) -> None:
    try:
        parsed = parse_event(body, NOW)
    except Rejected as refused:
        assert refused.reason == "malformed"
        return
    assert isinstance(parsed, Challenge | Answer | Ignored)
    if isinstance(parsed, Answer):
        assert parsed.provider_ref and parsed.external_id and parsed.moment_id is None


@QUICK
@given(st.binary(max_size=200), st.dictionaries(st.sampled_from(["x-slack-signature", "x-slack-request-timestamp"]),
                                                st.text(max_size=80)))  # fmt: skip
def test_a_request_not_signed_with_the_secret_is_always_refused(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(Rejected) as caught:
        verify(SIGNING_SECRET, body, headers, NOW)
    assert caught.value.reason in ("unsigned", "forged", "stale")


@QUICK
@given(st.binary(max_size=200), st.integers(min_value=-(10**9), max_value=10**9))
def test_a_signed_request_passes_exactly_when_it_is_within_five_minutes(body: bytes, skew: int) -> None:
    headers = {k.lower(): v for k, v in signed_headers(body, max(0, STAMP + skew)).items()}
    fresh = abs(max(0, STAMP + skew) - STAMP) <= 300
    try:
        verify(SIGNING_SECRET, body, headers, NOW)
        assert fresh
    except Rejected as refused:
        assert not fresh and refused.reason == "stale"


# --- the message builder ----------------------------------------------------------------------------------------

TEXT = (
    st.text(alphabet=st.sampled_from("ab <>&|@!#:*_-\n"), max_size=400)
    | st.text(max_size=400)
    | st.builds(lambda unit, n: (unit * n)[:n], st.text("a &<>\n", min_size=1, max_size=7), st.integers(2000, 9000))
)


def text_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text"):
            yield value
        for item in value.values():
            yield from text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item)


@QUICK
@given(TEXT, TEXT, TEXT, st.integers(min_value=0, max_value=25))
def test_any_text_stays_inert_and_within_block_kit_limits(subject: str, body: str, note: str, members: int) -> None:
    one = Nudge("p", "p@example.com", "P", subject, body, "", {}, moment_id=5, delivery_note=note,
                links=Links(inbox="https://k.example/inbox?t=1&u=2"))  # fmt: skip
    nudge = Nudge("p", "p@example.com", "P", subject, body, "", {}, delivery_note=note,
                  digest=tuple(one for _ in range(members))) if members else one  # fmt: skip
    blocks, fallback = message(nudge)
    assert len(blocks) <= MAX_BLOCKS
    assert "<" not in fallback and ">" not in fallback and not ENTITY.search(fallback)
    for obj in text_objects(blocks):
        assert 1 <= len(obj["text"]) <= (150 if obj["type"] == "plain_text" else 3000)
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True
            inert = re.sub(r"<https://k\.example/inbox\?t=1&amp;u=2\|Open it>", "", obj["text"])
            inert = re.sub(r"^> ", "", inert, flags=re.M)  # a quote line is formatting, not markup
            assert "<" not in inert and ">" not in inert, obj["text"]
            assert not ENTITY.search(obj["text"]), obj["text"]


# --- over HTTP, on a real database ------------------------------------------------------------------------------


@dataclass
class Delivered:
    db: Database
    client: TestClient
    moment: int
    dm: str
    ts: str

    def count(self, table: Any, *where: Any) -> int:
        with self.db.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    def rejected(self) -> int:
        return self.count(events, events.c.type == "channel.rejected")

    def answers(self) -> int:
        return self.count(responses)


@pytest.fixture
def delivered(db: Database, tmp_path: Path) -> Iterator[Delivered]:
    """rep's 1:1 tip delivered on the stand-in Slack, and the app Slack would call."""
    api = SlackApi({"boss@example.com": "U0BOSS001", "rep@example.com": "U0REP0001"}).start()
    try:
        config = {"bot_token": TOKEN, "signing_secret": SIGNING_SECRET, "api_url": api.url}
        small_org(db, tmp_path)
        channel = from_settings(load_settings(slack=config))
        assert isinstance(channel, SlackChannel)
        tick(runtime(db, tmp_path, channels={"slack": channel}, delivery={"channels": ["slack"]}, slack=config),
             datetime(2026, 3, 2, 8, 45, tzinfo=UTC))  # fmt: skip
        with db.transaction() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.recipient_id == "rep")).one()
        app_settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False), slack=config)
        client = TestClient(create_app(app_settings, db, clock=FrozenClock(NOW)))
        yield Delivered(db, client, row.moment_id, *row.provider_id.split(":"))
    finally:
        api.stop()


def post(d: Delivered, path: str, body: bytes, headers: dict[str, str]) -> Any:
    return d.client.post(f"/channels/slack/{path}", content=body, headers={**(FORM if path == "interactions" else JSON),
                                                                           **headers})  # fmt: skip


@WITH_DB
@given(st.sampled_from(["interactions", "events"]), INTERACTION_BODIES | EVENT_BODIES)
def test_any_signed_body_is_answered_without_a_server_error_and_stores_no_response(
    delivered: Delivered, path: str, body: bytes
) -> None:
    before, rejected = delivered.answers(), delivered.rejected()
    response = post(delivered, path, body, signed_headers(body, STAMP))
    assert response.status_code in (200, 400), response.text
    assert delivered.answers() == before  # random payloads name no nudge rep can answer
    if response.status_code == 400:
        assert delivered.rejected() == rejected + 1


@WITH_DB
@given(st.sampled_from(["interactions", "events"]), INTERACTION_BODIES,
       st.one_of(st.just({}), st.builds(lambda s: {"X-Slack-Signature": s}, st.text(PRINTABLE, max_size=70)),
                 st.builds(lambda s: {"secret": s}, st.text(min_size=1, max_size=20))))  # fmt: skip
def test_a_forged_signature_is_refused_401_recorded_and_changes_nothing(
    delivered: Delivered, path: str, body: bytes, forgery: dict[str, str]
) -> None:
    before, rejected = delivered.answers(), delivered.rejected()
    headers = {**signed_headers(body, STAMP, secret=forgery.get("secret", "wrong")), **forgery} if forgery else {}
    headers.pop("secret", None)
    response = post(delivered, path, body, headers)
    assert response.status_code == 401
    assert delivered.rejected() == rejected + 1 and delivered.answers() == before


@WITH_DB
@given(st.integers(min_value=301, max_value=10**8), st.booleans())
def test_a_stale_click_is_refused_401_even_when_it_would_count(delivered: Delivered, skew: int, past: bool) -> None:
    body = form(block_actions("U0REP0001", "kairos.applied", str(delivered.moment), channel=delivered.dm,
                              message_ts=delivered.ts))  # fmt: skip
    before, rejected = delivered.answers(), delivered.rejected()
    response = post(delivered, "interactions", body, signed_headers(body, STAMP - skew if past else STAMP + skew))
    assert response.status_code == 401
    assert delivered.rejected() == rejected + 1 and delivered.answers() == before


@WITH_DB
@given(st.integers(min_value=1, max_value=64 * 1024))
def test_an_oversized_body_is_refused_413_and_recorded(delivered: Delivered, extra: int) -> None:
    body = b"x" * (MAX_BODY_BYTES + extra)
    before, rejected = delivered.answers(), delivered.rejected()
    response = post(delivered, "events", body, signed_headers(body, STAMP))
    assert response.status_code == 413
    assert delivered.rejected() == rejected + 1 and delivered.answers() == before


@WITH_DB
@given(st.sampled_from(["kairos.applied", "kairos.not_relevant", "kairos.snooze"]), st.integers(1, 3))
def test_a_replayed_click_is_rejected_recorded_and_changes_nothing(delivered: Delivered, action: str,
                                                                   copies: int) -> None:  # fmt: skip
    body = form(block_actions("U0REP0001", action, str(delivered.moment), channel=delivered.dm,
                              message_ts=delivered.ts, action_ts="1772441000.000777"))  # fmt: skip
    first = post(delivered, "interactions", body, signed_headers(body, STAMP))
    assert first.status_code == 200
    stored, rejected = delivered.answers(), delivered.rejected()
    assert stored >= 1
    for _ in range(copies):
        again = post(delivered, "interactions", body, signed_headers(body, STAMP + 1))
        assert again.status_code == 200
    assert delivered.answers() == stored and delivered.rejected() == rejected + copies
