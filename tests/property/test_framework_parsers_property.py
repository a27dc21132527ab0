"""Whatever framework file an admin brings — a spreadsheet, a CASE package, YAML with benchmarks — the
parsers answer with a Framework or an InputError, never another exception; stored documents round-trip;
the diff is empty exactly when the content is the same.

The strategies start from real inputs (the example sheet, the real CASE export, the example with
benchmarks) and break them a little, so generated inputs get past the first check often enough to
reach the deeper validation.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kairos.domain.framework import (
    CAREER_STAGES,
    Competency,
    Framework,
    PriorityBehavior,
    ProficiencyLevel,
    RoleBenchmark,
)
from kairos.domain.framework_diff import diff_frameworks
from kairos.errors import InputError
from kairos.ingest.case import parse_case_text
from kairos.ingest.framework import FrameworkOptions, parse_framework_text
from kairos.ingest.framework_csv import parse_framework_csv_text
from kairos.store.frameworks import framework_document, framework_from_document

ROOT = Path(__file__).resolve().parents[2]
SHEET = (ROOT / "examples" / "frameworks" / "framework.csv").read_text(encoding="utf-8")
CASE_EXAMPLE = json.loads((ROOT / "examples" / "frameworks" / "framework.case.json").read_text(encoding="utf-8"))
REAL_CASE = Path("/work/shared/conformance/case/ccss-math-ratios-what-standards-could-be.case.json")
PACKAGES = [CASE_EXAMPLE] + ([json.loads(REAL_CASE.read_text(encoding="utf-8"))] if REAL_CASE.is_file() else [])
BENCHMARK_YAML = (ROOT / "examples" / "frameworks" / "framework-with-benchmarks.yaml").read_text(encoding="utf-8")

QUICK = settings(max_examples=60, deadline=None)
SOME_TEXT = st.text(max_size=12)
FEW = st.sampled_from([0, 0, 0, 1, 1, 2, 3])


def never_crashes(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run ``call``: returning is fine, InputError is fine; any other exception fails the property."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        assert exc.problems
        assert len(str(exc)) < 20_000
        return None


def well_formed(fw: Framework) -> None:
    assert fw.competencies and fw.id and fw.name and fw.version
    assert len({c.id for c in fw.competencies}) == len(fw.competencies)
    for competency in fw.competencies:
        assert 3 <= len(competency.levels) <= 5
        assert [lv.level for lv in competency.levels] == list(range(1, len(competency.levels) + 1))
        assert all(lv.anchors and all(a.strip() for a in lv.anchors) for lv in competency.levels)
    hash(fw)


# --- CSV ----------------------------------------------------------------------------------------------

SHEET_ROWS = list(csv.reader(io.StringIO(SHEET, newline="")))
CELL_VALUES = (
    st.sampled_from(
        [
            "",
            " ",
            "1",
            "3",
            "5",
            "6",
            "0",
            "²",
            "1.0",
            "customer-empathy",
            "Customer Empathy",
            "x" * 2100,
            "a\nb",
            "- a\n- b",
            "•",
            '"',
            ",",
            ";",
            "\r\n",
            "\ufeff",
            "northwind-support",
            "2026.1",
            "\x00",
        ]
    )
    | SOME_TEXT
)
HEADER_CHOICES = [
    SHEET_ROWS[0],
    [h.replace("_", " ").title() for h in SHEET_ROWS[0]],
    SHEET_ROWS[0][3:],
    SHEET_ROWS[0][:-1],
    [*SHEET_ROWS[0], "notes"],
    [],
]


@st.composite
def sheet_text(draw: st.DrawFn) -> str:
    """The example sheet with cells changed, rows dropped or repeated, another header, delimiter or newline."""
    header = list(
        draw(st.sampled_from(HEADER_CHOICES[:2]) if draw(st.integers(0, 3)) else st.sampled_from(HEADER_CHOICES))
    )
    rows = [list(r) for r in SHEET_ROWS[1:]]
    for _ in range(draw(FEW)):
        action = draw(st.sampled_from(["cell", "cell", "drop", "repeat", "short"]))
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        if action == "cell" and rows[i]:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(CELL_VALUES)
        elif action == "drop":
            del rows[i]
        elif action == "repeat":
            rows.insert(i, list(rows[i]))
        else:
            rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))]
    delimiter = draw(st.sampled_from([",", ",", ";"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerows([header, *rows] if header else rows)
    text = draw(st.sampled_from(["", "\ufeff"])) + out.getvalue()
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(CELL_VALUES) + text[at:]
    return text


OPTIONS = st.sampled_from(
    [
        FrameworkOptions(),
        FrameworkOptions(framework_id="acme", name="Acme", version="1"),
        FrameworkOptions(version="2026.2"),
        FrameworkOptions(framework_id="Not a slug"),
    ]
)


@QUICK
@given(sheet_text() | st.text(max_size=300), OPTIONS)
@example(SHEET, FrameworkOptions())
@example('competency_id,competency_name,definition,level,level_name,anchors\n"unclosed', FrameworkOptions())
@example("competency_id;competency_name;definition;level;level_name;anchors\n;;;;;\n", FrameworkOptions())
def test_parsing_sheet_like_text_never_crashes(text: str, options: FrameworkOptions) -> None:
    fw = never_crashes(parse_framework_csv_text, text, "framework.csv", options=options)
    if fw is not None:
        well_formed(fw)


# --- CASE ---------------------------------------------------------------------------------------------

JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-3, 10)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "isChildOf", "ext:x", "isCousinOf", "2017-05-25T18:05:33", "https://x.example/a", "1"])
    | SOME_TEXT
)
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SOME_TEXT, inner, max_size=3), max_leaves=8
)


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list in ``node``."""
    found = [path] if isinstance(node, dict | list) else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _containers(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _containers(value, (*path, i))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


@st.composite
def case_package(draw: st.DrawFn) -> Any:
    """A real package with a few values replaced, keys or list entries dropped, or identifiers swapped."""
    package = copy.deepcopy(draw(st.sampled_from(PACKAGES)))
    for _ in range(draw(FEW)):
        places = _containers(package)
        target = _at(package, draw(st.sampled_from(places)))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target)))
            action = draw(st.sampled_from(["value", "value", "drop", "identifier"]))
            if action == "drop":
                del target[key]
            elif action == "identifier":
                target[key] = draw(
                    st.sampled_from(
                        [
                            i["identifier"]
                            for i in package.get("CFItems") or [{}]
                            if isinstance(i, dict) and "identifier" in i
                        ]
                        or ["x"]
                    )
                )
            else:
                target[key] = draw(JSON_VALUE)
        elif isinstance(target, list) and target:
            i = draw(st.integers(0, len(target) - 1))
            if draw(st.booleans()):
                del target[i]
            else:
                target.append(copy.deepcopy(target[i]))
    return package


