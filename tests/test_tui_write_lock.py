"""A form saved while another connection holds the write lock (an import, another save): it
says what it waits for, the app stays responsive, and it saves once the lock is released; if
the wait runs out (SQLite's busy timeout, PostgreSQL's lock_timeout), the form says so and
keeps what was typed (issue 16; Pilot, with a real second connection, on whichever backend
the suite runs)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

import db.engine
from crm.context import Context
from crm.models import Meeting
from db.engine import sqlite_path
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, settle, wait_until
from tui import strings
from tui.app import CRMApp
from tui.kit import screen
from tui.kit.form import FormScreen
from tui.widgets.paged_table import PagedTable

WAITING = strings.STRINGS["waiting_for_lock"][0]


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


@pytest.fixture(autouse=True)
def _soon(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waiting notice after 0.1 s, not 1 s: the tests wait for it, not for the time."""
    monkeypatch.setattr(screen, "WAIT_NOTICE_AFTER", 0.1)


@contextmanager
def write_lock_held(database: Database) -> Iterator[Callable[[], None]]:
    """Another connection holding the lock a save needs until the `release` it yields is
    called (or the block ends): BEGIN IMMEDIATE on SQLite; on PostgreSQL the audit log's
    table lock every save's seal takes (crm.audit.chain.seal)."""
    path = sqlite_path(database.url)
    if path is not None:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        def release() -> None:
            if holder.in_transaction:
                holder.execute("ROLLBACK")

        try:
            yield release
        finally:
            release()
            holder.close()
        return
    other = Database.open(database.url)
    connection = other.engine.connect()
    transaction = connection.begin()
    connection.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")

    def release_pg() -> None:
        if transaction.is_active:
            transaction.rollback()

    try:
        yield release_pg
    finally:
        release_pg()
        connection.close()
        other.dispose()


def _title(database: Database, meeting_id: int) -> str:
    with database.reading() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        return meeting.title


async def _edit(app: CRMApp, pilot: Pilot[None], meeting_id: int) -> FormScreen[Any]:
    """The meeting's form, open and filled."""
    table = app.screen.query_one(PagedTable)
    table.move_cursor(row=table.get_row_index(str(meeting_id)))
    await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
    form = app.screen
    assert isinstance(form, FormScreen)
    await wait_until(pilot, lambda: form.version == 1)
    return form


def _message(form: FormScreen[Any]) -> str:
    return str(form.query_one("#form-error", Static).render())


async def test_a_save_waiting_for_the_lock_says_so_and_saves_once_it_is_free(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        form = await _edit(app, pilot, seeded.overdue_meeting)
        title = form.query_one("#title", Input)
        title.value = "待ってから保存した題"
        with write_lock_held(database) as release:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: _message(form) == WAITING)
            # Still responsive: keys are handled, a second save and leaving are held back.
            next_action = form.query_one("#next_action", Input)
            next_action.focus()
            await pilot.press("end", "x")
            await wait_until(pilot, lambda: next_action.value.endswith("x"))
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is form and form.writing()
            assert _title(database, seeded.overdue_meeting) == "スマートシティ構想の意見交換"
            release()
            await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen))
        await settle(pilot)
    assert _title(database, seeded.overdue_meeting) == "待ってから保存した題"


async def test_a_save_that_waits_too_long_fails_at_the_form_and_keeps_what_was_typed(
    database: Database, ctx: Context, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 1500)
    impatient = Database.open(database.url)  # its connections wait 1.5 s, not 300 s
    app = CRMApp(impatient, ctx)
    try:
        async with running(app, "3") as pilot:
            form = await _edit(app, pilot, seeded.overdue_meeting)
            title = form.query_one("#title", Input)
            title.value = "ロック中に入力した題"
            with write_lock_held(database):
                await pilot.press("ctrl+s")
                await wait_until(pilot, lambda: "使用中" in _message(form))
                await wait_until(pilot, lambda: not form.writing())
            shown = _message(form)
            assert "何も変更していません" in shown and "\n" not in shown
            assert app.screen is form and title.value == "ロック中に入力した題"
            assert _title(database, seeded.overdue_meeting) == "スマートシティ構想の意見交換"
            # Nothing lost: saving again, once the lock is free, goes through.
            await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    finally:
        impatient.dispose()
    assert _title(database, seeded.overdue_meeting) == "ロック中に入力した題"
