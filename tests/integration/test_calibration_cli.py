"""Calibration from the command line, on the demo organization: create, import, and a report that names no manager."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from tests.conftest import DEMO, EXAMPLES
from tests.support.cli import run_cli as _run

runner = CliRunner()
CALIBRATION = EXAMPLES / "calibration"
EXERCISE_ID = "northwind-levels-2026-q2"
NOW = "2026-03-02T08:00Z"
PERSON = re.compile(r"nw-\d{3}")


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    for args in (
        ["init"],
        ["import", "people", str(DEMO / "people.csv"), "--as-of", "2026-03-01", "--now", NOW],
        ["import", "framework", str(DEMO / "framework.yaml"), "--now", NOW],
        ["calibration", "create", str(CALIBRATION / "northwind-2026.yaml"), "--now", NOW],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output


def _report(capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    code, out, err = _run(["calibration", "report", EXERCISE_ID, "--json", *extra], capsys)
    assert code == 0, err
    return json.loads(out)


def _example(report: Any, example_id: str) -> Any:
    return next(e for e in report["examples"] if e["example_id"] == example_id)


def test_the_demo_exercise_and_both_placement_files_import_and_a_second_import_adds_nothing(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["calibration", "create", str(CALIBRATION / "northwind-2026.yaml")], capsys)
    assert code == 0 and "9 examples on northwind-leadership 2026.1 (unchanged)" in out
    for name, placements, completed in (("placements.csv", 47, 4), ("placements.json", 11, 1)):
        code, out, err = _run(["calibration", "import", str(CALIBRATION / name), "--now", NOW], capsys)
        assert code == 0, err
        assert out.rstrip().endswith(f"{placements} placements stored, {completed} new events")
        code, out, _ = _run(["calibration", "import", str(CALIBRATION / name), "--now", NOW], capsys)
        assert code == 0 and out.rstrip().endswith("0 placements stored, 0 new events")


def test_an_example_placed_by_four_managers_is_withheld_until_a_fifth_places_it(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["calibration", "import", str(CALIBRATION / "placements.csv"), "--now", NOW], capsys)
    code, text, _ = _run(["calibration", "report", EXERCISE_ID], capsys)
    four = _report(capsys)

    assert code == 0 and "Placed: withheld: fewer than 5 managers" in text
    risk = _example(four, "sa-renewal-risk")
    assert risk["distribution"] == [] and risk["agreement"] is None
    assert "Flags risks to scope or dates as soon as they are known" in str(risk["key"])  # the framework's words

    _run(["calibration", "import", str(CALIBRATION / "placements.json"), "--now", NOW], capsys)
    five = _report(capsys)

    risk = _example(five, "sa-renewal-risk")
    assert [c["count"] for c in risk["distribution"]] == [2, 0, 2, 1]
    assert risk["wide_disagreement"] and five["flagged"] == ["sa-renewal-risk"]


def test_the_talent_team_report_names_no_manager(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("placements.csv", "placements.json"):
        _run(["calibration", "import", str(CALIBRATION / name), "--now", NOW], capsys)

    code, text, _ = _run(["calibration", "report", EXERCISE_ID], capsys)
    report = _report(capsys)

    assert code == 0 and "Rules applied:" in text and "individual-placements-private" in text
    assert not PERSON.findall(text) and not PERSON.findall(json.dumps(report))
    assert report["own"] is None and report["managers_taking_part"] == 8 and report["managers_completed"] == 5


def test_a_managers_own_view_shows_their_placements_and_no_other_manager(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("placements.csv", "placements.json"):
        _run(["calibration", "import", str(CALIBRATION / name), "--now", NOW], capsys)

    code, text, _ = _run(["calibration", "report", EXERCISE_ID, "--manager", "nw-006"], capsys)
    report = _report(capsys, "--manager", "nw-006")

    assert code == 0 and "You: level 1 (-1 from the key)" in text and "not placed yet: sa-renewal-risk" in text
    assert set(PERSON.findall(text)) == {"nw-006"} and set(PERSON.findall(json.dumps(report))) == {"nw-006"}
    own = report["own"]
    assert own["unplaced"] == ["sa-renewal-risk"] and len(own["placements"]) == 8


def test_the_minimum_group_size_comes_from_the_setting(
    env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("placements.csv", "placements.json"):
        _run(["calibration", "import", str(CALIBRATION / name), "--now", NOW], capsys)
    monkeypatch.setenv("KAIROS_MIN_GROUP_SIZE", "8")

    report = _report(capsys)

    assert report["min_group_size"] == 8 and report["overall"] is None
    assert all(e["withheld"] == "withheld: fewer than 8 managers" for e in report["examples"])


def test_a_bad_placements_file_exits_2_naming_row_and_field_and_stores_nothing(
    env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "exercise_id,manager_id,example_id,level\n"
        f"{EXERCISE_ID},nw-002,fb-same-day-thanks,2\n"
        f"{EXERCISE_ID},nw-011,fb-same-day-thanks,2\n"  # a principal engineer: manages nobody
        f"{EXERCISE_ID},nw-002,cw-vague-ticket,7\n",
        encoding="utf-8",
    )

    code, _, err = _run(["calibration", "import", str(bad)], capsys)
    err = " ".join(err.split())  # the console wraps long lines

    assert code == 2
    assert "row 3, field 'manager_id'" in err and "manages nobody" in err
    assert "row 4, field 'level'" in err and "a level of clear-writing" in err
    assert _report(capsys)["managers_taking_part"] == 0


def test_a_bad_exercise_file_exits_2_naming_line_and_field(
    env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "exercise.yaml"
    bad.write_text((CALIBRATION / "northwind-2026.yaml").read_text().replace("key: 3", "key: 6", 1), encoding="utf-8")

    code, _, err = _run(["calibration", "create", str(bad)], capsys)
    err = " ".join(err.split())

    assert code == 2 and "field 'examples[1].key'" in err and "1 Learning, 2 Practising, 3 Skilled, 4 Role model" in err


def test_a_report_on_an_unknown_exercise_exits_2(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["calibration", "report", "nope"], capsys)

    assert code == 2 and "no calibration exercise nope" in err
