"""What relationship and team insight share: lines that cite their facts, and the wording they are built from.

The wording lives in ``content/styles/relationships.yaml`` so it can be reviewed and replaced like
the mapping. This module loads it strictly and holds the small helpers both insights use to turn
leans into sides and facts into sentences.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kairos.domain.style import SCALES, StyleDimension, StyleFact, StyleProfile
from kairos.errors import InputError
from kairos.ingest.base import LineDict, load_yaml, read_text
from kairos.profiles.mapping import RELATIONSHIPS, YamlReader, at, bundled_styles_dir, label_problem, style_files
from kairos.profiles.reference import StrengthsDomain

LISTS = (StyleDimension.FEEDBACK, StyleDimension.STRESSORS, StyleDimension.MOTIVATORS)


@dataclass(frozen=True, slots=True)
class InsightLine:
    """One piece of advice or one likely friction, with the style facts (of either person) it came from."""

    text: str
    facts: tuple[StyleFact, ...]
    dimension: StyleDimension | None = None
    weight: float = 0.0  # how strongly the facts point this way; lines are listed strongest first

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(f.ref for f in self.facts)


@dataclass(frozen=True, slots=True)
class SideWording:
    """One side of a scale: what it is called, and what to do about it."""

    label: str  # reads after "leans": "toward detail and data first"
    adapt: str  # how to work with someone on this side
    prepare: str  # what to do before a 1:1 with them
    team_may_miss: str  # what a team with nobody on this side may under-weigh


@dataclass(frozen=True, slots=True)
class ScaleWording:
    label: str
    high: SideWording
    low: SideWording
    friction: str  # "{high} … {low} …"

    def side(self, sign: int) -> SideWording:
        return self.high if sign > 0 else self.low


@dataclass(frozen=True, slots=True)
class ListWording:
    adapt: str
    prepare: str = ""


@dataclass(frozen=True, slots=True)
class InsightWording:
    """The advice rules in force, from one ``relationships.yaml``."""

    clear_lean: float
    friction_gap: float
    scales: Mapping[StyleDimension, ScaleWording]
    lists: Mapping[StyleDimension, ListWording]
    strengths_domains: Mapping[StrengthsDomain, str]
    source: str

    def side_of(self, lean: float | None) -> int:
        """+1 or -1 for a clear lean to that side; 0 for no lean or one too slight to act on."""
        if lean is None or abs(lean) < self.clear_lean:
            return 0
        return 1 if lean > 0 else -1


# The placeholders each kind of text may use.
_ADVICE = frozenset({"b"})
_FRICTION = frozenset({"high", "low"})
_PLAIN: frozenset[str] = frozenset()


def _wording(reader: YamlReader, node: LineDict, key: str, path: str, allowed: frozenset[str]) -> str:
    text = reader.text(node, key, path)
    if text is None:
        return ""
    where, line = at(path, key), node.line_of(key)
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        reader.problem("text with balanced braces around placeholders", line, where, text)
        return ""
    unknown = sorted(used - allowed)
    if unknown:
        shown = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
        reader.problem(f"only the placeholders {shown}", line, where, text)
    elif allowed == _FRICTION and used != _FRICTION:
        reader.problem("both {high} and {low}", line, where, text)
    elif text.endswith((".", "!")) or not text[0].islower() and not text.startswith("{"):
        reader.problem(
            "a clause: lower-case start, no closing full stop (Kairos builds the sentence)", line, where, text
        )
    elif wrong := label_problem(text):
        reader.problem(wrong, line, where, text)
    return text


def _section(
    reader: YamlReader, node: LineDict | None, key: str, path: str, names: Sequence[str], optional: Sequence[str] = ()
) -> LineDict | None:
    """The mapping under ``key`` with these fields; None when it is missing (already reported) or wrong."""
    if node is None or key not in node:
        return None
    return reader.fields(node[key], at(path, key), node.line_of(key), names, optional)


def _side(reader: YamlReader, scale: LineDict, key: str, path: str) -> SideWording:
    spec = _section(reader, scale, key, path, ("label", "adapt", "prepare", "team_may_miss"))
    if spec is None:
        return SideWording("", "", "", "")
    path = at(path, key)
    return SideWording(
        _wording(reader, spec, "label", path, _PLAIN),
        _wording(reader, spec, "adapt", path, _ADVICE),
        _wording(reader, spec, "prepare", path, _ADVICE),
        _wording(reader, spec, "team_may_miss", path, _PLAIN),
    )


def parse_insight_wording(text: str, file: str) -> InsightWording:
    """A relationships file, validated whole; every problem is raised together as an ``InputError``."""
    doc = load_yaml(text, file)
    reader = YamlReader(file)
    spec = reader.fields(doc, "", 1, ("clear_lean", "friction_gap", "scales", "lists", "strengths_domains"))
    if spec is None:
        raise InputError(reader.problems.items)
    clear_lean = reader.number(spec, "clear_lean", "", 0.05, 0.95) or 0.25
    friction_gap = reader.number(spec, "friction_gap", "", 0.1, 2.0) or 1.0
    scales: dict[StyleDimension, ScaleWording] = {}
    scale_specs = _section(reader, spec, "scales", "", [d.value for d in SCALES])
    for dimension in SCALES:
        path = at("scales", dimension.value)
        scale = _section(reader, scale_specs, dimension.value, "scales", ("label", "high", "low", "friction"))
        if scale is not None:
            scales[dimension] = ScaleWording(
                _wording(reader, scale, "label", path, _PLAIN),
                _side(reader, scale, "high", path),
                _side(reader, scale, "low", path),
                _wording(reader, scale, "friction", path, _FRICTION),
            )
    lists: dict[StyleDimension, ListWording] = {}
    list_specs = _section(reader, spec, "lists", "", [d.value for d in LISTS])
    for dimension in LISTS:
        path = at("lists", dimension.value)
        entry = _section(reader, list_specs, dimension.value, "lists", ("adapt",), ("prepare",))
        if entry is not None:
            lists[dimension] = ListWording(
                _wording(reader, entry, "adapt", path, _ADVICE), _wording(reader, entry, "prepare", path, _ADVICE)
            )
    domains: dict[StrengthsDomain, str] = {}
    domain_specs = _section(reader, spec, "strengths_domains", "", [d.value for d in StrengthsDomain])
    if domain_specs is not None:
        for domain in StrengthsDomain:
            domains[domain] = _wording(reader, domain_specs, domain.value, "strengths_domains", _PLAIN)
    reader.problems.raise_if_any()
    return InsightWording(clear_lean, friction_gap, scales, lists, domains, file)


def load_insight_wording(folders: Sequence[Path]) -> InsightWording:
    """The ``relationships.yaml`` of the last folder that has one."""
    path = style_files(folders).get(RELATIONSHIPS)
    if path is None:
        raise InputError.at(", ".join(str(f) for f in folders), f"a {RELATIONSHIPS}.yaml in one of the style folders")
    return parse_insight_wording(read_text(path), str(path))


@cache
def default_insight_wording() -> InsightWording:
    """The bundled wording, read once."""
    return load_insight_wording([bundled_styles_dir()])


def name_of(names: Mapping[str, str], person_id: str) -> str:
    return names.get(person_id) or person_id


def sentence(text: str) -> str:
    """A clause as a sentence: capital first letter, closing full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def side_facts(profile: StyleProfile, dimension: StyleDimension, side: int) -> tuple[StyleFact, ...]:
    """The facts of a profile that lean to one side of a scale dimension."""
    return tuple(f for f in profile.on(dimension) if f.lean is not None and f.lean * side > 0)


def strongest(facts: Iterable[StyleFact]) -> StyleFact:
    """The fact with the largest lean (the first of equals), to word a line by."""
    return max(facts, key=lambda f: abs(f.lean or 0.0))


def unique_facts(lines: Iterable[InsightLine]) -> tuple[StyleFact, ...]:
    """Every fact the lines cite, once, in the order first cited."""
    return tuple(dict.fromkeys(f for line in lines for f in line.facts))


def by_weight(lines: Iterable[InsightLine]) -> tuple[InsightLine, ...]:
    return tuple(sorted(lines, key=lambda line: -line.weight))
