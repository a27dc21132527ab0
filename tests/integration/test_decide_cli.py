"""`kairos respond`, `kairos review` and `kairos policy` from the command line, on the demo organization's data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.store import Database
from kairos.store.schema import moments, review_items
from kairos.worker.tick import simulate
from tests.integration.test_worker_rules import _event, _org, _runtime
from tests.support.cli import run_cli


@pytest.fixture
def delivered(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("KAIROS_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    _org(db, tmp_path, [_event("w1", "20260303T100000"), _event("w2", "20260310T100000")])
    with MailSink(tmp_path / "mail") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC))
    tip = select(moments.c.id).where(moments.c.action == "employee-tip", moments.c.stop_reason == "delivered")
    with db.transaction() as conn:
        return int(conn.execute(tip).scalar_one())


def test_respond_records_answers_and_refuses_anyone_but_the_recipient(
    delivered: int, capsys: pytest.CaptureFixture[str]
) -> None:
    now = ["--now", "2026-03-04T09:00Z"]
    code, out, _ = run_cli(["respond", str(delivered), "applied", "--by", "rep", *now], capsys)
    assert code == 0 and f"recorded for moment {delivered}: applied" in out
    code, _, err = run_cli(["respond", str(delivered), "applied", "--by", "boss", *now], capsys)
    assert code != 0 and "field 'by'" in err
    code, _, err = run_cli(["respond", str(delivered), "reflection", "--by", "rep", *now], capsys)
    assert code != 0 and "the text of the reflection" in err
    code, _, err = run_cli(["respond", "999999", "applied", "--by", "rep", *now], capsys)
    assert code != 0 and "the id of a delivered moment" in err


def test_review_list_approve_and_policy_report(
    db: Database, delivered: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "I feel hopeless about these reviews and I am burned out."
    code, _, err = run_cli(["respond", str(delivered), "reflection", "--by", "rep", "--text", text,
                            "--now", "2026-03-06T09:00Z"], capsys)  # fmt: skip
    assert code == 0, err
    with MailSink(tmp_path / "mail2") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    code, out, _ = run_cli(["review", "list"], capsys)
    assert code == 0 and "coaching_conversation" in out and "weighty recommendation" in out
    with db.transaction() as conn:
        item = conn.execute(select(review_items.c.id)).scalar_one()
    code, _, err = run_cli(["review", "reject", str(item), "--by", "coach-1", "--note", ""], capsys)
    assert code != 0 and "a reason for rejecting it" in err
    code, out, _ = run_cli(["review", "approve", str(item), "--by", "coach-1", "--note", "calling her today",
                            "--now", "2026-03-10T08:00Z"], capsys)  # fmt: skip
    assert code == 0 and f"Item {item} approved" in out
    code, out, _ = run_cli(["policy", "validate"], capsys)
    assert code == 0 and "policy default@2026.11 is valid" in out
    code, out, _ = run_cli(["policy", "report", "--json"], capsys)
    report = json.loads(out)
    assert report["policy"] == "default@2026.11"
    assert "weak" in report["optimizes"] and report["max_explore_share"] == 0.2
    assert report["segments"] and all(s["segment"] for s in report["segments"])
