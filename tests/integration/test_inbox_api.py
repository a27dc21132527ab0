"""The web inbox, one-tap answers and preferences over HTTP: signed links open exactly one person's data, an
answer counts once, and a link scanner opening a one-tap link records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.tokens import Grant
from kairos.demo.mail_sink import MailSink
from kairos.store import Database
from kairos.store import agreements as agreement_store
from kairos.store.schema import events, moments, nudges, responses
from kairos.worker.runtime import Runtime
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)
LATER = DUE + timedelta(hours=1)


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[tuple[Runtime, TestClient]]:
    small_org(db, tmp_path)
    with MailSink(tmp_path / "mail") as sink:
        rt = runtime(db, tmp_path, smtp={"host": "127.0.0.1", "port": sink.port},
                     delivery={"public_url": "https://kairos.example.org"})  # fmt: skip
        tick(rt, DUE)
        with TestClient(create_app(rt.settings, db, FrozenClock(LATER))) as client:
            yield rt, client


def _token(rt: Runtime, person: str, scope: str, **kw: Any) -> str:
    return rt.signer.issue(Grant(person, scope, LATER + timedelta(days=1), **kw))


def _moment(db: Database, recipient: str) -> Any:
    with db.transaction() as conn:
        return conn.execute(select(moments).where(moments.c.recipient_id == recipient,
                                                  moments.c.stop_reason == "delivered")).one()  # fmt: skip


def _responses(db: Database) -> list[Any]:
    with db.transaction() as conn:
        return list(conn.execute(select(responses).order_by(responses.c.id)))


def test_the_inbox_lists_only_the_link_holders_nudges_and_reading_one_marks_it_read(
    db: Database, world: tuple[Runtime, TestClient]
) -> None:
    rt, client = world
    assert client.get("/api/v1/inbox").status_code == 401
    token = _token(rt, "rep", "inbox")
    page = client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {token}"}).json()
    tip = _moment(db, "rep")
    assert page["person"] == "rep" and page["unread"] == 1 and [i["moment_id"] for i in page["items"]] == [tip.id]
    item = page["items"][0]
    assert item["outcome"] == "delivered" and item["deliveries"][0]["channel"] == "email"
    assert "Why you are seeing this" in item["text"] and item["why"]["play"]["id"] == "upcoming-one-on-one"
    brief = _moment(db, "boss")
    assert client.get(f"/api/v1/inbox/{brief.id}", params={"token": token}).status_code == 404  # boss's, not rep's
    assert client.get(f"/api/v1/inbox/{tip.id}", params={"token": token}).json()["read_at"] is None  # as it was
    assert client.get("/api/v1/inbox", params={"token": token}).json()["unread"] == 0


def test_a_token_opens_only_its_own_scope_and_an_altered_or_expired_one_nothing(
    world: tuple[Runtime, TestClient],
) -> None:
    rt, client = world
    prefs = _token(rt, "rep", "preferences")
    assert client.get("/api/v1/inbox", params={"token": prefs}).json()["detail"] == "this link is for preferences, " \
                                                                                    "not inbox"  # fmt: skip
    inbox = _token(rt, "rep", "inbox")
    assert client.get("/api/v1/inbox", params={"token": inbox[:-2] + "xx"}).status_code == 401
    old = rt.signer.issue(Grant("rep", "inbox", LATER - timedelta(seconds=1)))
    answer = client.get("/api/v1/inbox", params={"token": old})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_an_answer_from_the_inbox_is_stored_once_per_idempotency_key(
    db: Database, world: tuple[Runtime, TestClient]
) -> None:
    rt, client = world
    tip = _moment(db, "rep")
    headers = {"Authorization": f"Bearer {_token(rt, 'rep', 'inbox')}", "Idempotency-Key": "k-1"}
    body = {"kind": "reflection", "text": "I asked Rita what she needed before the 1:1."}
    first = client.post(f"/api/v1/inbox/{tip.id}/responses", json=body, headers=headers)
    assert first.status_code == 201 and first.json()["kind"] == "reflection"
    again = client.post(f"/api/v1/inbox/{tip.id}/responses", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["error"] == "replayed"
    [stored] = _responses(db)
    assert (stored.kind, stored.channel, stored.person_id) == ("reflection", "inbox", "rep")
    brief = _moment(db, "boss")
    stranger = client.post(f"/api/v1/inbox/{brief.id}/responses", json={"kind": "applied"}, headers={
        "Authorization": f"Bearer {_token(rt, 'rep', 'inbox')}"})  # fmt: skip
    assert stranger.status_code == 404 and stranger.json()["error"] == "not_recipient"
    assert len(_responses(db)) == 1
    with db.transaction() as conn:
        reasons = [e.data["reason"] for e in conn.execute(select(events).where(events.c.type == "channel.rejected"))]
    assert sorted(reasons) == ["not_recipient", "replayed"]


def test_a_one_tap_link_only_shows_a_form_until_the_person_presses_the_button(
    db: Database, world: tuple[Runtime, TestClient]
) -> None:
    rt, client = world
    tip = _moment(db, "rep")
    applied = _token(rt, "rep", "respond", moment_id=tip.id, kind="applied")
    page = client.get(f"/r/{applied}")
    assert page.status_code == 200 and "<button" in page.text and "I applied it" in page.text
    assert _responses(db) == []  # a mail scanner following the link records nothing
    done = client.post(f"/r/{applied}")
    assert done.status_code == 200 and "Noted" in done.text
    [stored] = _responses(db)
    assert stored.kind == "applied"
    reflect = _token(rt, "rep", "respond", moment_id=tip.id, kind="reflection")
    assert 'textarea id="text"' in client.get(f"/r/{reflect}").text
    empty = client.post(f"/r/{reflect}", data={"text": "  "})
    assert empty.status_code == 400 and len(_responses(db)) == 1
    assert client.post(f"/r/{reflect}", data={"text": "Listening first worked."}).status_code == 200
    rate = _token(rt, "rep", "respond", moment_id=tip.id, kind="rating")
    assert '<select id="rating" name="rating">' in client.get(f"/r/{rate}").text
    assert client.post(f"/r/{rate}", data={"rating": "9"}).status_code == 422
    assert client.post(f"/r/{rate}", data={"rating": "4"}).status_code == 200
    assert [(r.kind, r.rating) for r in _responses(db)][-1] == ("rating", 4)
    assert client.get("/r/not-a-token").status_code == 401


def test_preferences_are_read_and_changed_with_their_own_link_and_a_bad_change_changes_nothing(
    world: tuple[Runtime, TestClient],
) -> None:
    rt, client = world
    token = _token(rt, "rep", "preferences")
    shown = client.get("/api/v1/preferences", params={"token": token}).json()
    assert shown["channel"] is None and shown["organization"]["channels"] == ["email"]
    bad = client.put("/api/v1/preferences", params={"token": token}, json={"pacing": "digest",
                                                                           "quiet_hours": "late"})  # fmt: skip
    assert bad.status_code == 400 and "quiet_hours" in bad.json()["detail"]
    assert client.get("/api/v1/preferences", params={"token": token}).json()["pacing"] == "realtime"
    good = client.put("/api/v1/preferences", params={"token": token},
                      json={"pacing": "digest", "digest_time": "16:00", "quiet_hours": "18:00-09:00"})  # fmt: skip
    assert good.json()["pacing"] == "digest" and good.json()["quiet_hours"] == "18:00-09:00"
    form = client.get("/preferences", params={"token": token})
    assert form.status_code == 200 and 'value="18:00-09:00"' in form.text and "<label" in form.text
    saved = client.post("/preferences", params={"token": token}, data={"channel": "inbox", "pacing": "realtime"})
    assert saved.status_code == 200
    after = client.get("/api/v1/preferences", params={"token": token}).json()
    assert after["channel"] == "inbox" and after["pacing"] == "realtime" and after["quiet_hours"] is None


def test_what_was_agreed_in_the_one_on_one_is_recorded_from_the_brief_or_tip_and_comes_back(
    db: Database, world: tuple[Runtime, TestClient]
) -> None:
    rt, client = world
    brief, tip = _moment(db, "boss"), _moment(db, "rep")
    boss = {"Authorization": f"Bearer {_token(rt, 'boss', 'inbox')}"}
    made = client.post(f"/api/v1/inbox/{brief.id}/commitments", headers=boss,
                       json={"kind": "manager_action", "text": "Introduce Rita to the data team lead."})  # fmt: skip
    assert made.status_code == 201 and made.json()["person"] == "rep"
    assert made.json()["meeting"] == brief.context["meeting"]
    rep = {"Authorization": f"Bearer {_token(rt, 'rep', 'inbox')}"}
    own = client.post(f"/api/v1/inbox/{tip.id}/commitments", headers=rep,
                      json={"kind": "next_step", "text": "Send the draft to two reviewers before Friday."})  # fmt: skip
    assert own.status_code == 201
    assert (
        client.post(
            f"/api/v1/inbox/{brief.id}/commitments", headers=rep, json={"kind": "next_step", "text": "x"}
        ).status_code
        == 404
    )  # boss's brief, not rep's
    assert client.post(f"/api/v1/inbox/{tip.id}/commitments", headers=rep,
                       json={"kind": "promise", "text": "x"}).status_code == 422  # fmt: skip
    with db.transaction() as conn:
        found = agreement_store.open_between(conn, "rep", "boss")
    assert sorted(c.kind.value for c in found) == ["manager_action", "next_step"]
    tick(rt, datetime(2026, 3, 9, 8, 45, tzinfo=UTC))  # the next 1:1: its brief brings both back
    with db.transaction() as conn:
        [again] = conn.execute(select(moments).where(moments.c.recipient_id == "boss", moments.c.id != brief.id,
                                                     moments.c.stop_reason == "delivered")).all()  # fmt: skip
        text = conn.execute(select(nudges.c.text).where(nudges.c.moment_id == again.id)).scalar_one()
    assert "Introduce Rita to the data team lead." in text and "Send the draft to two reviewers" in text
