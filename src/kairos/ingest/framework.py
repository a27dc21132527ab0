"""Competency frameworks written in YAML (``docs/formats/framework.md``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.errors import InputError
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store.frameworks import framework_document, framework_from_document
from kairos.store.schema import frameworks

_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-_.]{0,99}$")
MIN_LEVELS, MAX_LEVELS = 3, 5


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


def parse_framework(path: Path | str, *, max_chars: int = 2000) -> Framework:
    file = str(path)
    return parse_framework_text(read_text(path), file, max_chars=max_chars)


def parse_framework_text(text: str, file: str, *, max_chars: int = 2000) -> Framework:
    doc = load_yaml(text, file)
    problems = Problems(file)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("framework"), LineDict):
        raise InputError.at(file, "a mapping with 'framework' (id, name, version) and 'competencies'", row=1)
    head: LineDict = doc["framework"]
    fw_id = _text(problems, head, "id", "framework.", 100)
    if fw_id and not _SLUG.match(fw_id):
        problems.add(
            "a lowercase id of letters, digits and - _ .", row=head.line_of("id"), field="framework.id", value=fw_id
        )
    name = _text(problems, head, "name", "framework.", 300)
    version = _text(problems, head, "version", "framework.", 100)
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
        cid = _text(problems, item, "id", where, 100)
        if cid and not _SLUG.match(cid):
            problems.add(
                "a lowercase id of letters, digits and - _ .", row=item.line_of("id"), field=f"{where}id", value=cid
            )
        elif cid in seen:
            problems.add(
                f"a unique id (also on line {seen[cid]})", row=item.line_of("id"), field=f"{where}id", value=cid
            )
        seen.setdefault(cid, item.line_of("id"))
        cname = _text(problems, item, "name", where, 300)
        definition = _text(problems, item, "definition", where, max_chars)
        levels = _levels(problems, item, where, max_chars)
        competencies.append(Competency(id=cid, name=cname, definition=definition, levels=tuple(levels)))
    problems.raise_if_any()
    return Framework(id=fw_id, name=name, version=version, competencies=tuple(competencies))


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


def import_framework(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> tuple[Framework, bool]:
    """Store a framework version. Re-importing an identical version is a no-op; changing a stored version is refused."""
    file = str(path)
    framework = parse_framework(path, max_chars=max_chars)
    document = framework_document(framework)
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
            return framework, False
        conn.execute(
            frameworks.insert().values(
                id=framework.id,
                version=framework.version,
                name=framework.name,
                document=document,
                imported_at=now,
            )
        )
        event_log.append(
            conn,
            [
                Event(
                    id=content_id(framework.id, framework.version),
                    source=f"kairos/framework-yaml/{Path(file).name}",
                    type=EventType.FRAMEWORK_IMPORTED,
                    subject=framework.id,
                    time=now.astimezone(UTC),
                    data={"version": framework.version, "competencies": [c.id for c in framework.competencies]},
                )
            ],
            now,
        )
    return framework, True
