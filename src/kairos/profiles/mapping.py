"""The assessment-to-style mapping: one reviewable rule file per instrument, and the profiles it builds.

A rule file (``content/styles/<instrument>.yaml``) lists rules; each has an id, a condition on
the result (``when``) and the facts it yields. Conditions come from a small closed set and are
compiled once into checkers. A checker that cannot decide — a score missing, a ranking too short
to tell — says so, with its reason, rather than answering "no". ``docs/styles.md`` explains the
format, the wording rule and the reasoning behind each instrument's rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from functools import cache
from pathlib import Path

from kairos.domain.style import SCALES, AssessmentResult, Instrument, StyleDimension, StyleFact, StyleProfile
from kairos.errors import InputError, Problem
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text
from kairos.profiles.conditions import (
    LETTERS,
    RANKED,
    SCORED,
    AllCondition,
    Condition,
    DomainCondition,
    HighestCondition,
    LetterCondition,
    ScoreCondition,
    ThemeCondition,
    TypeCondition,
    Verdict,
    instrument_title,
    number_text,
)
from kairos.profiles.reference import (
    CLIFTONSTRENGTHS_THEMES,
    StrengthsDomain,
    enneagram_wings,
)
from kairos.resources import content_dir

# The condition kinds, by the key that names them, and the instruments each applies to.
_KINDS: dict[str, tuple[Instrument, ...]] = {
    "score": tuple(SCORED),
    "highest": tuple(SCORED),
    "theme": tuple(RANKED),
    "domain": (Instrument.CLIFTONSTRENGTHS,),
    "type": (Instrument.ENNEAGRAM,),
    "letter": (Instrument.SIXTEEN_TYPE,),
    "all": tuple(Instrument),
}
CONDITION_KINDS = tuple(_KINDS)
_KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # required, optional
    "score": (("score",), ("at_least", "at_most")),
    "highest": (("highest",), ()),
    "theme": (("theme", "top"), ()),
    "domain": (("domain", "top", "at_least"), ()),
    "type": (("type",), ("wing",)),
    "letter": (("letter",), ()),
    "all": (("all",), ()),
}

# The wording rule: a statement completes "<Name> …" as a tendency, never as a label.
STATEMENT_OPENERS = ("tends to", "often", "usually", "may", "can", "prefers", "likes", "values", "enjoys")
_LABEL_WORDS = re.compile(r"\b(types?|personality|personalities|introvert\w*|extravert\w*|extrovert\w*)\b", re.I)
_IDENTITY = re.compile(r"\b(is|are|be|being)\s+an?\b", re.I)
MAX_STATEMENT = 160

RELATIONSHIPS = "relationships"  # the name of the advice wording file beside the instrument files


def label_problem(text: str) -> str | None:
    """What makes a sentence read as a label rather than a tendency, or None."""
    if match := _LABEL_WORDS.search(text):
        return f"wording without label words such as {match[0]!r}: describe what the person tends to do"
    if match := _IDENTITY.search(text):
        return f"wording without identity phrases such as {match[0]!r}: describe what the person tends to do"
    return None


def statement_problem(text: str) -> str | None:
    """What is wrong with a fact statement's wording, or None when it reads as a tendency."""
    if not any(text.startswith(opener + " ") for opener in STATEMENT_OPENERS):
        return f"a statement that starts with one of: {', '.join(STATEMENT_OPENERS)} (it completes '<Name> …')"
    if len(text) > MAX_STATEMENT or "\n" in text:
        return f"one line of at most {MAX_STATEMENT} characters"
    if text.endswith((".", "!", ":", ";")) or "{" in text or "}" in text:
        return "a clause without a closing full stop or braces (it is placed inside a sentence)"
    return label_problem(text)


@dataclass(frozen=True, slots=True)
class FactTemplate:
    """A fact a rule yields, before it is attached to a person and a result."""

    dimension: StyleDimension
    statement: str
    lean: float | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MappingRule:
    id: str
    when: Condition
    yields: tuple[FactTemplate, ...]
    why: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class InstrumentMapping:
    """The rules of one instrument, and the file they came from."""

    instrument: Instrument
    rules: tuple[MappingRule, ...]
    source: str