CASE_OPTIONS = st.sampled_from(
    [
        FrameworkOptions(),
        FrameworkOptions(default_levels=("Learning", "Practising", "Skilled")),
        FrameworkOptions(default_levels=("a", "b", "c", "d"), item_types=("Standard",)),
        FrameworkOptions(default_levels=("a", "b")),
    ]
)


@QUICK
@given(case_package(), CASE_OPTIONS)
def test_parsing_case_like_packages_never_crashes(package: Any, options: FrameworkOptions) -> None:
    fw = never_crashes(parse_case_text, json.dumps(package), "package.json", options=options)
    if fw is not None:
        well_formed(fw)


@QUICK
@given(
    JSON_VALUE
    | st.dictionaries(
        st.sampled_from(["CFDocument", "CFItems", "CFAssociations", "CFRubrics", "CFDefinitions"]), JSON_VALUE
    )
)
def test_parsing_any_json_as_a_case_package_never_crashes(doc: Any) -> None:
    never_crashes(parse_case_text, json.dumps(doc), "package.json", options=FrameworkOptions(default_levels=("a",) * 3))


@QUICK
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
@example('{"CFDocument": {"identifier": "x"}, "CFItems": [' * 2000)
@example('{"a": ' + "1" * 5000 + "}")
@example('{"CFDocument": Infinity}')
def test_parsing_any_text_as_a_case_package_never_crashes(text: str) -> None:
    never_crashes(parse_case_text, text, "package.json")


# --- YAML with benchmarks and priorities --------------------------------------------------------------

YAML_LINES = [
    "benchmarks:",
    "benchmarks: []",
    "benchmarks: {}",
    "  - expectations: {giving-feedback: 9}",
    "  - role: Engineer",
    "    level: 1.5",
    "    level: IC3",
    "      juggling: 2",
    "      giving-feedback: true",
    "priority_behaviors:",
    "priority_behaviors: []",
    "  executive:",
    "  frontline: []",
    "    - competency: giving-feedback",
    "    - {competency: [x], level: 2}",
    "      level: 0",
    "      behavior: ''",
    "unknown: 1",
]


@st.composite
def benchmark_yaml(draw: st.DrawFn) -> str:
    lines = BENCHMARK_YAML.splitlines()
    start = lines.index("benchmarks:")
    for _ in range(draw(FEW)):
        at = draw(st.integers(start, len(lines)))
        action = draw(st.sampled_from(["drop", "insert", "value"]))
        if action == "drop" and at < len(lines):
            del lines[at]
        elif action == "value" and at < len(lines) and ": " in lines[at]:
            lines[at] = lines[at].split(": ", 1)[0] + ": " + json.dumps(draw(SOME_TEXT | st.integers(-1, 7)))
        else:
            lines.insert(at, draw(st.sampled_from(YAML_LINES)))
    return "\n".join(lines)


