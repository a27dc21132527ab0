"""The Teams loop on a real database: the worker delivers a brief as an Adaptive Card to a stand-in Bot Framework,
then the card's buttons and replies come back as Teams posts them — stored once, refused when they should be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.channels.teams import TeamsChannel
from kairos.settings import TeamsSettings, load_settings
from kairos.store import Database
from kairos.store.schema import deliveries, events, moments, responses
from kairos.worker.tick import tick
from tests.support.botframework import BotFramework, TeamsUser
from tests.support.loop import runtime, small_org

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # the 1:1 brief to boss is due (10:00 Berlin 1:1)
NOW = DUE + timedelta(minutes=20)


@dataclass
class Loop:
    db: Database
    bf: BotFramework
    client: TestClient
    users: dict[str, TeamsUser]
    sent: dict[str, tuple[int, str]]  # person → (moment id, activity id of the card)

    def post(self, activity: dict[str, Any], at: datetime = NOW) -> Any:
        return self.client.post("/channels/teams/messages", content=json.dumps(activity).encode(),
                                headers={"Content-Type": "application/json", **self.bf.auth(activity, at)})  # fmt: skip

    def press(self, person: str, kind: str, *, by: str | None = None, moment: int | None = None,
              reflection: str | None = None, rating: str | None = None) -> dict[str, Any]:  # fmt: skip
        own, card = self.sent[person]
        return self.bf.submit(self.users[by or person], moment or own, kind, reflection, reply_to=card,
                              rating=rating)  # fmt: skip

    def responses(self) -> list[tuple[int, str, str, str | None, str]]:
        with self.db.transaction() as conn:
            rows = conn.execute(select(responses).order_by(responses.c.id))
            return [(r.moment_id, r.person_id, r.kind, r.text, r.channel) for r in rows]

    def rejections(self) -> list[str]:
        with self.db.transaction() as conn:
            rows = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected").order_by(events.c.seq))
            return [r.data["reason"] for r in rows]

    def acknowledgements(self, person: str) -> list[str]:
        return [a["text"] for a in self.bf.posted(self.users[person].conversation) if a.get("replyToId")]


@contextmanager
def teams_loop(db: Database, tmp_path: Path) -> Iterator[Loop]:
    """Both people install the app, then one tick delivers boss's brief and rep's tip as cards."""
    small_org(db, tmp_path)
    with BotFramework() as bf:
        users = {"boss": TeamsUser("bea", "boss@example.com"), "rep": TeamsUser("rita", "rep@example.com")}
        bf.add(*users.values())
        config = bf.settings()
        settings = load_settings(database_url=db.engine.url.render_as_string(hide_password=False), teams=config)
        client = TestClient(create_app(settings, db, clock=FrozenClock(NOW)))
        partial = Loop(db, bf, client, users, {})
        for user in users.values():  # each installs the app: Kairos learns their chat with the bot
            assert partial.post(bf.install(user)).json()["status"] == "learned"
        channel = TeamsChannel(TeamsSettings(**config))
        rt = runtime(db, tmp_path, channels={"teams": channel}, delivery={"channels": ["teams"]}, teams=config)
        tick(rt, DUE)
        with db.transaction() as conn:
            rows = conn.execute(select(deliveries).where(deliveries.c.channel == "teams",
                                                         deliveries.c.status == "delivered"))  # fmt: skip
            sent = {r.recipient_id: (r.moment_id, r.provider_id) for r in rows}
        assert set(sent) == {"boss", "rep"}, sent
        try:
            yield Loop(db, bf, client, users, sent)
        finally:
            channel.close()


@pytest.fixture
def loop(db: Database, tmp_path: Path) -> Iterator[Loop]:
    with teams_loop(db, tmp_path) as found:
        yield found


def test_the_brief_reaches_boss_as_a_card_in_their_chat_with_the_bot(loop: Loop) -> None:
    moment, activity_id = loop.sent["boss"]
    [card] = [a for a in loop.bf.posted(loop.users["boss"].conversation) if a["id"] == activity_id]
    content = card["attachments"][0]["content"]
    texts = json.dumps(content)
    assert f'"moment": {moment}' in texts and "Microsoft Teams" in texts  # the delivery note names the channel
    assert "Answer with the buttons on this card" in texts


def test_pressing_applied_stores_the_response_and_says_so_in_the_chat(loop: Loop) -> None:
    moment, _ = loop.sent["boss"]
    response = loop.post(loop.press("boss", "applied"))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert loop.responses() == [(moment, "boss", "applied", None, "teams")]
    assert loop.acknowledgements("boss") == ["Noted: you applied it."]


def test_snoozing_plans_the_moment_again(loop: Loop) -> None:
    with loop.db.transaction() as conn:
        exempt = dict(conn.execute(select(moments.c.recipient_id, moments.c.cap_exempt)
                                   .where(moments.c.id.in_([m for m, _ in loop.sent.values()]))).all())  # fmt: skip
    person = next(p for p in loop.sent if not exempt[p])  # a brief for a meeting is not snoozed past it
    moment, _ = loop.sent[person]
    assert loop.post(loop.press(person, "snooze")).json()["status"] == "accepted"
    assert loop.responses() == [(moment, person, "snooze", None, "teams")]
    with loop.db.transaction() as conn:
        again = conn.execute(select(moments).where(moments.c.status == "planned")).all()
    assert [m.context["snoozed_from"] for m in again if "snoozed_from" in m.context] == [moment]
    assert loop.acknowledgements(person) == ["Noted: not now."]


def test_a_reflection_from_the_card_is_stored_with_its_text(loop: Loop) -> None:
    moment, _ = loop.sent["boss"]
    loop.post(loop.press("boss", "reflection", reflection="I asked what got in the way. [x](https://e.example)"))
    assert loop.responses() == [(moment, "boss", "reflection", "I asked what got in the way. [x](https://e.example)",
                                 "teams")]  # fmt: skip


def test_a_rating_chosen_on_the_card_is_stored_and_a_missing_one_refused(loop: Loop) -> None:
    moment, _ = loop.sent["boss"]
    assert loop.post(loop.press("boss", "rating")).status_code in (200, 400)  # no choice made: nothing stored
    assert loop.responses() == []
    assert loop.post(loop.press("boss", "rating", rating="5")).json()["status"] == "accepted"
    with loop.db.transaction() as conn:
        [row] = conn.execute(select(responses)).all()
    assert (row.moment_id, row.kind, row.rating) == (moment, "rating", 5)
    assert loop.acknowledgements("boss")[-1] == "Thank you: your rating is saved."


def test_a_reply_to_the_card_is_a_reflection_on_its_moment(loop: Loop) -> None:
    moment, activity_id = loop.sent["boss"]
    response = loop.post(loop.bf.reply(loop.users["boss"], activity_id, "Tried it; Rita opened up."))
    assert response.json()["status"] == "accepted"
    assert loop.responses() == [(moment, "boss", "reflection", "Tried it; Rita opened up.", "teams")]


def test_a_replayed_activity_answers_200_and_changes_nothing(loop: Loop) -> None:
    pressed = loop.press("boss", "applied")
    assert loop.post(pressed).json()["status"] == "accepted"
    again = loop.post(pressed)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert len(loop.responses()) == 1 and loop.rejections() == ["replayed"]
    assert len(loop.acknowledgements("boss")) == 1


def test_nobody_answers_for_someone_else(loop: Loop) -> None:
    response = loop.post(loop.press("boss", "applied", by="rep"))
    assert response.status_code == 200 and response.json()["reason"] == "not_recipient"
    assert loop.responses() == [] and loop.rejections() == ["not_recipient"]
    assert loop.acknowledgements("rep") == ["This card was meant for someone else, so nothing was recorded."]


def test_a_button_naming_a_moment_never_delivered_is_refused(loop: Loop) -> None:
    assert loop.post(loop.press("boss", "applied", moment=999_999)).json()["reason"] == "unknown_message"
    assert loop.responses() == []


def test_a_reply_to_a_message_kairos_never_sent_is_refused(loop: Loop) -> None:
    response = loop.post(loop.bf.reply(loop.users["boss"], "1:not-ours", "hello?"))
    assert response.json()["reason"] == "unknown_message" and loop.responses() == []


def test_an_empty_reflection_is_refused_and_the_person_is_told(loop: Loop) -> None:
    response = loop.post(loop.press("boss", "reflection", reflection="   "))
    assert response.status_code == 200 and response.json()["reason"] == "malformed"
    assert loop.responses() == [] and loop.rejections() == ["malformed"]
    assert "needs some text" in loop.acknowledgements("boss")[0]


def test_a_forged_button_press_changes_nothing(loop: Loop) -> None:
    pressed = loop.press("boss", "applied")
    forged = loop.client.post("/channels/teams/messages", content=json.dumps(pressed).encode(),
                              headers={"Authorization": "Bearer " + loop.bf.sign(pressed, NOW, aud="x")})  # fmt: skip
    assert forged.status_code == 401 and loop.responses() == [] and loop.rejections() == ["forged"]
