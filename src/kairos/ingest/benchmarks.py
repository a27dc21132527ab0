"""Role benchmarks as a spreadsheet, for any stored framework (YAML, CSV or CASE).

A CASE package or a competency spreadsheet describes competencies and levels but not which level
each role and career level is expected to show. This file adds that, and because stored framework
versions never change, the result is stored as a new version of the same framework.
The format is documented in ``docs/formats/benchmarks.md``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from kairos.domain.framework import Framework, RoleBenchmark
from kairos.errors import InputError
from kairos.ingest.base import Problems, read_csv, read_text
from kairos.ingest.framework import store_framework
from kairos.store import Database
from kairos.store import frameworks as framework_store

COLUMNS = ("role", "level", "competency_id", "expected_level")


def parse_benchmarks(text: str, file: str, framework: Framework, *, max_chars: int = 2000) -> tuple[RoleBenchmark, ...]:
    """Benchmarks grouped by (role, level), in the order first written; every row checked against ``framework``."""
    problems = Problems(file)
    grouped: dict[tuple[str | None, str | None], dict[str, int]] = {}
    first_row: dict[tuple[str | None, str | None, str], int] = {}
    for row in read_csv(text, file, required=COLUMNS, max_chars=max_chars, problems=problems):
        v = row.values
        role, level = v["role"] or None, v["level"] or None
        competency = framework.competency(v["competency_id"])
        if competency is None:
            known = ", ".join(c.id for c in framework.competencies)
            problems.add(f"a competency of {framework.id} {framework.version} ({known})", row=row.number,
                         field="competency_id", value=v["competency_id"])  # fmt: skip
            continue
        text_level = v["expected_level"]
        if not (text_level.isascii() and text_level.isdigit()) or competency.level(int(text_level)) is None:
            problems.add(f"a level from 1 to {len(competency.levels)}", row=row.number, field="expected_level",
                         value=text_level)  # fmt: skip
            continue
        key = (role, level, competency.id)
        if key in first_row:
            problems.add(f"one expectation per role, level and competency (also on row {first_row[key]})",
                         row=row.number, field="competency_id", value=competency.id)  # fmt: skip
            continue
        first_row[key] = row.number
        grouped.setdefault((role, level), {})[competency.id] = int(text_level)
    if not grouped and not problems:
        problems.add("at least one expectation", row=2)
    problems.raise_if_any()
    return tuple(
        RoleBenchmark(role=role, level=level, expectations=tuple(expected.items()))
        for (role, level), expected in grouped.items()
    )


def import_benchmarks(
    db: Database, path: Path | str, *, framework_id: str, base_version: str, new_version: str, now: datetime,
    max_chars: int = 2000,
) -> tuple[Framework, bool]:  # fmt: skip
    """Store ``framework_id@base_version`` with these benchmarks as ``framework_id@new_version``."""
    file = str(path)
    with db.transaction() as conn:
        base = framework_store.get(conn, framework_id, base_version)
    if base is None:
        raise InputError.at(file, "a stored framework version (kairos framework list)", field="framework",
                            value=f"{framework_id}@{base_version}")  # fmt: skip
    if new_version == base_version or not new_version.strip():
        raise InputError.at(file, "a new version string for the framework with these benchmarks",
                            field="new_version", value=new_version)  # fmt: skip
    benchmarks = parse_benchmarks(read_text(path), file, base, max_chars=max_chars)
    framework = dataclasses.replace(base, version=new_version.strip(), benchmarks=benchmarks)
    return framework, store_framework(db, framework, file=file, kind="benchmarks", now=now)
