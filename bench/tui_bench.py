"""Terminal UI benchmark on a generated 1,000,000-meeting database (a script, not a test).

Measures, headless through Pilot: start-up to first paint of CRMApp against a bare App,
opening the meetings list (first page shown, total counted), and applying a free-text and a
fiscal-year filter. Also the paged queries alone. Run:

    .venv/bin/python -m bench.tui_bench [--db PATH] [--meetings N]

With `--screens DB` it measures an existing database as it is (the demo one: `crm demo --db
DB`) instead: first paint (the first frame drawn) of a bare App and of CRMApp, and CRMApp
to its dashboard complete (figures and trend shown), median of `--runs`, and switching
between the seven main screens (keys 1–7), each switch timed until the screen is painted and
until its first rows are shown.

The database is generated once (bench.generate) and reused while it has the right size.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from sqlalchemy import func, select
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select

from bench.generate import generate
from crm.calendar import FiscalPeriod
from crm.context import Context, fixed_clock
from crm.models import Meeting
from crm.records.queries import ListFilter, count_meetings, meeting_page
from db.engine import sqlite_url
from db.session import Database
from tests.tui_factory import settle
from tui.app import CRMApp
from tui.kit.navigation import SECTIONS
from tui.kit.record_list import RecordListScreen
from tui.screens.dashboard import DashboardScreen
from tui.widgets.paged_table import PagedTable

SIZE = (120, 40)
#: Seconds the bench waits for what it expects before failing (1M meetings are slow).
WAIT = 120.0
#: Issue 14's target: CRMApp's first paint within this many times a bare App's.
FIRST_PAINT_TARGET = 3
CTX = Context(user="bench", clock=fixed_clock(datetime(2025, 3, 31, 3, tzinfo=UTC)))
#: The generated databases hold the FY2018–FY2022 plan only: a day it is in force, so that
#: the dashboard has KPIs to show (on 2025-03-31 it would show that no plan is in force).
GENERATED_CTX = Context(user="bench", clock=fixed_clock(datetime(2023, 3, 31, 3, tzinfo=UTC)))


def ensure_database(path: Path, meetings: int) -> Database:
    """The benchmark database at `path`, generated if missing or of another size."""
    if path.exists():
        database = Database.open(sqlite_url(path))
        with database.reading() as session:
            if session.scalar(select(func.count()).select_from(Meeting)) == meetings:
                return database
        database.dispose()
    started = time.perf_counter()
    generate(path, meetings=meetings)
    print(f"generated {meetings:,} meetings in {time.perf_counter() - started:.1f} s")
    return Database.open(sqlite_url(path))


async def wait_until(condition: Callable[[], bool], pause: Callable[[], object], *,
                     timeout: float = WAIT) -> None:
    """Poll `condition` between short pauses of the app; fail after `timeout` seconds (a
    benchmark that waits for what never happens should say so, not hang)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {condition.__code__.co_firstlineno}")
        await pause()  # type: ignore[misc]


class FirstFrame:
    """When an app first handed a frame to its (headless) driver: `drawn` set then, with the
    wall clock and the process's CPU time at that moment (not when a waiter resumes, by
    which time the app may have gone on with what follows its first frame)."""

    def __init__(self, app: App[None]) -> None:
        self.drawn = asyncio.Event()
        self.wall = self.cpu = 0.0
        display = app._display

        def first_frame(screen: Screen[object], renderable: object) -> None:
            if renderable is not None and not app._batch_count and not self.drawn.is_set():
                self.wall, self.cpu = time.perf_counter(), time.process_time()
                self.drawn.set()
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = first_frame  # type: ignore[method-assign]


async def first_paint(make: Callable[[], App[None]]) -> tuple[float, float]:
    """Seconds from constructing an app to its first frame drawn: wall clock and CPU."""
    gc.collect()  # not another sample's garbage
    wall, cpu = time.perf_counter(), time.process_time()
    app = make()
    frame = FirstFrame(app)
    async with app.run_test(size=SIZE) as pilot:
        await frame.drawn.wait()
        # Not timed: let the app finish what it started (building its first screen, reading
        # in threads) before it is closed: a thread left running would slow the next sample.
        await settle(pilot, timeout=WAIT)
    return frame.wall - wall, frame.cpu - cpu


async def dashboard_complete(database: Database) -> float:
    """Seconds from constructing CRMApp to the dashboard showing its figures and trend."""
    started = time.perf_counter()
    app = CRMApp(database, CTX)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: shows_rows(app.screen), lambda: asyncio.sleep(0.001))
        elapsed = time.perf_counter() - started
        await settle(pilot, timeout=WAIT)  # not timed: the screens it builds next, as above
        return elapsed