@QUICK
@given(benchmark_yaml())
def test_parsing_yaml_with_benchmarks_and_priorities_never_crashes(text: str) -> None:
    fw = never_crashes(parse_framework_text, text, "framework.yaml")
    if fw is not None:
        well_formed(fw)
        for stage in CAREER_STAGES:
            assert fw.priorities(stage) == () or 4 <= len(fw.priorities(stage)) <= 6
        for benchmark in fw.benchmarks:
            for cid, level in benchmark.expectations:
                competency = fw.competency(cid)
                assert competency is not None and competency.level(level) is not None


# --- stored documents and the diff --------------------------------------------------------------------

WORDS = st.sampled_from(["One.", "Two.", "Three.", "Four.", "Asks first.", "Listens."])
IDS = st.sampled_from(["giving-feedback", "coaching", "delegation"])


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    competencies = []
    for cid in draw(st.lists(IDS, min_size=1, max_size=3, unique=True)):
        levels = tuple(
            ProficiencyLevel(
                n,
                draw(st.sampled_from(["Learning", "Skilled"])),
                tuple(draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))),
            )
            for n in range(1, draw(st.integers(3, 5)) + 1)
        )
        competencies.append(
            Competency(
                cid,
                draw(st.sampled_from(["Name A", "Name B"])),
                draw(WORDS),
                levels,
                draw(st.none() | st.just("src-1")),
                draw(st.none() | st.just("https://x.example")),
            )
        )
    ids = [c.id for c in competencies]
    benchmarks = tuple(
        RoleBenchmark(
            role,
            level,
            tuple(
                (cid, draw(st.integers(1, 3))) for cid in draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
            ),
        )
        for role, level in draw(
            st.lists(
                st.sampled_from([(None, None), ("Engineer", None), (None, "IC3"), ("Engineer", "IC3")]), unique=True
            )
        )
    )
    priorities = tuple(
        PriorityBehavior(stage, draw(st.sampled_from(ids)), draw(st.integers(1, 3)), draw(st.none() | WORDS))
        for stage in draw(st.lists(st.sampled_from(CAREER_STAGES), max_size=4))
    )
    return Framework(
        "acme",
        draw(st.sampled_from(["Acme", "Acme Growth"])),
        "1",
        tuple(competencies),
        benchmarks,
        tuple(dict.fromkeys(priorities)),
        draw(st.none() | st.just("doc")),
        None,
    )


def content(fw: Framework) -> object:
    """What the diff compares: everything but id, version, source identifiers and the order of things."""
    return (
        fw.name,
        {c.id: (c.name, c.definition, c.levels) for c in fw.competencies},
        {(b.role, b.level): dict(b.expectations) for b in fw.benchmarks},
        {
            stage: sorted((p.competency_id, p.level, p.behavior or "") for p in fw.priorities(stage))
            for stage in CAREER_STAGES
        },
    )


@QUICK
@given(frameworks())
def test_a_stored_document_round_trips_through_json(fw: Framework) -> None:
    assert framework_from_document(json.loads(json.dumps(framework_document(fw)))) == fw


@QUICK
@given(frameworks(), frameworks())
def test_the_diff_is_empty_exactly_when_the_content_is_the_same(a: Framework, b: Framework) -> None:
    assert diff_frameworks(a, a) == []
    assert (diff_frameworks(a, b) == []) == (content(a) == content(b))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "Engineer", "Lead,er", '"x"']),
            st.sampled_from(["", "IC3", "M1", "é"]),
            st.sampled_from(["giving-feedback", "listening", "", "GIVING-FEEDBACK"]),
            st.sampled_from(["1", "3", "4", "0", "x", "²", "", "99999999999999999999"]),
        ),
        max_size=8,
    ).map(lambda rows: "role,level,competency_id,expected_level\n" + "\n".join(",".join(r) for r in rows))
    | st.text(max_size=200)
)
def test_any_benchmarks_csv_gives_benchmarks_or_an_input_error(text: str) -> None:
    from kairos.errors import InputError
    from kairos.ingest.benchmarks import parse_benchmarks
    from tests.factories import framework

    try:
        found = parse_benchmarks(text, "benchmarks.csv", framework())
    except InputError as exc:
        assert exc.problems
        return
    assert found and all(1 <= level <= 4 for b in found for _, level in b.expectations)
