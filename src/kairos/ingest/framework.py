"""Competency frameworks: YAML (``docs/formats/framework.md``), and storing a version from any format.

``import_framework`` reads a file by its type — ``.yaml``/``.yml`` here, ``.csv`` in
``framework_csv``, ``.json`` (1EdTech CASE) in ``case`` — validates all of it, then stores the
version and one ``framework.imported`` event in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import (
    CAREER_STAGES,
    MAX_PRIORITIES,
    MIN_PRIORITIES,
    Competency,
    Framework,
    PriorityBehavior,
    ProficiencyLevel,
    RoleBenchmark,
    label_key,
)
from kairos.errors import InputError
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store.frameworks import framework_document, framework_from_document
from kairos.store.schema import frameworks

SLUG = re.compile(r"^[a-z0-9][a-z0-9\-_.]{0,99}$")
SLUG_EXPECTED = "a lowercase id of letters, digits and - _ ."
MIN_LEVELS, MAX_LEVELS = 3, 5
MAX_ROLE_CHARS, MAX_JOB_LEVEL_CHARS = 300, 50  # as the people table stores them
_BULLET = re.compile(r"^\s*[•\-*–·](?:\s+|$)")

_TOP_KEYS = ("framework", "competencies", "benchmarks", "priority_behaviors", "career_stages")
_HEAD_KEYS = ("id", "name", "version", "source_id", "uri")
_COMPETENCY_KEYS = ("id", "name", "definition", "levels", "source_id", "uri")
_LEVEL_KEYS = ("level", "name", "anchors")
_BENCHMARK_KEYS = ("role", "level", "expectations")
_PRIORITY_KEYS = ("competency", "level", "behavior")


@dataclass(frozen=True, slots=True)
class FrameworkOptions:
    """What the admin adds on the command line for formats that cannot say it themselves (CSV, CASE)."""

    framework_id: str | None = None
    name: str | None = None
    version: str | None = None
    default_levels: tuple[str, ...] = ()  # CASE: the scale for items without a rubric
    item_types: tuple[str, ...] = ()  # CASE: the CFItemTypes that are competencies

    def given(self) -> list[str]:
        names = {
            "--framework-id": self.framework_id,
            "--framework-name": self.name,
            "--framework-version": self.version,
            "--levels": self.default_levels,
            "--item-type": self.item_types,
        }
        return [option for option, value in names.items() if value]


def split_anchors(cell: str) -> list[str]:
    """The anchors in one spreadsheet cell or rubric text: one per line, bullets and blank lines dropped."""
    anchors = []
    for line in cell.splitlines():
        text = _BULLET.sub("", line).strip()
        if text:
            anchors.append(text)
    return anchors


def competency_list(competencies: dict[str, Competency] | list[Competency]) -> str:
    ids = list(competencies) if isinstance(competencies, dict) else [c.id for c in competencies]
    shown = ", ".join(ids[:10])
    return shown + (f", … ({len(ids)} in all)" if len(ids) > 10 else "")


# --- YAML ----------------------------------------------------------------------------------------------


def _text(problems: Problems, node: LineDict, key: str, where: str, max_chars: int) -> str:
    value = node.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool) and key in {"version"}:
        if isinstance(value, float):
            problems.add(
                'a quoted version string such as "2026.1" (unquoted, YAML reads it as a number)',
                row=node.line_of(key),
                field=f"{where}{key}",
                value=value,
            )
            return ""
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problems.add("a non-empty text", row=node.line_of(key), field=f"{where}{key}", value=value)
        return ""
    if len(value) > max_chars:
        problems.add(f"at most {max_chars} characters", row=node.line_of(key), field=f"{where}{key}", value=value)
        return ""
    return value.strip()


def _optional_text(problems: Problems, node: LineDict, key: str, where: str, max_chars: int) -> str | None:
    if key not in node:
        return None
    return _text(problems, node, key, where, max_chars) or None


def _known_keys(problems: Problems, node: LineDict, allowed: tuple[str, ...], where: str) -> None:
    for key in node:
        if key not in allowed:
            problems.add(
                f"one of the keys {', '.join(allowed)}", row=node.line_of(key), field=f"{where}{key}", value=key
            )


def parse_framework(path: Path | str, *, max_chars: int = 2000) -> Framework:
    file = str(path)
    return parse_framework_text(read_text(path), file, max_chars=max_chars)


def parse_framework_text(text: str, file: str, *, max_chars: int = 2000) -> Framework:
    doc = load_yaml(text, file)
    problems = Problems(file)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("framework"), LineDict):
        raise InputError.at(file, "a mapping with 'framework' (id, name, version) and 'competencies'", row=1)
    _known_keys(problems, doc, _TOP_KEYS, "")
    head: LineDict = doc["framework"]
    _known_keys(problems, head, _HEAD_KEYS, "framework.")
    fw_id = _text(problems, head, "id", "framework.", 100)
    if fw_id and not SLUG.match(fw_id):
        problems.add(SLUG_EXPECTED, row=head.line_of("id"), field="framework.id", value=fw_id)
    name = _text(problems, head, "name", "framework.", 300)
    version = _text(problems, head, "version", "framework.", 100)
    source_id = _optional_text(problems, head, "source_id", "framework.", 300)
    uri = _optional_text(problems, head, "uri", "framework.", max_chars)
    items = doc.get("competencies")
    if not isinstance(items, list) or not items:
        problems.add("a list of competencies", row=doc.line_of("competencies"), field="competencies", value=items)
        problems.raise_if_any()
        raise AssertionError  # unreachable: raise_if_any raised
    competencies: list[Competency] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"competencies[{index}]."
        if not isinstance(item, LineDict):
            problems.add("a competency mapping", row=doc.line_of("competencies"), field=where[:-1], value=item)
            continue
        _known_keys(problems, item, _COMPETENCY_KEYS, where)
        cid = _text(problems, item, "id", where, 100)
        if cid and not SLUG.match(cid):
            problems.add(SLUG_EXPECTED, row=item.line_of("id"), field=f"{where}id", value=cid)
        elif cid in seen:
            problems.add(
                f"a unique id (also on line {seen[cid]})", row=item.line_of("id"), field=f"{where}id", value=cid
            )
        seen.setdefault(cid, item.line_of("id"))
        cname = _text(problems, item, "name", where, 300)
        definition = _text(problems, item, "definition", where, max_chars)
        levels = _levels(problems, item, where, max_chars)
        competencies.append(
            Competency(
                id=cid,
                name=cname,
                definition=definition,
                levels=tuple(levels),
                source_id=_optional_text(problems, item, "source_id", where, 300),
                uri=_optional_text(problems, item, "uri", where, max_chars),
            )
        )
    by_id = {c.id: c for c in competencies if c.id}
    benchmarks = _benchmarks(problems, doc, by_id) if "benchmarks" in doc else []
    priorities = _priorities(problems, doc, by_id, max_chars) if "priority_behaviors" in doc else []
    stages = _career_stages(problems, doc) if "career_stages" in doc else []
    problems.raise_if_any()
    return Framework(
        id=fw_id,
        name=name,
        version=version,
        competencies=tuple(competencies),
        benchmarks=tuple(benchmarks),
        priority_behaviors=tuple(priorities),
        source_id=source_id,
        uri=uri,
        career_stages=tuple(stages),
    )


def _career_stages(problems: Problems, doc: LineDict) -> list[tuple[str, tuple[str, ...]]]:
    """``career_stages: {frontline: [IC1, IC2], …}``: the job levels of each stage, each level in one stage."""
    raw = doc["career_stages"]
    expected = f"a mapping of career stage ({', '.join(CAREER_STAGES)}) to a list of job levels such as [IC1, IC2]"
    if not isinstance(raw, LineDict):
        problems.add(expected, row=doc.line_of("career_stages"), field="career_stages", value=raw)
        return []
    found: list[tuple[str, tuple[str, ...]]] = []
    owner: dict[str, str] = {}
    for stage, levels in raw.items():
        where, row = f"career_stages.{stage}", raw.line_of(stage)
        if stage not in CAREER_STAGES:
            problems.add(f"one of the career stages {', '.join(CAREER_STAGES)}", row=row, field=where, value=stage)
            continue
        if not isinstance(levels, list) or not levels or not all(isinstance(lv, str | int) for lv in levels):
            problems.add("a list of job levels such as [IC1, IC2]", row=row, field=where, value=levels)
            continue
        names = tuple(str(lv).strip()[:100] for lv in levels)
        for name in names:
            key = label_key(name)
            if key in owner:
                problems.add(f"each job level in one stage (it is also in {owner[key]})", row=row, field=where,
                             value=name)  # fmt: skip
            owner.setdefault(key, stage)
        found.append((stage, names))
    return found


def _levels(problems: Problems, item: LineDict, where: str, max_chars: int) -> list[ProficiencyLevel]:
    raw = item.get("levels")
    if not isinstance(raw, list) or not MIN_LEVELS <= len(raw) <= MAX_LEVELS:
        problems.add(
            f"a list of {MIN_LEVELS} to {MAX_LEVELS} levels",
            row=item.line_of("levels"),
            field=f"{where}levels",
            value=len(raw) if isinstance(raw, list) else raw,
        )
        return []
    levels: list[ProficiencyLevel] = []
    for i, node in enumerate(raw):
        lwhere = f"{where}levels[{i}]."
        if not isinstance(node, LineDict):
            problems.add("a level mapping with level, name and anchors", row=item.line_of("levels"), field=lwhere[:-1])
            continue
        _known_keys(problems, node, _LEVEL_KEYS, lwhere)
        number = node.get("level")
        if number != i + 1 or isinstance(number, bool):
            problems.add(
                f"level {i + 1} (levels are numbered 1, 2, 3… in order)",
                row=node.line_of("level"),
                field=f"{lwhere}level",
                value=number,
            )
        lname = _text(problems, node, "name", lwhere, 100)
        anchors = node.get("anchors")
        if not isinstance(anchors, list) or not anchors or not all(isinstance(a, str) and a.strip() for a in anchors):
            problems.add(
                "a list of behavioral anchors (non-empty texts)",
                row=node.line_of("anchors"),
                field=f"{lwhere}anchors",
                value=anchors,
            )
            continue
        too_long = [a for a in anchors if len(a) > max_chars]
        if too_long:
            problems.add(
                f"anchors of at most {max_chars} characters",
                row=node.line_of("anchors"),
                field=f"{lwhere}anchors",
                value=too_long[0],
            )
            continue
        levels.append(ProficiencyLevel(level=i + 1, name=lname, anchors=tuple(a.strip() for a in anchors)))
    return levels


def _level_of(problems: Problems, competency: Competency, value: object, *, row: int, field: str) -> int | None:
    """``value`` when it is one of ``competency``'s level numbers, else a problem."""
    if isinstance(value, int) and not isinstance(value, bool) and competency.level(value) is not None:
        return value
    top = len(competency.levels)
    problems.add(f"a level of {competency.id}: a whole number from 1 to {top}", row=row, field=field, value=value)
    return None


