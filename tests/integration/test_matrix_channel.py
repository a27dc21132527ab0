"""The Matrix channel against a real Synapse: direct rooms, messages, the transaction id, failures, and the answers
people give by reacting and replying, stored through the shared inbound path. (The worker's side of the same loop
is in test_matrix_loop.py; here the ledger is written by hand, so digests and long timelines can be staged.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from kairos.deliver.base import Address, ReceiptStatus
from kairos.deliver.channels.matrix import DIGEST_KEY, MatrixChannel
from kairos.deliver.inbound import drain
from kairos.domain.moment import PlannedMoment, StopReason
from kairos.domain.nudge import Links, Nudge
from kairos.errors import DeliveryError
from kairos.ingest.people import import_people
from kairos.settings import MatrixSettings
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import deliveries as delivery_store
from kairos.store import moments as moment_store
from kairos.store import nudges as nudge_store
from kairos.store.schema import events, moments, responses
from tests.factories import people_csv
from tests.support.servers import free_port
from tests.support.synapse import MatrixClient, MatrixUser, SynapseServer, synapse_fixture, unique  # noqa: F401

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def nudge(moment_id: int | None = None, **changes: object) -> Nudge:
    values: dict[str, object] = {
        "recipient_id": "boss", "recipient_email": "boss@example.com", "recipient_name": "Bea Boss",
        "subject": "Before your 1:1 with Rita", "text": "Ask Rita what <b>help</b> she needs. @room\n\n--\nWhy: a goal",
        "html": "<p>unused</p>", "why": {}, "moment_id": moment_id,
        "delivery_note": "Sent on Matrix, your chosen channel; change it at /preferences.",
    }  # fmt: skip
    values.update(changes)
    return Nudge(**values)  # type: ignore[arg-type]


@dataclass
class Setup:
    synapse: SynapseServer
    bot: MatrixUser
    channel: MatrixChannel
    boss: MatrixUser
    rep: MatrixUser

    def client(self, user: MatrixUser) -> MatrixClient:
        return MatrixClient(self.synapse, user)


@pytest.fixture
def matrix(synapse: SynapseServer) -> Setup:
    """A bot and two people of its own for each test: the homeserver is shared by the session."""
    bot = synapse.register(unique("bot"))
    channel = MatrixChannel(MatrixSettings(homeserver=synapse.url, user_id=bot.user_id, access_token=bot.access_token))
    return Setup(synapse, bot, channel, synapse.register(unique("boss")), synapse.register(unique("rep")))


def sent(channel: MatrixChannel, to: Address | None, key: str = "moment-1/matrix", item: Nudge | None = None):  # type: ignore[no-untyped-def]
    marks: list[bool] = []
    receipt = channel.send(item or nudge(), to, key, lambda: marks.append(True))
    return receipt, marks


def joined_room(setup: Setup, user: MatrixUser, room_id: str) -> MatrixClient:
    person = setup.client(user)
    assert room_id in person.invites()
    person.join(room_id)
    return person


# --- sending ---------------------------------------------------------------------------------------------------


def test_a_first_nudge_opens_a_direct_room_the_person_is_invited_to_and_reads_it_there(matrix: Setup) -> None:
    receipt, marks = sent(matrix.channel, Address("matrix", matrix.boss.user_id))
    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert marks == [True]
    assert receipt.learned is not None and receipt.learned.value == matrix.boss.user_id
    room = receipt.learned.detail["room_id"]
    boss = joined_room(matrix, matrix.boss, room)
    [message] = boss.timeline(room)
    assert message["event_id"] == receipt.provider_id
    assert message["sender"] == matrix.bot.user_id
    content = message["content"]
    assert content["msgtype"] == "m.text" and content["format"] == "org.matrix.custom.html"
    assert "Before your 1:1 with Rita" in content["body"]
    assert "Sent on Matrix, your chosen channel" in content["body"] and "React ✅" in content["body"]
    assert "&lt;b&gt;help&lt;/b&gt;" in content["formatted_body"] and "<b>" not in content["formatted_body"]
    assert "<a " not in content["formatted_body"]  # nothing from the nudge became a link
    assert content["m.mentions"] == {}  # "@room" in the text pings nobody


def test_the_stored_room_is_used_again_and_nothing_new_is_learned(matrix: Setup) -> None:
    first, _ = sent(matrix.channel, Address("matrix", matrix.boss.user_id), key="moment-1/matrix")
    assert first.learned is not None
    second, _ = sent(matrix.channel, first.learned, key="moment-2/matrix")
    assert second.status is ReceiptStatus.DELIVERED and second.learned is None
    room = first.learned.detail["room_id"]
    assert [m["event_id"] for m in joined_room(matrix, matrix.boss, room).timeline(room)] == [
        first.provider_id, second.provider_id]  # fmt: skip


def test_a_resend_with_the_same_key_is_the_same_event_so_resending_is_safe(matrix: Setup) -> None:
    """Synapse returns the first event for a repeated transaction id: this is what ``resend_is_safe`` rests on. The
    room was never stored (the worker died before recording it): the bot's m.direct finds the same room."""
    to = Address("matrix", matrix.boss.user_id)
    first, _ = sent(matrix.channel, to, key="moment-7/matrix")
    again, marks = sent(matrix.channel, to, key="moment-7/matrix")
    assert matrix.channel.resend_is_safe
    assert again.status is ReceiptStatus.DELIVERED and marks == [True]
    assert again.provider_id == first.provider_id
    assert first.learned is not None and again.learned == first.learned
    room = first.learned.detail["room_id"]
    assert len(joined_room(matrix, matrix.boss, room).timeline(room)) == 1


