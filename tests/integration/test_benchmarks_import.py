"""Role benchmarks for a CASE-imported framework, and the promotion nudge that quotes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.errors import InputError
from kairos.ingest.benchmarks import import_benchmarks
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.schema import nudges
from kairos.worker.tick import simulate
from tests.factories import people_csv
from tests.integration.test_worker_rules import _runtime

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "examples" / "demo-org" / "framework.case.json"
BENCHMARKS = ROOT / "examples" / "frameworks" / "benchmarks.csv"
BEFORE = datetime(2026, 3, 1, tzinfo=UTC)


def test_benchmarks_for_a_case_framework_are_stored_as_a_new_version_and_the_old_one_stays(db: Database) -> None:
    case, _ = import_framework(db, CASE, now=BEFORE)
    stored, new = import_benchmarks(db, BENCHMARKS, framework_id=case.id, base_version=case.version,
                                    new_version=f"{case.version}-benchmarks", now=BEFORE)  # fmt: skip
    assert new and stored.version == f"{case.version}-benchmarks"
    assert stored.expected_level("decision-making", "Engineer", "IC3") == 2
    assert stored.expected_level("coaching-others", "Engineering Manager", "M1") == 3
    assert stored.expected_level("decision-making", "Engineer", "IC2") == 1  # the default row
    with db.transaction() as conn:
        original = framework_store.get(conn, case.id, case.version)
    assert original is not None and not original.benchmarks
    assert [c.source_id for c in stored.competencies] == [c.source_id for c in original.competencies]


def test_a_bad_benchmark_row_names_row_and_field_and_stores_nothing(db: Database, tmp_path: Path) -> None:
    case, _ = import_framework(db, CASE, now=BEFORE)
    bad = tmp_path / "bad.csv"
    bad.write_text("role,level,competency_id,expected_level\n,IC3,giving-feedback,9\n,IC3,listening,2\n")
    with pytest.raises(InputError) as error:
        import_benchmarks(db, bad, framework_id=case.id, base_version=case.version, new_version="b", now=BEFORE)
    fields = {(p.row, p.field) for p in error.value.problems}
    assert fields == {(2, "expected_level"), (3, "competency_id")}
    with db.transaction() as conn:
        assert framework_store.get(conn, case.id, "b") is None


def test_a_promotion_quotes_the_raised_benchmarks_of_a_case_imported_framework(db: Database, tmp_path: Path) -> None:
    boss = "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01"
    rep = "rep,Rita Report,rep@example.com,boss,Engineer,{level},Core,Berlin,Europe/Berlin,2022-01-01"
    import_people(db, people_csv(tmp_path / "a.csv", [boss, rep.format(level="IC2")]), as_of=date(2026, 3, 1),
                  now=BEFORE)  # fmt: skip
    case, _ = import_framework(db, CASE, now=BEFORE)
    with_benchmarks, _ = import_benchmarks(db, BENCHMARKS, framework_id=case.id, base_version=case.version,
                                           new_version="2026.1-b", now=BEFORE.replace(hour=1))  # fmt: skip
    import_people(db, people_csv(tmp_path / "b.csv", [boss, rep.format(level="IC3")]), as_of=date(2026, 3, 4),
                  now=BEFORE)  # fmt: skip
    with MailSink(tmp_path / "mail") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC))
    with db.transaction() as conn:
        [nudge] = conn.execute(select(nudges)).all()
    text = " ".join(nudge.text.split())
    for competency_id in ("giving-feedback", "clear-writing", "decision-making"):
        competency = with_benchmarks.competency(competency_id)
        assert competency is not None
        level = competency.level(with_benchmarks.expected_level(competency_id, "Engineer", "IC3") or 0)
        assert level is not None and level.anchors[0] in text
    assert nudge.why["benchmark_framework"] == {"id": case.id, "version": "2026.1-b", "name": case.name}
    assert all(f["ref"].startswith(f"{case.id}@2026.1-b/") for f in nudge.why["facts"] if f["source"] == "benchmark")
