"""Loading plays from YAML in two passes (schema, then references), keeping invalid plays visible."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kairos.domain.event import EventType
from kairos.domain.meeting import MeetingKind
from kairos.errors import InputError, Problem
from kairos.ingest.base import LineDict, load_yaml, read_text
from kairos.plays.schema import MEETING_TIMINGS, BeforeMeeting, Play


@dataclass(frozen=True, slots=True)
class LoadedPlay:
    """A play file and what became of it: a valid play, or the problems that keep it from running."""

    path: str
    play: Play | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.play is not None and not self.problems

    @property
    def name(self) -> str:
        return self.play.id if self.play else Path(self.path).stem


def _line_at(doc: Any, loc: Iterable[object]) -> int | None:
    """The YAML line of the deepest node a validation error's location reaches."""
    line = doc.line if isinstance(doc, LineDict) else None
    node = doc
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.line_of(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, LineDict):
                line = node.line
        else:
            break
    return line


def _field_path(loc: Iterable[object]) -> str:
    # pydantic puts the union member's class name into union locations; people wrote no such key
    parts = [str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper())]
    return "/".join(parts)


_EXPECTED = {
    "missing": "a value here (the field is required)",
    "extra_forbidden": "no such field (check its spelling against `kairos plays schema`)",
}


def _expected(err: Any) -> str:
    return str(_EXPECTED.get(err["type"], err["msg"]))


def load_play_text(text: str, file: str, templates: set[str]) -> LoadedPlay:
    try:
        doc = load_yaml(text, file)
    except InputError as exc:
        return LoadedPlay(file, None, tuple(exc.problems))
    try:
        play = Play.model_validate(doc)
    except ValidationError as exc:
        problems = tuple(
            Problem(
                file,
                _expected(err),
                row=_line_at(doc, err["loc"]),
                field=_field_path(err["loc"]) or None,
                value=err.get("input") if not isinstance(err.get("input"), dict | list) else None,
            )
            for err in exc.errors()
        )
        return LoadedPlay(file, None, problems)
    return LoadedPlay(file, play, tuple(_reference_problems(play, doc, file, templates)))


def _reference_problems(play: Play, doc: LineDict, file: str, templates: set[str]) -> list[Problem]:
    """Second pass: things the schema cannot know — templates that exist, timings that fit the trigger."""
    problems: list[Problem] = []
    is_meeting = play.trigger.event == EventType.MEETING_SCHEDULED
    for i, condition in enumerate(play.conditions):
        kinds = condition.meeting_kinds
        if kinds and not is_meeting:
            problems.append(
                Problem(
                    file,
                    f"a meeting trigger for a {condition.key} condition",
                    row=_line_at(doc, ("conditions", i)),
                    field=f"conditions/{i}",
                )
            )
            continue
        for kind in kinds:
            if kind not in set(MeetingKind):
                problems.append(
                    Problem(
                        file,
                        f"one of {', '.join(MeetingKind)}",
                        row=_line_at(doc, ("conditions", i)),
                        field=f"conditions/{i}/{condition.key}",
                        value=kind,
                    )
                )
    for i, action in enumerate(play.actions):
        if action.template not in templates:
            problems.append(
                Problem(
                    file,
                    f"a template in content/templates ({', '.join(sorted(templates))})",
                    row=_line_at(doc, ("actions", i, "template")),
                    field=f"actions/{i}/template",
                    value=action.template,
                )
            )
        if isinstance(action.timing, MEETING_TIMINGS) and not is_meeting:
            timing_key = "before_meeting" if isinstance(action.timing, BeforeMeeting) else "after_meeting"
            problems.append(
                Problem(
                    file,
                    f"{timing_key} timing only on a meeting.scheduled trigger",
                    row=_line_at(doc, ("actions", i, "timing")),
                    field=f"actions/{i}/timing",
                )
            )
    return problems


def load_plays(folder: Path, templates: set[str]) -> list[LoadedPlay]:
    """Every ``*.yaml`` play in ``folder``, valid or not; duplicate ids make both invalid."""
    loaded = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            text = read_text(path)
        except InputError as exc:
            loaded.append(LoadedPlay(str(path), None, tuple(exc.problems)))
            continue
        loaded.append(load_play_text(text, str(path), templates))
    by_id: dict[str, list[LoadedPlay]] = {}
    for item in loaded:
        if item.play:
            by_id.setdefault(item.play.id, []).append(item)
    result = []
    for item in loaded:
        twins = by_id.get(item.play.id, []) if item.play else []
        if len(twins) > 1:
            others = ", ".join(Path(t.path).name for t in twins if t is not item)
            item = LoadedPlay(
                item.path,
                item.play,
                (
                    *item.problems,
                    Problem(
                        item.path,
                        f"a unique play id (also in {others})",
                        field="id",
                        value=item.play.id if item.play else None,
                    ),
                ),
            )
        result.append(item)
    return result
