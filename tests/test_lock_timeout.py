"""A writer waits for another's lock for a limited time on both backends (SQLite's busy
timeout, PostgreSQL's lock_timeout: db.engine.BUSY_TIMEOUT_MS): past it the save is refused
in one line with nothing changed; within it the save waits and succeeds (issue 16). Real
second connections on whichever backend the suite runs."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

import db.engine
from cli.main import main
from crm.context import Context
from crm.records import services as s
from db.engine import sqlite_path
from db.session import Database, DatabaseBusyError

#: How long a test waits for the other thread to reach a point before it fails.
PATIENCE = 60
#: The limit the impatient writer is given: long enough to reach its lock, short for a test.
IMPATIENT_MS = 300


@pytest.fixture
def meeting(database: Database, ctx: Context) -> int:
    """A meeting with one company; its id."""
    with database.writing() as session:
        company = s.create_organization(session, ctx, name="待機株式会社", kind="company")
        assert company.id is not None
        logged = s.log_meeting(session, ctx, held_on=date(2023, 3, 1), title="元の題",
                               organization_ids=[company.id])
        assert logged.id is not None
        return logged.id


@contextmanager
def another_save(database: Database, ctx: Context, meeting_id: int) -> Iterator[Callable[[], None]]:
    """Another program's save in progress (its transaction open, holding the lock every
    writer takes first) until the `commit` it yields is called or the block ends."""
    other = Database.open(database.url)
    with ExitStack() as stack:
        stack.callback(other.dispose)
        session = stack.enter_context(other.writing(actor="other"))
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 3, 1), title="他の保存",
                         organization_ids=[_company(database)])
        session.flush()
        yield stack.close
    # Leaving the block commits the other save, if `commit` has not already.


@contextmanager
def row_locked(database: Database, meeting_id: int) -> Iterator[None]:
    """Another transaction holding the meeting's row (PostgreSQL; on SQLite, which locks the
    whole file, the write lock): a PostgreSQL writer gets its first lock, then waits in the
    middle of its transaction."""
    path = sqlite_path(database.url)
    if path is not None:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    other = Database.open(database.url)
    connection = other.engine.connect()
    try:
        connection.execute(text("SELECT id FROM meeting WHERE id = :id FOR UPDATE"),
                           {"id": meeting_id})
        yield
    finally:
        connection.rollback()
        connection.close()
        other.dispose()


def _company(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(text("SELECT id FROM organization")).scalar_one())


def _state(database: Database, meeting_id: int) -> tuple[str, int, int, Any]:
    """The meeting's title and version, the audit log's size, the actor row's actor."""
    with database.reading() as session:
        title, version = session.execute(
            text("SELECT title, version FROM meeting WHERE id = :id"), {"id": meeting_id}).one()
        rows = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        actor = session.execute(text("SELECT actor FROM audit_actor")).scalar_one()
        return title, version, rows, actor


def _rename(database: Database, ctx: Context, meeting_id: int, title: str) -> None:
    with database.writing(actor="saver") as session:
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 3, 1), title=title,
                         organization_ids=[_company(database)])


