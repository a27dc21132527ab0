"""Whatever reaches the Teams endpoint — any JSON, a broken activity, a forged or stale token, an oversized body, a
replay — is either a trustworthy answer stored once, or refused, recorded and without effect. Never a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kairos.deliver.base import Rejected
from kairos.deliver.channels.teams import MAX_ACTIVITY_BYTES, answer_in, read_activity
from kairos.store import Database
from kairos.store.schema import channel_addresses, events, responses
from tests.integration.test_teams_answers import NOW, Loop, teams_loop
from tests.support.botframework import APP_ID

QUICK = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NAMES = [
    "type",
    "id",
    "from",
    "aadObjectId",
    "conversation",
    "conversationType",
    "serviceUrl",
    "channelId",
    "value",
    "kairos",
    "moment",
    "kind",
    "replyToId",
    "text",
    "recipient",
    "tenantId",
    "action",
    "reflection_1",
    "",
]
SCALARS = (
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["message", "installationUpdate", "conversationUpdate", "applied", "reflection", "snooze",
                      "msteams", "personal", "remove", "add", "29:x", "a:chat", "https://smba.example/teams/"])
)  # fmt: skip
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), inner, max_size=6),
                    max_leaves=30)  # fmt: skip


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _mutated(activity: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """``activity`` with one part replaced, removed, or given an extra field."""
    changed = copy.deepcopy(activity)
    path = data.draw(st.sampled_from(list(_places(changed))[1:]))
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    how = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if how == "replace":
        parent[path[-1]] = data.draw(JSON)
    elif how == "remove" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(NAMES))] = data.draw(JSON)
    return changed


def _counts(db: Database) -> tuple[int, int, int]:
    with db.transaction() as conn:
        return (
            conn.execute(select(func.count()).select_from(responses)).scalar_one(),
            conn.execute(select(func.count()).select_from(events).where(events.c.type == "channel.rejected"))
            .scalar_one(),
            conn.execute(select(func.count()).select_from(channel_addresses)).scalar_one(),
        )  # fmt: skip


# --- the parser alone -------------------------------------------------------------------------------------------


@QUICK
@given(JSON)
def test_any_json_is_an_activity_or_malformed_and_an_answer_or_not(value: Any) -> None:
    body = json.dumps(value).encode()
    try:
        activity = read_activity(body)
        answer = answer_in(activity)
    except Rejected as refused:
        assert refused.reason in ("malformed", "oversized")
        assert len(body) < 20 or body.decode()[:40] not in refused.detail  # never the body itself
        return
    assert answer is None or answer.channel == "teams"


@QUICK
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_never_a_crash(body: bytes) -> None:
    try:
        read_activity(body)
    except Rejected as refused:
        assert refused.reason == "malformed"


# --- through the endpoint, after a real delivery -----------------------------------------------------------------


@pytest.fixture
def loop(db: Database, tmp_path: Path) -> Iterator[Loop]:
    with teams_loop(db, tmp_path) as found:
        yield found


@WITH_DB
@given(data=st.data())
def test_a_broken_but_signed_activity_is_stored_only_if_still_a_valid_answer(loop: Loop, data: st.DataObject) -> None:
    person = data.draw(st.sampled_from(["boss", "rep"]))
    moment, card = loop.sent[person]
    original = data.draw(st.sampled_from([
        loop.bf.submit(loop.users[person], moment, "applied"),
        loop.bf.submit(loop.users[person], moment, "reflection", reflection="It helped."),
        loop.bf.reply(loop.users[person], card, "Tried it."),
        loop.bf.install(loop.users[person]),
    ]))  # fmt: skip
    activity = _mutated(original, data)
    before = _counts(loop.db)
    response = loop.post(activity)
    assert response.status_code in (200, 400, 401), response.text
    after = _counts(loop.db)
    if response.status_code != 200 or response.json().get("status") != "accepted":
        assert after[0] == before[0], "only an accepted answer adds a response"
    if response.status_code != 200 or response.json().get("status") == "rejected":
        assert after[1] == before[1] + 1, "every refusal is recorded"


@WITH_DB
@given(forgery=st.sampled_from(["garbage", "claim", "signature", "expired", "header"]), data=st.data())
def test_a_forged_or_stale_token_is_refused_recorded_and_changes_nothing(loop: Loop, forgery: str,
                                                                         data: st.DataObject) -> None:  # fmt: skip
    moment, _ = loop.sent["boss"]
    activity = loop.bf.submit(loop.users["boss"], moment, "applied")
    if forgery == "garbage":
        token = data.draw(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1))
    elif forgery == "claim":
        claim = data.draw(st.sampled_from(["aud", "iss", "serviceurl"]))
        wrong = data.draw(st.text(max_size=40).filter(lambda v: v not in (APP_ID, "https://api.botframework.com",
                                                                            activity["serviceUrl"])))  # fmt: skip
        wrong_claim: dict[str, Any] = {claim: wrong}
        token = loop.bf.sign(activity, NOW, **wrong_claim)
    elif forgery == "signature":
        good = loop.bf.sign(activity, NOW)
        at = data.draw(st.integers(min_value=good.rindex(".") + 1, max_value=len(good) - 2))
        token = good[:at] + ("A" if good[at] != "A" else "B") + good[at + 1 :]
    elif forgery == "expired":
        token = loop.bf.sign(activity, NOW, exp=int(NOW.timestamp()) - data.draw(st.integers(301, 10**8)))
    else:
        token = loop.bf.sign(activity, NOW, algorithm=data.draw(st.sampled_from(["none", "HS256", "HS512"])))
    before = _counts(loop.db)
    response = loop.client.post("/channels/teams/messages", content=json.dumps(activity).encode(),
                                headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 401
    after = _counts(loop.db)
    assert after == (before[0], before[1] + 1, before[2])


@WITH_DB
@given(extra=st.integers(min_value=1, max_value=200_000), declared=st.booleans())
def test_an_oversized_body_is_413_recorded_and_unread(loop: Loop, extra: int, declared: bool) -> None:
    moment, _ = loop.sent["boss"]
    activity = loop.bf.submit(loop.users["boss"], moment, "applied")
    body = json.dumps(activity).encode()
    body = body[:-1] + b', "pad": "' + b"x" * (MAX_ACTIVITY_BYTES + extra - len(body)) + b'"}'
    before = _counts(loop.db)
    headers = {"Content-Type": "application/json", **loop.bf.auth(activity, NOW)}
    if declared:
        response = loop.client.post("/channels/teams/messages", content=body, headers=headers)
    else:  # a chunked body declares no length: it is measured once read
        response = loop.client.post("/channels/teams/messages", content=iter([body]), headers=headers)
    assert response.status_code == 413
    assert _counts(loop.db) == (before[0], before[1] + 1, before[2])


@WITH_DB
@given(kind=st.sampled_from(["applied", "not_relevant", "snooze", "reflection"]), copies=st.integers(2, 4))
def test_a_replayed_answer_is_stored_once_and_each_copy_recorded(loop: Loop, kind: str, copies: int) -> None:
    moment, _ = loop.sent["rep"]
    activity = loop.bf.submit(loop.users["rep"], moment, kind, reflection="Noted." if kind == "reflection" else None)
    before = _counts(loop.db)
    statuses = [loop.post(activity).json()["status"] for _ in range(copies)]
    assert statuses == ["accepted"] + ["duplicate"] * (copies - 1)
    after = _counts(loop.db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + copies - 1
