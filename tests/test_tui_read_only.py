"""The TUI for a read-only user, driven through Pilot: writes refused, records and their
histories read; `crm` without a command opens the TUI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from textual.widgets import DataTable, Label

from cli.main import main
from crm.context import Context
from crm.models import IssuedReport
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, wait_until
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.screens.audit_history import AuditHistoryScreen
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.measurements import MeasurementListScreen
from tui.screens.plans import PlansScreen
from tui.screens.record_view import RecordViewScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.field import Field
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_read_only_refuses_writes(database: Database, ctx: Context, seeded: Seeded) -> None:
    app = CRMApp(database, ctx, read_only=True)
    async with running(app) as pilot:
        assert "読み取り専用" in app.title
        await press(pilot, "3", "n")
        assert not isinstance(app.screen, FormScreen)
        await press(pilot, "d")
        assert not isinstance(app.screen, ConfirmDialog)
        await press(pilot, "1", "i")  # issuing a report writes: refused
        assert not isinstance(app.screen, ConfirmDialog)
        await press(pilot, "2", "u")  # the duplicates can be listed, not merged
        assert isinstance(app.screen, DuplicatesScreen)
        await press(pilot, "m")
        assert not isinstance(app.screen, ConfirmDialog)
        refusals = [n for n in app.notices if n.message == app.t("read_only_refused")]
        assert len(refusals) == 4
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(IssuedReport)) == 0


async def test_read_only_user_reads_a_meeting_and_its_history(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as session:
        services.update_meeting(
            session, ctx, seeded.overdue_meeting, held_on=date(2023, 3, 1),
            title="スマートシティ構想の意見交換", organization_ids=[seeded.university],
            staff_ids=[seeded.staff], summary="[b]要旨[/b] を共有した", next_action="資料送付",
            follow_up_on=date(2023, 3, 25))
        services.record_measurement(session, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 1), value=1500)
    app = CRMApp(database, ctx, read_only=True)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.overdue_meeting)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, RecordViewScreen))
        await wait_until(pilot, lambda: app.screen.query(Field))
        values = {f.field_name: str(f.query_one(".record-value", Label).content)
                  for f in app.screen.query(Field)}
        assert values["summary"] == "[b]要旨[/b] を共有した"  # as written, never markup
        assert values["organizations"] == "兵庫県立大学"
        assert values["staff"] == "山田 太郎"
        assert values["follow_up_on"] == "R5.3.25" and values["follow_up_done_on"] == "—"
        await press(pilot, "h", until=lambda: isinstance(app.screen, AuditHistoryScreen))
        await press(pilot, "escape", until=lambda: isinstance(app.screen, RecordViewScreen))
        await press(pilot, "escape", until=lambda: app.screen.query(PagedTable))
        # measurements have no view: refused, as before
        await press(pilot, "6", until=lambda: isinstance(app.screen, MeasurementListScreen)
                    and app.screen.query_one(PagedTable).row_count > 0)
        await press(pilot, "enter", until=lambda: app.notices
                    and app.notices[-1].message == app.t("read_only_refused"))


async def test_a_read_only_user_cannot_revise_a_target(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx, read_only=True)
    async with running(app) as pilot:
        await press(pilot, "l", until=lambda: isinstance(app.screen, PlansScreen))
        table = app.screen.query_one("#plan-kpis", DataTable)
        await wait_until(pilot, lambda: table.row_count == 19)
        await press(pilot, "r")
        assert isinstance(app.screen, PlansScreen)
        assert app.notices[-1].severity == "error"


def test_crm_without_a_command_opens_the_ui(
    database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[CRMApp] = []
    monkeypatch.setattr(CRMApp, "run", lambda self: opened.append(self))
    monkeypatch.setenv("CRM_LANG", "en")
    assert main(["--db", str(database_path), "--read-only"]) == 0
    app = opened[0]
    assert (app.lang, app.read_only, app.personal) == ("en", True, False)
    assert main(["--db", str(database_path), "--show-personal"]) == 0
    assert opened[-1].personal is True
    assert app.title == "Kakogawa partnership CRM [read-only]"
