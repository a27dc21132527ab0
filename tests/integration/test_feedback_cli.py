"""Feedback from the command line: every example imports, and `kairos report 360` shows only anonymized results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from tests.conftest import DEMO, EXAMPLES, ROOT
from tests.support.cli import run_cli as _run

runner = CliRunner()
FEEDBACK = EXAMPLES / "feedback"
NOW = "2026-03-02T08:00Z"
# every rater in examples/feedback/three-sixty.csv who is not the subject of their own row
RATER_IDS = {line.split(",")[1] for line in (FEEDBACK / "three-sixty.csv").read_text().splitlines()[8:]}


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    for args in (
        ["init"],
        ["import", "people", str(DEMO / "people.csv"), "--as-of", "2026-03-01", "--now", NOW],
        ["import", "framework", str(DEMO / "framework.yaml"), "--now", NOW],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_every_feedback_example_imports_and_a_second_import_adds_no_events(
    env: None, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command, name, noun in (
        ("360", "three-sixty", "responses"),
        ("reviews", "reviews", "reviews"),
        ("check-ins", "check-ins", "check-ins"),
        ("plans", "plans", "plans"),
    ):
        path = str(FEEDBACK / f"{name}.{suffix}")
        code, out, err = _run(["import", command, path, "--now", NOW], capsys)
        assert code == 0, err
        assert noun in out and "new events" in out and not out.rstrip().endswith(" 0 new events")
        code, out, _ = _run(["import", command, path, "--now", NOW], capsys)
        assert code == 0 and out.rstrip().endswith(" 0 new events")


def test_the_360_report_merges_or_withholds_small_groups_and_names_no_rater(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["import", "360", str(FEEDBACK / "three-sixty.csv"), "--now", NOW], capsys)

    code, out, _ = _run(["report", "360", "spring-2026-leads", "nw-009"], capsys)

    assert code == 0
    assert "others (peer + direct_report)" in out and "withheld" in out
    assert "comments-withheld" in out and "Specific and kind" not in out
    assert not RATER_IDS - {"nw-009"} & set(re.findall(r"nw-\d{3}", out))

    code, out, _ = _run(["report", "360", "spring-2026-leads", "nw-005", "--json"], capsys)

    report = json.loads(out)
    assert report["comments_shown"] and len(report["comments"]) == 4
    assert {g["group"] for c in report["competencies"] for g in c["groups"]} == {
        "self", "manager", "peer", "direct_report"
    }  # fmt: skip
    assert not (RATER_IDS - {"nw-005"}) & set(re.findall(r"nw-\d{3}", out))


def test_a_report_for_an_unknown_campaign_exits_2(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["report", "360", "nope", "nw-005"], capsys)

    assert code == 2 and "no 360 responses" in err


def test_a_bad_360_file_exits_2_naming_row_and_field(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (FEEDBACK / "three-sixty.csv")
        .read_text()
        .replace("nw-006,peer,giving-feedback,4", "nw-006,peer,giving-feedback,9", 1)
    )

    code, _, err = _run(["import", "360", str(bad), "--now", NOW], capsys)

    assert code == 2 and "field 'rating'" in err and "scale 1–4" in err


def test_every_feedback_format_has_a_page_linking_existing_examples() -> None:
    for page in ("three-sixty", "reviews", "check-ins", "development-plans"):
        text = (ROOT / "docs" / "formats" / f"{page}.md").read_text()
        examples = [part.split(")")[0] for part in text.split("](../../")[1:]]
        assert {Path(e).suffix for e in examples} == {".csv", ".json"}, page
        for example in examples:
            assert (ROOT / example).is_file(), f"{page}.md links a missing example: {example}"


def test_report_priorities_counts_the_demo_stages_and_withholds_small_groups(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["import", "reviews", str(DEMO / "reviews.csv"), "--now", NOW],
        ["import", "360", str(DEMO / "three-sixty.csv"), "--now", NOW],
        ["import", "framework", str(EXAMPLES / "frameworks/framework-with-benchmarks.yaml"), "--now", NOW],
    ):
        code, _, err = _run(args, capsys)
        assert code == 0, err
    code, out, err = _run(["report", "priorities", "--as-of", "2026-03-02", "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["framework"] == "northwind-leadership@2026.2"
    by_stage: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for row in report["priorities"]:
        by_stage.setdefault(row["stage"], []).append(row)
    assert [len(by_stage[s]) for s in ("frontline", "mid-level", "senior")] == [4, 5, 4]
    assert by_stage["frontline"][0]["people"] == 39  # IC1–IC3 in the demo organization
    for row in report["priorities"]:
        for key in ("people", "with_evidence", "meeting_now", "with_gap", "closed", "still_open", "pending"):
            assert row[key] is None or row[key] == 0 or row[key] >= report["min_group_size"], (row, key)
    assert by_stage["senior"][0]["people"] == 6  # M2, M3 and E1
    assert any(row[k] is None for row in report["priorities"] for k in ("with_gap", "meeting_now", "closed"))
    code, table, _ = _run(["report", "priorities", "--as-of", "2026-03-02"], capsys)
    assert code == 0 and "withheld" in table and "frontline" in table
