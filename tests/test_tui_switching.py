"""Switching between the main screens: what is kept, and what is read again."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets._footer import FooterKey

from crm.context import Context
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, shown, wait_until
from tui.app import CRMApp
from tui.kit.record_list import RecordListScreen
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


def titles(screen: RecordListScreen[object]) -> list[str]:
    """What the list's rows show, row by row."""
    table = screen.query_one(PagedTable)
    return [" ".join(shown(table, index=i)) for i in range(table.row_count)]


async def test_a_list_shown_again_keeps_its_rows_and_footer_when_nothing_changed(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        screen = app.screen
        assert isinstance(screen, RecordListScreen)
        keys = list(screen.query(FooterKey))
        rows = titles(screen)
        assert keys and len(rows) == 3
        await press(pilot, "1", until=lambda: app.current_mode == "dashboard")
        await press(pilot, "3", until=lambda: app.screen is screen)
        # The same footer widgets: not rebuilt, as the keys it shows are the same.
        assert list(screen.query(FooterKey)) == keys
        assert all(a is b for a, b in zip(screen.query(FooterKey), keys, strict=True))
        assert titles(screen) == rows and screen.total == 3


async def test_a_list_shown_again_shows_what_changed_meanwhile(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        screen = app.screen
        assert isinstance(screen, RecordListScreen)
        assert not any("後から記録した会議" in row for row in titles(screen))
        await press(pilot, "1", until=lambda: app.current_mode == "dashboard")
        # Another user (or another process) records a meeting while the list is hidden.
        with database.writing() as s:
            services.log_meeting(s, ctx, held_on=date(2023, 3, 31), title="後から記録した会議",
                                 organization_ids=[seeded.npo])
        await press(pilot, "3", until=lambda: app.screen is screen)
        await wait_until(pilot, lambda: screen.total == 4)
        assert any("後から記録した会議" in row for row in titles(screen))
        assert len(titles(screen)) == 4