def test_a_room_the_person_left_is_replaced_by_a_new_one(matrix: Setup) -> None:
    first, _ = sent(matrix.channel, Address("matrix", matrix.boss.user_id), key="moment-1/matrix")
    assert first.learned is not None
    old = first.learned.detail["room_id"]
    joined_room(matrix, matrix.boss, old).leave(old)
    second, _ = sent(matrix.channel, first.learned, key="moment-2/matrix")
    assert second.status is ReceiptStatus.DELIVERED, second.detail
    assert second.learned is not None and second.learned.detail["room_id"] != old
    assert second.learned.detail["room_id"] in matrix.client(matrix.boss).invites()


def test_a_room_that_is_gone_is_replaced_by_a_new_one(matrix: Setup) -> None:
    gone = Address("matrix", matrix.boss.user_id, {"room_id": "!gone:kairos.test"})
    receipt, _ = sent(matrix.channel, gone)
    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert receipt.learned is not None and receipt.learned.detail["room_id"] != "!gone:kairos.test"


def test_the_template_finds_a_person_with_no_address_on_record(matrix: Setup, synapse: SynapseServer) -> None:
    local = matrix.boss.user_id[1:].split(":")[0]
    channel = MatrixChannel(
        matrix.channel.settings.model_copy(update={"user_id_template": "@{email_local}:kairos.test"})
    )
    receipt, _ = sent(channel, None, item=nudge(recipient_email=f"{local.upper()}@example.com"))
    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert receipt.learned is not None and receipt.learned.value == matrix.boss.user_id


def test_someone_without_an_account_is_unreachable(matrix: Setup) -> None:
    receipt, marks = sent(matrix.channel, Address("matrix", f"@{unique('nobody')}:kairos.test"))
    assert receipt.status is ReceiptStatus.UNREACHABLE and "no Matrix account" in receipt.detail
    assert marks == []  # nothing was about to be sent


def test_someone_on_a_server_the_homeserver_may_not_reach_is_unreachable(matrix: Setup) -> None:
    receipt, _ = sent(matrix.channel, Address("matrix", "@rita:elsewhere.example"))
    assert receipt.status is ReceiptStatus.UNREACHABLE, receipt.detail


def test_a_revoked_bot_token_is_permanent_and_says_what_to_do(matrix: Setup, synapse: SynapseServer) -> None:
    session = synapse.login(matrix.bot)
    channel = MatrixChannel(
        matrix.channel.settings.model_copy(update={"access_token": SecretStr(session.access_token)})
    )
    MatrixClient(synapse, session).logout()
    receipt, _ = sent(channel, Address("matrix", matrix.boss.user_id))
    assert receipt.status is ReceiptStatus.PERMANENT
    assert "M_UNKNOWN_TOKEN" in receipt.detail and "KAIROS_MATRIX__ACCESS_TOKEN" in receipt.detail
    with pytest.raises(DeliveryError, match="KAIROS_MATRIX__ACCESS_TOKEN") as raised:
        channel.poll(None)
    assert raised.value.retryable is False


def test_a_homeserver_that_does_not_answer_is_worth_retrying(matrix: Setup) -> None:
    down = MatrixSettings(homeserver=f"http://127.0.0.1:{free_port()}", user_id=matrix.bot.user_id,
                          access_token="syt_x", timeout_seconds=2)  # fmt: skip
    receipt, _ = sent(MatrixChannel(down), Address("matrix", matrix.boss.user_id))
    assert receipt.status is ReceiptStatus.RETRYABLE
    with pytest.raises(DeliveryError) as raised:
        MatrixChannel(down).poll(None)
    assert raised.value.retryable is True


