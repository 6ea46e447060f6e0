"""The splash shown while `crm --demo` builds the demo database on first launch.

The screen paints at once; the build runs in a thread worker and reports each step
(crm.demo.DEMO_STEPS, then saving), which moves the progress bar and names the step. The app
exits when the build is done; a failure is raised again to the caller once the splash is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Center, Middle
from textual.message import Message
from textual.widgets import ProgressBar, Static

from crm.demo import DEMO_STEPS
from tui.strings import text

#: Every step the build reports, in order.
STEPS = (*DEMO_STEPS, "saving")

Build = Callable[[Callable[[str], None]], None]


class DemoSplash(App[None]):
    """Build the demo database with `build(progress)` in a worker, showing its progress."""

    CSS_PATH = "app.tcss"

    class Step(Message):
        """The build began the step `name` (one of STEPS)."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class Done(Message):
        """The build ended; `error` is what stopped it, if anything did."""

        def __init__(self, error: BaseException | None) -> None:
            super().__init__()
            self.error = error

    def __init__(self, build: Build, lang: str) -> None:
        super().__init__()
        self.build = build
        self.lang = lang
        self.steps: list[str] = []
        self.error: BaseException | None = None

    def compose(self) -> ComposeResult:
        with Middle(), Center(id="splash"):
            yield Static(text("app_title", self.lang), id="splash-title")
            yield Static(text("splash_building", self.lang))
            yield ProgressBar(total=len(STEPS), show_eta=False, id="splash-progress")
            yield Static(text("splash_starting", self.lang), id="splash-step")

    def on_mount(self) -> None:
        self._run()

    def _report(self, name: str) -> None:
        self.post_message(self.Step(name))

    @work(thread=True)
    def _run(self) -> None:
        try:
            self.build(self._report)
        except Exception as exc:  # handed back to the caller, who reports it
            self.post_message(self.Done(exc))
        else:
            self.post_message(self.Done(None))

    def on_demo_splash_step(self, message: DemoSplash.Step) -> None:
        self.steps.append(message.name)
        self.query_one(ProgressBar).update(progress=STEPS.index(message.name))
        self.query_one("#splash-step", Static).update(
            text(f"splash_{message.name}", self.lang))

    def on_demo_splash_done(self, message: DemoSplash.Done) -> None:
        self.error = message.error
        self.query_one(ProgressBar).update(progress=len(STEPS))
        self.exit()


def build_with_splash(build: Build, lang: str) -> None:
    """Run `build` behind the splash; raise what it raised."""
    splash = DemoSplash(build, lang)
    splash.run()
    if splash.error is not None:
        raise splash.error
