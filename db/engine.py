"""Engines for SQLite (default) and PostgreSQL, with the settings each needs.

SQLite gets foreign keys ON, WAL, a busy timeout and NORMAL sync on every connection, and a
new database file is created readable by its owner only (it holds personal data).
PostgreSQL gets the same time limit on waiting for a lock (`lock_timeout`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

#: How long a writer waits for another's lock (SQLite's busy timeout, PostgreSQL's
#: lock_timeout) before it gives up: longer than a 100,000-row import holds the lock on
#: either backend (PostgreSQL: about 3 min; docs/performance.md, "Imports and the write
#: lock"), so that a save made meanwhile waits and succeeds. Read when a connection is made.
BUSY_TIMEOUT_MS = 300_000


def sqlite_url(path: str | os.PathLike[str], *, read_only: bool = False) -> str:
    """The SQLAlchemy URL of a SQLite file, read-only through SQLite's `mode=ro` if asked.

    On read-only storage (a directory this process cannot write: a backup on a read-only
    mount or a locked-down folder) SQLite could not create the -shm file a WAL database needs,
    so the file is opened as `immutable=1`: nothing can change it there, and no lock is taken.
    """
    resolved = Path(path).expanduser().resolve()
    if read_only:
        immutable = "&immutable=1" if on_read_only_storage(resolved) else ""
        return f"sqlite:///file:{resolved}?mode=ro{immutable}&uri=true"
    return f"sqlite:///{resolved}"


def on_read_only_storage(path: Path) -> bool:
    """Whether the directory holding `path` cannot be written by this process."""
    return path.parent.is_dir() and not os.access(path.parent, os.W_OK)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another backend or an in-memory database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return None
    database = parsed.database
    if database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[len("file:") :]
    return Path(database)


def make_engine(url: str, *, read_only: bool = False, echo: bool = False) -> Engine:
    """An engine for `url`; for SQLite, with pragmas set on every connection."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
        _postgresql_settings(engine, read_only=read_only)
        return engine
    path = sqlite_path(url)
    if path is not None and read_only and parsed.query.get("mode") != "ro":
        # Read-only must hold in SQLite itself, whatever URL the caller passed.
        url = sqlite_url(path, read_only=True)
    if path is not None and not read_only:
        _create_private_file(path)
    # The default pool keeps connections open: closing the last connection to a WAL database
    # checkpoints it, which made every save pay for a checkpoint.
    engine = create_engine(url, echo=echo)
    _sqlite_pragmas(engine, read_only=read_only)
    return engine


def memory_copy(engine: Engine) -> Engine:
    """An engine over an in-memory copy of the SQLite database behind `engine` (read, even
    from a read-only file, with SQLite's backup API); what is done to it is never saved."""
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    source = engine.raw_connection()
    try:
        assert isinstance(source.driver_connection, sqlite3.Connection)
        source.driver_connection.backup(memory)
    finally:
        source.close()
    copy = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
    _sqlite_pragmas(copy, read_only=False)
    return copy


def _create_private_file(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite would create it world-readable."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _sqlite_pragmas(engine: Engine, *, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN so that transactions behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer asks for BEGIN IMMEDIATE (see `writing`): it takes the write lock up front,
        # so two writers queue on busy_timeout instead of one failing when it upgrades a read
        # lock mid-transaction. Readers use a plain deferred BEGIN and never block writers.
        mode = "" if read_only else conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def writing(engine: Engine) -> Engine:
    """The same engine, whose transactions take SQLite's write lock when they begin."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def _postgresql_settings(engine: Engine, *, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Without it a save queued behind another transaction would wait for ever.
        cursor.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")
        if read_only:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()
        dbapi_connection.commit()
