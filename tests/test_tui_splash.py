"""The splash while the demo database is built (issue 14 item 8): it paints before the build
ends, follows its steps, and hands a failure back to the caller."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.widgets import ProgressBar, Static

from crm.demo import DEMO_STEPS
from crm.errors import DataError
from tests.tui_factory import TIMEOUT, wait_until
from tui.splash import STEPS, DemoSplash
from tui.strings import text


async def test_the_splash_paints_at_once_and_follows_the_build() -> None:
    release = threading.Event()

    def build(progress: Callable[[str], None]) -> None:
        for step in STEPS:
            progress(step)
            if step == "meetings":  # hold the build here until the test has looked
                assert release.wait(TIMEOUT)

    splash = DemoSplash(build, "ja")
    async with splash.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: splash.steps[-1:] == ["meetings"])
        step = splash.query_one("#splash-step", Static)
        await wait_until(pilot, lambda: str(step.render()) == text("splash_meetings", "ja"))
        bar = splash.query_one(ProgressBar)
        assert bar.progress == STEPS.index("meetings") and bar.total == len(STEPS)
        assert splash.is_running  # painted while the build is still under way
        release.set()
        await wait_until(pilot, lambda: not splash.is_running)
    assert splash.steps == list(STEPS) and STEPS[:-1] == DEMO_STEPS
    assert splash.error is None


async def test_a_failed_build_is_handed_back() -> None:
    def build(progress: Callable[[str], None]) -> None:
        progress("organizations")
        raise DataError("disk full")

    splash = DemoSplash(build, "en")
    async with splash.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: not splash.is_running)
    assert isinstance(splash.error, DataError) and str(splash.error) == "disk full"
