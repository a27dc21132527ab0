"""The whole loop on Slack: a planned moment is delivered as a Slack message by the worker, the person clicks a
button in it, the answer is stored as a response — and "Not now" plans the moment again for the next working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.deliver.channels.slack import from_settings
from kairos.settings import load_settings
from kairos.store import Database
from kairos.store.schema import channel_addresses, deliveries, moments, responses
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.slack_api import FORM, SIGNING_SECRET, TOKEN, block_actions, form, running, signed_headers

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # 09:45 in Berlin, before the 10:00 1:1


def test_a_nudge_reaches_slack_a_click_is_stored_and_not_now_plans_it_again_for_the_next_working_day(
    db: Database, tmp_path: Path
) -> None:
    with running({"boss@example.com": "U0BOSS001", "rep@example.com": "U0REP0001"}) as api:
        config = {"bot_token": TOKEN, "signing_secret": SIGNING_SECRET, "api_url": api.url}
        small_org(db, tmp_path)
        channel = from_settings(load_settings(slack=config))
        assert channel is not None
        rt = runtime(db, tmp_path, channels={"slack": channel}, delivery={"channels": ["slack"]}, slack=config)

        # 1. the worker delivers the 1:1 brief (boss) and the tip (rep) as Slack direct messages
        tick(rt, DUE)
        with db.transaction() as conn:
            sent = {r.recipient_id: r for r in conn.execute(select(deliveries).where(deliveries.c.channel == "slack"))}
            learned = {r.person_id: r.address for r in conn.execute(select(channel_addresses))}
        assert {p: d.status for p, d in sent.items()} == {"boss": "delivered", "rep": "delivered"}
        assert learned == {"boss": "U0BOSS001", "rep": "U0REP0001"}  # found by email, kept for next time
        dm, ts = sent["rep"].provider_id.split(":")
        assert api.messages[(dm, ts)]["blocks"][-1]["elements"][2]["action_id"] == "kairos.snooze"

        # 2. rep clicks "Not now" in Slack; Slack posts the click to Kairos
        now = DUE + timedelta(minutes=5)
        client = TestClient(create_app(load_settings(database_url=db.engine.url.render_as_string(hide_password=False),
                                                     slack=config), db, clock=FrozenClock(now)))  # fmt: skip
        body = form(block_actions("U0REP0001", "kairos.snooze", str(sent["rep"].moment_id), channel=dm, message_ts=ts,
                                  blocks=api.messages[(dm, ts)]["blocks"],
                                  block_id=f"kairos.answer.{sent['rep'].moment_id}"))  # fmt: skip
        answered = client.post("/channels/slack/interactions", content=body,
                               headers={**FORM, **signed_headers(body, int(now.timestamp()))})  # fmt: skip
        assert answered.status_code == 200

        # 3. the answer is a response, and the snoozed moment is planned again for the next working day
        with db.transaction() as conn:
            stored = [(r.moment_id, r.person_id, r.kind, r.channel) for r in conn.execute(select(responses))]
            of_rep = conn.execute(select(moments).where(moments.c.recipient_id == "rep")).all()
        again = [m for m in of_rep if (m.context or {}).get("snoozed_from") == sent["rep"].moment_id]
        assert stored == [(sent["rep"].moment_id, "rep", "snooze", "slack")]
        assert len(again) == 1
        assert again[0].due_at.date() == datetime(2026, 3, 3).date()  # Tuesday, rep's next working day
        # and the Slack message now says so instead of offering the buttons again
        assert api.messages[(dm, ts)]["blocks"][-2]["elements"][0]["text"].startswith("Noted: not now.")
