"""The dashboard's first paint (the title and a loading line only, the rest mounted after
it), the other main screens built in the background once it is complete, and its trend column
(issue 14 item 9 and a leftover)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, Static
from textual.widgets._footer import FooterKey

from bench.tui_bench import FIRST_PAINT_TARGET
from crm.context import Context
from db.session import Database
from tests.tui_factory import running, seed
from tui.app import STYLESHEET, CRMApp
from tui.kit.navigation import SECTIONS
from tui.kit.record_list import RecordListScreen
from tui.kit.screen import NavTabs
from tui.screens.dashboard import DashboardScreen, sparkline
from tui.strings import text
from tui.widgets.paged_table import PagedTable
from tui.widgets.title_bar import TitleBar


class FirstFrame(CRMApp):
    """CRMApp noting what its screen holds when the first frame has been drawn."""

    first_frame: dict[str, object]

    def on_ready(self) -> None:
        screen = self.screen
        self.first_frame = {
            "title": str(screen.query_one(TitleBar).render()),
            "tabs": len(screen.query(NavTabs)),
            "keys": len(screen.query(FooterKey)),
            "line": str(screen.query_one("#as-of", Static).render()),
            "selects": len(screen.query(Select)),
            "tables": len(screen.query(DataTable)),
            "stylesheet read": self.stylesheet.has_source(str(STYLESHEET), ""),
        }
        super().on_ready()


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_first_frame_is_the_title_and_a_loading_line_and_the_rest_follows(
    database: Database, ctx: Context, lang: str
) -> None:
    seed(database, ctx)
    app = FirstFrame(database, ctx, lang=lang)
    # "[": FY2022 Q4, in the shipped plan (which ends with FY2022).
    async with running(app, "left_square_bracket"):
        assert app.first_frame == {
            "title": text("app_title", lang), "tabs": 0, "keys": 0,
            "line": text("loading", lang), "selects": 0, "tables": 0,
            "stylesheet read": False}
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.built
        assert app.stylesheet.has_source(str(STYLESHEET), "")
        assert len(screen.query(NavTabs)) == 1
        assert {"app.quit", "help"} <= {key.action for key in screen.query(FooterKey)}
        assert len(screen.query(Select)) == 3
        table = screen.query_one("#kpis", DataTable)
        assert table.has_focus and table.row_count == len(screen.figures) == 19
        assert screen.trend is not None and screen.trend.period == screen.period
        assert str(screen.query_one("#as-of", Static).render()) != text("loading", lang)


async def test_once_the_dashboard_is_complete_every_main_screen_is_ready_before_its_key(
    database: Database, ctx: Context
) -> None:
    seed(database, ctx)
    app = CRMApp(database, ctx)
    async with running(app):
        expected = {"organizations": 3, "meetings": 3, "agreements": 1, "follow_ups": 2}
        for mode in SECTIONS[1:]:
            # No pause after the key's action: the screen shows its rows at once.
            app.action_go(mode)
            screen = app.screen
            assert isinstance(screen, RecordListScreen) and screen.is_mounted
            assert screen.query_one(PagedTable).row_count == expected.get(mode, 0), mode
            assert screen.total == expected.get(mode, 0)
        # What was built is kept out of the collector's full collections while the app runs
        assert gc.get_freeze_count() > 0
    # and given back to it when the app ends (the tests run many apps in one process).
    assert gc.get_freeze_count() == 0


def test_a_level_sparkline_reads_full_above_zero_and_empty_at_zero() -> None:
    assert sparkline([5.0] * 6) == "██████"
    assert sparkline([None, 3.0, 3.0]) == " ██"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert sparkline([0.0, 7.0]) == "▁█"
    assert sparkline([None, None]) == "—"


def test_a_sparkline_is_scaled_from_zero_so_a_step_of_one_reads_as_small() -> None:
    # Six agreements, then eight: scaled between 6 and 8 this read as empty, then full.
    assert sparkline([6.0, 6.0, 6.0, 6.0, 8.0, 8.0]) == "▆▆▆▆██"
    assert sparkline([37.0, 38.0]) == "██"
    assert sparkline([0.0, 1.0, 2.0]) == "▁▅█"
    assert sparkline([-2.0, 0.0, 2.0]) == "▁▅█"


def test_the_documented_first_paint_target_is_the_benchmarks() -> None:
    targets = (Path(__file__).parents[1] / "docs" / "performance.md").read_text("utf-8")
    assert f"- TUI first paint within {FIRST_PAINT_TARGET}x of a bare Textual app" in targets
