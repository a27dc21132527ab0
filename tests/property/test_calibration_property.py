"""Calibration: any input is an exercise, placements or an InputError, never a crash; and no aggregate is ever
computed over fewer managers than the minimum group size, in any view.

The strategies start from valid files and corrupt them a little, so generated inputs get past the
first line and reach the deeper checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kairos.domain.calibration import CalibrationExample, Exercise, Placement, calibration_report, completed_managers
from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.errors import InputError
from kairos.ingest.calibration import (
    Context,
    create_exercise,
    import_placements,
    parse_exercise_text,
    parse_placements_text,
)
from kairos.store import Database
from kairos.store.schema import calibration_placements, events
from tests.factories import framework
from tests.integration.test_calibration_store import EXERCISE as STORED_EXERCISE_YAML
from tests.integration.test_calibration_store import org as org  # noqa: F401 - the fixture, for the DB property
from tests.unit.test_calibration_files import EXERCISE_YAML

T = TypeVar("T")
QUICK = settings(max_examples=200, deadline=None)
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FRAMEWORK = framework()  # acme 2026.1, giving-feedback with levels 1–4


def lookup(fid: str, version: str) -> Framework | None:
    return FRAMEWORK if (fid, version) == (FRAMEWORK.id, FRAMEWORK.version) else None


def never_crashes(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run ``call``: returning is fine, InputError is fine; any other exception fails the property."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        assert exc.problems
        assert len(str(exc)) < 20_000
        return None


NOISE = st.sampled_from([",", '"', "\n", "\r\n", ";", " ", "  ", "\t", ":", "- ", "{", "[", "'", "\ufeff", "é",
                         "&a", "*a", "!!python/object:os.system", "x" * 3000, "key: 9", "id: fb-1"])  # fmt: skip
SOME_TEXT = st.text(max_size=12)
YAML_VALUES = st.sampled_from(["", "2", "0", "5", "-1", "2.5", "true", "~", "[]", "{}", "giving-feedback", "acme",
                               '"2026.1"', "2026.1", "fb-1", "x y", "yes"]) | SOME_TEXT  # fmt: skip


@st.composite
def exercise_text(draw: st.DrawFn) -> str:
    lines = EXERCISE_YAML.splitlines()
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):  # replace a few values
        index = draw(st.integers(0, len(lines) - 1))
        if ":" in lines[index]:
            lines[index] = lines[index].split(":", 1)[0] + ": " + draw(YAML_VALUES)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # drop or duplicate a line
        index = draw(st.integers(0, len(lines) - 1))
        lines[index : index + 1] = [] if draw(st.booleans()) else [lines[index]] * 2
    text = "\n".join(lines)
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "".join(draw(st.lists(NOISE | SOME_TEXT, max_size=3))) + text[at:]
    return text


@QUICK
@given(exercise_text() | st.text(max_size=300))
@example(EXERCISE_YAML)
@example("exercise:\n  id: a\n  name: b\n  framework: acme\n  version: '2026.1'\nexamples:\n  - {id: x, key: 1}\n")
@example("&a [*a, *a]")
def test_any_exercise_text_is_an_exercise_or_an_input_error_never_a_crash(text: str) -> None:
    exercise = never_crashes(parse_exercise_text, text, "cal.yaml", lookup)
    event("parsed" if exercise is not None else "rejected")
    if exercise is not None:
        assert (exercise.framework_id, exercise.framework_version) == ("acme", "2026.1")
        assert exercise.examples and len({e.id for e in exercise.examples}) == len(exercise.examples)
        for e in exercise.examples:
            competency = FRAMEWORK.competency(e.competency_id)
            assert competency is not None and competency.level(e.key_level) is not None and e.behavior


# --- placements ------------------------------------------------------------------------------------------

EXERCISE = parse_exercise_text(EXERCISE_YAML, "cal.yaml", lookup)
STATUSES = {"m1": "active", "m2": "leave", "m3": "active", "p1": "active", "gone": "terminated"}
CONTEXT = Context(
    {"cal-1": (EXERCISE, FRAMEWORK)}, STATUSES, frozenset({"m1", "m2", "m3", "gone"}), {("cal-1", "m2", "fb-1"): 2}
)
COLUMNS = ("exercise_id", "manager_id", "example_id", "level")
CELLS = {
    "exercise_id": ["cal-1", "cal-2", "", "CAL-1"],
    "manager_id": ["m1", "m2", "m3", "p1", "gone", "ghost", ""],
    "example_id": ["fb-1", "fb-2", "fb-3", ""],
    "level": ["1", "2", "3", "4", "5", "0", "-1", "", "2.5", "Level 2", "level 4", "Expert", "²", "1" * 30],
}


def quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


@st.composite
def placement_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    pairs = [(m, e) for m in ("m1", "m2", "m3") for e in ("fb-1", "fb-2")]
    for manager, example_id in draw(
        st.lists(st.sampled_from(pairs), unique=True, min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=6)
    ):
        stored = CONTEXT.stored.get(("cal-1", manager, example_id))  # mostly the level stored earlier
        level = stored if stored is not None and draw(st.integers(0, 3)) else draw(st.integers(1, 4))
        row = {"exercise_id": "cal-1", "manager_id": manager, "example_id": example_id, "level": str(level)}
        for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=draw(st.sampled_from([0, 0, 0, 0, 1, 2])))):
            row[column] = draw(st.sampled_from(CELLS[column]) | SOME_TEXT)
        rows.append(row)
    return rows


@st.composite
def placements_csv(draw: st.DrawFn) -> str:
    columns = list(COLUMNS)
    if draw(st.integers(0, 5)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(1, len(columns)))]
    lines = [",".join(columns)] + [",".join(quote(r[c]) for c in columns) for r in draw(placement_rows())]
    text = "\n".join(lines)
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "".join(draw(st.lists(NOISE | SOME_TEXT, max_size=3))) + text[at:]
    return text


JSON_SCALARS = st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | SOME_TEXT


@st.composite
def placements_json(draw: st.DrawFn) -> str:
    items: list[object] = []
    for row in draw(placement_rows()):
        item: dict[str, object] = {k: v for k, v in row.items() if draw(st.integers(0, 29))}
        if draw(st.integers(0, 9)) == 0:
            item[draw(st.sampled_from([*COLUMNS, "extra"]))] = draw(JSON_SCALARS)
        items.append(item if draw(st.integers(0, 9)) else draw(JSON_SCALARS))
    return json.dumps({"placements": items} if draw(st.booleans()) else items)


@QUICK
@given(
    st.one_of(
        placements_csv().map(lambda t: (t, "p.csv")),
        placements_json().map(lambda t: (t, "p.json")),
        st.text(max_size=200).map(lambda t: (t, "p.csv")),
        st.text(max_size=200).map(lambda t: (t, "p.json")),
    )
)
@example(("exercise_id,manager_id,example_id,level\ncal-1,m1,fb-1,2\n", "p.csv"))
@example(('{"placements": "x"}', "p.json"))
def test_any_placements_input_is_placements_or_an_input_error_never_a_crash(given_input: tuple[str, str]) -> None:
    found = never_crashes(parse_placements_text, *given_input, CONTEXT)
    event("parsed" if found is not None else "rejected")
    for exercise_id, batch in (found or {}).items():
        assert exercise_id == "cal-1" and batch
        assert len({(p.manager_id, p.example_id) for p in batch}) == len(batch)
        for p in batch:
            assert p.manager_id in CONTEXT.managers and STATUSES[p.manager_id] != "terminated"
            assert 1 <= p.level <= 4 and EXERCISE.example(p.example_id) is not None
            assert CONTEXT.stored.get(("cal-1", p.manager_id, p.example_id), p.level) == p.level


# --- the privacy rule ----------------------------------------------------------------------------------------


def _competency(cid: str, levels: int) -> Competency:
    return Competency(cid, cid.title(), "Defined.", tuple(ProficiencyLevel(n, f"L{n}", (f"{cid} {n}",))
                                                          for n in range(1, levels + 1)))  # fmt: skip


PRIVACY_FRAMEWORK = Framework("f", "F", "1", (_competency("a", 3), _competency("b", 5)))
PRIVACY_EXERCISE = Exercise(
    "x", "X", "f", "1",
    tuple(CalibrationExample(f"e{n}", "a" if n < 3 else "b", 2, f"Did {n}.") for n in range(5)),
)  # fmt: skip
MANAGER_IDS = [f"mgr-{n:02d}" for n in range(12)]


@st.composite
def placements(draw: st.DrawFn) -> list[Placement]:
    """Each manager places some of the examples; often several, so groups cross the threshold either way."""
    found = []
    for manager in draw(st.lists(st.sampled_from(MANAGER_IDS), unique=True, max_size=12)):
        for e in draw(st.lists(st.sampled_from(PRIVACY_EXERCISE.examples), unique=True)):
            top = 3 if e.competency_id == "a" else 5
            found.append(Placement(manager, e.id, draw(st.integers(1, top))))
    return found


@settings(max_examples=400, deadline=None)
@given(placements(), st.integers(2, 8), st.none() | st.sampled_from(MANAGER_IDS))
def test_no_aggregate_is_ever_computed_over_fewer_managers_than_the_minimum(
    given_placements: list[Placement], minimum: int, viewer: str | None
) -> None:
    report = calibration_report(PRIVACY_EXERCISE, PRIVACY_FRAMEWORK, given_placements, min_group_size=minimum,
                                manager_id=viewer)  # fmt: skip
    shown_placements: dict[str, list[Placement]] = {}
    for result in report.examples:
        placed = [p for p in given_placements if p.example_id == result.example_id]
        others = {p.manager_id for p in placed} - {viewer}
        assert result.shown == (len(others) >= minimum)  # the viewer never counts toward their own group
        if result.shown:
            assert result.agreement is not None and result.agreement.managers == len({p.manager_id for p in placed})
            assert sum(n for _, n in result.distribution) == len(placed)
            shown_placements.setdefault(result.competency_id, []).extend(placed)
        else:
            assert result.distribution == () and result.agreement is None
            assert not result.wide_disagreement and not result.off_key
            assert result.withheld == f"withheld: fewer than {minimum} managers"
    for competency in report.competencies:
        mine = shown_placements.get(competency.competency_id, [])
        if competency.agreement is None:
            assert not mine
            continue
        # computed from shown examples only: nothing withheld can be recovered by subtraction
        assert competency.agreement.placements == len(mine)
        assert competency.agreement.managers >= minimum
    every = [p for batch in shown_placements.values() for p in batch]
    assert (report.overall is None) == (not every)
    if report.overall is not None:
        assert report.overall.placements == len(every) and report.overall.managers >= minimum
    assert set(report.flagged) <= {r.example_id for r in report.examples if r.shown}
    # one by one, only the viewer's own placements appear: no other manager is named anywhere
    text = json.dumps(report.as_dict())
    assert not {m for m in MANAGER_IDS if m != viewer and m in text}
    if viewer is not None:
        assert report.own is not None
        assert {(p.example_id, p.level) for p in report.own.placements} == {
            (p.example_id, p.level) for p in given_placements if p.manager_id == viewer
        }  # fmt: skip
    assert report.managers_completed == len(completed_managers(PRIVACY_EXERCISE, given_placements))


# --- nothing from a rejected file is stored ---------------------------------------------------------------


@WITH_DB
@given(placements_csv())
def test_a_rejected_placements_file_stores_nothing(org: Database, tmp_path_factory: object, text: str) -> None:  # noqa: F811
    root = Path(tmp_path_factory.mktemp("calibration"))  # type: ignore[attr-defined]
    exercise = root / "exercise.yaml"
    exercise.write_text(STORED_EXERCISE_YAML, encoding="utf-8")
    create_exercise(org, exercise, now=NOW)  # the same exercise each time: stored once, then unchanged
    path = root / "placements.csv"
    path.write_text(text.replace("\x00", ""), encoding="utf-8")

    def snapshot() -> list[list[tuple[object, ...]]]:
        with org.transaction() as conn:
            return [[tuple(r) for r in conn.execute(select(t))] for t in (calibration_placements, events)]

    before = snapshot()
    try:
        import_placements(org, path, now=NOW)
    except InputError:
        assert snapshot() == before
        event("rejected")
    else:
        event("stored")