def _job_label(problems: Problems, node: LineDict, key: str, where: str, max_chars: int) -> str | None:
    """An optional role or job level: text, or a whole number (``level: 3``) read as text."""
    if key not in node:
        return None
    value = node[key]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > max_chars:
        problems.add(
            f'a non-empty text of at most {max_chars} characters (quote numbers such as "1.5")',
            row=node.line_of(key),
            field=f"{where}{key}",
            value=value,
        )
        return None
    return " ".join(value.split())


def _benchmarks(problems: Problems, doc: LineDict, by_id: dict[str, Competency]) -> list[RoleBenchmark]:
    raw = doc["benchmarks"]
    if not isinstance(raw, list):
        problems.add(
            "a list of benchmarks, each with role and/or level and expectations",
            row=doc.line_of("benchmarks"),
            field="benchmarks",
            value=raw,
        )
        return []
    found: list[RoleBenchmark] = []
    seen: dict[tuple[str, str], int] = {}
    for index, node in enumerate(raw):
        where = f"benchmarks[{index}]."
        if not isinstance(node, LineDict):
            problems.add(
                "a benchmark mapping with role and/or level and expectations",
                row=doc.line_of("benchmarks"),
                field=where[:-1],
                value=node,
            )
            continue
        _known_keys(problems, node, _BENCHMARK_KEYS, where)
        role = _job_label(problems, node, "role", where, MAX_ROLE_CHARS)
        level = _job_label(problems, node, "level", where, MAX_JOB_LEVEL_CHARS)
        key = (label_key(role or ""), label_key(level or ""))
        if key in seen:
            problems.add(
                f"one benchmark per role and level (the same one is on line {seen[key]})",
                row=node.line,
                field=where[:-1],
                value=", ".join(p for p in (role, level) if p) or "everyone",
            )
        seen.setdefault(key, node.line)
        expectations = node.get("expectations")
        if not isinstance(expectations, LineDict) or not expectations:
            problems.add(
                "a mapping of competency id to the expected level, such as 'giving-feedback: 3'",
                row=node.line_of("expectations"),
                field=f"{where}expectations",
                value=expectations,
            )
            continue
        pairs: list[tuple[str, int]] = []
        for cid, value in expectations.items():
            row, field = expectations.line_of(cid), f"{where}expectations.{cid}"
            competency = by_id.get(cid)
            if competency is None:
                problems.add(f"a competency id of this framework ({competency_list(by_id)})", row=row, field=field,
                             value=cid)  # fmt: skip
                continue
            number = _level_of(problems, competency, value, row=row, field=field)
            if number is not None:
                pairs.append((cid, number))
        found.append(RoleBenchmark(role=role, level=level, expectations=tuple(pairs)))
    return found


