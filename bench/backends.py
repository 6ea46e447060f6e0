"""Where a benchmark's databases live: SQLite files in a folder, or databases on a
PostgreSQL server (`--url`, an admin URL), or a throw-away cluster started the way the tests
start theirs (`--postgres`, tests/postgres.py)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url

from db.engine import sqlite_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --url and --postgres to a benchmark's parser."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--url", help="a PostgreSQL admin URL: the benchmark creates and drops"
                                     " its own databases on that server")
    group.add_argument("--postgres", action="store_true",
                       help="start a throw-away PostgreSQL cluster as the tests do")


@contextmanager
def server(args: argparse.Namespace) -> Iterator[str | None]:
    """The PostgreSQL admin URL the arguments name (starting a cluster for --postgres), or
    None for SQLite."""
    if args.postgres:
        from tests.postgres import postgres_cluster

        with postgres_cluster() as url:
            yield url
    else:
        yield args.url


def backend_name(admin_url: str | None) -> str:
    """'postgresql' or 'sqlite'."""
    return "sqlite" if admin_url is None else "postgresql"


def fresh_url(admin_url: str | None, folder: Path, name: str) -> str:
    """The URL of a new, empty database called `name`: a file in `folder`, or a database
    created (anew) on the server of `admin_url`."""
    if admin_url is None:
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return sqlite_url(path)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return database_url(admin_url, name)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url`."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
