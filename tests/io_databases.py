"""Databases for the import and export tests: the test's own database opened without the
schema check, and databases filled once per module (on SQLite) and copied for each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

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


def template(tmp_path_factory: pytest.TempPathFactory, ctx: Context, fill: Fill) -> Path:
    """A SQLite database made by create_database and filled by `fill`, for `filled_copy`."""
    path = tmp_path_factory.mktemp("filled") / "crm.sqlite3"
    database = create_database(sqlite_url(path), ctx)
    fill(database)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def filled_copy(
    request: pytest.FixtureRequest, tmp_path: Path, template_fixture: str, fill: Fill
) -> Iterator[Database]:
    """This test's database with what `fill` adds: a copy of the module's `template_fixture`
    on SQLite, the test's own database filled by `fill` on PostgreSQL."""
    if BACKEND != "sqlite":
        database: Database = request.getfixturevalue("database")
        fill(database)
        yield database
        return
    path = tmp_path / "filled.sqlite3"
    shutil.copyfile(request.getfixturevalue(template_fixture), path)
    database = Database.open(sqlite_url(path), must_exist=False)
    yield database
    database.dispose()
