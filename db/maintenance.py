"""Keeping the file safe: consistent backups of a live database, and a full health check."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crm.audit import chain as audit
from crm.errors import CRMError
from crm.i18n import Bilingual
from db.engine import sqlite_path
from db.migrate import current_revision, head_revision, newer_schema_problem
from db.replay import replay_problems
from db.session import Database
from db.triggers import trigger_problems


class BackupError(CRMError):
    """A backup could not be made (unsupported backend, target exists, disk error)."""


class OutputError(CRMError):
    """A command's output would go over the database, its journal files or a backup."""


#: The files SQLite keeps beside a database while it is open.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
_SQLITE_HEADER = b"SQLite format 3\x00"


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return first.resolve() == second.resolve()


def refuse_output_over_database(target: Path, database_url: str | None) -> None:
    """Refuse to write output to `target` when it is the database at `database_url`, one
    of its -wal/-shm/-journal files, or any SQLite database file (a backup, say)."""
    target = target.expanduser()
    path = sqlite_path(database_url) if database_url is not None else None
    if path is not None:
        for suffix in ("", *COMPANION_SUFFIXES):
            protected = Path(f"{path}{suffix}")
            if _same_file(target, protected):
                raise OutputError(f"{target} is the database{' ' + suffix if suffix else ''}"
                                  " file: choose another output file; nothing written",
                                  ja=f"{target} はデータベースの{suffix + ' ' if suffix else ''}"
                                  "ファイルです。別の出力先を選んでください。何も書いていません")
    try:
        with target.open("rb") as existing:
            is_database = existing.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return
    if is_database:
        raise OutputError(f"{target} is a SQLite database (a backup?): choose another output"
                          " file; nothing written",
                          ja=f"{target} は SQLite のデータベース（バックアップ？）です。別の出力先"
                          "を選んでください。何も書いていません")


def backup(database: Database, target: Path) -> Path:
    """Copy the database to `target` with SQLite's online backup API, while it is in use.

    The copy is one consistent snapshot (writers carry on meanwhile), created readable by
    its owner only, checked with quick_check, and moved into place only once complete.
    """
    if sqlite_path(database.url) is None:
        raise BackupError(f"{database.describe()}: only a SQLite file can be backed up here",
                          ja=f"{database.describe()}: ここでバックアップできるのは SQLite の"
                          "ファイルだけです")
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name",
                          ja=f"{target} は既にあります。新しいファイル名を選んでください")
    refuse_output_over_database(target, database.url)
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory",
                          ja=f"{target.parent} はディレクトリではありません")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        source = database.engine.raw_connection()
        try:
            copy = sqlite3.connect(partial)
            try:
                assert isinstance(source.driver_connection, sqlite3.Connection)
                # One step (pages=-1): the whole copy is read in a single read transaction.
                source.driver_connection.backup(copy)
                result = copy.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise BackupError(f"the copy failed its check: {result}")
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"backup to {target} failed: {exc}",
                          ja=f"{target} へのバックアップに失敗しました: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def purge_freed_space(database: Database) -> None:
    """Rewrite a SQLite file (VACUUM, then empty the WAL) so that no freed page or cell keeps
    the bytes of values erased from it; on PostgreSQL nothing (docs/auditing.md: VACUUM FULL).
    """
    if database.engine.dialect.name != "sqlite":
        return
    connection = database.engine.raw_connection()  # autocommit: VACUUM needs no transaction
    try:
        connection.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
        connection.driver_connection.execute(  # type: ignore[union-attr]
            "PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


#: PRAGMA application_id of a database `crm demo` built ("KCDM"): what `demo --force` may
#: replace without a backup.
DEMO_APPLICATION_ID = 0x4B43444D


def mark_as_demo(database: Database) -> None:
    """Mark a SQLite database as a demo one (in its file header, not in any table)."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")


def is_demo(path: Path) -> bool:
    """Whether the SQLite file at `path` is marked as a demo database."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(application_id == DEMO_APPLICATION_ID)


def backup_path_before(path: Path, what: str, now: datetime) -> Path:
    """Where a copy taken before `what` goes: beside the file, named by it and the time."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.before-{what}-{stamp}.bak")


def backup_path_before_upgrade(path: Path, revision: str, now: datetime) -> Path:
    """Where `crm db upgrade` keeps its copy: beside the file, named by revision and time."""
    return backup_path_before(path, f"upgrade-from-{revision}", now)


@dataclass
class CheckReport:
    """What `check` found; `problems` is empty when the database is sound."""

    integrity: str = "ok"
    foreign_key_violations: list[Bilingual] = field(default_factory=list)
    trigger_problems: list[Bilingual] = field(default_factory=list)
    replay_problems: list[Bilingual] = field(default_factory=list)
    chain: audit.ChainReport | None = None
    schema_problem: Bilingual | None = None

    @property
    def problems(self) -> list[Bilingual]:
        """Every problem, one line each (in English, carrying its Japanese)."""
        found = [] if self.schema_problem is None else [self.schema_problem]
        # SQLite's own integrity_check text stays as SQLite wrote it.
        found += [] if self.integrity == "ok" else [Bilingual(
            f"integrity_check: {self.integrity}",
            f"整合性検査 (integrity_check): {self.integrity}")]
        found += [Bilingual(f"foreign key: {v}", f"外部キー: {v.ja}")
                  for v in self.foreign_key_violations]
        found += self.trigger_problems
        found += self.replay_problems
        if self.chain is not None:
            found += self.chain.problems()
        return found


def check(database: Database) -> CheckReport:
    """integrity_check, foreign_key_check, the audit triggers, the audit chain, and the replay
    check (each record as its latest audited state says); reads only."""
    revision = current_revision(database.engine)
    where = database.describe()
    newer = newer_schema_problem(revision, where)
    report = CheckReport(schema_problem=None if newer is None else Bilingual(
        newer, newer_schema_problem(revision, where, "ja") or newer))
    at_head = revision == head_revision()
    if report.schema_problem is None and revision is not None and not at_head:
        # Its triggers are those of its revision: compared once it is upgraded.
        report.schema_problem = Bilingual(
            f"{where} is at schema {revision}, this program needs {head_revision()}: run"
            " `crm db upgrade`",
            f"{where} のスキーマは {revision} で、このプログラムには {head_revision()} が"
            "必要です。`crm db upgrade` を実行してください")
    with database.reading() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            lines = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            report.integrity = "; ".join(lines)
            report.foreign_key_violations = [
                Bilingual(f"{table} row {rowid} refers to a missing {parent}",
                          f"{table} の行 {rowid} が参照する {parent} がありません")
                for table, rowid, parent, _ in connection.exec_driver_sql(
                    "PRAGMA foreign_key_check"
                )
            ]
        report.trigger_problems = trigger_problems(session) if at_head else []
        report.chain = audit.verify(session)
        report.replay_problems = list(replay_problems(connection))
    return report
