"""Snapshots of the main screens (pytest-textual-snapshot); `pytest --snapshot-update` to
accept a deliberate change after looking at the SVG. A snapshot is named after its test."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input

from crm.context import Context
from db.session import Database
from tests.tui_factory import seed, settle
from tui.app import CRMApp

SnapCompare = Callable[..., bool]


async def settled(pilot: Pilot[None]) -> None:
    """Wait for the database workers, and stop the cursor blinking."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def matches(snap_compare: SnapCompare, database: Database, ctx: Context, *, lang: str,
            size: tuple[int, int], keys: tuple[str, ...] = ()) -> bool:
    """Whether the seeded app in `lang`, after `keys`, looks as its snapshot."""
    seed(database, ctx)

    async def run_before(pilot: Pilot[None]) -> None:
        await settled(pilot)
        if keys:
            await pilot.press(*keys)
            await settled(pilot)

    return snap_compare(CRMApp(database, ctx, lang=lang), terminal_size=size,
                        run_before=run_before)


def test_dashboard_ja(snap_compare: SnapCompare, database: Database, ctx: Context) -> None:
    # FY2022 Q4: the last quarter of the shipped plan (none is in force at today's FY2023).
    assert matches(snap_compare, database, ctx, lang="ja", size=(120, 30),
                   keys=("left_square_bracket",))


def test_dashboard_en(snap_compare: SnapCompare, database: Database, ctx: Context) -> None:
    # FY2022 Q4: the last quarter of the shipped plan (none is in force at today's FY2023).
    assert matches(snap_compare, database, ctx, lang="en", size=(120, 30),
                   keys=("left_square_bracket",))


def test_meeting_form_ja_80x24(
    snap_compare: SnapCompare, database: Database, ctx: Context
) -> None:
    assert matches(snap_compare, database, ctx, lang="ja", size=(80, 24), keys=("3", "n"))


def test_meetings_list_en(snap_compare: SnapCompare, database: Database, ctx: Context) -> None:
    assert matches(snap_compare, database, ctx, lang="en", size=(100, 24), keys=("3",))
