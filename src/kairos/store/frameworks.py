"""Stored framework versions. A version never changes once stored; nudges cite it.

A framework is stored as one JSON document per ``(id, version)``. Documents written before role
benchmarks, priority behaviors and source identifiers existed lack those keys and still load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from kairos.domain.framework import Competency, Framework, PriorityBehavior, ProficiencyLevel, RoleBenchmark
from kairos.store.rows import upsert
from kairos.store.schema import framework_in_use, frameworks


def framework_document(framework: Framework) -> dict[str, Any]:
    """The JSON document for a framework. Ordered things are lists (PostgreSQL's JSONB reorders keys)."""
    return {
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "source_id": framework.source_id,
        "uri": framework.uri,
        "competencies": [
            {
                "id": c.id,
                "name": c.name,
                "definition": c.definition,
                "source_id": c.source_id,
                "uri": c.uri,
                "levels": [{"level": lv.level, "name": lv.name, "anchors": list(lv.anchors)} for lv in c.levels],
            }
            for c in framework.competencies
        ],
        "benchmarks": [
            {
                "role": b.role,
                "level": b.level,
                "expectations": [{"competency_id": cid, "level": n} for cid, n in b.expectations],
            }
            for b in framework.benchmarks
        ],
        "priority_behaviors": [
            {"stage": p.stage, "competency_id": p.competency_id, "level": p.level, "behavior": p.behavior}
            for p in framework.priority_behaviors
        ],
        "career_stages": [{"stage": stage, "levels": list(levels)} for stage, levels in framework.career_stages],
    }


def framework_from_document(doc: dict[str, Any]) -> Framework:
    return Framework(
        id=doc["id"],
        name=doc["name"],
        version=doc["version"],
        competencies=tuple(
            Competency(
                id=c["id"],
                name=c["name"],
                definition=c["definition"],
                levels=tuple(
                    ProficiencyLevel(level=lv["level"], name=lv["name"], anchors=tuple(lv["anchors"]))
                    for lv in c["levels"]
                ),
                source_id=c.get("source_id"),
                uri=c.get("uri"),
            )
            for c in doc["competencies"]
        ),
        benchmarks=tuple(
            RoleBenchmark(
                role=b.get("role"),
                level=b.get("level"),
                expectations=tuple((e["competency_id"], e["level"]) for e in b["expectations"]),
            )
            for b in doc.get("benchmarks") or ()
        ),
        priority_behaviors=tuple(
            PriorityBehavior(
                stage=p["stage"], competency_id=p["competency_id"], level=p["level"], behavior=p.get("behavior")
            )
            for p in doc.get("priority_behaviors") or ()
        ),
        source_id=doc.get("source_id"),
        uri=doc.get("uri"),
        career_stages=tuple((s["stage"], tuple(s["levels"])) for s in doc.get("career_stages") or ()),
    )


@dataclass(frozen=True, slots=True)
class StoredVersion:
    id: str
    version: str
    name: str
    imported_at: datetime
    competencies: int


def versions(conn: Connection, framework_id: str | None = None) -> list[StoredVersion]:
    """Every stored version (of ``framework_id``, or of every framework), oldest import first per framework."""
    query = select(frameworks).order_by(frameworks.c.id, frameworks.c.imported_at, frameworks.c.version)
    if framework_id:
        query = query.where(frameworks.c.id == framework_id)
    return [
        StoredVersion(
            id=row.id,
            version=row.version,
            name=row.name,
            imported_at=row.imported_at,
            competencies=len(row.document.get("competencies") or ()),
        )
        for row in conn.execute(query)
    ]


def latest(conn: Connection, framework_id: str | None = None) -> Framework | None:
    """The most recently imported version of ``framework_id`` — or, without one, of the framework in use
    (``kairos framework use``), or of any framework when none was chosen.

    Two versions imported at the same instant (a script, a frozen clock) are told apart by the
    version string, so the answer never depends on the database's row order.
    """
    framework_id = framework_id or in_use(conn)
    order = (frameworks.c.imported_at.desc(), frameworks.c.version.desc())
    query = select(frameworks.c.document).order_by(*order).limit(1)
    if framework_id:
        query = query.where(frameworks.c.id == framework_id)
    row = conn.execute(query).first()
    return framework_from_document(row.document) if row else None


def imported_at(conn: Connection, framework_id: str, version: str) -> datetime | None:
    return conn.execute(
        select(frameworks.c.imported_at).where(frameworks.c.id == framework_id, frameworks.c.version == version)
    ).scalar()


def get(conn: Connection, framework_id: str, version: str) -> Framework | None:
    row = conn.execute(
        select(frameworks.c.document).where(frameworks.c.id == framework_id, frameworks.c.version == version)
    ).first()
    return framework_from_document(row.document) if row else None


CURRENT = "current"


def in_use(conn: Connection) -> str | None:
    """The framework id an admin chose to use; None until someone chooses."""
    return conn.execute(select(framework_in_use.c.framework_id).where(framework_in_use.c.slot == CURRENT)).scalar()


def use(conn: Connection, framework_id: str, by: str, now: datetime) -> None:
    upsert(conn, framework_in_use, [{"slot": CURRENT, "framework_id": framework_id, "chosen_by": by, "chosen_at": now}],
           ("slot",), ("framework_id", "chosen_by", "chosen_at"))  # fmt: skip
