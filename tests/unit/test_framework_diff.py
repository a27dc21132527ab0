"""Framework versions: role benchmarks and priority behaviors (domain, YAML, stored documents), the diff
between two versions, and the ``kairos framework`` commands."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kairos.cli import app, main
from kairos.domain.framework import Framework, PriorityBehavior, ProficiencyLevel, RoleBenchmark
from kairos.domain.framework_diff import ChangeKind, FrameworkChange, diff_frameworks
from kairos.errors import InputError, Problem
from kairos.ingest.framework import FrameworkOptions, import_framework, parse_framework, parse_framework_text
from kairos.store import Database
from kairos.store import frameworks as framework_store
from kairos.store.frameworks import framework_document, framework_from_document
from tests.conftest import CONFORMANCE, require_conformance
from tests.factories import FRAMEWORK_YAML, framework

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-org" / "framework.yaml"
WITH_BENCHMARKS = ROOT / "examples" / "frameworks" / "framework-with-benchmarks.yaml"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)

FOUR_LEVELS = """\
      - level: 4
        name: Role model
        anchors: ["Makes feedback a team habit."]
  - id: coaching
    name: Coaching others
    definition: Helps others grow by asking questions.
    levels:
      - {level: 1, name: Learning, anchors: [Answers questions.]}
      - {level: 2, name: Practising, anchors: [Asks an open question first.]}
      - {level: 3, name: Skilled, anchors: [Lets people solve it themselves.]}
