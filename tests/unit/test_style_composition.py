"""Composition with style: exactly the facts a template shows are cited; a member withheld by consent is never
named or cited; templates declare which style facts they use."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from kairos.compose.composer import StyleContext, compose
from kairos.compose.templates import load_templates
from kairos.domain.style import AssessmentResult, Instrument, StyleProfile
from kairos.errors import InputError
from kairos.profiles.mapping import build_profile, default_style_mapping
from kairos.profiles.relationship import relate
from kairos.profiles.team import joiner_briefing, team_insight
from kairos.resources import content_dir
from tests.factories import person
from tests.unit.test_decide_and_compose import _input

TEMPLATES = load_templates(content_dir() / "templates")


def _disc(pid: str, d: int, i: int, s: int, c: int) -> StyleProfile:
    result = AssessmentResult(pid, Instrument.DISC, date(2026, 1, 10), "disc.csv", 2,
                              scores={"D": d, "I": i, "S": s, "C": c})  # fmt: skip
    return build_profile(pid, [result], default_style_mapping())


def _style_facts(why: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in why["facts"] if f["source"] == "style"]


def test_a_brief_cites_exactly_the_style_facts_it_shows_with_instrument_and_score() -> None:
    given = _input()
    rep, boss = _disc("rep", 25, 30, 55, 88), _disc("boss", 86, 55, 30, 35)
    insight = relate(boss, rep, {"boss": "Bea", "rep": "Rita"})
    nudge = compose(dataclasses.replace(given, style=StyleContext(given.subject, rep, insight)),  # type: ignore[arg-type]
                    TEMPLATES["one_on_one_brief"])  # fmt: skip
    cited = _style_facts(nudge.why)
    assert cited and all(f["instrument"] == "disc" and f["evidence"].startswith("DISC") for f in cited)
    text = " ".join(nudge.text.split())
    about_rita = [f for f in cited if f["ref"].startswith("style/rep/")]
    assert about_rita and all(f["text"].removeprefix("Rita ") in text for f in about_rita)
    # Bea's own facts are cited as the basis of the pair's likely friction, which the brief shows
    assert any(f["ref"].startswith("style/boss/") for f in cited) and "Worth knowing about the two of you" in text
    shown = {f["ref"] for f in cited}
    assert all(f.statement not in text for f in rep.facts if f.ref not in shown)


def test_a_withheld_profile_leaves_no_trace_in_the_message_or_its_why() -> None:
    given = _input()
    nudge = compose(dataclasses.replace(given, style=StyleContext(given.subject, None)),  # type: ignore[arg-type]
                    TEMPLATES["one_on_one_brief"])  # fmt: skip
    assert _style_facts(nudge.why) == []
    assert "tends to" not in nudge.text


def test_a_newcomer_briefing_names_only_members_the_manager_may_see_and_counts_the_rest() -> None:
    given = _input()
    newcomer = person("new", name="Nia New")
    shown = {"new": _disc("new", 20, 30, 85, 40), "m1": _disc("m1", 85, 70, 20, 30), "m2": _disc("m2", 80, 75, 25, 20)}
    team = team_insight(shown, {"new": "Nia", "m1": "Max", "m2": "Mo"}, withheld=2)
    briefing = joiner_briefing(team, "new")
    context = StyleContext(
        newcomer, shown["new"], briefing=briefing, team_names={"new": "Nia", "m1": "Max", "m2": "Mo"}
    )
    nudge = compose(dataclasses.replace(given, subject=newcomer, style=context), TEMPLATES["team_style_briefing"])
    text = " ".join(nudge.text.split())
    assert "Nia joins your team" in nudge.subject
    assert "How Nia compares with the team (from DISC)" in text
    assert "2 more members" in text or "2 members" in text
    assert {f["ref"].split("/")[1] for f in _style_facts(nudge.why)} <= {"new", "m1", "m2"}
    assert _style_facts(nudge.why)


def test_a_template_style_block_with_an_unknown_dimension_is_refused_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("style:\n  about: other\n  dimensions: [moods]\nsubject: x\nbody: y\n")
    with pytest.raises(InputError) as caught:
        load_templates(tmp_path)
    [problem] = caught.value.problems
    assert (problem.row, problem.field) == (3, "style.dimensions")
