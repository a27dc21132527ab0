"""The command line as a person meets it: clear errors, exit codes, nothing stored from a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from tests.factories import people_csv
from tests.support.cli import run_cli as _run

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    return {}


def test_a_bad_people_file_exits_2_naming_file_row_and_field_and_stores_nothing(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = people_csv(
        tmp_path / "bad.csv",
        [
            "a,Ann,ann@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "b,Bo,bo@example.com,a,Dev,IC2,Core,Berlin,Mars/Olympus,2021-01-01",
        ],
        bom=True,
    )
    code, _, err = _run(["import", "people", str(bad), "--as-of", "2026-03-02"], capsys)
    assert code == 2
    assert "bad.csv, row 3, field 'time_zone': got 'Mars/Olympus'; expected an IANA time zone" in " ".join(err.split())
    good = people_csv(tmp_path / "good.csv", ["a,Ann,ann@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2020-01-01"])
    code, out, _ = _run(["import", "people", str(good), "--as-of", "2026-03-02"], capsys)
    assert code == 0 and "person.imported" in out and "1 new events" in out


def test_an_invalid_setting_is_named_with_its_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAIROS_WEEKLY_CAP", "-1")
    monkeypatch.setenv("KAIROS_DEFAULT_TIME_ZONE", "Europe/Atlantis")
    code, _, err = _run(["init"], capsys)
    assert code == 2
    assert "KAIROS_WEEKLY_CAP" in err and "KAIROS_DEFAULT_TIME_ZONE" in err and "Europe/Atlantis" in err


def test_the_shipped_play_library_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["plays", "validate"], capsys)
    assert code == 0 and "upcoming-one-on-one" in out and "invalid" not in out


def test_a_frozen_clock_needs_a_time_zone(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["run", "--once", "--now", "2026-03-02T08:00"], capsys)
    assert code == 2 and "has no time zone" in err


def test_a_dry_run_shows_the_changes_and_stores_nothing(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = people_csv(tmp_path / "a.csv", ["a,Ann,ann@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2020-01-01"])
    _run(["import", "people", str(first), "--as-of", "2026-03-02"], capsys)
    second = people_csv(
        tmp_path / "b.csv",
        [
            "a,Ann,ann@example.com,,Lead,M2,Core,Berlin,Europe/Berlin,2020-01-01",
            "b,Bo,bo@example.com,a,Dev,IC2,Core,Berlin,Europe/Berlin,2021-01-01",
        ],
    )
    code, out, _ = _run(["import", "people", str(second), "--as-of", "2026-03-03", "--dry-run"], capsys)
    assert code == 0 and "dry run: nothing stored" in out
    assert "person.promoted" in out and "person.hired" in out and "person.first_direct_report" in out
    code, out, _ = _run(["import", "people", str(second), "--as-of", "2026-03-03"], capsys)
    assert "3 new events" in out  # promoted, hired, first direct report: the dry run stored none of them


def test_the_data_readiness_audit_names_each_source_and_its_gaps(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code, out, _ = _run(["audit", "data", "--json"], capsys)
    empty = json.loads(out)
    assert code == 0 and empty["ready"] is False
    assert {s["source"] for s in empty["sources"]} == {
        "people",
        "competency framework",
        "development goals",
        "calendars",
        "assessments",
        "learning records",
    }
    people = people_csv(
        tmp_path / "p.csv",
        [
            "a,Ann,ann@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "b,Bo,bo@example.com,a,Dev,IC2,Core,Berlin,Europe/Berlin,2021-01-01",
        ],
    )
    _run(["import", "people", str(people), "--as-of", "2026-03-02"], capsys)
    code, out, _ = _run(["audit", "data", "--json"], capsys)
    report = {s["source"]: s for s in json.loads(out)["sources"]}
    assert report["people"]["present"] and report["people"]["accessible"] == "manual file"
    assert report["people"]["records"] == 2 and report["people"]["current"] is True
    assert report["competency framework"]["gaps"] and not report["assessments"]["present"]
    code, out, _ = _run(["audit", "data"], capsys)
    assert "Data readiness" in out and "Not ready" in out
