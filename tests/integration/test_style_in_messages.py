"""Through the real worker and a real SMTP sink: briefs and tips adapt to both people's styles, cite every style
fact they use, and never show a fact to someone the person's style-sharing choice excludes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.domain.style import StyleSharing
from kairos.errors import InputError
from kairos.ingest.assessments import import_assessments, set_style_sharing
from kairos.store import Database
from kairos.store.schema import assessments, moments, nudges
from kairos.worker.tick import simulate
from tests.integration.test_worker_rules import BEFORE, _event, _org, _runtime

DISC = "person_id,taken_on,D,I,S,C\nrep,2026-01-10,25,30,55,88\nboss,2026-01-10,86,55,30,35\n"


def _setup(db: Database, tmp: Path, disc: str = DISC) -> None:
    _org(db, tmp, [_event("weekly", "20260303T100000")])
    (tmp / "disc.csv").write_text(disc)
    import_assessments(db, tmp / "disc.csv", now=BEFORE)


def _sent(db: Database, tmp: Path) -> dict[str, tuple[str, dict]]:  # type: ignore[type-arg]
    with MailSink(tmp / "mail") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))
    with db.transaction() as conn:
        rows = conn.execute(select(moments.c.action, nudges.c.text, nudges.c.why).join(nudges)).all()
    return {r.action: (" ".join(r.text.split()), r.why) for r in rows}


def _style_facts(why: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in why["facts"] if f["source"] == "style"]


def test_the_brief_adapts_to_a_high_c_report_and_a_high_d_manager_and_cites_each_fact(
    db: Database, tmp_path: Path
) -> None:
    _setup(db, tmp_path)
    brief, why = _sent(db, tmp_path)["manager-brief"]
    assert "How Rita tends to work, and what it suggests for this 1:1 (from DISC)" in brief
    assert "Rita tends to want" in brief
    cited = _style_facts(why)
    assert cited, "every style fact used is in the why"
    assert all(f["ref"].startswith(("style/rep/disc/", "style/boss/disc/")) for f in cited)
    assert all(f["evidence"].startswith("DISC ") for f in cited)
    for fact in cited:
        if fact["ref"].startswith("style/rep/"):
            assert fact["text"].removeprefix("Rita ") in brief
    # the manager's own high D shows in the pair's likely friction, from both people's facts
    assert "Worth knowing about the two of you" in brief
    assert any(f["ref"].startswith("style/boss/") for f in cited)


def test_a_report_who_keeps_their_style_private_is_not_described_to_their_manager(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    set_style_sharing(db, "rep", StyleSharing.PRIVATE, by="rep", now=BEFORE)
    sent = _sent(db, tmp_path)
    brief, why = sent["manager-brief"]
    assert "tends to" not in brief
    assert not any(f["ref"].startswith("style/rep/") for f in why["facts"])
    assert _style_facts(why) == []


def test_a_managers_style_stays_out_of_the_reports_tip_by_default(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    tip, why = _sent(db, tmp_path)["employee-tip"]
    assert "tends to" not in tip and _style_facts(why) == []


def test_a_manager_who_shares_their_style_with_the_team_is_described_in_the_reports_tip(
    db: Database, tmp_path: Path
) -> None:
    _setup(db, tmp_path)
    set_style_sharing(db, "boss", StyleSharing.TEAM, by="boss", now=BEFORE)
    tip, why = _sent(db, tmp_path)["employee-tip"]
    assert "Bea, your manager, has chosen to share how they tend to work (from DISC)" in tip
    assert {f["ref"].split("/")[1] for f in _style_facts(why)} == {"boss"}


def test_someone_who_opted_out_of_style_personalization_gets_messages_without_it(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    set_style_sharing(db, "rep", StyleSharing.NONE, by="rep", now=BEFORE)
    brief, why = _sent(db, tmp_path)["manager-brief"]
    assert not any(f["ref"].startswith("style/rep/") for f in why["facts"])
    assert "Rita tends" not in brief


def test_only_the_person_may_change_their_style_sharing(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    with pytest.raises(InputError, match="themself"):
        set_style_sharing(db, "rep", StyleSharing.TEAM, by="boss", now=BEFORE)


def test_a_result_for_an_unknown_person_stores_nothing_from_the_file(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    (tmp_path / "bad.csv").write_text("person_id,D,I,S,C\nrep,10,10,10,10\nghost,10,20,30,40\nrep,101,0,0,0\n")
    with pytest.raises(InputError) as caught:
        import_assessments(db, tmp_path / "bad.csv", now=BEFORE)
    assert {(p.row, p.field) for p in caught.value.problems} >= {(3, "person_id"), (4, "D")}
    with db.transaction() as conn:
        assert sorted(conn.execute(select(assessments.c.person_id)).scalars()) == ["boss", "rep"]


def test_importing_the_same_results_again_adds_nothing(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    again = import_assessments(db, tmp_path / "disc.csv", now=BEFORE)
    assert (again.results, again.new, again.events) == (2, 0, 0)