# --- answers ---------------------------------------------------------------------------------------------------


def people(db: Database, tmp: Path, setup: Setup) -> None:
    """boss and rep as Kairos knows them, each with their Matrix id on record."""
    people_csv(tmp / "people.csv", [
        "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
        "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
    ])  # fmt: skip
    import_people(db, tmp / "people.csv", as_of=NOW.date(), now=NOW - timedelta(days=3))
    with db.transaction() as conn:
        channel_store.set_address(conn, "boss", Address("matrix", setup.boss.user_id), "import", NOW)
        channel_store.set_address(conn, "rep", Address("matrix", setup.rep.user_id), "import", NOW)


def delivered(db: Database, setup: Setup, recipient: str, number: int, item: Nudge | None = None) -> tuple[int, str]:
    """A moment for ``recipient`` sent on Matrix, its ledger written the way the worker writes it: the moment id
    and the Matrix room."""
    with db.transaction() as conn:
        seq = int(conn.execute(select(func.max(events.c.seq))).scalar_one())
    planned = PlannedMoment(
        dedup_key=f"test/{recipient}/{number}", play_id="test", play_version=1, action="tip", subject_id=recipient,
        recipient_id=recipient, audience="self", time_zone="Europe/Berlin", due_at=NOW, expires_at=None, priority=1,
        cap_exempt=False, cooldown_days=0, stop_reason=None, context={"event_seq": seq},
    )  # fmt: skip
    with db.transaction() as conn:
        moment_store.add_planned(conn, [planned], NOW)
        moment_id = int(conn.execute(select(func.max(moments.c.id))).scalar_one())
        message = item or nudge(moment_id, recipient_id=recipient)
        nudge_id = nudge_store.add(conn, moment_id, message, NOW)
        key = delivery_store.idempotency_key(moment_id, "matrix")
        delivery_store.prepare(conn, key=key, moment_id=moment_id, nudge_id=nudge_id, channel="matrix",
                               recipient_id=recipient, cap_exempt=False, now=NOW)  # fmt: skip
        address = channel_store.address(conn, recipient, "matrix")
    receipt = setup.channel.send(message, address, key, lambda: None)
    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    with db.transaction() as conn:
        delivery_store.set_status(conn, key, "delivered", NOW, provider_id=receipt.provider_id, delivered_at=NOW)
        moment_store.finish(conn, moment_id, StopReason.DELIVERED, [], NOW)
        if receipt.learned is not None:
            channel_store.set_address(conn, recipient, receipt.learned, "lookup", NOW)
        room = channel_store.address(conn, recipient, "matrix")
    assert room is not None
    return moment_id, str(room.detail["room_id"])


def event_of(setup: Setup, db: Database, moment_id: int) -> str:
    with db.transaction() as conn:
        return str(delivery_store.get_by_key(conn, delivery_store.idempotency_key(moment_id, "matrix")).provider_id)


def stored(db: Database) -> list[tuple[int, str, str, str | None]]:
    with db.transaction() as conn:
        rows = conn.execute(select(responses).order_by(responses.c.id)).all()
    return [(r.moment_id, r.person_id, r.kind, r.text) for r in rows]


def rejections(db: Database) -> list[str]:
    with db.transaction() as conn:
        rows = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected")).all()
    return [row.data["reason"] for row in rows]


@pytest.fixture
def answering(db: Database, tmp_path: Path, matrix: Setup) -> Iterator[Setup]:
    people(db, tmp_path, matrix)
    yield matrix


def test_a_reaction_is_stored_as_applied_and_a_reply_as_a_reflection(db: Database, answering: Setup) -> None:
    moment_id, room = delivered(db, answering, "boss", 1)
    boss = joined_room(answering, answering.boss, room)
    boss.react(room, event_of(answering, db, moment_id), "✅")
    boss.reply(room, event_of(answering, db, moment_id), "I asked; she wants fewer\nstatus meetings.")
    boss.react(room, event_of(answering, db, moment_id), "🎉")  # not an answer
    result = drain(db, answering.channel, NOW)
    assert (result.accepted, result.rejected) == (2, 0)
    assert stored(db) == [
        (moment_id, "boss", "applied", None),
        (moment_id, "boss", "reflection", "I asked; she wants fewer\nstatus meetings."),
    ]
    with db.transaction() as conn:
        assert channel_store.cursor(conn, "matrix")  # moved past what was read


def test_a_keycap_reaction_is_stored_as_a_rating(db: Database, answering: Setup) -> None:
    moment_id, room = delivered(db, answering, "boss", 1)
    joined_room(answering, answering.boss, room).react(room, event_of(answering, db, moment_id), "4️⃣")
    assert drain(db, answering.channel, NOW).accepted == 1
    with db.transaction() as conn:
        [row] = conn.execute(select(responses)).all()
    assert (row.moment_id, row.kind, row.rating, row.channel) == (moment_id, "rating", 4, "matrix")


