"""Stored framework versions. A version never changes once stored; nudges cite it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, select

from kairos.domain.framework import Competency, Framework, ProficiencyLevel
from kairos.store.schema import frameworks


def framework_document(framework: Framework) -> dict[str, Any]:
    return asdict(framework)


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
            )
            for c in doc["competencies"]
        ),
    )


def latest(conn: Connection, framework_id: str | None = None) -> Framework | None:
    """The most recently imported version (of ``framework_id``, or of any framework)."""
    query = select(frameworks.c.document).order_by(frameworks.c.imported_at.desc()).limit(1)
    if framework_id:
        query = query.where(frameworks.c.id == framework_id)
    row = conn.execute(query).first()
    return framework_from_document(row.document) if row else None


def get(conn: Connection, framework_id: str, version: str) -> Framework | None:
    row = conn.execute(
        select(frameworks.c.document).where(frameworks.c.id == framework_id, frameworks.c.version == version)
    ).first()
    return framework_from_document(row.document) if row else None
