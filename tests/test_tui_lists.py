"""The list screens, driven through Pilot: paging, filters and sorting, archiving and
restoring, follow-ups done and undone."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Label

from crm.context import Context
from crm.models import Meeting
from db.session import Database
from tests.tui_factory import Seeded, add_meetings, press, running, seed, shown, wait_until
from tests.tui_forms import paste
from tui.app import CRMApp
from tui.screens.audit_history import AuditHistoryScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_follow_ups_due_and_overdue_then_done_confirmed_and_undone(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    title = "スマートシティ構想の意見交換"

    def done_on() -> date | None:
        with database.reading() as session:
            meeting = session.get(Meeting, seeded.overdue_meeting)
            assert meeting is not None
            return meeting.follow_up_done_on

    async with running(app, "7") as pilot:
        table = app.screen.query_one(PagedTable)
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting),
                                                 str(seeded.due_meeting)]
        await press(pilot, "c", until=lambda: isinstance(app.screen, ConfirmDialog))
        question = str(app.screen.query_one("#question", Label).content)
        assert title in question and "R5.3.25" in question
        await press(pilot, "n")
        assert done_on() is None and table.row_count == 2
        await press(pilot, "c", "y")
        assert [k.value for k in table.rows] == [str(seeded.due_meeting)]
        assert done_on() == ctx.today()
        assert app.notices[-1].message == app.t("followup_done", title=title)
        assert "z" in app.notices[-1].message  # says how to undo
        await press(pilot, "z")
        assert done_on() is None
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting),
                                                 str(seeded.due_meeting)]
        await press(pilot, "z")
        assert app.notices[-1].message == app.t("nothing_to_reopen")


async def test_archive_is_confirmed_and_restorable(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 3
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await press(pilot, "y")
        assert table.row_count == 2
        with database.reading() as session:
            meeting = session.get(Meeting, int(first or 0))
            assert meeting is not None and meeting.archived_at is not None
        await press(pilot, "x")
        assert table.row_count == 3
        table.move_cursor(row=table.get_row_index(str(first)))
        await press(pilot, "d", "y")
        await press(pilot, "h")  # its audit history: restored, archived, entered, newest first
        assert isinstance(app.screen, AuditHistoryScreen)
        audit = app.screen.query_one("#audit", DataTable)
        rows = [shown(audit, key) for key in audit.rows]
        assert [int(str(k.value)) for k in audit.rows] == sorted(
            (int(str(k.value)) for k in audit.rows), reverse=True)
        assert [r[3] for r in rows if r[2] == f"意見交換 {first}"] == ["更新", "更新", "登録"]
        assert "保管日時: — → " in rows[1][4] and " → —" in rows[0][4]
        archived_at = rows[1][4].split("保管日時: — → ")[1].split(";")[0]
        assert archived_at == "2023-04-01 12:00"  # the clock's Japan time, not stored UTC
        assert any(r[2].startswith("意見交換の相手先 ") for r in rows)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen.query(PagedTable))
    with database.reading() as session:
        meeting = session.get(Meeting, int(first or 0))
        assert meeting is not None and meeting.archived_at is None


async def test_list_pages_filters_and_sorts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    add_meetings(database, seeded.company, 250)
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 100
        await press(pilot, "end")
        assert table.row_count == 200
        assert "/ 253" in str(app.screen.query_one("#list-status").render())
        await pilot.press("slash")
        await paste(pilot, "意見交換")
        await press(pilot, "enter")
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting)]
        app.screen.query_one("#fb-text", Input).value = ""
        await wait_until(pilot, lambda: table.row_count == 100)  # after the typing pause
        await press(pilot, "escape", "s")  # sort by title, descending
        titles = [shown(table, k)[1] for k in table.rows]
        assert titles == sorted(titles, reverse=True)
        await press(pilot, "r")
        titles = [shown(table, k)[1] for k in table.rows]
        assert titles == sorted(titles)
