"""Opening a database for the program: where it lives, and sessions for reading or writing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path, user_data_path
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from crm.audit import chain as audit
from crm.context import Context, current_user
from crm.errors import CRMError, ReadOnlyError
from crm.kpi.plans import seed_shipped_plan
from db import engine as engine_settings
from db.engine import make_engine, sqlite_path, sqlite_url, writing
from db.migrate import current_revision, head_revision, newer_schema_problem, upgrade

APP_NAME = "kakogawa-crm"
URL_VARIABLE = "CRM_DATABASE_URL"


def default_database_path() -> Path:
    """Where the database lives when neither --db nor CRM_DATABASE_URL says otherwise."""
    return user_data_path(APP_NAME, appauthor=False) / "crm.sqlite3"


def demo_database_path() -> Path:
    """Where `crm --demo` keeps its demo database."""
    return user_data_path(APP_NAME, appauthor=False) / "demo.sqlite3"


def keymap_path() -> Path:
    """The TUI's key map file (tui.keymap): $CRM_KEYMAP, else keys.toml in the user config
    directory."""
    return Path(os.environ.get("CRM_KEYMAP") or
                user_config_path(APP_NAME, appauthor=False) / "keys.toml")


def resolve_url(db_path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> str:
    """The database URL: --db PATH, else $CRM_DATABASE_URL, else the default file."""
    if db_path is not None:
        return sqlite_url(db_path, read_only=read_only)
    from_env = os.environ.get(URL_VARIABLE)
    if from_env:
        return from_env
    return sqlite_url(default_database_path(), read_only=read_only)


class DatabaseError(CRMError):
    """The database is missing, outdated or unreachable."""


class DatabaseBusyError(DatabaseError):
    """Another program kept the database locked for longer than the busy timeout."""


@dataclass
class Database:
    """An opened database: the engine, and sessions for reading or for one write each."""

    url: str
    engine: Engine
    read_only: bool = False

    @classmethod
    def open(cls, url: str, *, read_only: bool = False, must_exist: bool = True) -> Database:
        """Open `url`; with `must_exist`, refuse a missing file or one not at the newest schema."""
        path = sqlite_path(url)
        if must_exist and path is not None and not path.exists():
            raise DatabaseError(
                f"no database at {path}: create one with `crm init` (or try `crm demo`)"
            )
        database = cls(url=url, engine=make_engine(url, read_only=read_only), read_only=read_only)
        if must_exist:
            database.check_schema()
        return database

    def check_schema(self) -> None:
        """Refuse a database that is not at the newest migration."""
        revision = current_revision(self.engine)
        if revision is None:
            raise DatabaseError(f"{self.describe()} is not a CRM database: run `crm init`")
        newer = newer_schema_problem(revision, self.describe())
        if newer is not None:
            raise DatabaseError(newer)
        if revision != head_revision():
            raise DatabaseError(
                f"{self.describe()} is at schema {revision}, this program needs"
                f" {head_revision()}: run `crm db upgrade`"
            )

    def describe(self) -> str:
        """The file path, or the URL without its password."""
        path = sqlite_path(self.url)
        return str(path) if path is not None else self.engine.url.render_as_string()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        upgrade(self.engine)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed (closing rolls back)."""
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def writing(self, *, actor: str | None = None) -> Iterator[Session]:
        """A session for one unit of work: committed if the block succeeds, else rolled back.

        Its changes are recorded in the audit log as made by the OS login (on PostgreSQL the
        database login), acting for `actor` (default: CRM_USER, else the login name), and
        sealed into the audit chain as it commits (crm.audit.chain).
        """
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: nothing can be changed")
        with Session(writing(self.engine), expire_on_commit=False) as session:
            with session.begin():
                try:
                    # The first statement takes the write lock (BEGIN IMMEDIATE).
                    audit.set_actor(session, actor or current_user())
                except OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    raise DatabaseBusyError(
                        f"{self.describe()} is busy: another program kept it locked for more"
                        f" than {engine_settings.BUSY_TIMEOUT_MS / 1000:g} s; nothing was"
                        " changed, try again"
                    ) from exc
                yield session
                session.flush()
                audit.seal(session)

    def dispose(self) -> None:
        self.engine.dispose()


def create_database(url: str, ctx: Context) -> Database:
    """Create a new database at the newest schema, with the shipped plan and its KPIs."""
    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        raise DatabaseError(f"{path} already exists: use `crm db upgrade` to update it")
    database = Database(url=url, engine=make_engine(url))
    if current_revision(database.engine) is not None:
        raise DatabaseError(f"{database.describe()} already holds a CRM database")
    database.upgrade()
    with database.writing(actor=ctx.user) as session:
        seed_shipped_plan(session, ctx)
    return database
