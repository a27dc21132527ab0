"""Competency frameworks kept in a spreadsheet (``docs/formats/framework-csv.md``).

One row per competency and level; the ``anchors`` cell holds one anchor per line (Alt+Enter in
Excel), and further rows for the same competency and level add anchors. A blank ``competency_id``
or ``level`` means "as the row above", as people leave merged cells. The framework's id, name and
version come from the ``framework_*`` columns or the command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text
from kairos.ingest.framework import (
    MAX_LEVELS,
    MIN_LEVELS,
    SLUG,
    SLUG_EXPECTED,
    FrameworkOptions,
    split_anchors,
)

REQUIRED = ("competency_id", "competency_name", "definition", "level", "level_name", "anchors")
OPTIONAL = ("framework_id", "framework_name", "framework_version")
_NUMBER = re.compile(r"[0-9]{1,3}")
# A cell may hold several anchors; each anchor, name and definition is then held to its own limit.
_CELL_FACTOR = 10


@dataclass
class _Once:
    """A value that may be written on several rows, as long as it is the same every time."""

    value: str = ""
    row: int = 0

    def take(self, problems: Problems, value: str, row: int, column: str, limit: int) -> None:
        if not value:
            return
        if len(value) > limit:
            problems.add(f"at most {limit} characters", row=row, field=column, value=value)
        elif not self.value:
            self.value, self.row = value, row
        elif value != self.value:
            problems.add(
                f"the same {column} as on row {self.row} ({self.value!r}), or a blank cell",
                row=row,
                field=column,
                value=value,
            )


@dataclass
class _Level:
    first_row: int
    name: _Once = field(default_factory=_Once)
    anchors: list[str] = field(default_factory=list)


@dataclass
class _Competency:
    first_row: int
    name: _Once = field(default_factory=_Once)
    definition: _Once = field(default_factory=_Once)
    levels: dict[int, _Level] = field(default_factory=dict)


def parse_framework_csv(
    path: Path | str, *, max_chars: int = 2000, options: FrameworkOptions | None = None
) -> Framework:
    return parse_framework_csv_text(read_text(path), str(path), max_chars=max_chars, options=options)


def parse_framework_csv_text(
    text: str, file: str, *, max_chars: int = 2000, options: FrameworkOptions | None = None
) -> Framework:
    options = options or FrameworkOptions()
    if options.default_levels or options.item_types:
        raise InputError.at(
            file,
            "--levels and --item-type only with a CASE (.json) package; a spreadsheet writes its levels out",
            value=" ".join(o for o in options.given() if o in {"--levels", "--item-type"}),
        )
    problems = Problems(file)
    rows = read_csv(
        text.removeprefix("\ufeff"),
        file,
        required=REQUIRED,
        optional=OPTIONAL,
        max_chars=max_chars * _CELL_FACTOR,
        problems=problems,
    )
    drafts: dict[str, _Competency] = {}
    head = {column: _Once() for column in OPTIONAL}
    current: tuple[str, int] | None = None
    broken: set[str] = set()  # a row of these was refused: their level count would only repeat that
    for row in rows:
        cells = row.values
        for column in OPTIONAL:
            if column in cells:
                limit = 300 if column == "framework_name" else 100
                head[column].take(problems, cells[column], row.number, column, limit)
        cid = cells["competency_id"]
        if not cid:
            if current is None:
                problems.add(
                    "a competency id (a blank cell means 'as the row above', and there is no row above)",
                    row=row.number,
                    field="competency_id",
                )
                continue
            cid = current[0]
        elif not SLUG.match(cid):
            problems.add(SLUG_EXPECTED, row=row.number, field="competency_id", value=cid)
            continue
        if not cells["level"]:
            if current is None or current[0] != cid:
                problems.add(
                    f"a level number from 1 to {MAX_LEVELS} (a blank cell means the level of the row above, "
                    "which must be the same competency)",
                    row=row.number,
                    field="level",
                )
                continue
            number = current[1]
        elif _NUMBER.fullmatch(cells["level"]) and 1 <= int(cells["level"]) <= MAX_LEVELS:
            number = int(cells["level"])
        else:
            problems.add(f"a level number from 1 to {MAX_LEVELS}", row=row.number, field="level", value=cells["level"])
            broken.add(cid)
            continue
        current = (cid, number)
        draft = drafts.setdefault(cid, _Competency(row.number))
        draft.name.take(problems, cells["competency_name"], row.number, "competency_name", 300)
        draft.definition.take(problems, cells["definition"], row.number, "definition", max_chars)
        level = draft.levels.setdefault(number, _Level(row.number))
        level.name.take(problems, cells["level_name"], row.number, "level_name", 100)
        anchors = split_anchors(cells["anchors"])
        if not anchors:
            problems.add("one or more behavioral anchors, one per line in the cell", row=row.number, field="anchors")
        for anchor in anchors:
            if len(anchor) > max_chars:
                problems.add(f"anchors of at most {max_chars} characters", row=row.number, field="anchors",
                             value=anchor)  # fmt: skip
            else:
                level.anchors.append(anchor)
    competencies = [_competency(problems, cid, draft, cid in broken) for cid, draft in drafts.items()]
    if not drafts and not problems:
        problems.add("at least one row: a competency at a level with its anchors", row=2)
    fw_id = _head(problems, head["framework_id"], options.framework_id, "framework_id", "--framework-id")
    if fw_id and not SLUG.match(fw_id):
        problems.add(SLUG_EXPECTED, row=head["framework_id"].row or None, field="framework_id", value=fw_id)
    name = _head(problems, head["framework_name"], options.name, "framework_name", "--framework-name")
    version = _head(problems, head["framework_version"], options.version, "framework_version",
                    "--framework-version")  # fmt: skip
    problems.raise_if_any()
    return Framework(id=fw_id, name=name, version=version, competencies=tuple(competencies))


def _competency(problems: Problems, cid: str, draft: _Competency, broken: bool) -> Competency:
    for column, once in (("competency_name", draft.name), ("definition", draft.definition)):
        if not once.value:
            problems.add(f"a {column.replace('_', ' ')} on at least one of {cid}'s rows", row=draft.first_row,
                         field=column)  # fmt: skip
    numbers = sorted(draft.levels)
    if not broken and (numbers != list(range(1, len(numbers) + 1)) or not MIN_LEVELS <= len(numbers) <= MAX_LEVELS):
        problems.add(
            f"{MIN_LEVELS} to {MAX_LEVELS} levels of {cid}, numbered 1, 2, 3… without gaps",
            row=draft.first_row,
            field="level",
            value=", ".join(map(str, numbers)),
        )
    levels = []
    for number in numbers:
        level = draft.levels[number]
        if not level.name.value:
            problems.add(f"a level name for level {number} of {cid}", row=level.first_row, field="level_name")
        levels.append(ProficiencyLevel(level=number, name=level.name.value, anchors=tuple(level.anchors)))
    return Competency(id=cid, name=draft.name.value, definition=draft.definition.value, levels=tuple(levels))


def _head(problems: Problems, in_file: _Once, option: str | None, column: str, flag: str) -> str:
    """The framework's id, name or version: from the file's column or the option, and the same if both say it."""
    option = option.strip() if option else ""
    if option and in_file.value and option != in_file.value:
        problems.add(f"the same {column} as {flag} ({option!r}), or leave one of them out", row=in_file.row,
                     field=column, value=in_file.value)  # fmt: skip
    value = option or in_file.value
    if not value:
        problems.add(f"a {column.replace('_', ' ')}: fill the '{column}' column on the first row, or pass {flag}",
                     field=column)  # fmt: skip
    elif len(value) > (300 if column == "framework_name" else 100):
        problems.add(f"at most {300 if column == 'framework_name' else 100} characters", field=column, value=value)
        return ""
    return value
