"""An import holds the write lock for its writes alone: other saves go through while it reads
the file, and wait for it (then succeed) while it writes, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session, col

from cli.cmd_import import import_with_short_lock
from crm.context import Context
from crm.io.importing import ImportPlan, ImportResult, read_import
from crm.models import Meeting, Staff
from crm.records import services as s
from db.session import Database

ROWS = 2000
ORGANIZATION = "取込並行株式会社"
#: How long a test waits for the other thread to reach a point before it fails.
PATIENCE = 60


def write_meetings(path: Path, staff: str) -> None:
    """ROWS meetings with ORGANIZATION, and one staff member not in the database yet."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "title", "organizations", "staff", "tags"])
        for i in range(ROWS):
            writer.writerow([f"2022-{i % 12 + 1:02}-15", f"取込 {i}", ORGANIZATION, staff,
                             "取込テスト"])


def open_with_short_wait(url: str) -> Database:
    """The database for a writer that gives up after 0.5 s waiting for a lock."""
    database = Database.open(url)

    @event.listens_for(database.engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if database.engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout=500")
        else:
            cursor.execute("SET lock_timeout = '500ms'")
        cursor.close()

    return database


def save_one(database: Database, ctx: Context, title: str) -> int:
    """Log one meeting in a write transaction of its own; its id."""
    with database.writing() as session:
        organization = s.find_organization(session, ORGANIZATION)
        assert organization is not None and organization.id is not None
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 3, 1), title=title,
                                organization_ids=[organization.id])
        assert meeting.id is not None
        return meeting.id


def importer(path: Path, ctx: Context, **options: Any) -> Any:
    """What `import_with_short_lock` reads the file with."""

    def read(session: Session) -> ImportPlan:
        return read_import(session, ctx, "meetings", path, **options)

    return read


@pytest.fixture
def prepared(database_url: str, ctx: Context, tmp_path: Path) -> Path:
    """The organization the file names, and the file."""
    database = Database.open(database_url)
    with database.writing() as session:
        s.create_organization(session, ctx, name=ORGANIZATION, kind="company")
    database.dispose()
    path = tmp_path / "meetings.csv"
    write_meetings(path, "取込新人")
    return path


def test_a_save_while_an_import_reads_its_file_goes_through(
    database_url: str, ctx: Context, prepared: Path
) -> None:
    """The save gives up after 0.5 s: it would fail if reading the file held the lock."""
    saver = open_with_short_wait(database_url)
    database = Database.open(database_url)
    saved: list[int] = []
    try:

        def save_once(_: int) -> None:
            if not saved:  # the file is read again after this save, which changed the data
                saved.append(save_one(saver, ctx, "読込中の保存"))

        read = importer(prepared, ctx, progress=save_once)
        result = import_with_short_lock(database, "tester", read)
    finally:
        saver.dispose()
    with database.reading() as session:
        titles = set(session.scalars(select(col(Meeting.title))))
        staff = session.scalar(select(func.count()).where(col(Staff.name) == "取込新人"))
    database.dispose()
    assert len(saved) == 1 and "読込中の保存" in titles
    assert result.added == ROWS and {f"取込 {i}" for i in range(ROWS)} <= titles
    assert staff == 1  # created when the file was written, once


def test_a_save_while_an_import_writes_waits_for_it_and_succeeds(
    database_url: str, ctx: Context, prepared: Path
) -> None:
    database, saver = Database.open(database_url), Database.open(database_url)
    import_writing, saver_started = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    @event.listens_for(database.engine, "before_cursor_execute")
    def _hold_in_the_writes(*args: Any) -> None:
        statement: str = args[2]
        if statement.startswith("INSERT INTO meeting (") and not import_writing.is_set():
            import_writing.set()
            assert saver_started.wait(PATIENCE)

    @event.listens_for(saver.engine, "before_cursor_execute")
    def _started(*_: Any) -> None:
        saver_started.set()  # its next statement waits for the lock (BEGIN IMMEDIATE, or
        # on PostgreSQL naming the actor)

    def run_import() -> None:
        try:
            outcome["import"] = import_with_short_lock(database, "tester",
                                                      importer(prepared, ctx))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["import"] = exc

    def run_save() -> None:
        assert import_writing.wait(PATIENCE)
        try:
            outcome["save"] = save_one(saver, ctx, "書込中の保存")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["save"] = exc

    threads = [threading.Thread(target=run_import), threading.Thread(target=run_save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        result = outcome["import"]
        assert isinstance(result, ImportResult), result
        assert isinstance(outcome["save"], int), outcome["save"]
        assert result.added == ROWS
        with database.reading() as session:
            imported = session.scalar(select(func.max(col(Meeting.id))).where(
                col(Meeting.title).startswith("取込 ")))
        # The save committed after the import: it waited for the import's writes.
        assert imported is not None and outcome["save"] > imported
    finally:
        database.dispose()
        saver.dispose()
