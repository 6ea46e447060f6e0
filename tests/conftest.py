"""Shared fixtures: a real SQLite database at the newest schema and a fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm.context import Context, fixed_clock
from db.engine import sqlite_url
from db.session import Database, create_database

FIXED_NOW = datetime(2023, 4, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def ctx() -> Context:
    """The acting user and a clock stopped at 2023-04-01 12:00 in Japan."""
    return Context(user="tester", clock=fixed_clock(FIXED_NOW))


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, seeded database file, copied for each test (migrating takes time)."""
    path = tmp_path_factory.mktemp("template") / "crm.sqlite3"
    database = create_database(
        sqlite_url(path), Context(user="tester", clock=fixed_clock(FIXED_NOW))
    )
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def database_path(template_database: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template database for this test."""
    path = tmp_path / "crm.sqlite3"
    shutil.copyfile(template_database, path)
    path.chmod(0o600)
    return path


@pytest.fixture
def database(database_path: Path) -> Iterator[Database]:
    """The test's own database, opened for reading and writing."""
    database = Database.open(sqlite_url(database_path))
    yield database
    database.dispose()