def _priorities(
    problems: Problems, doc: LineDict, by_id: dict[str, Competency], max_chars: int
) -> list[PriorityBehavior]:
    raw = doc["priority_behaviors"]
    if not isinstance(raw, LineDict):
        problems.add(
            f"a mapping of career stage ({', '.join(CAREER_STAGES)}) to its {MIN_PRIORITIES}–{MAX_PRIORITIES} "
            "priority behaviors",
            row=doc.line_of("priority_behaviors"),
            field="priority_behaviors",
            value=raw,
        )
        return []
    found: list[PriorityBehavior] = []
    for stage, items in raw.items():
        where = f"priority_behaviors.{stage}"
        if stage not in CAREER_STAGES:
            problems.add(f"one of the career stages {', '.join(CAREER_STAGES)}", row=raw.line_of(stage),
                         field=where, value=stage)  # fmt: skip
            continue
        if not isinstance(items, list) or not MIN_PRIORITIES <= len(items) <= MAX_PRIORITIES:
            problems.add(
                f"a list of {MIN_PRIORITIES} to {MAX_PRIORITIES} priority behaviors",
                row=raw.line_of(stage),
                field=where,
                value=len(items) if isinstance(items, list) else items,
            )
            continue
        seen: dict[PriorityBehavior, int] = {}
        for index, node in enumerate(items):
            iwhere = f"{where}[{index}]."
            if not isinstance(node, LineDict):
                problems.add("a mapping with competency, level and an optional behavior", row=raw.line_of(stage),
                             field=iwhere[:-1], value=node)  # fmt: skip
                continue
            _known_keys(problems, node, _PRIORITY_KEYS, iwhere)
            cid = node.get("competency")
            competency = by_id.get(cid) if isinstance(cid, str) else None
            if competency is None:
                problems.add(f"a competency id of this framework ({competency_list(by_id)})",
                             row=node.line_of("competency"), field=f"{iwhere}competency", value=cid)  # fmt: skip
                continue
            number = _level_of(problems, competency, node.get("level"), row=node.line_of("level"),
                               field=f"{iwhere}level")  # fmt: skip
            behavior = _optional_text(problems, node, "behavior", iwhere, max_chars)
            if number is None:
                continue
            priority = PriorityBehavior(stage=stage, competency_id=competency.id, level=number, behavior=behavior)
            if priority in seen:
                problems.add(f"each priority behavior once per stage (the same one is on line {seen[priority]})",
                             row=node.line, field=iwhere[:-1], value=cid)  # fmt: skip
                continue
            seen[priority] = node.line
            found.append(priority)
    return found