async def dashboard_timings(database: Database) -> dict[str, float]:
    """Seconds from constructing CRMApp to the dashboard showing every KPI, then the trend."""
    started = time.perf_counter()
    app = CRMApp(database, GENERATED_CTX)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        # The table is mounted after the first frame (the dashboard paints its frame first).
        await wait_until(lambda: bool(screen.query("#kpis")), lambda: pilot.pause(0.005))
        table = screen.query_one("#kpis", DataTable)
        await wait_until(lambda: table.row_count > 0, lambda: pilot.pause(0.005))
        shown = time.perf_counter() - started
        await wait_until(lambda: screen.trend is not None, lambda: pilot.pause(0.005))
        return {"dashboard: every KPI shown (value, target, status)": shown,
                "dashboard: trend column filled": time.perf_counter() - started}


async def list_timings(database: Database) -> dict[str, float]:
    """Open the meetings list, then filter it by text and by fiscal year."""
    timings: dict[str, float] = {}
    app = CRMApp(database, GENERATED_CTX)
    async with app.run_test(size=SIZE) as pilot:
        async def pause() -> None:
            await pilot.pause(0.005)

        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        # The dashboard's KPI figures and trend are read first; measure the list alone.
        await wait_until(lambda: dashboard.trend is not None, pause)
        await settle(pilot, timeout=WAIT)
        started = time.perf_counter()
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, RecordListScreen)
        table = screen.query_one(PagedTable)
        await wait_until(lambda: table.row_count > 0, pause)
        timings["meetings list: first page shown"] = time.perf_counter() - started
        await wait_until(lambda: screen.total is not None, pause)
        timings["meetings list: total counted"] = time.perf_counter() - started

        started = time.perf_counter()
        screen.query_one("#fb-text", Input).value = "防災"
        await wait_until(lambda: screen.filters.text == "防災" and table.row_count > 0, pause)
        timings["text filter 防災: first page (incl. 0.3 s typing pause)"] = (
            time.perf_counter() - started)
        await wait_until(lambda: screen.total is not None, pause)
        timings["text filter 防災: total counted"] = time.perf_counter() - started

        started = time.perf_counter()
        screen.query_one("#fb-year", Select).value = "2020"
        await wait_until(lambda: screen.filters.period is not None and table.row_count > 0,
                         pause)
        timings["+ fiscal year 2020: first page"] = time.perf_counter() - started
        await wait_until(lambda: screen.total is not None, pause)
        timings["+ fiscal year 2020: total counted"] = time.perf_counter() - started

        started = time.perf_counter()
        await pilot.press("end")
        await wait_until(lambda: table.row_count > 100, pause)
        timings["next page on scrolling to the end"] = time.perf_counter() - started
    return timings


async def switch_timings(database: Database, rounds: int) -> dict[str, list[float]]:
    """Per main screen, seconds from its key's action (1–7: `go`) to the screen painted and
    to its first rows shown, over `rounds` rounds through the seven screens (each round
    starts on another)."""
    timings: dict[str, list[float]] = {}
    app = CRMApp(database, CTX)
    async with app.run_test(size=SIZE) as pilot:
        async def pause() -> None:
            await pilot.pause(0.001)

        # Start from an idle app: the dashboard complete and whatever it starts after that
        # (the other screens built in the background) done.
        await wait_until(lambda: shows_rows(app.screen), pause)
        await settle(pilot, timeout=WAIT)
        order = list(enumerate(SECTIONS, start=1))
        for _ in range(rounds):
            order = order[1:] + order[:1]
            for number, mode in order:
                # Painted: the key's action run, then the screen's next refresh; without
                # Pilot's idle waits, which would also wait for the workers' queries.
                drawn = asyncio.Event()
                started = time.perf_counter()
                app.action_go(mode)
                await wait_until(lambda mode=mode: app.current_mode == mode  # type: ignore[misc]
                                 and app.screen.is_mounted, lambda: asyncio.sleep(0))
                app.screen.call_after_refresh(drawn.set)
                await drawn.wait()
                painted = time.perf_counter() - started
                await wait_until(lambda: shows_rows(app.screen), pause)
                shown = time.perf_counter() - started
                timings.setdefault(f"switch to {number} {mode}: painted", []).append(painted)
                timings.setdefault(f"switch to {number} {mode}: rows shown", []).append(shown)
                await settle(pilot, timeout=WAIT)
    return timings


