"""Play files: invalid plays stay visible with problems naming the file, line and field path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kairos.domain.event import EventType
from kairos.plays.library import LoadedPlay, load_play_text, load_plays
from kairos.plays.schema import AfterEvent, AfterMeeting, BeforeMeeting, json_schema
from tests.conftest import ROOT

PLAYS = ROOT / "content" / "plays"
TEMPLATES = {p.stem for p in (ROOT / "content" / "templates").glob("*.yaml")}

PROMOTION = """\
id: promotion
version: 1
title: A promotion takes effect
trigger:
  event: person.promoted
priority: 70
actions:
  - id: transition-nudge
    audience: subject
    kind: nudge
    template: promotion_transition
    timing:
      at_local: "09:00"
      expires_after: 2d
    cooldown: 30d
"""

ONE_ON_ONE = """\
id: before-one-on-one
version: 2
title: Before a one-on-one
trigger:
  event: meeting.scheduled
conditions:
  - meeting_kind: one_on_one
actions:
  - id: manager-brief
    audience: manager
    kind: brief
    template: one_on_one_brief
    timing:
      before_meeting: 30m
  - id: employee-tip
    audience: subject
    kind: tip
    template: one_on_one_tip
    timing:
      before_meeting: 30m
"""


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def invalid(text: str, file: str = "plays/bad.yaml") -> LoadedPlay:
    loaded = load_play_text(text, file, TEMPLATES)
    assert not loaded.valid
    assert loaded.problems
    assert all(p.file == file for p in loaded.problems)
    return loaded


def test_the_shipped_templates_are_the_ones_the_shipped_plays_use() -> None:
    assert {"one_on_one_brief", "one_on_one_tip", "promotion_transition"} <= TEMPLATES


def test_every_shipped_play_is_valid_against_the_shipped_templates() -> None:
    loaded = load_plays(PLAYS, TEMPLATES)

    assert loaded, "content/plays holds no plays"
    assert [(Path(p.path).name, p.problems) for p in loaded if not p.valid] == []
    assert {p.name for p in loaded} >= {"promotion", "upcoming-one-on-one"}


def test_a_valid_play_reads_into_its_trigger_conditions_and_actions() -> None:
    loaded = load_play_text(ONE_ON_ONE, "plays/one.yaml", TEMPLATES)

    assert loaded.valid and loaded.play is not None
    play = loaded.play
    assert (play.id, play.version, play.trigger.event) == ("before-one-on-one", 2, EventType.MEETING_SCHEDULED)
    assert play.conditions[0].meeting_kind == "one_on_one"
    assert [a.id for a in play.actions] == ["manager-brief", "employee-tip"]
    assert isinstance(play.actions[0].timing, BeforeMeeting)
    assert play.actions[0].timing.before_meeting.total_seconds() == 1800
    assert play.actions[0].counts_against_cap is False  # briefs are exempt by default


def test_a_misspelt_field_is_kept_invalid_naming_its_line_and_path() -> None:
    text = PROMOTION.replace("    audience: subject", "    audiense: subject")

    loaded = invalid(text)

    assert loaded.play is None
    assert loaded.name == "bad"  # the file stem stands in for the id
    spelled = next(p for p in loaded.problems if p.field == "actions/0/audiense")
    assert spelled.row == line_of(text, "audiense")
    assert "no such field" in spelled.expected
    missing = next(p for p in loaded.problems if p.field == "actions/0/audience")
    assert "required" in missing.expected


def test_a_misspelt_top_level_field_names_its_line() -> None:
    text = PROMOTION.replace("priority: 70", "prority: 70")

    (problem,) = invalid(text).problems

    assert (problem.row, problem.field, problem.value) == (line_of(text, "prority"), "prority", 70)


def test_an_unknown_trigger_event_names_its_line_and_the_known_events() -> None:
    text = PROMOTION.replace("event: person.promoted", "event: person.promotion")

    (problem,) = invalid(text).problems

    assert (problem.row, problem.field, problem.value) == (line_of(text, "event:"), "trigger/event", "person.promotion")
    assert "person.promoted" in problem.expected


def test_before_meeting_timing_on_a_promotion_trigger_is_kept_invalid() -> None:
    text = PROMOTION.replace('      at_local: "09:00"\n      expires_after: 2d\n', "      before_meeting: 30m\n")

    loaded = invalid(text)

    assert loaded.play is not None  # the schema is fine; the reference pass found the problem
    (problem,) = loaded.problems
    assert (problem.row, problem.field) == (line_of(text, "timing:"), "actions/0/timing")
    assert "meeting.scheduled" in problem.expected


def test_an_unknown_template_names_its_line_and_the_known_templates() -> None:
    text = ONE_ON_ONE.replace("template: one_on_one_tip", "template: one_on_one_tips")

    (problem,) = invalid(text).problems

    assert (problem.row, problem.field, problem.value) == (
        line_of(text, "one_on_one_tips"),
        "actions/1/template",
        "one_on_one_tips",
    )
    assert all(name in problem.expected for name in TEMPLATES)


def test_an_unknown_meeting_kind_in_a_condition_names_its_line_and_path() -> None:
    text = ONE_ON_ONE.replace("meeting_kind: one_on_one", "meeting_kind: standup")

    (problem,) = invalid(text).problems

    assert (problem.row, problem.field, problem.value) == (
        line_of(text, "meeting_kind"),
        "conditions/0/meeting_kind",
        "standup",
    )
    assert "one_on_one" in problem.expected and "team_meeting" in problem.expected


def test_a_meeting_kind_condition_on_a_non_meeting_trigger_is_kept_invalid() -> None:
    text = PROMOTION.replace("priority: 70\n", "priority: 70\nconditions:\n  - meeting_kind: one_on_one\n")

    (problem,) = invalid(text).problems

    assert (problem.row, problem.field) == (line_of(text, "meeting_kind"), "conditions/0")


def test_several_problems_in_one_play_are_all_listed() -> None:
    text = ONE_ON_ONE.replace("template: one_on_one_tip", "template: nope").replace(
        "template: one_on_one_brief", "template: nada"
    )

    loaded = invalid(text)

    assert [p.field for p in loaded.problems] == ["actions/0/template", "actions/1/template"]


@pytest.mark.parametrize("text", ["id: [unclosed\n", "- just\n- a list\n", "", "id: promotion\nid: again\n"])
def test_a_file_that_is_not_a_play_mapping_is_kept_invalid(text: str) -> None:
    loaded = invalid(text)

    assert loaded.play is None


def test_a_yaml_boolean_key_is_kept_invalid_with_a_clear_message() -> None:
    text = PROMOTION.replace("priority: 70", "on: 70")

    (problem,) = invalid(text).problems

    assert problem.row == line_of(text, "on: 70")
    assert "quote it" in str(problem.value)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loading_a_folder_keeps_invalid_plays_next_to_valid_ones(tmp_path: Path) -> None:
    write(tmp_path, "a-good.yaml", PROMOTION)
    write(tmp_path, "b-typo.yaml", ONE_ON_ONE.replace("kind: tip", "knd: tip"))
    write(tmp_path, "c-broken.yml", "id: [\n")
    (tmp_path / "d-latin1.yaml").write_bytes("title: Beförderung\n".encode("latin-1"))
    write(tmp_path, "notes.txt", "not a play")

    loaded = load_plays(tmp_path, TEMPLATES)

    assert [(Path(p.path).name, p.valid) for p in loaded] == [
        ("a-good.yaml", True),
        ("b-typo.yaml", False),
        ("c-broken.yml", False),
        ("d-latin1.yaml", False),
    ]
    assert any(p.field == "actions/1/knd" for p in loaded[1].problems)
    assert "UTF-8" in loaded[3].problems[0].expected


def test_two_files_with_the_same_play_id_are_both_invalid(tmp_path: Path) -> None:
    write(tmp_path, "promotion.yaml", PROMOTION)
    write(tmp_path, "promotion-copy.yaml", PROMOTION.replace("version: 1", "version: 2"))
    write(tmp_path, "other.yaml", ONE_ON_ONE)

    loaded = {Path(p.path).name: p for p in load_plays(tmp_path, TEMPLATES)}

    assert loaded["other.yaml"].valid
    for name, twin in (("promotion.yaml", "promotion-copy.yaml"), ("promotion-copy.yaml", "promotion.yaml")):
        assert not loaded[name].valid
        (problem,) = loaded[name].problems
        assert (problem.file, problem.field, problem.value) == (loaded[name].path, "id", "promotion")
        assert twin in problem.expected


def test_the_json_schema_describes_every_play_field() -> None:
    schema = json_schema()

    assert json.loads(json.dumps(schema)) == schema
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "id",
        "version",
        "title",
        "description",
        "trigger",
        "conditions",
        "priority",
        "actions",
    }
    assert set(schema["required"]) == {"id", "version", "title", "trigger", "actions"}
    action = schema["$defs"]["Action"]
    assert {"id", "audience", "kind", "template", "timing", "cap_exempt", "cooldown"} <= set(action["properties"])
    assert "person.promoted" in schema["$defs"]["EventType"]["enum"]
    assert {"before_meeting", "at_local"} <= set(schema["$defs"]["BeforeMeeting"]["properties"]) | set(
        schema["$defs"]["AtLocalTime"]["properties"]
    )


def test_the_published_schema_spells_durations_the_way_play_files_do() -> None:
    import json

    text = json.dumps(json_schema())
    assert "PT0S" not in text and "P1D" not in text
    assert '"default": "0m"' in text and '"default": "1d"' in text


REFLECTION = """\
id: after-review-talk
version: 1
title: After a performance conversation
trigger:
  event: meeting.scheduled