# --- any format ----------------------------------------------------------------------------------------

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".json": "case"}


def parse_framework_file(
    path: Path | str, *, max_chars: int = 2000, options: FrameworkOptions | None = None
) -> tuple[Framework, str]:
    """The framework in ``path`` and its format (``yaml``, ``csv``, ``case``), chosen by the file's suffix."""
    file = str(path)
    options = options or FrameworkOptions()
    kind = FORMATS.get(Path(file).suffix.lower())
    if kind is None:
        raise InputError.at(
            file,
            "a .yaml or .yml file (Kairos YAML), a .csv file (a framework spreadsheet) or a .json file (1EdTech CASE)",
            value=Path(file).suffix or Path(file).name,
        )
    if kind == "csv":
        from kairos.ingest.framework_csv import parse_framework_csv

        return parse_framework_csv(path, max_chars=max_chars, options=options), kind
    if kind == "case":
        from kairos.ingest.case import parse_case

        return parse_case(path, max_chars=max_chars, options=options), kind
    if options.given():
        raise InputError.at(
            file,
            "no command-line options for a YAML framework: it names itself under 'framework:' (id, name, version) "
            "and writes its levels out",
            value=" ".join(options.given()),
        )
    return parse_framework(path, max_chars=max_chars), kind


def import_framework(
    db: Database,
    path: Path | str,
    *,
    now: datetime,
    max_chars: int = 2000,
    options: FrameworkOptions | None = None,
) -> tuple[Framework, bool]:
    """Store a framework version from a YAML, CSV or CASE file.

    Re-importing an identical version is a no-op; changing a stored version is refused.
    """
    framework, kind = parse_framework_file(path, max_chars=max_chars, options=options)
    return framework, store_framework(db, framework, file=str(path), kind=kind, now=now)


