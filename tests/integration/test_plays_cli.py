"""``kairos trace``, ``kairos plays explain`` and ``kairos plays test`` as a person at a terminal uses them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.settings import load_settings
from kairos.store import open_database
from kairos.store.schema import moments
from kairos.worker.runtime import build_runtime
from kairos.worker.tick import simulate
from tests.conftest import DEMO, ROOT
from tests.integration.test_worker_rules import _event, _org
from tests.support.cli import run_cli


@pytest.fixture
def sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with MailSink(tmp_path / "mail") as server:
        monkeypatch.setenv("KAIROS_SMTP__HOST", "127.0.0.1")
        monkeypatch.setenv("KAIROS_SMTP__PORT", str(server.port))
        yield server


def test_a_rehearsal_on_the_demo_org_prints_what_would_fire_when_and_why_and_sends_nothing(
    tmp_path: Path, sink: MailSink, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path / "untouched"))
    args = ["plays", "test", str(ROOT / "content" / "plays"), "--data", str(DEMO), "--from", "2026-03-02",
            "--to", "2026-03-04"]  # fmt: skip
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Rehearsal of 20 valid play(s)" in text and "Nothing is sent." in text
    assert "people.csv, framework.yaml, goals.csv, calendar.ics, reviews.csv, check-ins.csv, plans.csv" in text
    # A brief in the manager's own time, the play and action, the subject line, and why.
    assert "upcoming-one-on-one/manager-brief → nw-" in text
    assert "“Before your 1:1 with" in text
    assert "why: 30 min before the meeting:" in text
    assert "checkin-gap/gap-nudge → nw-" in text  # the February check-ins, still fresh on Monday morning
    assert "By outcome:" in text and "would be sent" in text and "condition_not_met" in text
    assert not list((tmp_path / "mail").glob("*.eml")), "a rehearsal sent mail"
    assert not (tmp_path / "untouched").exists(), "a rehearsal wrote outside its temporary folder"


def test_a_rehearsal_lists_an_invalid_play_and_rehearses_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plays = tmp_path / "plays"
    shutil.copytree(ROOT / "content" / "plays", plays)
    (plays / "broken.yaml").write_text("id: broken\nversion: 1\ntitle: Broken\ntrigger:\n  event: nothing.ever\n")
    code, out, _ = run_cli(["plays", "test", str(plays), "--data", str(DEMO), "--from", "2026-03-02", "--to",
                            "2026-03-02"], capsys)  # fmt: skip
    text = " ".join(out.split())
    assert code == 0
    assert "Rehearsal of 20 valid play(s)" in text
    assert "invalid, not rehearsed: broken:" in text and "trigger/event" in text


def test_a_rehearsal_without_people_says_what_it_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["plays", "test", str(ROOT / "content" / "plays"), "--data", str(tmp_path), "--from",
                            "2026-03-02", "--to", "2026-03-03"], capsys)  # fmt: skip
    assert code == 2 and "people.csv" in err and "--data" in err


@pytest.fixture
def worked(database_url: str, tmp_path: Path, sink: MailSink, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database where the worker ran through a Tuesday: one 1:1 at 10:00 Berlin, an early one at 07:45."""
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    db = open_database(database_url)
    db.migrate()
    _org(db, tmp_path, [_event("m1", "20260303T100000"), _event("m2", "20260303T074500", summary="Early sync")])
    rt = build_runtime(load_settings(), db)
    simulate(rt, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))
    db.dispose()
    return database_url


def _moment_id(database_url: str, action: str, meeting_uid: str) -> int:
    db = open_database(database_url)
    with db.transaction() as conn:
        rows = conn.execute(select(moments.c.id, moments.c.context).where(moments.c.action == action)).all()
    db.dispose()
    return next(r.id for r in rows if r.context.get("meeting", "").startswith(meeting_uid))


def test_trace_shows_every_step_of_one_moment_under_its_path(worked: str, capsys: pytest.CaptureFixture[str]) -> None:
    brief = _moment_id(worked, "manager-brief", "m1")
    code, out, _ = run_cli(["trace", str(brief)], capsys)
    assert code == 0
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[0] == f"moment {brief}: upcoming-one-on-one v1, action manager-brief"
    assert "for boss (manager), about rep" in lines[2]
    assert "due Tue 03 Mar 09:30 Europe/Berlin; expires Tue 03 Mar 10:00 Europe/Berlin" in lines[3]
    assert any(line.startswith("nudge “Before your 1:1 with Rita at 10:00” (delivery delivered)") for line in lines)
    assert "outcome fired" in lines
    steps = [line.split()[0] for line in lines[lines.index("trace:") + 1 :]]
    assert steps[:4] == ["trigger", "audience", "conditions/0", "actions/0/timing"]
    assert steps[-1] == "deliver"
    assert lines[-1] == "deliver done sent: email, Tue 03 Mar 09:30 Europe/Berlin"


def test_explain_lists_a_persons_day_fired_and_skipped_with_reasons(
    worked: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["plays", "explain", "boss", "--date", "2026-03-03"], capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "Bea Boss (boss) on Tue 03 Mar 2026 in Europe/Berlin:" in text
    fired = _moment_id(worked, "manager-brief", "m1")
    assert f"[{fired}] fired: upcoming-one-on-one/manager-brief (for boss, about rep), Tue 03 Mar 09:30" in text
    early = _moment_id(worked, "manager-brief", "m2")
    assert f"[{early}] skipped: quiet_hours: upcoming-one-on-one/manager-brief (for boss, about rep)" in text
    assert "why: skipped: quiet hours (07:15 Europe/Berlin) and no later time before it expires" in text
    assert "Run `kairos trace MOMENT_ID` for every step of one moment." in text


def test_explain_and_trace_name_what_they_could_not_find(worked: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["trace", "99999"], capsys)
    assert code == 2 and "the id of a stored moment" in err and "99999" in err
    code, _, err = run_cli(["plays", "explain", "nobody", "--date", "2026-03-03"], capsys)
    assert code == 2 and "the id of a known person" in err
    code, _, err = run_cli(["plays", "explain", "boss", "--date", "03/03/2026"], capsys)
    assert code == 2 and "--date" in err
