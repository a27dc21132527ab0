"""The whole loop on Matrix: a planned 1:1 brief is delivered by the worker into the manager's direct room on a real
Synapse, the manager answers in their own Matrix client, and the next tick stores the answer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.deliver.channels.matrix import MatrixChannel
from kairos.settings import MatrixSettings
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store.schema import deliveries, events, moments, responses
from kairos.worker.runtime import Runtime
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.synapse import MatrixClient, SynapseServer, synapse_fixture, unique  # noqa: F401

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # the brief for boss's 10:00 Berlin 1:1 is due


@dataclass
class Sent:
    """What the worker delivered to one person: the moment, the Matrix event, the room, and their own client."""

    moment_id: int
    event_id: str
    room_id: str
    client: MatrixClient


@dataclass
class Loop:
    rt: Runtime
    boss: Sent  # the 1:1 brief
    rep: Sent  # the tip before the same 1:1


@pytest.fixture
def loop(db: Database, tmp_path: Path, synapse: SynapseServer) -> Loop:
    """small_org with Matrix as the organization's only channel; everyone's Matrix id comes from the template."""
    small_org(db, tmp_path)
    suffix = secrets.token_hex(3)
    bot = synapse.register(unique("bot"))
    users = {person: synapse.register(f"{person}-{suffix}") for person in ("boss", "rep")}
    channel = MatrixChannel(MatrixSettings(
        homeserver=synapse.url, user_id=bot.user_id, access_token=bot.access_token,
        user_id_template=f"@{{id}}-{suffix}:kairos.test",
    ))  # fmt: skip
    rt = runtime(db, tmp_path, channels={"matrix": channel}, delivery={"channels": ["matrix"]})
    tick(rt, DUE)
    sent = {}
    for person, user in users.items():
        with db.transaction() as conn:
            [row] = conn.execute(
                select(deliveries.c.moment_id, deliveries.c.provider_id, deliveries.c.status)
                .where(deliveries.c.recipient_id == person, deliveries.c.channel == "matrix")
            ).all()  # fmt: skip
            address = channel_store.address(conn, person, "matrix")
        assert row.status == "delivered"
        assert address is not None and address.value == user.user_id  # the room it opened is remembered
        client = MatrixClient(synapse, user)
        client.join(str(address.detail["room_id"]))
        sent[person] = Sent(row.moment_id, str(row.provider_id), str(address.detail["room_id"]), client)
    return Loop(rt, sent["boss"], sent["rep"])


def answers(db: Database) -> list[tuple[int, str, str, str | None, str]]:
    with db.transaction() as conn:
        rows = conn.execute(select(responses).order_by(responses.c.id)).all()
    return [(r.moment_id, r.person_id, r.kind, r.text, r.channel) for r in rows]


def test_the_brief_arrives_in_the_managers_room_and_says_why_and_how_to_answer(loop: Loop) -> None:
    boss = loop.boss
    [message] = [m for m in boss.client.timeline(boss.room_id) if m["event_id"] == boss.event_id]
    body = message["content"]["body"]
    assert "You got this on Matrix because" in body  # the delivery note
    assert "React ✅ if you applied it" in body and body.count("React ✅") == 1


def test_a_reaction_in_matrix_becomes_a_stored_answer_on_the_next_tick(db: Database, loop: Loop) -> None:
    boss = loop.boss
    boss.client.react(boss.room_id, boss.event_id, "✅")
    report = tick(loop.rt, DUE + timedelta(minutes=5))
    assert report.answers == 1
    assert answers(db) == [(boss.moment_id, "boss", "applied", None, "matrix")]
    assert tick(loop.rt, DUE + timedelta(minutes=10)).answers == 0  # read once


def test_a_reply_becomes_a_reflection(db: Database, loop: Loop) -> None:
    boss = loop.boss
    boss.client.reply(boss.room_id, boss.event_id, "Asked Rita; she wants more pairing.")
    assert tick(loop.rt, DUE + timedelta(minutes=5)).answers == 1
    assert answers(db) == [(boss.moment_id, "boss", "reflection", "Asked Rita; she wants more pairing.", "matrix")]


def test_a_snooze_reaction_plans_the_tip_again(db: Database, loop: Loop) -> None:
    rep = loop.rep
    rep.client.react(rep.room_id, rep.event_id, "⏰")
    assert tick(loop.rt, DUE + timedelta(minutes=5)).answers == 1
    assert answers(db) == [(rep.moment_id, "rep", "snooze", None, "matrix")]
    with db.transaction() as conn:
        again = conn.execute(select(moments.c.id).where(moments.c.dedup_key.like("%snooze%"))).all()
    assert len(again) == 1


def test_nobody_answers_for_someone_else(db: Database, loop: Loop) -> None:
    """rep, let into boss's room, reacts to boss's brief: refused, and the refusal recorded."""
    boss, rep = loop.boss, loop.rep
    MatrixClient(boss.client.server, boss.client.user).invite(boss.room_id, rep.client.user.user_id)
    rep.client.join(boss.room_id)
    rep.client.react(boss.room_id, boss.event_id, "👎")
    assert tick(loop.rt, DUE + timedelta(minutes=5)).answers == 0
    assert answers(db) == []
    with db.transaction() as conn:
        refused = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected")).all()
    assert [row.data["reason"] for row in refused] == ["not_recipient"]
