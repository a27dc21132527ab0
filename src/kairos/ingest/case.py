"""1EdTech CASE packages (CFPackage JSON, CASE 1.0 and 1.1) as Kairos frameworks.

See ``docs/formats/framework-case.md`` for the mapping. In short: the CFDocument is the framework;
the competencies are the CFItems a rubric criterion points to, and the leaves of the ``isChildOf``
hierarchy below them (or the CFItemTypes the admin names); levels come from CFRubrics, or from the
admin's ``--levels`` scale for items without one. CASE identifiers and URIs are kept.

Errors name the JSON path as the field (``CFAssociations[12].destinationNodeURI``, indexes counted
from 0 as in JSON) and, as the row, the position in the top-level list counted from 1.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_text
from kairos.ingest.framework import (
    MAX_LEVELS,
    MIN_LEVELS,
    SLUG,
    SLUG_EXPECTED,
    FrameworkOptions,
    split_anchors,
)

# CASE 1.0's vocabulary, plus isTranslationOf from 1.1; 1.1 also allows extensions named "ext:…".
ASSOCIATION_TYPES = (
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
)
_EXTENSION_TYPE = re.compile(r"ext:[A-Za-z0-9.\-_|]+")
_NAME_CHARS, _LEVEL_NAME_CHARS, _ID_CHARS = 300, 100, 100


@dataclass(frozen=True, slots=True)
class _Item:
    index: int
    key: str  # the identifier, trimmed and lower-cased: how references are matched
    data: dict[str, Any]

    @property
    def path(self) -> str:
        return f"CFItems[{self.index}]"

    @property
    def label(self) -> str:
        return _str(self.data, "humanCodingScheme") or _str(self.data, "abbreviatedStatement") or self.key

    @property
    def type(self) -> str | None:
        link = self.data.get("CFItemTypeURI")
        return _str(self.data, "CFItemType") or (_str(link, "title") if isinstance(link, dict) else None)


@dataclass(frozen=True, slots=True)
class _Criterion:
    rubric: int
    path: str
    data: dict[str, Any]


def _str(node: object, key: str) -> str | None:
    """``node[key]`` as trimmed non-empty text, or None."""
    value = node.get(key) if isinstance(node, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _key(identifier: str) -> str:
    return identifier.strip().lower()


def slugify(text: str) -> str | None:
    """A Kairos id from a code or title: ``CCSS.Math.Content.6.RP.A.1`` → ``ccss.math.content.6.rp.a.1``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9\-_.]+", "-", ascii_text)
    slug = re.sub(r"^[^a-z0-9]+", "", slug)[:_ID_CHARS].rstrip("-_.")
    return slug if slug and SLUG.match(slug) else None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str, file: str) -> Any:
    try:
        return json.loads(text.removeprefix("\ufeff"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError.at(file, "valid JSON", row=exc.lineno, value=exc.msg) from None
    except ValueError as exc:  # NaN, or an integer longer than Python converts
        raise InputError.at(file, "valid JSON", value=str(exc)) from None
    except RecursionError:
        raise InputError.at(file, "JSON nested less deeply") from None


def parse_case(path: Path | str, *, max_chars: int = 2000, options: FrameworkOptions | None = None) -> Framework:
    return parse_case_text(read_text(path), str(path), max_chars=max_chars, options=options)


def parse_case_text(
    text: str, file: str, *, max_chars: int = 2000, options: FrameworkOptions | None = None
) -> Framework:
    options = options or FrameworkOptions()
    package = load_json(text, file)
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise InputError.at(
            file,
            "a 1EdTech CASE package: a JSON object with CFDocument, CFItems and CFAssociations",
            field="CFDocument",
            value=type(package.get("CFDocument") if isinstance(package, dict) else package).__name__,
        )
    return _Reader(file, package, max_chars, options).framework()


class _Reader:
    def __init__(self, file: str, package: dict[str, Any], max_chars: int, options: FrameworkOptions) -> None:
        self.file = file
        self.package = package
        self.document: dict[str, Any] = package["CFDocument"]
        self.max_chars = max_chars
        self.options = options
        self.problems = Problems(file)
        self.doc_id = _str(self.document, "identifier")
        self.doc_key = _key(self.doc_id) if self.doc_id else ""

    def add(self, expected: str, *, row: int | None = None, field: str | None = None, value: object = None) -> None:
        self.problems.add(expected, row=row, field=field, value=value)

    def _list(self, key: str) -> list[Any]:
        value = self.package.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"a list of {key}", field=key, value=type(value).__name__)
            return []
        return value

    # --- the whole package -------------------------------------------------------------------------

    def framework(self) -> Framework:
        doc_id = self.doc_id
        if doc_id is None:
            self.add("the CFDocument's identifier (a UUID)", field="CFDocument.identifier",
                     value=self.document.get("identifier"))  # fmt: skip
        levels = self._default_levels()
        items = self._items()
        children, parents = self._associations(items)
        criteria = self._rubrics(items)
        chosen = self._competency_items(items, children, parents, criteria)
        ids = self._ids(chosen)
        competencies = [self._competency(item, ids[item.key], criteria.get(item.key, []), levels) for item in chosen]
        if not chosen and not self.problems:
            self.add("at least one CFItem that is a competency", field="CFItems", value=len(items))
        head = self._head(doc_id)
        self.problems.raise_if_any()
        return Framework(
            id=head[0],
            name=head[1],
            version=head[2],
            competencies=tuple(c for c in competencies if c is not None),
            source_id=doc_id,
            uri=_str(self.document, "uri"),
        )

    def _head(self, doc_id: str | None) -> tuple[str, str, str]:
        options, document = self.options, self.document
        title = _str(document, "title")
        fw_id = (options.framework_id or "").strip() or slugify(title or "") or slugify(doc_id or "") or ""
        if options.framework_id and not SLUG.match(fw_id):
            self.add(SLUG_EXPECTED, field="--framework-id", value=options.framework_id)
        elif not fw_id:
            self.add("a CFDocument title to make the framework id from, or --framework-id", field="CFDocument.title",
                     value=document.get("title"))  # fmt: skip
        name = (options.name or "").strip() or title or ""
        if not name:
            self.add("the CFDocument's title, or --framework-name", field="CFDocument.title",
                     value=document.get("title"))  # fmt: skip
        elif len(name) > _NAME_CHARS:
            self.add(f"a title of at most {_NAME_CHARS} characters, or --framework-name", field="CFDocument.title",
                     value=name)  # fmt: skip
        given = document.get("version")
        if given is not None and not isinstance(given, str) and not options.version:
            self.add('a version string such as "2026.1"', field="CFDocument.version", value=given)
        version = (options.version or "").strip() or _str(document, "version") or self._changed_at() or ""
        if not version and _str(document, "lastChangeDateTime") is None:
            self.add("a CFDocument version or lastChangeDateTime, or --framework-version", field="CFDocument.version",
                     value=document.get("version"))  # fmt: skip
        elif len(version) > 100:
            self.add("a version of at most 100 characters", field="CFDocument.version", value=version)
        return fw_id, name, version

    def _changed_at(self) -> str | None:
        """The document's lastChangeDateTime, which real exports often write without a zone."""
        value = _str(self.document, "lastChangeDateTime")
        if value is None:
            return None
        try:
            datetime.fromisoformat(value)
        except ValueError:
            self.add("an ISO 8601 date-time such as 2017-05-25T18:05:33 (with or without a zone)",
                     field="CFDocument.lastChangeDateTime", value=value)  # fmt: skip
            return None
        return value

    def _default_levels(self) -> tuple[str, ...]:
        names = tuple(n.strip() for n in self.options.default_levels)
        if names and (
            not MIN_LEVELS <= len(names) <= MAX_LEVELS or not all(0 < len(n) <= _LEVEL_NAME_CHARS for n in names)
        ):
            self.add(f"{MIN_LEVELS} to {MAX_LEVELS} level names of at most {_LEVEL_NAME_CHARS} characters, "
                     "lowest first, separated by commas", field="--levels", value=",".join(names))  # fmt: skip
            return ()
        return names

    # --- items, associations, rubrics ---------------------------------------------------------------

    def _items(self) -> dict[str, _Item]:
        items: dict[str, _Item] = {}
        for index, data in enumerate(self._list("CFItems")):
            path = f"CFItems[{index}]"
            if not isinstance(data, dict):
                self.add("a CFItem object", row=index + 1, field=path, value=type(data).__name__)
                continue
            identifier = _str(data, "identifier")
            if identifier is None:
                self.add("the item's identifier (a UUID)", row=index + 1, field=f"{path}.identifier",
                         value=data.get("identifier"))  # fmt: skip
                continue
            key = _key(identifier)
            if key in items or key == self.doc_key:
                other = items[key].path if key in items else "CFDocument"
                self.add(f"a unique identifier (also {other})", row=index + 1, field=f"{path}.identifier",
                         value=identifier)  # fmt: skip
                continue
            items[key] = _Item(index, key, data)
        return items

    def _associations(self, items: dict[str, _Item]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Parent → children and child → parents, from ``isChildOf``; every association checked."""
        edges: list[tuple[bool, int, int, str, str]] = []
        for index, data in enumerate(self._list("CFAssociations")):
            path, row = f"CFAssociations[{index}]", index + 1
            if not isinstance(data, dict):
                self.add("a CFAssociation object", row=row, field=path, value=type(data).__name__)
                continue
            kind = data.get("associationType")
            if not isinstance(kind, str) or (kind not in ASSOCIATION_TYPES and not _EXTENSION_TYPE.fullmatch(kind)):
                self.add(f"a CASE association type ({', '.join(ASSOCIATION_TYPES)}) or an extension 'ext:name'",
                         row=row, field=f"{path}.associationType", value=kind)  # fmt: skip
                continue
            ends = [self._end(data, end, kind, items, row, path) for end in ("originNodeURI", "destinationNodeURI")]
            origin, destination = ends
            if kind != "isChildOf" or origin is None or destination is None:
                continue
            if origin == self.doc_key:
                self.add("a CFItem as the child (the CFDocument is the root of the hierarchy)", row=row,
                         field=f"{path}.originNodeURI", value=data["originNodeURI"].get("identifier"))  # fmt: skip
                continue
            number = _sequence(data.get("sequenceNumber"))
            edges.append((number is None, number or 0, items[origin].index, destination, origin))
        children: dict[str, list[str]] = {}
        parents: dict[str, list[str]] = {}
        for *_, parent, child in sorted(edges):
            children.setdefault(parent, []).append(child)
            parents.setdefault(child, []).append(parent)
        return children, parents

    def _end(
        self, data: dict[str, Any], end: str, kind: str, items: dict[str, _Item], row: int, path: str
    ) -> str | None:
        """The in-package key an association end names; None for a clearly external end or a problem."""
        link = data.get(end)
        identifier = _str(link, "identifier")
        if identifier is None:
            self.add("a link object with an identifier and a uri", row=row, field=f"{path}.{end}", value=link)
            return None
        key = _key(identifier)
        if key in items or (key == self.doc_key and key):
            return key
        if kind == "isChildOf":
            self.add("the identifier of a CFItem in this package, or of the CFDocument as the parent "
                     "(an isChildOf association builds the package's own hierarchy)", row=row, field=f"{path}.{end}",
                     value=identifier)  # fmt: skip
        elif not _external(link):
            self.add("the identifier of a CFItem or the CFDocument in this package, or a link outside it with an "
                     "absolute uri (http, https or urn)", row=row, field=f"{path}.{end}", value=identifier)  # fmt: skip
        return None

    def _rubrics(self, items: dict[str, _Item]) -> dict[str, list[_Criterion]]:
        """Rubric criteria per item they describe. Criteria that name no item are not about a competency."""
        criteria: dict[str, list[_Criterion]] = {}
        for index, rubric in enumerate(self._list("CFRubrics")):
            path = f"CFRubrics[{index}]"
            if not isinstance(rubric, dict):
                self.add("a CFRubric object", row=index + 1, field=path, value=type(rubric).__name__)
                continue
            found = rubric.get("CFRubricCriteria") or []
            if not isinstance(found, list):
                self.add("a list of CFRubricCriteria", row=index + 1, field=f"{path}.CFRubricCriteria",
                         value=type(found).__name__)  # fmt: skip
                continue
            for c, criterion in enumerate(found):
                cpath = f"{path}.CFRubricCriteria[{c}]"
                if not isinstance(criterion, dict):
                    self.add("a CFRubricCriterion object", row=index + 1, field=cpath, value=type(criterion).__name__)
                    continue
                link = criterion.get("CFItemURI")
                if link is None:
                    continue
                identifier = _str(link, "identifier")
                if identifier is None or _key(identifier) not in items:
                    self.add("a link to a CFItem of this package (identifier and uri)", row=index + 1,
                             field=f"{cpath}.CFItemURI", value=identifier or link)  # fmt: skip
                    continue
                criteria.setdefault(_key(identifier), []).append(_Criterion(index, cpath, criterion))
        return criteria

    # --- the mapping ----------------------------------------------------------------------------------

    def _competency_items(
        self,
        items: dict[str, _Item],
        children: dict[str, list[str]],
        parents: dict[str, list[str]],
        criteria: dict[str, list[_Criterion]],
    ) -> list[_Item]:
        """The items that become competencies, in the order of the hierarchy (then of the file)."""
        ordered = list(_walk(self.doc_key, children, items))
        reached = {item.key for item in ordered}
        ordered += [item for item in sorted(items.values(), key=lambda i: i.index) if item.key not in reached]
        if self.options.item_types:
            wanted = {t.strip().casefold() for t in self.options.item_types}
            present = {item.type.casefold(): item.type for item in items.values() if item.type}
            for name in sorted(wanted - set(present)):
                self.add(f"a CFItemType of this package ({', '.join(sorted(present.values())) or 'none'})",
                         field="--item-type", value=name)  # fmt: skip
            return [item for item in ordered if item.type and item.type.casefold() in wanted]
        has_rubric = set(criteria)
        chosen = []
        for item in ordered:
            leaf = item.key not in children and not _below(item.key, has_rubric, parents)
            if item.key in has_rubric or leaf:
                chosen.append(item)
        return chosen

    def _ids(self, chosen: list[_Item]) -> dict[str, str]:
        """Kairos ids from the human coding scheme; the identifier where that is missing or not unique."""
        wanted = {item.key: slugify(_str(item.data, "humanCodingScheme") or "") for item in chosen}
        counts: dict[str | None, int] = {}
        for slug in wanted.values():
            counts[slug] = counts.get(slug, 0) + 1
        ids = {}
        for item in chosen:
            slug = wanted[item.key]
            ids[item.key] = slug if slug and counts[slug] == 1 else slugify(item.key) or ""
        return ids

    def _competency(
        self, item: _Item, cid: str, criteria: list[_Criterion], default_levels: tuple[str, ...]
    ) -> Competency | None:
        row, path = item.index + 1, item.path
        statement = _str(item.data, "fullStatement") or _str(item.data, "notes")
        if statement is None:
            self.add("the competency's fullStatement", row=row, field=f"{path}.fullStatement",
                     value=item.data.get("fullStatement"))  # fmt: skip
            return None
        if len(statement) > self.max_chars:
            self.add(f"at most {self.max_chars} characters", row=row, field=f"{path}.fullStatement", value=statement)
            return None
        if not cid:
            self.add("a humanCodingScheme or identifier to make a competency id from", row=row,
                     field=f"{path}.identifier", value=item.data.get("identifier"))  # fmt: skip
            return None
        if criteria:
            levels = self._rubric_levels(criteria)
        elif default_levels:
            levels = [ProficiencyLevel(n, name, (statement,)) for n, name in enumerate(default_levels, start=1)]
        else:
            self.add(
                f"a CFRubricCriterion with {MIN_LEVELS} to {MAX_LEVELS} CFRubricCriterionLevels for this competency, "
                "or a default scale for items without a rubric: --levels 'Learning,Practising,Skilled'",
                row=row,
                field=path,
                value=item.label,
            )
            return None
        code = _str(item.data, "humanCodingScheme")
        short = _str(item.data, "abbreviatedStatement") or statement
        return Competency(
            id=cid,
            name=_shorten(" ".join(f"{code or ''} {short}".split()), _NAME_CHARS),
            definition=statement,
            levels=tuple(levels),
            source_id=_str(item.data, "identifier"),
            uri=_str(item.data, "uri"),
        )

    def _rubric_levels(self, criteria: list[_Criterion]) -> list[ProficiencyLevel]:
        """Levels from the item's rubric criteria: the nth level of each criterion gives level n its anchors."""
        per_criterion = [self._criterion_levels(c) for c in criteria]
        if any(found is None for found in per_criterion):
            return []
        first = per_criterion[0] or []
        for criterion, found in zip(criteria[1:], per_criterion[1:], strict=True):
            if found is not None and len(found) != len(first):
                self.add(f"as many levels as {criteria[0].path} ({len(first)})", row=criterion.rubric + 1,
                         field=f"{criterion.path}.CFRubricCriterionLevels", value=len(found))  # fmt: skip
                return []
        return [
            ProficiencyLevel(
                level=n,
                name=name,
                anchors=tuple(a for found in per_criterion for a in (found or [])[n - 1][1]),
            )
            for n, (name, _) in enumerate(first, start=1)
        ]

    def _criterion_levels(self, criterion: _Criterion) -> list[tuple[str, list[str]]] | None:
        row, path = criterion.rubric + 1, f"{criterion.path}.CFRubricCriterionLevels"
        raw = criterion.data.get("CFRubricCriterionLevels")
        if not isinstance(raw, list) or not MIN_LEVELS <= len(raw) <= MAX_LEVELS:
            self.add(f"{MIN_LEVELS} to {MAX_LEVELS} CFRubricCriterionLevels", row=row, field=path,
                     value=len(raw) if isinstance(raw, list) else raw)  # fmt: skip
            return None
        if not all(isinstance(level, dict) for level in raw):
            self.add("CFRubricCriterionLevel objects", row=row, field=path, value=raw)
            return None
        order = _level_order(raw)
        if order is None:
            self.add("levels with distinct scores (or distinct positions): the score orders them, lowest first",
                     row=row, field=path, value=[lv.get("score", lv.get("position")) for lv in raw])  # fmt: skip
            return None
        found: list[tuple[str, list[str]]] = []
        for number, index in enumerate(order, start=1):
            level, lpath = raw[index], f"{path}[{index}]"
            quality, feedback = _str(level, "quality"), _str(level, "feedback")
            name = quality or (feedback if feedback and len(feedback) <= _LEVEL_NAME_CHARS else None)
            anchors = split_anchors(_str(level, "description") or "") or (
                split_anchors(feedback) if feedback and feedback != name else []
            )
            if name and len(name) > _LEVEL_NAME_CHARS:
                self.add(f"a quality of at most {_LEVEL_NAME_CHARS} characters (the level's name)", row=row,
                         field=f"{lpath}.quality", value=name)  # fmt: skip
            if not anchors:
                self.add("a description of the behavior at this level (it becomes the level's anchors)", row=row,
                         field=f"{lpath}.description", value=level.get("description"))  # fmt: skip
            long = [a for a in anchors if len(a) > self.max_chars]
            if long:
                self.add(f"at most {self.max_chars} characters", row=row, field=f"{lpath}.description",
                         value=long[0])  # fmt: skip
            found.append((name or f"Level {number}", anchors))
        return found


def _sequence(value: object) -> int | None:
    """An association's sequenceNumber; real exports write it as text ("1") as often as a number."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,9}\s*", value):
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _level_order(levels: list[dict[str, Any]]) -> list[int] | None:
    """Indexes lowest level first: by score when every level has one, else by position, else as listed."""
    for key in ("score", "position"):
        values = [level.get(key) for level in levels]
        if all(_number(v, whole=key == "position") for v in values):
            numbers: list[float] = values  # type: ignore[assignment]  # checked just above
            if len(set(numbers)) != len(numbers):
                return None
            return sorted(range(len(levels)), key=lambda i: numbers[i])
    return list(range(len(levels)))


def _number(value: object, *, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) if whole else math.isfinite(value)


def _walk(root: str, children: dict[str, list[str]], items: dict[str, _Item]) -> Iterator[_Item]:
    """Items depth first from ``root``, each once, children in sequence order."""
    seen: set[str] = set()
    stack = list(reversed(children.get(root, [])))
    while stack:
        key = stack.pop()
        if key in seen or key not in items:
            continue
        seen.add(key)
        yield items[key]
        stack.extend(reversed(children.get(key, [])))


def _below(key: str, ancestors: set[str], parents: dict[str, list[str]]) -> bool:
    """Whether ``key`` descends (through isChildOf) from one of ``ancestors``."""
    seen: set[str] = set()
    stack = list(parents.get(key, []))
    while stack:
        parent = stack.pop()
        if parent in ancestors:
            return True
        if parent not in seen:
            seen.add(parent)
            stack.extend(parents.get(parent, []))
    return False


def _external(link: object) -> bool:
    """A link to something outside the package: an absolute http(s) URI with a host, or a URN."""
    uri = _str(link, "uri")
    if uri is None:
        return False
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return (parts.scheme in {"http", "https"} and bool(parts.netloc)) or parts.scheme == "urn"


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else text[: limit - 1]) + "…"
