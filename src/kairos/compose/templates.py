"""Message templates: YAML files with a subject and a body, rendered in a sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from kairos.domain.style import StyleDimension
from kairos.errors import InputError, PolicyError
from kairos.ingest.base import LineDict, load_yaml, read_text

# Organizations edit templates, so they render in a sandbox and any missing variable is an error.
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True, slots=True)
class StyleSelection:
    """Which style facts a template shows: about the other person in the moment or the recipient themself,
    on which dimensions (in order of preference), and at most how many. The composer cites exactly these."""

    about: str  # "other", "self", or "team" (a briefing on the subject as a newcomer to their team)
    dimensions: tuple[StyleDimension, ...]
    limit: int
    advice: int  # at most this many pieces of relationship advice (about "other" only)
    friction: int = 0  # at most this many likely frictions between the two (about "other" only)


@dataclass(frozen=True)
class Template:
    name: str
    subject: jinja2.Template
    body: jinja2.Template
    style: StyleSelection | None = None

    def render(self, values: dict[str, Any]) -> tuple[str, str]:
        try:
            return self.subject.render(values).strip(), self.body.render(values).strip()
        except jinja2.TemplateError as exc:
            raise PolicyError(f"template {self.name!r} could not be rendered: {exc}") from exc


def load_templates(folder: Path) -> dict[str, Template]:
    templates = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = load_yaml(read_text(path), str(path))
        if (
            not isinstance(doc, LineDict)
            or not isinstance(doc.get("subject"), str)
            or not isinstance(doc.get("body"), str)
        ):
            raise InputError.at(str(path), "a template with 'subject' and 'body' texts", row=1)
        style = _style(doc, str(path)) if "style" in doc else None
        try:
            templates[path.stem] = Template(
                path.stem, _ENV.from_string(doc["subject"]), _ENV.from_string(doc["body"]), style
            )
        except jinja2.TemplateSyntaxError as exc:
            raise InputError.at(str(path), "a valid template", row=exc.lineno, value=exc.message) from None
    return templates


def _style(doc: LineDict, file: str) -> StyleSelection:
    """``style: {about: other, dimensions: [feedback, detail], limit: 2, advice: 2, friction: 1}``."""
    raw = doc["style"]
    row = doc.line_of("style")
    expected = "a mapping with about (other, self or team), dimensions (a list), limit, advice and friction (numbers)"
    if not isinstance(raw, LineDict) or set(raw) - {"about", "dimensions", "limit", "advice", "friction"}:
        raise InputError.at(file, expected, row=row, field="style", value=raw)
    about = raw.get("about", "other")
    if about not in ("other", "self", "team"):
        raise InputError.at(file, "other, self or team", row=raw.line_of("about"), field="style.about", value=about)
    names = raw.get("dimensions", [d.value for d in StyleDimension])
    known = {d.value for d in StyleDimension}
    if not isinstance(names, list) or not names or any(n not in known for n in names):
        raise InputError.at(file, f"a list of style dimensions ({', '.join(sorted(known))})",
                            row=raw.line_of("dimensions"), field="style.dimensions", value=names)  # fmt: skip
    numbers = {}
    for key, default in (("limit", 3), ("advice", 2), ("friction", 0)):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
            raise InputError.at(file, "a whole number from 0 to 10", row=raw.line_of(key), field=f"style.{key}",
                                value=value)  # fmt: skip
        numbers[key] = value
    return StyleSelection(about, tuple(StyleDimension(n) for n in names), numbers["limit"], numbers["advice"],
                          numbers["friction"])  # fmt: skip
