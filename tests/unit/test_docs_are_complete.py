"""The documentation keeps up with the code: every setting, trigger, condition and stop reason is documented."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from kairos.domain.event import EventType
from kairos.domain.moment import StopReason
from kairos.plays.schema import Condition
from kairos.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROOT = DOCS.parent


def _env_names(model: type[BaseModel], prefix: str = "KAIROS_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _env_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_in_the_operators_guide() -> None:
    guide = (DOCS / "operators.md").read_text()
    missing = [n for n in _env_names(Settings) if f"`{n}`" not in guide and f"{n}`" not in guide]
    assert not missing, f"undocumented settings: {missing}"


def test_every_trigger_condition_and_stop_reason_is_in_the_plays_guide() -> None:
    guide = (DOCS / "plays.md").read_text()
    assert not [e.value for e in EventType if f"`{e.value}`" not in guide]
    assert not [s.value for s in StopReason if f"`{s.value}`" not in guide]
    assert not [c for c in Condition.model_fields if f"`{c}:" not in guide]


def test_every_input_format_has_a_page_and_an_existing_example() -> None:
    pages = ("people", "framework", "framework-csv", "framework-case", "goals", "calendar", "hris-webhooks",
             "three-sixty", "reviews", "check-ins", "development-plans", "calibration", "benchmarks",
             "assessments")  # fmt: skip
    for page in pages:
        text = (DOCS / "formats" / f"{page}.md").read_text()
        examples = [part.split(")")[0] for part in text.split("](../../")[1:]]
        assert examples, f"{page}.md links no example"
        for example in examples:
            assert (ROOT / example).is_file(), f"{page}.md links a missing example: {example}"


def test_the_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert block[0].startswith("./kairos.sh demo") and block[1].startswith("./kairos.sh test")
    assert lines.index("```sh") < 5


def test_the_people_examples_parse() -> None:
    from datetime import date

    from kairos.ingest.people import parse_people

    for path in sorted((ROOT / "examples" / "people").iterdir()):
        assert parse_people(path, as_of=date(2026, 3, 2)), path
