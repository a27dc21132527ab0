"""Factories for domain objects and small input files, so tests state only what matters to them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.domain.person import Person

HEADER = "id,name,email,manager_id,role,level,team,location,time_zone,start_date"


def person(pid: str = "p1", **overrides: object) -> Person:
    values: dict[str, object] = {
        "id": pid,
        "name": f"Person {pid}",
        "email": f"{pid}@example.com",
        "manager_id": None,
        "role": "Engineer",
        "level": "IC2",
        "team": "Core",
        "location": "Berlin",
        "time_zone": "Europe/Berlin",
        "start_date": date(2022, 1, 10),
    }
    values.update(overrides)
    return Person(**values)  # type: ignore[arg-type]


def people_csv(path: Path, rows: list[str], *, bom: bool = False, header: str = HEADER) -> Path:
    text = "\r\n".join([header, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def framework(version: str = "2026.1") -> Framework:
    return Framework(
        id="acme",
        name="Acme Framework",
        version=version,
        competencies=(
            Competency(
                id="giving-feedback",
                name="Giving feedback",
                definition="Tells people what they did and its effect, soon and specifically.",
                levels=tuple(
                    ProficiencyLevel(
                        level=n, name=f"Level {n}", anchors=(f"Anchor {n}.1 for feedback", f"Anchor {n}.2")
                    )
                    for n in (1, 2, 3, 4)
                ),
            ),
        ),
    )


FRAMEWORK_YAML = """\
framework:
  id: acme
  name: Acme Framework
  version: "2026.1"
competencies:
  - id: giving-feedback
    name: Giving feedback
    definition: Tells people what they did and its effect, soon and specifically.
    levels:
      - level: 1
        name: Learning
        anchors: ["Asks for feedback on own work."]
      - level: 2
        name: Practising
        anchors: ["Gives specific feedback within a day of the event."]
      - level: 3
        name: Skilled
        anchors: ["Names the behaviour and its effect, then asks for the other view."]
"""