@dataclass(frozen=True, slots=True)
class StyleMapping:
    """The mapping in force: one rule file per instrument (an instrument without a file yields nothing)."""

    instruments: Mapping[Instrument, InstrumentMapping]

    def rules_for(self, instrument: Instrument) -> tuple[MappingRule, ...]:
        found = self.instruments.get(instrument)
        return found.rules if found else ()


class YamlReader:
    """Reads one YAML rule file strictly: known fields only, typed values, every problem with line and field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems = Problems(file)

    def problem(self, expected: str, line: int | None, path: str, value: object = None) -> None:
        shown = value if isinstance(value, str | int | float) else None
        self.problems.add(expected, row=line, field=path or None, value=shown)

    def flag(self, node: LineDict, key: str, path: str, expected: str) -> None:
        """A problem with the field ``key`` of ``node``, reported at its line with its value."""
        self.problem(expected, node.line_of(key), at(path, key), node.get(key))

    def fields(
        self, node: object, path: str, line: int | None, required: Sequence[str], optional: Sequence[str] = ()
    ) -> LineDict | None:
        """``node`` as a mapping holding the required fields and nothing unknown; None when it is not one."""
        known = (*required, *optional)
        if not isinstance(node, LineDict):
            self.problem(f"a mapping with the fields {', '.join(known)}", line, path, node)
            return None
        for key in required:
            if key not in node:
                self.problem(f"a field named {key!r}", node.line, path)
        for key in node:
            if key not in known:
                close = get_close_matches(key, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(f"one of the fields {', '.join(known)}{hint}", node.line_of(key), at(path, key), key)
        return node

    def text(self, node: LineDict, key: str, path: str) -> str | None:
        if key not in node:
            return None
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.problem("a non-empty text", node.line_of(key), at(path, key), value)
            return None
        return " ".join(value.split())

    def number(self, node: LineDict, key: str, path: str, low: float, high: float) -> float | None:
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            self.problem(
                f"a number from {number_text(low)} to {number_text(high)}", node.line_of(key), at(path, key), value
            )
            return None
        return float(value)

    def whole(self, node: LineDict, key: str, path: str, low: int, high: int) -> int | None:
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(f"a whole number from {low} to {high}", node.line_of(key), at(path, key), value)
            return None
        return value

    def items(self, node: LineDict, key: str, path: str, *, at_least: int = 0) -> list[object]:
        if key not in node:
            return []
        value = node[key]
        if not isinstance(value, list) or len(value) < at_least:
            wanted = f"a list of at least {at_least}" if at_least else "a list"
            self.problem(wanted, node.line_of(key), at(path, key), value)
            return []
        return value

    def choice(self, node: LineDict, key: str, path: str, options: Sequence[str], what: str) -> str | None:
        value = self.text(node, key, path)
        if value is not None and value not in options:
            close = get_close_matches(value, options, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.problem(f"{what}{hint}", node.line_of(key), at(path, key), value)
            return None
        return value


def at(path: str, key: str | int) -> str:
    return f"{path}/{key}" if path else str(key)


def _line(node: object, fallback: int | None) -> int | None:
    return node.line if isinstance(node, LineDict) else fallback


def _condition(
    reader: YamlReader, node: object, path: str, line: int | None, instrument: Instrument
) -> Condition | None:
    kinds = [k for k in _KINDS if isinstance(node, LineDict) and k in node]
    if len(kinds) != 1:
        reader.problem(f"a condition with exactly one of {', '.join(_KINDS)}", _line(node, line), path)
        return None
    kind = kinds[0]
    if instrument not in _KINDS[kind]:
        usable = ", ".join(k for k, allowed in _KINDS.items() if instrument in allowed)
        expected = f"a condition {instrument_title(instrument)} results can meet: {usable}"
        reader.problem(expected, _line(node, line), at(path, kind), kind)
        return None
    required, optional = _KIND_FIELDS[kind]
    spec = reader.fields(node, path, line, required, optional)
    if spec is None:
        return None
    before = len(reader.problems.items)
    condition = _KIND_READERS[kind](reader, spec, path, instrument)
    return condition if len(reader.problems.items) == before else None


def _score(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    names, low, high = SCORED[instrument]
    score = reader.choice(spec, "score", path, names, f"a {instrument_title(instrument)} score: {', '.join(names)}")
    at_least = reader.number(spec, "at_least", path, low, high)
    at_most = reader.number(spec, "at_most", path, low, high)
    if "at_least" not in spec and "at_most" not in spec:
        reader.problem("at_least, at_most or both", spec.line, path)
    elif at_least is not None and at_most is not None and at_least > at_most:
        reader.flag(spec, "at_most", path, "at_least no greater than at_most")
    return ScoreCondition(score, at_least, at_most) if score else None


def _highest(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    names = SCORED[instrument][0]
    score = reader.choice(spec, "highest", path, names, f"a {instrument_title(instrument)} score: {', '.join(names)}")
    return HighestCondition(score, names) if score else None


def _theme(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    names = RANKED[instrument]
    theme = reader.choice(
        spec, "theme", path, names, f"a {instrument_title(instrument)} name as the reference spells it"
    )
    top = reader.whole(spec, "top", path, 1, len(names))
    return ThemeCondition(theme, top) if theme and top else None


def _domain(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    options = [d.value for d in StrengthsDomain]
    domain = reader.choice(spec, "domain", path, options, f"a CliftonStrengths domain: {', '.join(options)}")
    top = reader.whole(spec, "top", path, 1, len(CLIFTONSTRENGTHS_THEMES))
    at_least = reader.whole(spec, "at_least", path, 1, top or len(CLIFTONSTRENGTHS_THEMES))
    return DomainCondition(StrengthsDomain(domain), top, at_least) if domain and top and at_least else None


def _type(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    kind = reader.whole(spec, "type", path, 1, 9)
    wing = reader.whole(spec, "wing", path, 1, 9)
    if kind and wing and wing not in enneagram_wings(kind):
        low, high = sorted(enneagram_wings(kind))
        reader.flag(spec, "wing", path, f"a wing next to type {kind}: {low} or {high}")
        return None
    return TypeCondition(kind, wing) if kind else None


def _letter(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    letter = reader.choice(spec, "letter", path, list(LETTERS), f"one of the letters {', '.join(LETTERS)}")
    return LetterCondition(letter) if letter else None


def _all(reader: YamlReader, spec: LineDict, path: str, instrument: Instrument) -> Condition | None:
    parts = reader.items(spec, "all", path, at_least=2)
    line = spec.line_of("all")
    compiled = [_condition(reader, part, at(at(path, "all"), i), line, instrument) for i, part in enumerate(parts)]
    checked = [c for c in compiled if c is not None]
    return AllCondition(tuple(checked)) if parts and len(checked) == len(parts) else None


_KIND_READERS = {
    "score": _score,
    "highest": _highest,
    "theme": _theme,
    "domain": _domain,
    "type": _type,
    "letter": _letter,
    "all": _all,
}

_SIDES = [f"{d.value}{sign}" for d in SCALES for sign in "+-"]


def _fact(reader: YamlReader, node: object, path: str, line: int | None) -> FactTemplate | None:
    spec = reader.fields(node, path, line, ("dimension", "statement"), ("lean", "set_off_by"))
    if spec is None:
        return None
    options = [d.value for d in StyleDimension]
    name = reader.choice(spec, "dimension", path, options, f"a style dimension: {', '.join(options)}")
    dimension = StyleDimension(name) if name else None
    statement = reader.text(spec, "statement", path)
    if statement is not None and (wrong := statement_problem(statement)):
        reader.problem(wrong, spec.line_of("statement"), at(path, "statement"), statement)
        statement = None
    lean = reader.number(spec, "lean", path, -1, 1)
    if dimension in SCALES and "lean" not in spec:
        reader.problem(f"a lean from -1 to 1 on the scale dimension {name}", spec.line, at(path, "lean"))
    elif dimension is not None and dimension not in SCALES and "lean" in spec:
        reader.flag(spec, "lean", path, f"no lean on {name} (leans belong to the scales {', '.join(SCALES)})")
    elif lean == 0:
        reader.flag(spec, "lean", path, "a lean other than 0 (a fact with no lean says nothing about the scale)")
    tags: tuple[str, ...] = ()
    if "set_off_by" in spec:
        side = reader.choice(
            spec, "set_off_by", path, _SIDES, f"a scale side such as pace+ or change-: {', '.join(_SIDES)}"
        )
        if dimension is not StyleDimension.STRESSORS:
            reader.flag(spec, "set_off_by", path, "set_off_by on a stressors fact only")
        elif side:
            tags = (f"set_off_by:{side}",)
    if dimension is None or statement is None:
        return None
    return FactTemplate(dimension, statement, lean, tags)


def _rule(reader: YamlReader, node: object, path: str, line: int | None, instrument: Instrument) -> MappingRule | None:
    spec = reader.fields(node, path, line, ("id", "when", "yields"), ("why", "strengths_domain"))
    if spec is None:
        return None
    rule_id = reader.text(spec, "id", path)
    if rule_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9\-]{0,79}", rule_id):
        reader.flag(spec, "id", path, "an id of lower-case letters, digits and hyphens")
    when = (
        _condition(reader, spec.get("when"), at(path, "when"), spec.line_of("when"), instrument)
        if "when" in spec
        else None
    )
    yields_path = at(path, "yields")
    facts = [
        _fact(reader, item, at(yields_path, i), spec.line_of("yields"))
        for i, item in enumerate(reader.items(spec, "yields", path, at_least=1))
    ]
    extra: tuple[str, ...] = ()
    if "strengths_domain" in spec:
        options = [d.value for d in StrengthsDomain]
        domain = reader.choice(
            spec, "strengths_domain", path, options, f"a CliftonStrengths domain: {', '.join(options)}"
        )
        if instrument is not Instrument.CLIFTONSTRENGTHS:
            reader.flag(spec, "strengths_domain", path, "strengths_domain on CliftonStrengths rules only")
        elif domain:
            extra = (f"strengths_domain:{domain}",)
    if rule_id is None or when is None or not facts or None in facts:
        return None
    templates = tuple(FactTemplate(f.dimension, f.statement, f.lean, f.tags + extra) for f in facts if f)
    return MappingRule(rule_id, when, templates, reader.text(spec, "why", path) or "", spec.line)


def parse_instrument_mapping(text: str, file: str, instrument: Instrument) -> InstrumentMapping:
    """One instrument's rule file, validated whole; every problem is raised together as an ``InputError``."""
    doc = load_yaml(text, file)
    reader = YamlReader(file)
    spec = reader.fields(doc, "", 1, ("instrument", "rules"), ("description",))
    if spec is None:
        raise InputError(reader.problems.items)
    if "instrument" in spec and spec["instrument"] != instrument.value:
        reader.flag(spec, "instrument", "", f"instrument: {instrument.value}, as the file name says")
    rules: list[MappingRule] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(reader.items(spec, "rules", "")):
        rule = _rule(reader, node, at("rules", i), spec.line_of("rules"), instrument)
        if rule is not None:
            rules.append(rule)
        if not isinstance(node, LineDict) or not isinstance(node.get("id"), str):
            continue
        rule_id, line = node["id"], node.line_of("id")
        if rule_id in seen:
            where = at(at("rules", i), "id")
            reader.problem(f"a rule id used once in the file (also on line {seen[rule_id]})", line, where, rule_id)
        seen.setdefault(rule_id, line)
    reader.problems.raise_if_any()
    return InstrumentMapping(instrument, tuple(rules), file)