def shows_rows(screen: object) -> bool:
    """True once a main screen shows its data: the dashboard its figures, a list its rows."""
    if isinstance(screen, DashboardScreen):
        return screen.trend is not None and screen.trend.period == screen.period
    if isinstance(screen, RecordListScreen):
        return screen.total is not None and screen.query_one(PagedTable).row_count > 0
    return True


async def screens_figures(database: Database, runs: int) -> dict[str, float]:
    """First paint (bare App and CRMApp, median of `runs`) and the median of each switch."""
    figures: dict[str, float] = {}
    makers: dict[str, Callable[[], App[None]]] = {
        "bare App": App, "CRMApp": lambda: CRMApp(database, CTX)}
    # Taken in turns, so that a change of the machine's load weighs on both alike.
    paints: dict[str, list[tuple[float, float]]] = {name: [] for name in makers}
    for _ in range(runs):
        for name, make in makers.items():
            paints[name].append(await first_paint(make))
    for clock, index in (("wall", 0), ("CPU", 1)):
        for name, pairs in paints.items():
            figures[f"{name}: start-up to first paint, {clock} (median of {runs})"] = median(
                pair[index] for pair in pairs)
    completes = [await dashboard_complete(database) for _ in range(runs)]
    figures[f"CRMApp: start-up to dashboard complete (median of {runs})"] = median(completes)
    for name, samples in (await switch_timings(database, runs)).items():
        figures[f"{name}: first time"] = samples[0]
        figures[f"{name}: median of the next {runs - 1}"] = median(samples[1:])
    return figures


def query_timings(database: Database) -> dict[str, float]:
    """The paged queries alone, without the UI."""
    cases = {
        "no filter": ListFilter(),
        "text 防災": ListFilter(text="防災"),
        "FY2020": ListFilter(period=FiscalPeriod(2020)),
        "text 防災 + FY2020": ListFilter(text="防災", period=FiscalPeriod(2020)),
        "text matching nothing": ListFilter(text="該当なし"),
        "text matching nothing + FY2020": ListFilter(text="該当なし", period=FiscalPeriod(2020)),
    }
    timings: dict[str, float] = {}
    with database.reading() as session:
        for name, filters in cases.items():
            started = time.perf_counter()
            meeting_page(session, filters=filters, limit=100)
            timings[f"meeting_page {name}"] = time.perf_counter() - started
            started = time.perf_counter()
            count_meetings(session, filters=filters)
            timings[f"count_meetings {name}"] = time.perf_counter() - started
        started = time.perf_counter()
        meeting_page(session, filters=ListFilter(), order_by="title", limit=100)
        timings["meeting_page sorted by title (no index)"] = time.perf_counter() - started
        started = time.perf_counter()
        meeting_page(session, filters=ListFilter(), offset=10_000, limit=100)
        timings["meeting_page at offset 10,000"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/crm-tui-bench.sqlite3"))
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--screens", type=Path, metavar="DB",
                        help="measure first paint and screen switching on this database")
    parser.add_argument("--runs", type=int, default=5, help="at least 2")
    parser.add_argument("--url", help="measure this database as it is (a PostgreSQL one "
                        "loaded by bench.generate, say) instead of --db")
    args = parser.parse_args()
    if args.screens:
        screens = Database.open(sqlite_url(args.screens))
        print(f"{args.screens}")
        figures = asyncio.run(screens_figures(screens, args.runs))
        for name, seconds in figures.items():
            print(f"  {name:<58} {seconds * 1000:8.0f} ms")
        first = list(figures.values())[:4]
        for clock, (bare, crm) in (("wall", first[:2]), ("CPU", first[2:])):
            label = f"first paint, CRMApp / bare App, {clock}"
            print(f"  {label:<58} {crm / bare:8.1f} x (target {FIRST_PAINT_TARGET}x)")
        return
    if args.url:
        database = Database.open(args.url)
        with database.reading() as session:
            args.meetings = session.scalar(select(func.count()).select_from(Meeting))
        args.db = database.engine.url.render_as_string(hide_password=True)
    else:
        database = ensure_database(args.db, args.meetings)
    figures = {
        "bare App: start-up to first paint": asyncio.run(first_paint(App))[0],
        "CRMApp: start-up to first paint": asyncio.run(
            first_paint(lambda: CRMApp(database, GENERATED_CTX)))[0],
    }
    figures |= asyncio.run(dashboard_timings(database))
    figures |= asyncio.run(list_timings(database))
    figures |= query_timings(database)
    print(f"{args.meetings:,} meetings in {args.db}")
    for name, seconds in figures.items():
        print(f"  {name:<58} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