conditions:
  - meeting_kind_in: [performance_conversation, project_kickoff]
  - subject_is_manager: false
actions:
  - id: reflection
    audience: both
    kind: nudge
    template: one_on_one_tip
    timing:
      after_meeting: 15m
  - id: coach-note
    audience: coach
    kind: nudge
    template: one_on_one_tip
    timing:
      after_event: 2d
      at_local: "10:00"
"""


def test_the_new_audiences_timings_and_conditions_read_from_a_play_file() -> None:
    loaded = load_play_text(REFLECTION, "plays/after.yaml", TEMPLATES)
    assert loaded.valid and loaded.play is not None
    reflection, coach = loaded.play.actions
    assert (reflection.audience.value, coach.audience.value) == ("both", "coach")
    assert isinstance(reflection.timing, AfterMeeting) and isinstance(coach.timing, AfterEvent)
    assert [c.key for c in loaded.play.conditions] == ["meeting_kind_in", "subject_is_manager"]


def test_an_after_meeting_timing_on_a_non_meeting_trigger_names_its_line() -> None:
    text = PROMOTION.replace('      at_local: "09:00"\n      expires_after: 2d\n', "      after_meeting: 15m\n")
    (problem,) = invalid(text).problems
    assert (problem.row, problem.field) == (line_of(text, "timing:"), "actions/0/timing")
    assert problem.expected == "after_meeting timing only on a meeting.scheduled trigger"


def test_an_unknown_kind_in_meeting_kind_in_names_the_condition_and_the_value() -> None:
    text = REFLECTION.replace("project_kickoff]", "kick_off]")
    (problem,) = invalid(text).problems
    assert (problem.row, problem.field, problem.value) == (
        line_of(text, "meeting_kind_in"), "conditions/0/meeting_kind_in", "kick_off"
    )  # fmt: skip


def test_a_meeting_kind_in_condition_on_a_promotion_is_kept_invalid() -> None:
    text = PROMOTION.replace("priority: 70\n", "priority: 70\nconditions:\n  - meeting_kind_in: [interview]\n")
    (problem,) = invalid(text).problems
    assert (problem.field, problem.expected) == ("conditions/0", "a meeting trigger for a meeting_kind_in condition")


def test_an_unknown_audience_names_its_line_and_the_audiences() -> None:
    text = PROMOTION.replace("audience: subject", "audience: team")
    (problem,) = invalid(text).problems
    assert (problem.row, problem.field, problem.value) == (line_of(text, "audience:"), "actions/0/audience", "team")
    assert all(a in problem.expected for a in ("subject", "manager", "both", "coach"))


def test_a_timing_with_hours_and_a_local_time_names_the_timing_line() -> None:
    text = REFLECTION.replace("after_event: 2d", "after_event: 30h")
    problems = invalid(text).problems
    timing_line = line_of(text, "after_event") - 1  # the problem is the timing as a whole
    assert [(p.row, p.field) for p in problems] == [(timing_line, "actions/1/timing")]
    assert "whole days" in problems[0].expected


def test_two_timing_kinds_in_one_action_are_refused_with_the_extra_key_named() -> None:
    text = REFLECTION.replace("      after_meeting: 15m\n", "      after_meeting: 15m\n      before_meeting: 5m\n")
    (problem,) = invalid(text).problems
    assert problem.field == "actions/0/timing/after_meeting" and "no such field" in problem.expected


def test_an_event_data_condition_takes_a_mapping_of_plain_values() -> None:
    text = PROMOTION.replace("priority: 70\n", "priority: 70\nconditions:\n  - event_data: {to: [IC3]}\n")
    (problem,) = invalid(text).problems
    assert (problem.field, problem.row) == ("conditions/0/event_data/to", line_of(text, "event_data"))
    assert "a plain value" in problem.expected
    ok = PROMOTION.replace("priority: 70\n", "priority: 70\nconditions:\n  - event_data: {to: IC3, effective: null}\n")
    assert load_play_text(ok, "plays/ok.yaml", TEMPLATES).valid


def test_the_default_library_covers_every_moment_the_specification_names() -> None:
    triggers = {p.play.trigger.event.value for p in load_plays(PLAYS, TEMPLATES) if p.play}
    assert triggers >= {
        "person.promoted", "person.level_changed", "person.manager_changed", "meeting.scheduled", "review.completed",
        "checkin.gap_flagged", "learning.completed", "focus.stalled", "person.hired", "person.team_changed",
        "manager.report_joined", "goal.set", "person.first_direct_report", "person.first_manager_of_managers",
        "person.first_executive_role",
    }  # fmt: skip
    kinds = {k for p in load_plays(PLAYS, TEMPLATES) if p.play for c in p.play.conditions for k in c.meeting_kinds}
    assert kinds >= {"one_on_one", "team_meeting", "project_kickoff", "presentation", "performance_conversation",
                     "interview"}  # fmt: skip


def test_the_json_schema_publishes_the_new_timings_audiences_and_conditions() -> None:
    schema = json_schema()
    defs = schema["$defs"]
    assert {"AfterMeeting", "AfterEvent"} <= set(defs)
    assert set(defs["Audience"]["enum"]) == {"subject", "manager", "both", "coach"}
    assert {"meeting_kind_in", "subject_is_manager", "event_data", "subject_level_stage"} <= set(
        defs["Condition"]["properties"]
    )
    assert '"default": "1d"' in json.dumps(defs["AfterEvent"])
