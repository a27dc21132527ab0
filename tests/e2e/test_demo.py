"""``kairos demo`` end to end: the demo organization with its feedback files, two simulated weeks, the report.

The demo runs as a real process, as a user would start it. Its database is then opened to check
that the 360 campaign's anonymity rules visibly apply to the subjects the demo gives too few peers.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kairos.domain.feedback import FeedbackReport
from kairos.ingest.framework import parse_framework_file
from kairos.store import feedback as feedback_store
from kairos.store import open_database
from tests.support.servers import ROOT

DEMO = ROOT / "examples" / "demo-org"
MIN_RATERS, MIN_COMMENT_RATERS = 3, 10  # the defaults of KAIROS_FEEDBACK_MIN_RATERS and …_MIN_COMMENT_RATERS


def _campaign() -> tuple[str, dict[str, Counter[str]]]:
    """The demo campaign's id and, per subject, how many peers rated each competency."""
    lines = (DEMO / "three-sixty.csv").read_text(encoding="utf-8").splitlines()
    header = dict(row[:2] for row in csv.reader(lines[: lines.index("")]))
    peers: dict[str, Counter[str]] = {}
    for row in csv.DictReader(lines[lines.index("") + 1 :]):
        counts = peers.setdefault(row["subject_id"], Counter())
        if row["rater_group"] == "peer" and row["rating"]:
            counts[row["competency_id"]] += 1
    return header["campaign_id"], peers


def _peer_result(report: FeedbackReport, competency_id: str) -> str:
    """How the report shows the peers of one competency: 'shown', 'merged' (into others) or 'withheld'."""
    result = next(c for c in report.competencies if c.competency_id == competency_id)
    if "peer" in result.withheld:
        return "withheld"
    if any("peer" in g.merged for g in result.groups):
        return "merged"
    assert any(g.group == "peer" for g in result.groups), result
    return "shown"


@pytest.mark.e2e
def test_the_demo_imports_the_feedback_files_simulates_and_keeps_small_rater_groups_anonymous(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env["COLUMNS"] = "200"
    result = subprocess.run(
        [sys.executable, "-m", "kairos", "demo", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"kairos demo failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    out = " ".join(result.stdout.split())  # rich wraps long lines at the console's width
    assert "1EdTech CASE (northwind-leadership-case 2026.1, 6 competencies)" in out
    assert "the 360 campaign 'Northwind 360, February 2026' (10 people rated" in out
    assert "15 reviews with" in out and "check-ins" in out and "development plans" in out
    assert "What Kairos sent" in out
    assert "Moments by how they ended:" in out
    assert list((data_dir / "mail").glob("*.eml")), "the demo wrote no .eml files"

    campaign_id, peers = _campaign()
    db = open_database(f"sqlite:///{data_dir / 'kairos.db'}")
    seen: Counter[str] = Counter()
    try:
        with db.transaction() as conn:
            for subject, counts in sorted(peers.items()):
                report = feedback_store.report(
                    conn, campaign_id, subject, min_raters=MIN_RATERS, min_comment_raters=MIN_COMMENT_RATERS
                )
                assert report is not None, subject
                for competency_id, n in counts.items():
                    shown = _peer_result(report, competency_id)
                    seen[shown] += 1
                    # Too few peers are never shown as a group of their own: merged into others, or withheld.
                    assert (shown == "shown") == (n >= MIN_RATERS), (subject, competency_id, n, shown)
                    if shown != "shown":
                        rule = "merged-into-others" if shown == "merged" else "withheld"
                        assert any(r.rule == rule and r.competency_id == competency_id for r in report.rules)
    finally:
        db.dispose()
    # The demo has subjects of every kind: enough peers, too few but merged, too few and withheld.
    assert seen["shown"] and seen["merged"] and seen["withheld"], seen
    _briefs_adapt_to_styles_within_consent(data_dir)


def _briefs_adapt_to_styles_within_consent(data_dir: Path) -> None:
    """Most briefs describe the report's style and cite each fact; nw-012 keeps theirs private, so no brief about
    them does; nw-006 and nw-009 share theirs with their teams, so their reports' tips describe them."""
    from sqlalchemy import select

    from kairos.store.schema import moments, nudges

    db = open_database(f"sqlite:///{data_dir / 'kairos.db'}")
    try:
        with db.transaction() as conn:
            rows = conn.execute(
                select(moments.c.action, moments.c.subject_id, moments.c.recipient_id, nudges.c.text, nudges.c.why)
                .join(nudges, nudges.c.moment_id == moments.c.id)
                .where(moments.c.play_id == "upcoming-one-on-one")
            ).all()
    finally:
        db.dispose()
    briefs = [r for r in rows if r.action == "manager-brief"]
    styled = [r for r in briefs if any(f["source"] == "style" for f in r.why["facts"])]
    assert len(styled) > len(briefs) // 2, (len(styled), len(briefs))
    for r in styled:
        text = " ".join(r.text.split())
        about_subject = [f for f in r.why["facts"] if f["ref"].startswith(f"style/{r.subject_id}/")]
        assert "tends to work, and what it suggests for this 1:1" in text
        assert about_subject and all(f["evidence"] for f in about_subject)
    private = [r for r in rows if r.subject_id == "nw-012" and r.recipient_id != "nw-012"]
    assert private and not any(f["ref"].startswith("style/nw-012/") for r in private for f in r.why["facts"])
    tips = [r for r in rows if r.action == "employee-tip"]
    shared = [r for r in tips if any(f["ref"].startswith(("style/nw-006/", "style/nw-009/")) for f in r.why["facts"])]
    assert shared and all("your manager, has chosen to share how they tend to work" in " ".join(r.text.split())
                          for r in shared)  # fmt: skip
    assert not [r for r in tips if any(f["source"] == "style" for f in r.why["facts"]) and r not in shared]


def test_the_case_package_is_the_demo_framework_under_its_own_id() -> None:
    yaml_framework, _ = parse_framework_file(DEMO / "framework.yaml")
    case_framework, kind = parse_framework_file(DEMO / "framework.case.json")
    assert kind == "case"
    assert (case_framework.id, case_framework.version) == ("northwind-leadership-case", "2026.1")
    assert case_framework.id != yaml_framework.id
    assert [c.id for c in case_framework.competencies] == [c.id for c in yaml_framework.competencies]
    for case, yaml in zip(case_framework.competencies, yaml_framework.competencies, strict=True):
        assert case.definition == yaml.definition
        assert case.name.endswith(yaml.name)  # Kairos puts the CASE code in front: "giving-feedback Giving feedback"
        assert [(lv.level, lv.name, lv.anchors) for lv in case.levels] == [
            (lv.level, lv.name, lv.anchors) for lv in yaml.levels
        ]
