"""Dialect-aware bulk writes shared by the repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert rows, skipping those that collide on ``conflict``; returns how many were new."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        # psycopg reports no row count for batched inserts; RETURNING yields exactly the rows written
        key = next(iter(table.primary_key.columns))
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(key)
        return len(conn.execute(stmt, list(rows)).all())
    result = conn.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict)), list(rows))
    return max(result.rowcount, 0)


def upsert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str], update: Sequence[str]
) -> None:
    """Insert rows; a row whose ``key`` exists has its ``update`` columns replaced."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in update})
    conn.execute(stmt, list(rows))


def rows_where_in(conn: Connection, table: Table, column: Any, values: Sequence[Any], chunk: int = 500) -> list[Any]:
    """Rows of ``table`` whose ``column`` is one of ``values``, queried in chunks every database accepts."""
    found: list[Any] = []
    for start in range(0, len(values), chunk):
        found.extend(conn.execute(select(table).where(column.in_(values[start : start + chunk]))))
    return found