def store_framework(db: Database, framework: Framework, *, file: str, kind: str, now: datetime) -> bool:
    """Store ``framework`` and its ``framework.imported`` event; False when this exact version is already stored."""
    with db.transaction() as conn:
        existing = conn.execute(
            select(frameworks.c.document).where(
                frameworks.c.id == framework.id, frameworks.c.version == framework.version
            )
        ).first()
        if existing is not None:
            if framework_from_document(existing.document) != framework:  # JSON gives lists for tuples
                raise InputError.at(
                    file,
                    f"a new version string: version {framework.version!r} of {framework.id!r} is already "
                    "stored with different content, and stored versions never change",
                    field="framework.version",
                    value=framework.version,
                )
            return False
        conn.execute(
            frameworks.insert().values(
                id=framework.id,
                version=framework.version,
                name=framework.name,
                document=framework_document(framework),
                imported_at=now,
            )
        )
        event_log.append(
            conn,
            [
                Event(
                    id=content_id(framework.id, framework.version),
                    source=f"kairos/framework-{kind}/{Path(file).name}",
                    type=EventType.FRAMEWORK_IMPORTED,
                    subject=framework.id,
                    time=now.astimezone(UTC),
                    data={"version": framework.version, "competencies": [c.id for c in framework.competencies]},
                )
            ],
            now,
        )
    return True
