"""Fixtures of the tracker tests: every store test runs on SQLite and on
PostgreSQL. PostgreSQL tests need ``SMSSTATUS_TEST_POSTGRES_DSN`` (see
``scripts/ci-postgres.sh``) and are skipped, saying so, without it; each test
gets its own schema, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from smsstatus.tracker import Store, Tracker, open_store

PG_ENV = "SMSSTATUS_TEST_POSTGRES_DSN"
PG_SKIP = f'PostgreSQL tests need {PG_ENV} (run: eval "$(bash scripts/ci-postgres.sh)")'


def postgres_dsn() -> str | None:
    return os.environ.get(PG_ENV) or None


def _with_search_path(dsn: str, schema: str) -> str:
    option = quote(f"-csearch_path={schema}", safe="")
    return f"{dsn}{'&' if '?' in dsn else '?'}options={option}"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not postgres_dsn():
        pytest.skip(PG_SKIP)
    return str(request.param)


class DatabaseFactory:
    """Fresh, empty databases of one backend: SQLite files under a temporary
    directory, or PostgreSQL schemas (dropped by :meth:`cleanup`)."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self.schemas: list[str] = []

    def __call__(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.directory / f'db-{uuid.uuid4().hex[:8]}.sqlite3'}"
        import psycopg

        dsn = postgres_dsn()
        assert dsn
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        return _with_search_path(dsn, schema)

    def cleanup(self) -> None:
        if not self.schemas:
            return
        import psycopg

        with psycopg.connect(postgres_dsn() or "", autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def new_db(backend: str, tmp_path: Path) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path)
    try:
        yield factory
    finally:
        factory.cleanup()


@pytest.fixture
def db_url(new_db: DatabaseFactory) -> str:
    """A fresh, empty database URL of the parametrised backend."""
    return new_db()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def tracker(store: Store) -> Tracker:
    return Tracker(store)
