"""Snapshots of the main screens (pytest-textual-snapshot); `pytest --snapshot-update` to
accept a deliberate change after looking at the SVG."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input

from crm.context import Context
from db.session import Database
from tests.tui_factory import seed, settle
from tui.app import CRMApp


async def settled(pilot: Pilot[None]) -> None:
    """Wait for the database workers, and stop the cursor blinking."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_dashboard_ja(snap_compare: Callable[..., bool], database: Database, ctx: Context) -> None:
    seed(database, ctx)
    assert snap_compare(CRMApp(database, ctx), terminal_size=(120, 30), run_before=settled)


def test_dashboard_en(snap_compare: Callable[..., bool], database: Database, ctx: Context) -> None:
    seed(database, ctx)
    assert snap_compare(CRMApp(database, ctx, lang="en"), terminal_size=(120, 30),
                        run_before=settled)


def test_meeting_form_ja_80x24(
    snap_compare: Callable[..., bool], database: Database, ctx: Context
) -> None:
    seed(database, ctx)

    async def open_form(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("3", "n")
        await settled(pilot)

    assert snap_compare(CRMApp(database, ctx), terminal_size=(80, 24), run_before=open_form)


def test_meetings_list_en(
    snap_compare: Callable[..., bool], database: Database, ctx: Context
) -> None:
    seed(database, ctx)

    async def open_list(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)

    assert snap_compare(CRMApp(database, ctx, lang="en"), terminal_size=(100, 24),
                        run_before=open_list)
