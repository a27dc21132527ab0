"""`kairos import assessments` and `kairos style`: every example imports; profiles, pairs and teams show only what
each person's style-sharing choice allows the viewer to see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DEMO, EXAMPLES
from tests.support.cli import run_cli

NOW = "2026-03-02T08:00Z"


@pytest.fixture
def demo(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    for args in (["init"], ["import", "people", str(DEMO / "people.csv"), "--as-of", "2026-03-01", "--now", NOW]):
        code, _, err = run_cli(args, capsys)
        assert code == 0, err


def test_every_assessment_example_and_the_demo_files_import_and_a_second_import_adds_nothing(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted((EXAMPLES / "assessments").iterdir()) + sorted((DEMO / "assessments").glob("*.csv"))
    assert len(files) == 13
    for path in files:
        code, out, err = run_cli(["import", "assessments", str(path), "--now", NOW], capsys)
        assert code == 0, (path, err)
        code, again, err = run_cli(["import", "assessments", str(path), "--now", NOW], capsys)
        assert code == 0 and "(0 new), 0 new events" in again, (path, again)


def test_a_bad_file_is_refused_with_file_row_and_field(
    demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "strengths.csv"
    bad.write_text("email,theme_1,theme_2,theme_3,theme_4,theme_5\n"
                   "grace.foster@northwind.example,Achiever,Focus,Achiever,Wizardry,Woo\n")  # fmt: skip
    code, _, err = run_cli(["import", "assessments", str(bad), "--now", NOW], capsys)
    assert code != 0
    assert "strengths.csv, row 2, field 'theme_3'" in " ".join(err.split())
    assert "row 2, field 'theme_4'" in " ".join(err.split())


def _import_demo(capsys: pytest.CaptureFixture[str]) -> None:
    for path in sorted((DEMO / "assessments").glob("*.csv")):
        assert run_cli(["import", "assessments", str(path), "--now", NOW], capsys)[0] == 0


def test_style_show_names_instrument_and_score_and_respects_the_persons_choice(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _import_demo(capsys)
    code, out, _ = run_cli(["style", "show", "nw-027", "--as", "nw-006", "--json"], capsys)  # Eleni, by her manager
    facts = json.loads(out)
    assert code == 0 and facts and all(f["instrument"] == "disc" and f["evidence"].startswith("DISC") for f in facts)
    assert all(f["statement"].startswith(("tends", "often", "may", "usually", "prefers", "likes", "values", "can"))
               for f in facts)  # fmt: skip
    code, out, _ = run_cli(["style", "show", "nw-027", "--as", "nw-022"], capsys)  # a peer: default is manager only
    assert code == 0 and "does not include nw-022" in out and "tends" not in out
    assert run_cli(["style", "sharing", "nw-027", "team", "--by", "nw-027", "--now", NOW], capsys)[0] == 0
    code, out, _ = run_cli(["style", "show", "nw-027", "--as", "nw-022"], capsys)
    assert "tends" in out
    code, _, err = run_cli(["style", "sharing", "nw-027", "none", "--by", "nw-006"], capsys)
    assert code != 0 and "themself" in err


def test_style_team_names_only_members_whose_consent_includes_the_viewer(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _import_demo(capsys)
    assert run_cli(["style", "sharing", "nw-027", "private", "--by", "nw-027", "--now", NOW], capsys)[0] == 0
    code, out, err = run_cli(["style", "team", "Customer Success", "--as", "nw-006", "--newcomer", "nw-028"], capsys)
    assert code == 0, err
    assert "Eleni" not in out and "nw-027" not in out
    assert "1 more member not shown here" in " ".join(out.split()) or "not shown here" in out
    assert "Julien" in out  # the newcomer, visible to their manager
    code, out, _ = run_cli(["style", "team", "Customer Success", "--as", "nw-022"], capsys)  # a peer sees no one
    assert code == 0 and "Eleni" not in out and "Funmilayo" not in out and "not shown here" in out


def test_style_pair_gives_advice_from_both_profiles_with_the_facts_behind_each_line(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _import_demo(capsys)
    code, out, _ = run_cli(["style", "pair", "nw-006", "nw-027"], capsys)
    assert code == 0
    assert "How Grace may adapt to Eleni:" in out and "from: style/nw-027/disc/" in out
    assert "Likely friction:" in out and "style/nw-006/" in out
