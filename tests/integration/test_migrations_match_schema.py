"""The migrations build exactly the schema ``store/schema.py`` describes (tables, columns, indexes, constraints),
on SQLite and PostgreSQL — so code written against the description meets the same database in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kairos.store import Database
from kairos.store.schema import metadata


def test_the_migrated_database_matches_the_schema_description(db: Database) -> None:
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