def style_files(folders: Sequence[Path]) -> dict[str, Path]:
    """The style files to use by name (an instrument, or ``relationships``); a later folder's file wins.

    A YAML file named after nothing Kairos knows is an error rather than ignored: a misspelt
    override (``disk.yaml``) would otherwise silently leave the bundled rules in force.
    """
    names = [i.value for i in Instrument] + [RELATIONSHIPS]
    chosen: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(str(folder), "a folder of style mapping files"))
            continue
        in_folder: dict[str, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            if path.stem not in names:
                problems.append(
                    Problem(str(path), f"a file named after an instrument or relationships: {', '.join(names)}")
                )
            elif path.stem in in_folder:
                problems.append(Problem(str(path), f"one file per name in a folder (also {in_folder[path.stem].name})"))
            else:
                in_folder[path.stem] = path
        chosen.update(in_folder)
    if problems:
        raise InputError(problems)
    return chosen


def load_style_mapping(folders: Sequence[Path]) -> StyleMapping:
    """The mapping from the given folders, later ones replacing earlier ones file by file (per instrument)."""
    files = style_files(folders)
    mappings: dict[Instrument, InstrumentMapping] = {}
    problems: list[Problem] = []
    for instrument in Instrument:
        path = files.get(instrument.value)
        if path is None:
            continue
        try:
            mappings[instrument] = parse_instrument_mapping(read_text(path), str(path), instrument)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return StyleMapping(mappings)


def bundled_styles_dir() -> Path:
    return content_dir() / "styles"


@cache
def default_style_mapping() -> StyleMapping:
    """The bundled mapping, read once."""
    return load_style_mapping([bundled_styles_dir()])


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one rule made of one result: the trace behind a profile, undecided rules included."""

    rule: MappingRule
    result: AssessmentResult
    verdict: Verdict


def evaluate_rules(result: AssessmentResult, mapping: StyleMapping) -> tuple[RuleOutcome, ...]:
    return tuple(RuleOutcome(rule, result, rule.when.check(result)) for rule in mapping.rules_for(result.instrument))


def latest_results(results: Sequence[AssessmentResult]) -> tuple[AssessmentResult, ...]:
    """The latest result per instrument, in instrument order; an undated result counts as oldest, and
    between two of the same date the one given later wins (it was imported later)."""
    latest: dict[Instrument, tuple[date, int, AssessmentResult]] = {}
    for position, result in enumerate(results):
        key = (result.taken_on or date.min, position, result)
        current = latest.get(result.instrument)
        if current is None or key[:2] >= current[:2]:
            latest[result.instrument] = key
    return tuple(latest[i][2] for i in Instrument if i in latest)


def build_profile(person_id: str, results: Sequence[AssessmentResult], mapping: StyleMapping) -> StyleProfile:
    """One person's style profile: the facts every matching rule yields for their latest result per instrument.

    Facts are ordered by dimension, then instrument, then the rule's place in its file.
    """
    others = sorted({r.person_id for r in results if r.person_id != person_id})
    if others:
        raise ValueError(f"results of other people given for {person_id}: {', '.join(others)}")
    chosen = latest_results(results)
    facts: list[StyleFact] = []
    for result in chosen:
        for outcome in evaluate_rules(result, mapping):
            if outcome.verdict.holds is not True:
                continue
            facts += [
                StyleFact(
                    person_id=person_id,
                    dimension=template.dimension,
                    statement=template.statement,
                    instrument=result.instrument,
                    evidence=outcome.verdict.evidence,
                    rule=outcome.rule.id,
                    lean=template.lean,
                    taken_on=result.taken_on,
                    source=result.provenance,
                    tags=template.tags,
                )
                for template in outcome.rule.yields
            ]
    order = list(StyleDimension)
    facts.sort(key=lambda f: order.index(f.dimension))  # stable: instrument and rule order stay within a dimension
    return StyleProfile(person_id, tuple(facts), tuple(r.instrument for r in chosen))


def set_off_by(fact: StyleFact) -> tuple[StyleDimension, int] | None:
    """The scale side whose habits tend to set a stressor off, as (dimension, +1 or -1)."""
    for tag in fact.tags:
        if tag.startswith("set_off_by:"):
            side = tag.removeprefix("set_off_by:")
            return StyleDimension(side[:-1]), 1 if side.endswith("+") else -1
    return None


def strengths_domain(fact: StyleFact) -> StrengthsDomain | None:
    """The CliftonStrengths domain a fact marks its person as leading with, if any."""
    for tag in fact.tags:
        if tag.startswith("strengths_domain:"):
            return StrengthsDomain(tag.removeprefix("strengths_domain:"))
    return None