def test_a_replayed_sync_changes_nothing(db: Database, answering: Setup) -> None:
    moment_id, room = delivered(db, answering, "boss", 1)
    joined_room(answering, answering.boss, room).react(room, event_of(answering, db, moment_id), "👍")
    assert drain(db, answering.channel, NOW).accepted == 1
    assert drain(db, answering.channel, NOW).accepted == 0  # nothing new since the cursor
    with db.transaction() as conn:
        channel_store.set_cursor(conn, "matrix", "", NOW)  # the cursor lost: /sync starts over
    items, _ = answering.channel.poll(None)
    assert len(items) == 1
    again = drain(db, answering.channel, NOW + timedelta(minutes=1))
    assert again.accepted == 0 and again.rejected >= 1
    assert stored(db) == [(moment_id, "boss", "applied", None)]
    assert "replayed" in rejections(db)


def test_a_message_that_answers_nothing_and_one_the_bot_cannot_read_are_refused_and_counted(
    db: Database, answering: Setup
) -> None:
    _, room = delivered(db, answering, "boss", 1)
    boss = joined_room(answering, answering.boss, room)
    boss.send(room, "m.room.message", {"msgtype": "m.text", "body": "hi"})
    boss.send(room, "m.room.encrypted", {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "..."})
    result = drain(db, answering.channel, NOW)
    assert (result.accepted, result.rejected) == (0, 2)
    assert rejections(db) == ["unknown_message", "unsupported"]


def test_each_item_of_a_digest_is_answered_by_its_number(db: Database, answering: Setup) -> None:
    first, room = delivered(db, answering, "boss", 1)
    second, _ = delivered(db, answering, "boss", 2)
    digest = nudge(None, subject="Your nudges today", text="", digest=(
        nudge(first, subject="Before your 1:1", links=Links({"applied": "https://kairos.example/r/1?a=applied"})),
        nudge(second, subject="A tip"),
    ))  # fmt: skip
    moment_id, _ = delivered(db, answering, "boss", 3, item=digest)
    message = event_of(answering, db, moment_id)
    boss = joined_room(answering, answering.boss, room)
    [shown] = [m for m in boss.timeline(room) if m["event_id"] == message]
    assert shown["content"][DIGEST_KEY] == [first, second]
    assert '<a href="https://kairos.example/r/1?a=applied">I applied it</a>' in shown["content"]["formatted_body"]
    boss.reply(room, message, "2 ✅")
    boss.reply(room, message, "1. Asked about help; it went well.")
    boss.react(room, message, "✅")  # which one? refused
    result = drain(db, answering.channel, NOW)
    assert (result.accepted, result.rejected) == (2, 1)
    assert stored(db) == [(second, "boss", "applied", None), (first, "boss", "reflection",
                                                                "Asked about help; it went well.")]  # fmt: skip
    assert rejections(db) == ["unsupported"]


def test_a_timeline_longer_than_one_sync_is_read_in_full(db: Database, answering: Setup) -> None:
    channel = MatrixChannel(answering.channel.settings, timeline_limit=2)
    ids = [delivered(db, answering, "boss", n) for n in range(1, 4)]
    room = ids[0][1]
    boss = joined_room(answering, answering.boss, room)
    assert drain(db, channel, NOW).accepted == 0  # the cursor now stands after the three nudges
    for moment_id, _ in ids:
        boss.react(room, event_of(answering, db, moment_id), "✅")
        boss.reply(room, event_of(answering, db, moment_id), f"done {moment_id}")
    result = drain(db, channel, NOW)
    assert (result.accepted, result.rejected) == (6, 0)


def test_sending_takes_milliseconds_on_a_local_homeserver(matrix: Setup, synapse: SynapseServer) -> None:
    """Measured, not asserted tightly: printed for the record (run with -s)."""
    first, _ = sent(matrix.channel, Address("matrix", matrix.boss.user_id), key="moment-0/matrix")
    assert first.learned is not None
    started = time.perf_counter()
    for n in range(1, 21):
        receipt, _ = sent(matrix.channel, first.learned, key=f"moment-{n}/matrix")
        assert receipt.status is ReceiptStatus.DELIVERED
    per_message = (time.perf_counter() - started) / 20
    print(
        f"\nSynapse started in {synapse.start_seconds:.2f} s; one message to a known room: {per_message * 1000:.0f} ms"
    )
    assert per_message < 2.0