def _limited(work: Callable[[], object]) -> object:
    """What `work` returned or raised, run in a thread: the test fails (rather than hangs)
    if it still waits after PATIENCE seconds, as a writer without a lock time limit would."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # noqa: BLE001 - the caller checks what it was
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    if thread.is_alive():
        pytest.fail(f"a writer still waits for the lock after {PATIENCE} s")
    return outcome[0]


def test_every_connection_waits_for_a_lock_at_most_the_busy_timeout(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in (db.engine.BUSY_TIMEOUT_MS, 2500):
        monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", limit)
        for read_only in (False, True):
            database = Database.open(database_url, read_only=read_only)
            with database.engine.connect() as connection:
                if sqlite_path(database_url) is not None:
                    shown = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                else:
                    shown = connection.exec_driver_sql(
                        "SELECT setting::int FROM pg_settings WHERE name = 'lock_timeout'"
                    ).scalar()
            database.dispose()
            assert shown == limit


@pytest.mark.parametrize("blocker", ["another save", "the record's row"])
def test_a_save_blocked_past_the_limit_is_refused_as_busy_and_changes_nothing(
    database: Database, ctx: Context, meeting: int, monkeypatch: pytest.MonkeyPatch,
    blocker: str,
) -> None:
    before = _state(database, meeting)
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", IMPATIENT_MS)
    impatient = Database.open(database.url)
    holding = (another_save(database, ctx, meeting) if blocker == "another save"
               else row_locked(database, meeting))
    try:
        with holding:
            refused = _limited(lambda: _rename(impatient, ctx, meeting, "待ちきれなかった題"))
    finally:
        impatient.dispose()
    assert isinstance(refused, DatabaseBusyError), refused
    for lang, words in (("ja", ("使用中", "0.3 秒", "何も変更していません")),
                        ("en", ("is busy", "0.3 s", "nothing was changed"))):
        shown = refused.text(lang)
        assert all(word in shown for word in words) and "\n" not in shown, shown
    after = _state(database, meeting)
    if blocker == "another save":  # the other save committed when released; ours did not
        assert after[0] == "他の保存" and after[1] == before[1] + 1
    else:
        assert after == before
    _rename(database, ctx, meeting, "後で保存した題")  # the database is usable as ever
    assert _state(database, meeting)[0] == "後で保存した題"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_cli_says_busy_in_one_line_and_imports_nothing(
    database: Database, ctx: Context, meeting: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str,
) -> None:
    source = tmp_path / "events.csv"
    source.write_text("date,kind,title\n2023-01-10,lecture,講座\n", encoding="utf-8")
    monkeypatch.setenv("CRM_DATABASE_URL", database.url)
    monkeypatch.setenv("CRM_LANG", lang)
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", IMPATIENT_MS)
    with another_save(database, ctx, meeting) as commit:
        code = _limited(lambda: main(["import", "events", str(source)], out=io.StringIO()))
        commit()
    # The file is read (its progress line) before the lock is asked for; then one line.
    lines = capsys.readouterr().err.splitlines()[1:]
    busy = "使用中" if lang == "ja" else "is busy"
    assert code == 1 and len(lines) == 1 and busy in lines[0], lines
    with database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM outreach_event")).scalar_one() == 0


@pytest.mark.parametrize("blocker", ["another save", "the record's row"])
def test_a_save_blocked_briefly_waits_and_succeeds(
    database: Database, ctx: Context, meeting: int, blocker: str
) -> None:
    saver = Database.open(database.url)  # the default limit: 300 s
    waiting = threading.Event()
    outcome: dict[str, Any] = {}

    @event.listens_for(saver.engine, "before_cursor_execute")
    def _started(*_: Any) -> None:
        waiting.set()  # its first statement (BEGIN IMMEDIATE on SQLite) may wait

    def save() -> None:
        try:
            _rename(saver, ctx, meeting, "待ってから保存した題")
            outcome["save"] = "saved"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["save"] = exc

    holding = (another_save(database, ctx, meeting) if blocker == "another save"
               else row_locked(database, meeting))
    thread = threading.Thread(target=save)
    try:
        with holding:
            thread.start()
            assert waiting.wait(PATIENCE)
            _wait_until_blocked(database, thread)
        thread.join(PATIENCE)
    finally:
        saver.dispose()
    assert outcome["save"] == "saved", outcome["save"]
    assert _state(database, meeting)[0] == "待ってから保存した題"


def _wait_until_blocked(database: Database, thread: threading.Thread) -> None:
    """On PostgreSQL, until a backend of this database waits for a lock (SQLite shows no
    such thing: the saver's statement has started, which is as close as it gets)."""
    if sqlite_path(database.url) is not None:
        return
    watcher = db.engine.make_engine(database.url)
    try:
        for _ in range(PATIENCE * 20):
            with watcher.connect() as connection:
                blocked = connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")).scalar_one()
            if blocked or not thread.is_alive():
                return
            threading.Event().wait(0.05)
        pytest.fail("the save never waited for the lock")
    finally:
        watcher.dispose()
