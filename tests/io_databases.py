"""Databases for the import and export tests: the test's own database opened without the
schema check, and databases filled once per module (on SQLite) and copied for each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crm.context import Context
from db.engine import sqlite_url
from db.session import Database, create_database

BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")  # as in tests/conftest.py

Fill = Callable[[Database], None]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """This test's copy of the migrated template (tests/conftest.py), opened without checking
    the schema again: the check reads every migration script and these tests are many."""
    database = Database.open(database_url, must_exist=False)
    yield database
    database.dispose()


def filled_fixtures(name: str, ctx: Context, fill: Fill) -> tuple[Any, Any]:
    """Two fixtures for a module: `<name>_template`, a SQLite database made once and filled by
    `fill`, and `<name>`, this test's copy of it (on PostgreSQL: the test's own database,
    filled by `fill`). Assign them to those names in the module."""

    @pytest.fixture(scope="module", name=f"{name}_template")
    def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
        """A SQLite database made once by create_database and filled; copied per test."""
        path = tmp_path_factory.mktemp(name) / "crm.sqlite3"
        database = create_database(sqlite_url(path), ctx)
        fill(database)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
        return path

    @pytest.fixture(name=name)
    def copy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
        """This test's filled database (filled per test on PostgreSQL)."""
        if BACKEND != "sqlite":
            database: Database = request.getfixturevalue("database")
            fill(database)
            yield database
            return
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(request.getfixturevalue(f"{name}_template"), path)
        database = Database.open(sqlite_url(path), must_exist=False)
        yield database
        database.dispose()

    return template, copy
