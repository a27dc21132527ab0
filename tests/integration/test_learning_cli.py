"""`kairos import catalog` and `kairos import xapi`: the example files import, errors are located, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from kairos.store.schema import events, learning_catalog, xapi_statements
from tests.conftest import DEMO, EXAMPLES
from tests.support.cli import run_cli

NOW = "2026-03-06T08:00Z"
LEARNING = EXAMPLES / "learning"


@pytest.fixture
def demo(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    for args in (
        ["init"],
        ["import", "people", str(DEMO / "people.csv"), "--as-of", "2026-03-01", "--now", NOW],
        ["import", "framework", str(DEMO / "framework.yaml"), "--now", NOW],
    ):
        code, _, err = run_cli(args, capsys)
        assert code == 0, err
    return database_url


def count(url: str, table: object, *where: object) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_statements_imported_before_the_catalog_become_events_when_it_arrives(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["import", "xapi", str(LEARNING / "statements.json"), "--now", NOW], capsys)
    assert code == 0, err
    assert "4 statements (4 new, 1 of them about no known person); 0 new learning.completed events" in out
    code, out, err = run_cli(["import", "catalog", str(LEARNING / "catalog.csv"), "--now", NOW], capsys)
    assert code == 0, err
    assert "6 activities (6 new) checked against framework northwind-leadership 2026.1; 2 new" in " ".join(out.split())
    for args in (
        ["import", "xapi", str(LEARNING / "statements.json")],
        ["import", "catalog", str(LEARNING / "catalog.csv")],
    ):
        code, out, err = run_cli([*args, "--now", NOW], capsys)
        assert code == 0 and "0 new" in out, err
    assert count(demo, xapi_statements) == 4 and count(demo, learning_catalog) == 6
    assert count(demo, events, events.c.type == "learning.completed") == 2


def test_a_catalog_error_names_file_row_and_field_and_stores_nothing(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "catalog.csv"
    bad.write_text("activity_id,title,competencies,levels\n"
                   "https://learn.example.com/a,Listening,active-listening,2\n"
                   "https://learn.example.com/b,Feedback,giving-feedback,9\n")  # fmt: skip
    code, _, err = run_cli(["import", "catalog", str(bad), "--now", NOW], capsys)
    text = " ".join(err.split())
    assert code == 2
    assert f"{bad}, row 2, field 'competencies': got 'active-listening'; expected competency ids of framework" in text
    assert f"{bad}, row 3, field 'levels': got '9'; expected levels from 1 to 4" in text
    assert count(demo, learning_catalog) == 0


def test_a_statements_file_is_imported_all_or_nothing_naming_index_and_path(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statements = json.loads((LEARNING / "statements.json").read_text())
    statements[2]["result"]["duration"] = "12 minutes"
    bad = tmp_path / "statements.json"
    bad.write_text(json.dumps(statements))
    code, _, err = run_cli(["import", "xapi", str(bad), "--now", NOW], capsys)
    assert code == 2
    assert f"{bad}, field '$[2].result.duration': got '12 minutes'; expected an ISO 8601 duration" in " ".join(
        err.split()
    )
    assert count(demo, xapi_statements) == 0


def test_a_statement_id_stored_with_other_content_refuses_the_whole_file(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["import", "xapi", str(LEARNING / "statements.json"), "--now", NOW], capsys)[0] == 0
    lines = [json.dumps(s) for s in json.loads((LEARNING / "statements.json").read_text())]
    changed = json.loads(lines[1])
    changed["verb"]["id"] = "http://adlnet.gov/expapi/verbs/failed"
    extra = {"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
             "object": {"id": "https://learn.example.com/x"}}  # fmt: skip
    ndjson = tmp_path / "statements.ndjson"
    ndjson.write_text("\n".join([json.dumps(extra), json.dumps(changed)]) + "\n")
    code, _, err = run_cli(["import", "xapi", str(ndjson), "--now", NOW], capsys)
    assert code == 2
    assert (
        f"{ndjson}, row 2, field '$.id': got '{changed['id']}'; expected a statement id not already stored"
        in " ".join(err.split())
    )
    assert count(demo, xapi_statements) == 4
