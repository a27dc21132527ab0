"""A promotion's transition nudge quotes what the organization's framework expects at the new level."""

from __future__ import annotations

from datetime import UTC, datetime

from kairos.compose.composer import CompositionInput, compose
from kairos.compose.templates import load_templates
from kairos.decide.policy import Situation, decide
from kairos.decide.policy_file import load_policy
from kairos.decide.state import LearnerState
from kairos.domain.event import Event, EventType
from kairos.domain.framework import Competency, Framework, ProficiencyLevel, RoleBenchmark
from kairos.domain.transition import raised_expectations
from kairos.plays.schema import Play
from kairos.resources import content_dir
from tests.factories import person


def _competency(cid: str, name: str) -> Competency:
    return Competency(
        id=cid,
        name=name,
        definition=f"How we define {name.lower()}.",
        levels=tuple(
            ProficiencyLevel(n, f"L{n} {name}", (f"{name} anchor {n}.1", f"{name} anchor {n}.2")) for n in (1, 2, 3, 4)
        ),
    )


FRAMEWORK = Framework(
    id="acme",
    name="Acme Framework",
    version="2026.2",
    competencies=(
        _competency("feedback", "Giving feedback"),
        _competency("writing", "Clear writing"),
        _competency("deciding", "Making decisions"),
    ),  # fmt: skip
    benchmarks=(
        RoleBenchmark(role=None, level=None, expectations=(("feedback", 2), ("writing", 2), ("deciding", 1))),
        RoleBenchmark(role=None, level="IC3", expectations=(("feedback", 3), ("writing", 2), ("deciding", 3))),
    ),
)


def test_the_raised_expectations_are_the_competencies_whose_expected_level_rises_largest_first() -> None:
    raised = raised_expectations(FRAMEWORK, role_before="Engineer", level_before="IC2", role_after="Engineer",
                                 level_after="IC3")  # fmt: skip
    assert [(r.competency.id, r.before, r.after) for r in raised] == [("deciding", 1, 3), ("feedback", 2, 3)]
    assert raised[0].level.anchors == ("Making decisions anchor 3.1", "Making decisions anchor 3.2")


def test_a_move_without_new_expectations_raises_nothing() -> None:
    assert raised_expectations(FRAMEWORK, role_before=None, level_before="IC3", role_after=None,
                               level_after="IC3") == ()  # fmt: skip


POLICY = load_policy(content_dir() / "policy" / "default.yaml")


def test_the_transition_nudge_quotes_the_new_level_anchors_and_cites_the_framework_version() -> None:
    promoted = person("rep", name="Rita Report", level="IC3")
    moved = {"from": "IC2", "to": "IC3", "effective": "2026-03-04"}
    event = Event(id="e1", source="kairos/people/b.csv", type=EventType.PROMOTION, subject="rep",
                  time=datetime(2026, 3, 4, tzinfo=UTC), data=moved)  # fmt: skip
    play = Play.model_validate({
        "id": "promotion", "version": 1, "title": "A promotion takes effect", "trigger": {"event": "person.promoted"},
        "actions": [{"id": "transition-nudge", "audience": "subject", "kind": "nudge",
                     "template": "promotion_transition", "timing": {"at_local": "09:00"}}],
    })  # fmt: skip
    state = LearnerState(person_id="rep", active_goal=None, meeting_minutes_today=0, nudges_this_week=0)
    decision = decide(state, Situation("nudge", "person.promoted", False, True, 360), POLICY)
    raised = raised_expectations(FRAMEWORK, role_before=None, level_before="IC2", role_after=None, level_after="IC3")
    nudge = compose(
        CompositionInput(
            recipient=promoted,
            subject=promoted,
            play=play,
            action=play.actions[0],
            event=event,
            event_seq=1,
            moment_id=9,
            meeting=None,
            goal=None,
            framework=None,
            decision=decision,
            expectations=raised,
            benchmark_framework=FRAMEWORK,
        ),  # fmt: skip
        load_templates(content_dir() / "templates")["promotion_transition"],
    )
    text = " ".join(nudge.text.split())
    assert "Acme Framework (version 2026.2) expects more of you in 2 areas" in text
    assert "Making decisions: level 3 (L3 Making decisions), up from level 1." in text
    assert "Making decisions anchor 3.1" in text and "Giving feedback anchor 3.2" in text
    assert "Clear writing" not in text  # its expectation does not rise
    assert nudge.why["benchmark_framework"] == {"id": "acme", "version": "2026.2", "name": "Acme Framework"}
    refs = {f["ref"] for f in nudge.why["facts"]}
    assert "acme@2026.2/deciding/expected-level-3" in refs and "acme@2026.2/deciding/level-3/anchor-1" in refs
    assert "the role expectations of Acme Framework version 2026.2" in text
    assert "<li>Making decisions anchor 3.1</li>" in nudge.html
