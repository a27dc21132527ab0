"""Storage: the schema, migrations and the repositories every stage reads and writes through."""

from kairos.store.db import Database, open_database

__all__ = ["Database", "open_database"]
