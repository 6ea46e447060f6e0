"""Opening a database for the program: where it lives, and sessions for reading or writing."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from crm.context import Context, current_user
from crm.errors import CRMError, ReadOnlyError
from db import engine as engine_settings
from db.engine import make_engine, memory_copy, sqlite_path, sqlite_url, writing
from db.migrate import current_revision, head_revision, newer_schema_problem, upgrade
from db.paths import URL_VARIABLE, default_database_path

if TYPE_CHECKING:
    from sqlmodel import Session

# SQLModel, the table models and the audit chain are imported by the methods that use them:
# a command that only reads through `reading_connection` (`crm kpi`) never loads them.


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


#: PostgreSQL's SQLSTATE for a lock not obtained in time (lock_timeout, NOWAIT).
LOCK_NOT_AVAILABLE = "55P03"


def lock_wait_ran_out(exc: DBAPIError) -> bool:
    """Whether `exc` says a lock was not obtained within the busy timeout / lock_timeout."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code is not None:
        return bool(code == LOCK_NOT_AVAILABLE)
    message = str(exc.orig)
    return isinstance(exc.orig, sqlite3.OperationalError) and (
        "locked" in message or "busy" in message)


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
                f"no database at {path}: create one with `crm init` (or try `crm demo`)",
                ja=f"{path} にデータベースがありません。`crm init` で作成してください（`crm demo`"
                " でデモ用も作れます）",
            )
        database = cls(url=url, engine=make_engine(url, read_only=read_only), read_only=read_only)
        if must_exist:
            database.check_schema()
        return database

    def check_schema(self) -> None:
        """Refuse a database that is not at the newest migration."""
        revision = current_revision(self.engine)
        if revision is None:
            raise DatabaseError(f"{self.describe()} is not a CRM database: run `crm init`",
                                ja=f"{self.describe()} は CRM のデータベースではありません。"
                                "`crm init` を実行してください")
        newer = newer_schema_problem(revision, self.describe())
        if newer is not None:
            raise DatabaseError(newer, ja=newer_schema_problem(revision, self.describe(), "ja"))
        if revision != head_revision():
            raise DatabaseError(
                f"{self.describe()} is at schema {revision}, this program needs"
                f" {head_revision()}: run `crm db upgrade`",
                ja=f"{self.describe()} のスキーマは {revision} で、このプログラムには"
                f" {head_revision()} が必要です。`crm db upgrade` を実行してください",
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
        from sqlmodel import Session

        with Session(self.engine) as session:
            yield session

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """A plain connection for reads, all in one transaction that closing rolls back; no
        ORM, so a command that only reads (`crm kpi`) never loads SQLModel or the models."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self, *, actor: str | None = None) -> Iterator[Session]:
        """A session for one unit of work: committed if the block succeeds, else rolled back.

        Its changes are recorded in the audit log as made by the OS login (on PostgreSQL the
        database login), acting for `actor` (default: CRM_USER, else the login name), and
        sealed into the audit chain as it commits (crm.audit.chain).
        """
        if self.read_only:
            raise ReadOnlyError("the database is open read-only: nothing can be changed",
                                ja="データベースは読み取り専用で開いています。変更はできません")
        from sqlmodel import Session

        from crm.audit import chain as audit

        with Session(writing(self.engine), expire_on_commit=False) as session, \
                self._busy_as_error():
            with session.begin():
                # The first statement takes the write lock (SQLite: BEGIN IMMEDIATE;
                # PostgreSQL: the audit_actor row every writer updates first).
                audit.set_actor(session, actor or current_user())
                yield session
                session.flush()
                audit.seal(session)

    @contextmanager
    def _busy_as_error(self) -> Iterator[None]:
        """Turn a lock wait that ran out (SQLite's busy timeout, PostgreSQL's lock_timeout)
        into DatabaseBusyError; the transaction it ended has been rolled back."""
        try:
            yield
        except DBAPIError as exc:
            if not lock_wait_ran_out(exc):
                raise
            seconds = f"{engine_settings.BUSY_TIMEOUT_MS / 1000:g}"
            raise DatabaseBusyError(
                f"{self.describe()} is busy: another program kept it locked for more"
                f" than {seconds} s; nothing was changed, try again",
                ja=f"{self.describe()} は使用中です。別のプログラムが {seconds} 秒を超えて"
                "ロックしていました。何も変更していません。もう一度試してください",
            ) from exc

    @contextmanager
    def rehearsing(self, *, actor: str | None = None) -> Iterator[Session]:
        """A session for a dry run: whatever it does is rolled back, nothing is committed.

        It works under --read-only too: a read-only SQLite file is rehearsed on an in-memory
        copy (SQLite refuses any write to it, even one rolled back), and on PostgreSQL the
        one transaction, never committed, is made read-write.
        """
        from sqlmodel import Session

        from crm.audit import chain as audit

        copy = memory_copy(self.engine) if self.read_only and sqlite_path(self.url) else None
        try:
            with Session(copy or self.engine) as session, self._busy_as_error():
                transaction = session.begin()
                try:
                    if self.read_only and copy is None:
                        session.execute(text("SET TRANSACTION READ WRITE"))
                    audit.set_actor(session, actor or current_user())
                    yield session
                finally:
                    transaction.rollback()
        finally:
            if copy is not None:
                copy.dispose()

    def dispose(self) -> None:
        self.engine.dispose()


def create_database(url: str, ctx: Context) -> Database:
    """Create a new database at the newest schema, with the shipped plan and its KPIs."""
    from crm.kpi.plans import seed_shipped_plan  # only here: commands that read never need it

    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        raise DatabaseError(f"{path} already exists: use `crm db upgrade` to update it",
                            ja=f"{path} は既にあります。更新するには `crm db upgrade` を使って"
                            "ください")
    database = Database(url=url, engine=make_engine(url))
    if current_revision(database.engine) is not None:
        raise DatabaseError(f"{database.describe()} already holds a CRM database",
                            ja=f"{database.describe()} には既に CRM のデータベースがあります")
    database.upgrade()
    with database.writing(actor=ctx.user) as session:
        seed_shipped_plan(session, ctx)
    return database
