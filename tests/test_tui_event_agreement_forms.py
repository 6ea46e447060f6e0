"""Outreach events and agreements through their forms, driven through Pilot: counts
checked, tags saved and filtered, an agreement concluded and counted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from textual.widgets import DataTable, Input

from crm.context import Context
from crm.models import Agreement, OutreachEvent
from crm.tags import LINKS, tags_of
from db.session import Database
from tests.tui_factory import Seeded, kpi_value, press, running, seed, shown, wait_until
from tests.tui_forms import field_error, paste, shown_matches
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.paged_table import PagedTable
from tui.widgets.status_dialog import StatusDialog


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


@pytest.mark.parametrize("typed", ["1.5", "1e3", "-2", "三十"])
async def test_a_count_that_is_not_a_whole_number_is_refused(
    database: Database, ctx: Context, seeded: Seeded, typed: str
) -> None:
    """Typed key by key: nothing is dropped from what was typed, the field says why."""
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        attendees = app.screen.query_one("#attendees", Input)
        attendees.focus()
        await pilot.press(*typed)
        assert attendees.value == typed
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormScreen)
        assert field_error(app, "attendees") == app.t("bad_count")
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutreachEvent)) == 0


async def test_agreement_recorded_then_concluded_counts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    before = kpi_value(database, "linkage_external", ctx.today())
    app = CRMApp(database, ctx)
    async with running(app, "4", "n") as pilot:
        await paste(pilot, "防災データ連携協定", "兵庫県立")
        await shown_matches(pilot, lambda options: options.option_count == 2)  # and "create"
        await press(pilot, "enter", "ctrl+s")
        with database.reading() as session:
            agreement = session.scalars(
                select(Agreement).where(Agreement.title == "防災データ連携協定")).one()
            assert agreement.status == "proposed"
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(agreement.id)))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatusDialog))
        await pilot.press("enter", "down", "down", "enter", "tab", "ctrl+u")
        await paste(pilot, "R5.3.31")
        await press(pilot, "enter")
        await press(pilot, "h")
        audit = app.screen.query_one("#audit", DataTable)
        newest = shown(audit, index=0)
        assert (newest[2], newest[3]) == (f"協定 {agreement.id}", "更新")
        assert "状況: 提案 → 締結" in newest[4]  # labels, not the stored codes
    with database.reading() as session:
        concluded = session.get(Agreement, agreement.id)
        assert concluded is not None
        assert concluded.status == "concluded"
        assert concluded.concluded_on == date(2023, 3, 31)
    assert kpi_value(database, "linkage_external", ctx.today()) == (before or 0) + 1


async def test_outreach_event_logged_counts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    before = kpi_value(database, "lectures_in_city", ctx.today())
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        await pilot.press("ctrl+u")
        await paste(pilot, "2023-03-31")
        await pilot.press("tab")
        await pilot.press("enter", "down", "down", "down", "enter")  # kind: 出前講座
        await pilot.press("tab")
        await paste(pilot, "中学校でのオープンデータ講座", "市立中学校")
        await pilot.press("tab", "tab")
        await paste(pilot, "35")
        await press(pilot, "ctrl+s")
    with database.reading() as session:
        event = session.scalars(select(OutreachEvent)).one()
        assert (event.kind, event.attendees, event.venue) == ("lecture", 35, "市立中学校")
    assert kpi_value(database, "lectures_in_city", ctx.today()) == (before or 0) + 1


async def test_tags_typed_in_the_form_are_saved_shown_and_filter_the_list(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        await pilot.press("tab", "enter", "down", "enter", "tab")  # kind: 周知広報
        await paste(pilot, "市民まつり")
        app.screen.query_one("#tags", Input).value = "DX; 市民 ;DX"
        await press(pilot, "ctrl+s")
        with database.reading() as session:
            event = session.scalars(select(OutreachEvent)).one()
            assert event.id is not None
            assert tags_of(session, LINKS["events"], event.id) == ["DX", "市民"]
        table = app.screen.query_one(PagedTable)
        await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#tags", Input).value == "DX; 市民"
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, FormScreen))
        tag = app.screen.query_one("#fb-tag", Input)
        for typed, rows in (("市民", 1), ("市", 0), ("DX", 1)):
            tag.value = typed
            await wait_until(pilot, lambda rows=rows: table.row_count == rows)  # type: ignore[misc]
