"""Shared fixtures: a real database at the newest schema, and a fixed clock.

The suite runs on SQLite by default. With CRM_TEST_BACKEND=postgresql the `database`
fixture gives each test its own database on a throw-away PostgreSQL cluster started by the
tests (see tests/postgres.py), cloned from a migrated template. Under pytest-xdist
(`-n auto`, the README's command) every worker has its own template file or cluster.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from crm.context import Context, fixed_clock
from db.engine import sqlite_url
from db.session import Database, create_database

# Property tests draw the same examples on every run and machine (no flaky CI), and a slow
# loaded machine is no failure.
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.load_profile("deterministic")

FIXED_NOW = datetime(2023, 4, 1, 3, 0, tzinfo=UTC)
BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
_numbers = itertools.count(1)


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}"


def _fixed_context() -> Context:
    return Context(user="tester", clock=fixed_clock(FIXED_NOW))


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI in English (CRM_LANG=en) for tests that read its English lines."""
    monkeypatch.setenv("CRM_LANG", "en")


@pytest.fixture
def ctx() -> Context:
    """The acting user and a clock stopped at 2023-04-01 12:00 in Japan."""
    return _fixed_context()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, seeded SQLite file, copied for each test (migrating takes time)."""
    path = tmp_path_factory.mktemp("template") / "crm.sqlite3"
    database = create_database(sqlite_url(path), _fixed_context())
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def database_path(template_database: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template SQLite database for this test."""
    path = tmp_path / "crm.sqlite3"
    shutil.copyfile(template_database, path)
    path.chmod(0o600)
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL cluster with a migrated, seeded `crm_template` database."""
    from tests.postgres import postgres_cluster

    with postgres_cluster() as admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE crm_template")
        template_url = make_url(admin_url).set(database="crm_template")
        create_database(template_url.render_as_string(hide_password=False),
                        _fixed_context()).dispose()
        admin.dispose()
        yield admin_url


@pytest.fixture(scope="session")
def _postgres_admin(postgres_template: str) -> Iterator[Engine]:
    """One engine on the cluster's `postgres` database for the whole session (one engine and
    connection per test cost more than the copy of the template)."""
    admin = create_engine(postgres_template, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of this test's own fresh database, on the backend under test."""
    if BACKEND == "sqlite":
        yield sqlite_url(request.getfixturevalue("database_path"))
        return
    admin: Engine = request.getfixturevalue("_postgres_admin")
    name = f"crm_test_{next(_numbers)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE crm_template")
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's own database, opened for reading and writing."""
    database = Database.open(database_url)
    yield database
    database.dispose()


@pytest.fixture(autouse=True, scope="session")
def _own_config_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """User settings (the saved report approvers) in a directory of the test run's own, never
    the developer's."""
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    yield
    if saved is None:
        del os.environ["XDG_CONFIG_HOME"]
    else:
        os.environ["XDG_CONFIG_HOME"] = saved
