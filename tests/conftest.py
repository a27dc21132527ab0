"""Shared fixtures: a real database on each backend, a frozen clock, example files.

Every test that takes ``db`` runs twice: on SQLite (a file in the test's temp folder) and on
PostgreSQL (its own schema in the ``test`` database at 127.0.0.1:5432). Without PostgreSQL
the PostgreSQL half is skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kairos.store import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def _shared_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One content-vector cache for the whole run (the library is embedded once, not per test), and onnxruntime's
    own cache kept out of the home folder. Subprocesses the tests start inherit both."""
    caches = tmp_path_factory.mktemp("caches")
    saved = {k: os.environ.get(k) for k in ("KAIROS_CACHE_DIR", "XDG_CACHE_HOME")}
    os.environ["KAIROS_CACHE_DIR"] = str(caches / "kairos")
    os.environ["XDG_CACHE_HOME"] = str(caches / "xdg")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


DEMO = EXAMPLES / "demo-org"
PG_URL = os.environ.get("KAIROS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# Real public material to test importers against (CASE packages, SCIM examples), kept beside the project.
def _conformance_dir() -> Path:
    configured = os.environ.get("KAIROS_CONFORMANCE_DIR")
    if configured:
        return Path(configured)
    beside = ROOT.parent / "shared" / "conformance"
    return beside if beside.is_dir() else Path("/work/shared/conformance")


CONFORMANCE = _conformance_dir()


def require_conformance(path: Path) -> None:
    """Skip a test whose conformance file is missing here; under CI=true a missing file fails instead."""
    if path.is_file():
        return
    message = f"conformance material missing: {path} (set KAIROS_CONFORMANCE_DIR)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


BACKENDS = [b for b in os.environ.get("KAIROS_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not reachable"; the message says why
        return f"{type(exc).__name__}: {exc}"
    return None


_PG_PROBLEM: list[str | None] = []


def postgres_url_for_schema(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def empty_database_url(backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database on ``backend``: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'kairos-{uuid.uuid4().hex[:8]}.db'}"
        return
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_reachable())
    if _PG_PROBLEM[0] is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI=true: {_PG_PROBLEM[0]}")
        pytest.skip(f"PostgreSQL unreachable: {_PG_PROBLEM[0]}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_url_for_schema(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def another_database_url(database_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes more empty databases on the same backend as ``database_url`` (each cleaned up after the test)."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with ExitStack() as stack:
        yield lambda: stack.enter_context(empty_database_url(backend, tmp_path))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def monday() -> datetime:
    """Monday 2 March 2026, 00:00 UTC: the start of the demo organization's calendar."""
    return datetime(2026, 3, 2, tzinfo=UTC)
