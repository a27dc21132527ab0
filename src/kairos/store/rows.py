"""Dialect-aware bulk writes shared by the repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert rows, skipping those that collide on ``conflict``; returns how many were new."""
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    result = conn.execute(stmt, list(rows))
    return max(result.rowcount, 0)
