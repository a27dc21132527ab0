"""Message templates: YAML files with a subject and a body, rendered in a sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from kairos.errors import InputError, PolicyError
from kairos.ingest.base import LineDict, load_yaml, read_text

# Organizations edit templates, so they render in a sandbox and any missing variable is an error.
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Template:
    name: str
    subject: jinja2.Template
    body: jinja2.Template

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
        try:
            templates[path.stem] = Template(path.stem, _ENV.from_string(doc["subject"]), _ENV.from_string(doc["body"]))
        except jinja2.TemplateSyntaxError as exc:
            raise InputError.at(str(path), "a valid template", row=exc.lineno, value=exc.message) from None
    return templates
