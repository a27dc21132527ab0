"""A promotion, through the real worker and a real SMTP server, becomes a transition nudge quoting what the
organization's framework expects at the new level."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from kairos.demo.mail_sink import MailSink
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.schema import nudges
from kairos.worker.tick import simulate
from tests.factories import people_csv
from tests.integration.test_worker_rules import _runtime

ROOT = Path(__file__).resolve().parents[2]
BOSS = "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01"


def test_a_promotion_nudge_quotes_the_anchors_the_new_level_expects_and_cites_the_framework(
    db: Database, tmp_path: Path
) -> None:
    before = datetime(2026, 3, 1, tzinfo=UTC)
    rep = "rep,Rita Report,rep@example.com,boss,Engineer,{level},Core,Berlin,Europe/Berlin,2022-01-01"
    import_people(
        db, people_csv(tmp_path / "a.csv", [BOSS, rep.format(level="IC2")]), as_of=date(2026, 3, 1), now=before
    )
    framework, _ = import_framework(db, ROOT / "examples/frameworks/framework-with-benchmarks.yaml", now=before)
    import_people(db, people_csv(tmp_path / "b.csv", [BOSS, rep.format(level="IC3")]), as_of=date(2026, 3, 4),
                  now=before)  # fmt: skip
    with MailSink(tmp_path / "mail") as sink:
        simulate(_runtime(db, sink.port), datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC))
    with db.transaction() as conn:
        [nudge] = conn.execute(select(nudges)).all()
        stored = framework_store.get(conn, framework.id, framework.version)
    assert stored is not None
    expected = {c.id: stored.expected_level(c.id, None, "IC3") for c in stored.competencies}
    raised = [c for c in stored.competencies
              if (expected[c.id] or 0) > (stored.expected_level(c.id, None, "IC2") or 0)]  # fmt: skip
    assert raised, "the example framework raises expectations from IC2 to IC3"
    text = " ".join(nudge.text.split())
    quoted = [c for c in raised if c.level(expected[c.id]).anchors[0] in text]  # type: ignore[union-attr]
    assert len(quoted) == min(3, len(raised))
    assert nudge.why["benchmark_framework"]["version"] == framework.version
    assert [path.name for path in (tmp_path / "mail").glob("*.eml")] == ["0001-rep@example.com.eml"]