"""
BASE = FRAMEWORK_YAML + FOUR_LEVELS


def priorities(stage: str, n: int) -> str:
    items = "".join(
        f"    - competency: {'giving-feedback' if i % 2 else 'coaching'}\n      level: {1 + i // 2}\n" for i in range(n)
    )
    return f"  {stage}:\n{items}"


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse_framework_text(text, "framework.yaml")
    return caught.value.problems


def line_of(text: str, fragment: str, nth: int = 0) -> int:
    return [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line][nth]


# --- the domain ---------------------------------------------------------------------------------------

BENCHMARKED = replace(
    framework(),
    benchmarks=(
        RoleBenchmark(role=None, level=None, expectations=(("giving-feedback", 1),)),
        RoleBenchmark(role=None, level="IC3", expectations=(("giving-feedback", 2),)),
        RoleBenchmark(role="Engineering Manager", level=None, expectations=(("giving-feedback", 3),)),
        RoleBenchmark(role="Engineering Manager", level="M2", expectations=(("other", 2),)),
    ),
)


@pytest.mark.parametrize(
    ("role", "level", "expected"),
    [
        ("Engineer", "IC2", 1),  # only the default applies
        ("Engineer", "IC3", 2),  # the level's benchmark
        ("Engineering Manager", "IC3", 3),  # role before level
        (" engineering  MANAGER ", "m1", 3),  # without case or extra spaces
        ("Engineering Manager", "M2", 3),  # role and level applies, but does not name the competency: fall through
        (None, None, 1),
    ],
)
def test_the_most_specific_benchmark_naming_a_competency_gives_the_expected_level(
    role: str | None, level: str | None, expected: int
) -> None:
    assert BENCHMARKED.expected_level("giving-feedback", role, level) == expected


def test_no_benchmark_no_expected_level() -> None:
    assert framework().expected_level("giving-feedback", "Engineer", "IC2") is None
    assert BENCHMARKED.expected_level("unknown", "Engineer", "IC2") is None


def test_benchmarks_for_a_person_come_most_specific_first() -> None:
    found = BENCHMARKED.benchmarks_for("Engineering Manager", "M2")

    assert [(b.role, b.level) for b in found] == [
        ("Engineering Manager", "M2"),
        ("Engineering Manager", None),
        (None, None),
    ]


def test_a_framework_with_benchmarks_and_priorities_is_hashable() -> None:
    fw = parse_framework(WITH_BENCHMARKS)

    assert hash(fw) == hash(parse_framework(WITH_BENCHMARKS))
    assert len(fw.priorities("mid-level")) == 5


# --- YAML ---------------------------------------------------------------------------------------------


def test_the_example_with_benchmarks_and_priorities_parses() -> None:
    fw = parse_framework(WITH_BENCHMARKS)

    assert (fw.id, fw.version) == ("northwind-leadership", "2026.2")
    assert fw.expected_level("delegation", "Engineering Manager", "M2") == 3
    assert fw.expected_level("clear-writing", "Engineering Manager", "M2") == 2  # from the default
    assert fw.priorities("frontline")[0] == PriorityBehavior(
        "frontline", "giving-feedback", 2, "Name one concrete example and its effect in every piece of feedback."
    )
    assert fw.priorities("frontline")[2].behavior is None


def test_benchmarks_read_role_level_and_expectations_in_order() -> None:
    text = BASE + "benchmarks:\n  - level: 3\n    expectations:\n      coaching: 2\n      giving-feedback: 4\n"

    (benchmark,) = parse_framework_text(text, "framework.yaml").benchmarks

    assert benchmark == RoleBenchmark(role=None, level="3", expectations=(("coaching", 2), ("giving-feedback", 4)))


def test_a_benchmark_naming_an_unknown_competency_is_refused_naming_its_line() -> None:
    text = BASE + "benchmarks:\n  - role: Engineer\n    expectations:\n      juggling: 2\n"

    (problem,) = problems_of(text)

    assert (problem.row, problem.field, problem.value) == (
        line_of(text, "juggling"),
        "benchmarks[0].expectations.juggling",
        "juggling",
    )
    assert "giving-feedback, coaching" in problem.expected


@pytest.mark.parametrize("value", ["4", "0", "true", "2.5", "'3'"])
def test_a_benchmark_level_outside_the_competencys_levels_is_refused(value: str) -> None:
    text = BASE + f"benchmarks:\n  - expectations:\n      coaching: {value}\n"

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "coaching: "), "benchmarks[0].expectations.coaching")
    assert "from 1 to 3" in problem.expected


def test_two_benchmarks_for_the_same_role_and_level_are_refused_naming_the_first() -> None:
    one = "  - role: Engineer\n    level: IC2\n    expectations:\n      coaching: 2\n"
    text = BASE + "benchmarks:\n" + one + one.replace("Engineer", "engineer")

    (problem,) = problems_of(text)

    assert problem.row == line_of(text, "- role:", 1)
    assert f"line {line_of(text, '- role:')}" in problem.expected


def test_a_benchmark_without_expectations_or_with_an_unknown_key_is_refused() -> None:
    text = BASE + "benchmarks:\n  - role: Engineer\n    grade: IC2\n"

    problems = problems_of(text)

    assert {(p.row, p.field) for p in problems} == {
        (line_of(text, "grade:"), "benchmarks[0].grade"),
        (line_of(text, "- role:"), "benchmarks[0].expectations"),
    }


def test_a_job_level_written_as_a_decimal_number_must_be_quoted() -> None:
    text = BASE + "benchmarks:\n  - level: 1.5\n    expectations:\n      coaching: 2\n"

    (problem,) = problems_of(text)

    assert (problem.row, problem.field, problem.value) == (line_of(text, "level: 1.5"), "benchmarks[0].level", 1.5)


@pytest.mark.parametrize("count", [4, 5, 6])
def test_four_to_six_priority_behaviors_per_stage_are_fine(count: int) -> None:
    text = BASE + "priority_behaviors:\n" + priorities("frontline", count)

    fw = parse_framework_text(text, "framework.yaml")

    assert len(fw.priorities("frontline")) == count and fw.priorities("senior") == ()


@pytest.mark.parametrize("count", [3, 7])
def test_fewer_than_four_or_more_than_six_priority_behaviors_are_refused(count: int) -> None:
    text = BASE + "priority_behaviors:\n" + priorities("senior", count)

    (problem,) = problems_of(text)

    assert (problem.row, problem.field, problem.value) == (line_of(text, "senior:"), "priority_behaviors.senior", count)


def test_an_unknown_career_stage_is_refused_listing_the_stages() -> None:
    text = BASE + "priority_behaviors:\n" + priorities("executive", 4)

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "executive:"), "priority_behaviors.executive")
    assert "frontline, mid-level, senior" in problem.expected


def test_a_priority_behavior_at_a_level_the_competency_lacks_is_refused_naming_its_line() -> None:
    text = BASE + "priority_behaviors:\n" + priorities("frontline", 5).replace("level: 3", "level: 5", 1)

    (problem,) = problems_of(text)

    assert (problem.row, problem.field, problem.value) == (
        line_of(text, "level: 5"),
        "priority_behaviors.frontline[4].level",
        5,
    )


def test_a_priority_behavior_for_an_unknown_competency_is_refused() -> None:
    text = BASE + "priority_behaviors:\n" + priorities("frontline", 4).replace("coaching", "juggling", 1)

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "juggling"), "priority_behaviors.frontline[0].competency")


def test_the_same_priority_behavior_twice_in_a_stage_is_refused() -> None:
    text = BASE + "priority_behaviors:\n" + priorities("frontline", 4) + "    - {competency: coaching, level: 1}\n"

    (problem,) = problems_of(text)

    assert problem.field == "priority_behaviors.frontline[4]"


def test_an_unknown_top_level_section_is_refused_so_a_misspelt_one_is_not_ignored() -> None:
    text = BASE + "benchmark:\n  - expectations: {coaching: 2}\n"

    (problem,) = problems_of(text)

    assert (problem.row, problem.field) == (line_of(text, "benchmark:"), "benchmark")


def test_competencies_may_carry_their_source_identifier_and_uri() -> None:
    text = BASE.replace(
        "    name: Giving feedback\n",
        "    name: Giving feedback\n    source_id: b6f61076-aa12-450b-8f9d-b86bc071f85e\n    uri: https://x.example/1\n",
    )

    competency = parse_framework_text(text, "framework.yaml").competencies[0]

    assert (competency.source_id, competency.uri) == ("b6f61076-aa12-450b-8f9d-b86bc071f85e", "https://x.example/1")


def test_command_line_options_are_refused_for_a_yaml_framework(db: Database) -> None:
    with pytest.raises(InputError) as caught:
        import_framework(db, DEMO, now=NOW, options=FrameworkOptions(version="2026.9"))

    assert "--framework-version" in str(caught.value)


# --- stored documents ---------------------------------------------------------------------------------


def test_a_stored_document_round_trips_through_json() -> None:
    fw = replace(parse_framework(WITH_BENCHMARKS), source_id="doc-1", uri="https://x.example/doc")

    assert framework_from_document(json.loads(json.dumps(framework_document(fw)))) == fw


def test_a_document_stored_before_benchmarks_existed_still_loads() -> None:
    old = {
        "id": "acme",
        "name": "Acme",
        "version": "2025.1",
        "competencies": [
            {
                "id": "giving-feedback",
                "name": "Giving feedback",
                "definition": "D.",
                "levels": [{"level": n, "name": f"L{n}", "anchors": [f"A{n}."]} for n in (1, 2, 3)],
            }
        ],
    }

    fw = framework_from_document(old)

    assert (fw.benchmarks, fw.priority_behaviors, fw.source_id, fw.competencies[0].uri) == ((), (), None, None)


# --- the diff -----------------------------------------------------------------------------------------


def test_a_version_compared_with_itself_has_no_changes() -> None:
    fw = parse_framework(WITH_BENCHMARKS)

    assert diff_frameworks(fw, fw) == []


def test_the_example_versions_differ_by_an_anchor_reworded_and_added_a_rename_and_benchmarks() -> None:
    changes = diff_frameworks(parse_framework(DEMO), parse_framework(WITH_BENCHMARKS))

    kinds = [c.kind for c in changes]
    assert kinds.count(ChangeKind.ANCHOR_CHANGED) == 1 and kinds.count(ChangeKind.ANCHOR_ADDED) == 1
    assert (
        FrameworkChange(
            ChangeKind.COMPETENCY_RENAMED,
            "stakeholder-alignment",
            "Aligning stakeholders",
            "Aligning stakeholders and partners",
        )
        in changes
    )
    added = next(c for c in changes if c.kind is ChangeKind.ANCHOR_ADDED)
    assert added.where == "delegation / level 3 / anchor 4" and added.before is None
    assert kinds.count(ChangeKind.BENCHMARK_ADDED) == 4
    assert kinds.count(ChangeKind.PRIORITY_ADDED) == 13


def level_of(fw: Framework, n: int, **changes: object) -> Framework:
    competency = fw.competencies[0]
    levels = tuple(replace(lv, **changes) if lv.level == n else lv for lv in competency.levels)  # type: ignore[arg-type]
    return replace(fw, competencies=(replace(competency, levels=levels),))


def test_competencies_added_removed_renamed_and_redefined_are_each_reported() -> None:
    a = framework()
    renamed = replace(a.competencies[0], name="Feedback", definition="New words.")
    added = replace(a.competencies[0], id="coaching", name="Coaching")

    assert diff_frameworks(a, replace(a, competencies=(renamed, added))) == [
        FrameworkChange(ChangeKind.COMPETENCY_RENAMED, "giving-feedback", "Giving feedback", "Feedback"),
        FrameworkChange(ChangeKind.DEFINITION_CHANGED, "giving-feedback", a.competencies[0].definition, "New words."),
        FrameworkChange(ChangeKind.COMPETENCY_ADDED, "coaching", None, "Coaching"),
    ]
    back = diff_frameworks(replace(a, competencies=(renamed, added)), a)
    assert back[0] == FrameworkChange(ChangeKind.COMPETENCY_REMOVED, "coaching", "Coaching", None)


def test_levels_added_removed_and_renamed_are_reported() -> None:
    a = framework()
    competency = a.competencies[0]
    fewer = replace(a, competencies=(replace(competency, levels=competency.levels[:3]),))

    assert diff_frameworks(a, fewer) == [
        FrameworkChange(
            ChangeKind.LEVEL_REMOVED, "giving-feedback / level 4", "Level 4: Anchor 4.1 for feedback | Anchor 4.2", None
        )
    ]
    assert diff_frameworks(fewer, a)[0].kind is ChangeKind.LEVEL_ADDED
    assert diff_frameworks(a, level_of(a, 2, name="Practising")) == [
        FrameworkChange(ChangeKind.LEVEL_RENAMED, "giving-feedback / level 2", "Level 2", "Practising")
    ]


def test_an_inserted_anchor_is_one_addition_not_every_later_anchor_changing() -> None:
    a = level_of(framework(), 1, anchors=("One.", "Two.", "Three."))
    b = level_of(framework(), 1, anchors=("Zero.", "One.", "Two.", "Three, reworded."))

    assert diff_frameworks(a, b) == [
        FrameworkChange(ChangeKind.ANCHOR_ADDED, "giving-feedback / level 1 / anchor 1", None, "Zero."),
        FrameworkChange(
            ChangeKind.ANCHOR_CHANGED, "giving-feedback / level 1 / anchor 4", "Three.", "Three, reworded."
        ),
    ]
    assert diff_frameworks(b, a)[0] == FrameworkChange(
        ChangeKind.ANCHOR_REMOVED, "giving-feedback / level 1 / anchor 1", "Zero.", None
    )


def test_benchmark_changes_name_the_benchmark_and_competency() -> None:
    a = BENCHMARKED
    b = replace(
        a,
        benchmarks=(
            RoleBenchmark(role=None, level=None, expectations=(("giving-feedback", 2),)),
            RoleBenchmark(role=None, level="ic3", expectations=(("giving-feedback", 2), ("other", 1))),
            RoleBenchmark(role="Engineering Manager", level=None, expectations=(("giving-feedback", 3),)),
        ),
    )

    assert diff_frameworks(a, b) == [
        FrameworkChange(ChangeKind.BENCHMARK_REMOVED, "benchmark role Engineering Manager, level M2", "other 2", None),
        FrameworkChange(ChangeKind.BENCHMARK_CHANGED, "benchmark everyone / giving-feedback", "1", "2"),
        FrameworkChange(ChangeKind.BENCHMARK_CHANGED, "benchmark level ic3 / other", None, "1"),
    ]


def test_priority_behavior_changes_pair_a_new_wording_with_the_old_one() -> None:
    a = replace(
        framework(),
        priority_behaviors=(
            PriorityBehavior("frontline", "giving-feedback", 2, "Old words."),
            PriorityBehavior("frontline", "giving-feedback", 3),
        ),
    )
    b = replace(
        framework(),
        priority_behaviors=(
            PriorityBehavior("frontline", "giving-feedback", 2, "New words."),
            PriorityBehavior("senior", "giving-feedback", 4),
        ),
    )

    assert diff_frameworks(a, b) == [
        FrameworkChange(
            ChangeKind.PRIORITY_CHANGED, "priorities frontline / giving-feedback level 2", "Old words.", "New words."
        ),
        FrameworkChange(ChangeKind.PRIORITY_REMOVED, "priorities frontline", "giving-feedback level 3", None),
        FrameworkChange(ChangeKind.PRIORITY_ADDED, "priorities senior", None, "giving-feedback level 4"),
    ]


def test_a_renamed_framework_is_reported() -> None:
    a = framework()

    assert diff_frameworks(a, replace(a, name="Acme Growth")) == [
        FrameworkChange(ChangeKind.FRAMEWORK_RENAMED, "acme", "Acme Framework", "Acme Growth")
    ]


def test_level_objects_compare_by_value() -> None:
    assert ProficiencyLevel(1, "L", ("A.",)) == ProficiencyLevel(1, "L", ("A.",))


# --- the commands -------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_DATABASE_URL", database_url)
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["init"]).exit_code == 0


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkey = pytest.MonkeyPatch()
    monkey.setattr(sys, "argv", ["kairos", *args])
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        monkey.undo()
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, " ".join(captured.err.split())


def test_framework_diff_prints_the_changes_between_two_stored_versions(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["import", "framework", str(DEMO), "--now", "2026-03-02T08:00Z"], capsys)[0] == 0
    assert run(["import", "framework", str(WITH_BENCHMARKS), "--now", "2026-03-09T08:00Z"], capsys)[0] == 0

    code, out, _ = run(["framework", "diff", "northwind-leadership@2026.1", "northwind-leadership@2026.2"], capsys)

    assert code == 0
    assert "northwind-leadership@2026.1 → northwind-leadership@2026.2" in out
    assert "competency renamed" in out and "Aligning stakeholders and partners" in out
    assert "delegation / level 3 / anchor 4" in out and "benchmark added" in out
    code, out, _ = run(["framework", "diff", "northwind-leadership@2026.2", "northwind-leadership@2026.2"], capsys)
    assert code == 0 and "the same competencies" in out


def test_framework_diff_of_an_unknown_version_exits_2_listing_the_stored_ones(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["import", "framework", str(DEMO)], capsys)

    code, _, err = run(["framework", "diff", "northwind-leadership@2026.1", "northwind-leadership@2027.1"], capsys)

    assert code == 2
    assert (
        "unknown framework version northwind-leadership@2027.1; stored versions of northwind-leadership: 2026.1" in err
    )


def test_framework_diff_needs_id_at_version(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["framework", "diff", "northwind-leadership", "northwind-leadership@2026.1"], capsys)

    assert code == 2 and "ID@VERSION" in err


def test_framework_list_shows_each_version_with_its_import_time(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["framework", "list"], capsys)
    assert code == 0 and "No frameworks stored yet" in out
    run(["import", "framework", str(DEMO), "--now", "2026-03-02T08:00Z"], capsys)
    run(["import", "framework", str(WITH_BENCHMARKS), "--now", "2026-03-09T08:00Z"], capsys)

    code, out, _ = run(["framework", "list"], capsys)

    assert code == 0
    rows = [line for line in out.splitlines() if "northwind-leadership" in line]
    assert len(rows) == 2
    assert "2026.1" in rows[0] and "2026-03-02 08:00" in rows[0] and "6" in rows[0]
    assert "2026.2" in rows[1] and "2026-03-09 08:00" in rows[1]


def test_import_framework_reads_csv_and_case_files_by_their_type(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = ROOT / "examples" / "frameworks" / "framework.csv"
    case_file = ROOT / "examples" / "frameworks" / "framework.case.json"

    code, out, _ = run(["import", "framework", str(csv_file)], capsys)
    assert code == 0 and "Northwind Support Framework version 2026.1, 2 competencies (stored)" in out
    code, out, _ = run(["import", "framework", str(case_file), "--framework-id", "essentials"], capsys)
    assert code == 0 and "Northwind Leadership Essentials version 2026.1, 2 competencies (stored)" in out


def test_import_framework_of_a_case_package_without_rubrics_needs_levels(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    real = CONFORMANCE / "case" / "ccss-math-ratios-what-standards-could-be.case.json"
    require_conformance(real)

    code, _, err = run(["import", "framework", str(real)], capsys)
    assert code == 2 and "field 'CFItems[2]': got 'CCSS.Math.Content.6.RP.A.1'" in err and "--levels" in err

    code, out, _ = run(["import", "framework", str(real), "--levels", "Learning, Practising, Skilled"], capsys)
    assert code == 0 and "What Standards Could Be version 2017-05-25T18:05:33, 12 competencies (stored)" in out


def test_stored_versions_are_listed_per_framework(db: Database, tmp_path: Path) -> None:
    import_framework(db, DEMO, now=NOW)
    import_framework(db, WITH_BENCHMARKS, now=LATER)

    with db.transaction() as conn:
        stored = framework_store.versions(conn, "northwind-leadership")
        newest = framework_store.get(conn, "northwind-leadership", "2026.2")

    assert [(v.version, v.imported_at, v.competencies) for v in stored] == [("2026.1", NOW, 6), ("2026.2", LATER, 6)]
    assert newest == parse_framework(WITH_BENCHMARKS)


def test_career_stages_are_read_stored_and_a_moved_job_level_shows_in_the_diff() -> None:
    text = FRAMEWORK_YAML + "career_stages:\n  frontline: [IC1, ic2]\n  senior: [M2]\n"
    first = parse_framework_text(text, "fw.yaml")
    assert first.stage_of("IC2") == "frontline" and first.stage_of("m2") == "senior" and first.stage_of("E1") is None
    assert framework_from_document(framework_document(first)) == first
    second = replace(first, version="2026.2", career_stages=(("frontline", ("IC1",)), ("senior", ("M2",))))
    [change] = diff_frameworks(first, second)
    assert change == FrameworkChange(ChangeKind.STAGE_CHANGED, "career stage frontline", "IC1, ic2", "IC1")


def test_a_job_level_in_two_career_stages_or_an_unknown_stage_is_refused_with_its_line() -> None:
    text = FRAMEWORK_YAML + "career_stages:\n  frontline: [IC1, IC2]\n  mid-level: [ic2]\n  junior: [IC0]\n"
    with pytest.raises(InputError) as caught:
        parse_framework_text(text, "fw.yaml")
    problems = {(p.field, p.value) for p in caught.value.problems}
    assert problems == {("career_stages.mid-level", "ic2"), ("career_stages.junior", "junior")}
    assert all(p.row is not None and p.row > 1 for p in caught.value.problems)


def test_the_framework_in_use_is_the_latest_import_until_an_admin_chooses_one(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from kairos.store import frameworks as store

    yaml_framework, _ = import_framework(
        db, ROOT / "examples/demo-org/framework.yaml", now=datetime(2026, 3, 1, tzinfo=UTC)
    )
    case, _ = import_framework(db, ROOT / "examples/demo-org/framework.case.json", now=datetime(2026, 3, 2, tzinfo=UTC))
    with db.transaction() as conn:
        assert store.latest(conn).id == case.id  # type: ignore[union-attr]
        store.use(conn, yaml_framework.id, "talent-team", datetime(2026, 3, 3, tzinfo=UTC))
    import_framework(db, ROOT / "examples/frameworks/framework-with-benchmarks.yaml",
                     now=datetime(2026, 3, 4, tzinfo=UTC))  # fmt: skip
    with db.transaction() as conn:
        chosen = store.latest(conn)
        assert chosen is not None and (chosen.id, chosen.version) == (yaml_framework.id, "2026.2")
        assert store.latest(conn, case.id).id == case.id  # type: ignore[union-attr]
