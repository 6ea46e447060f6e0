"""Layout that uses the width: list columns sized to their content, footers that keep help,
quit and the screen's main keys at 80 columns, dashboard headers never cut (issue 14 item 5)."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from crm.context import Context
from crm.records import entities, services
from crm.records.entities import ListColumn
from db.session import Database
from tests.tui_factory import Seeded, seed, settle
from tui.app import CRMApp
from tui.kit.column_layout import FRAME, PADDING, fit_columns
from tui.kit.record_list import RecordListScreen
from tui.screens.dashboard import DashboardScreen
from tui.strings import text
from tui.widgets.paged_table import PagedTable

LONG_ACTION = "データ提供の可否を法務担当に確認する"  # 18 characters, 36 cells
SIZES = [(80, 24), (160, 45)]


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    seeded = seed(database, ctx)
    with database.writing() as s:
        services.log_meeting(s, ctx, held_on=date(2023, 3, 31), title="防災情報の配信に関する提案",
                             organization_ids=[seeded.university], next_action=LONG_ACTION,
                             follow_up_on=date(2023, 4, 21))
    return seeded


def test_columns_take_their_content_and_give_the_rest_to_titles() -> None:
    columns = (ListColumn("day", "日付", "Day", 10), ListColumn("title", "件名", "Title", 24,
                                                              flex=True),
               ListColumn("note", "次の対応", "Next", 14))
    rows = [("R5.3.1", "短い件名", LONG_ACTION)]
    wide = fit_columns(columns, ["日付", "件名", "次の対応"], rows, 160)
    assert wide[2] == cell_len(LONG_ACTION) and wide[0] == cell_len("R5.3.1")
    assert sum(wide) == 160 - PADDING * 3 - FRAME  # the spare width went to the title
    narrow = fit_columns(columns, ["日付", "件名", "次の対応"], rows, 56)
    assert sum(narrow) == 56 - PADDING * 3 - FRAME
    # the widest column gave way; the date and the short title kept their content
    assert narrow == [cell_len("R5.3.1"), cell_len("短い件名"), cell_len(LONG_ACTION) - 4]


def _widths(table: DataTable[object]) -> dict[str, int]:
    return {str(key.value): column.width for key, column in table.columns.items()}


def _footer(pilot: Pilot[None]) -> list[tuple[str, str]]:
    return [(key.action, key.description)
            for key in pilot.app.screen.query(FooterKey) if key.display]


async def _open(pilot: Pilot[None], key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", SIZES)
async def test_meetings_list_fits_and_shows_the_next_action_whole(
        database: Database, ctx: Context, seeded: Seeded, lang: str, size: tuple[int, int]
) -> None:
    app = CRMApp(database, ctx, lang=lang)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await _open(pilot, "3")
        screen = app.screen
        assert isinstance(screen, RecordListScreen)
        table = screen.query_one(PagedTable)
        widths = _widths(table)
        assert sum(widths.values()) + PADDING * len(widths) + FRAME <= size[0]
        assert widths["follow_up_on"] >= cell_len("R5.4.21")  # the due date stays on screen
        if size[0] == 160:
            assert widths["next_action"] >= cell_len(LONG_ACTION)
        for column in entities.MEETINGS.list_spec.columns:  # no header is cut
            assert widths[column.key] >= min(cell_len(column.label(lang)), 10)
        footer = _footer(pilot)
        actions = [action for action, _label in footer]
        assert {"help", "app.quit", "back", "new", "edit"} <= set(actions)
        labels = sum(cell_len(label) + 4 for _action, label in footer)
        assert labels <= size[0]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 45)])
async def test_dashboard_keeps_help_quit_headers_and_trend_range(
        database: Database, ctx: Context, seeded: Seeded, lang: str, size: tuple[int, int]
) -> None:
    app = CRMApp(database, ctx, lang=lang)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        actions = [action for action, _label in _footer(pilot)]
        assert "help" in actions and "app.quit" in actions
        table = screen.query_one("#kpis", DataTable)
        for key, width in _widths(table).items():
            if key != "name":
                assert width >= cell_len(text(key, lang)), key
        as_of = screen.query_one("#as-of", Static)
        line = str(as_of.render())
        assert text("trend", lang) in line
        # on a narrow screen the line wraps instead of being cut
        assert as_of.size.height >= -(-cell_len(line) // as_of.size.width)
