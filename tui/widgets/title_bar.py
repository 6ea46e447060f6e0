"""The title line at the top of every screen."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class TitleBar(Static):
    """The app's title, centred on one line, where Textual's Header would be.

    Header (with its icon, clock space and title widgets) cost about a third of the first
    paint's own work (docs/performance.md, first paint); the app shows neither the icon nor
    the clock.
    """

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self) -> None:
        # The title as it is when the screen is built (set once, with the app): drawn in the
        # first frame as it is, not updated after mounting (a second render of the line).
        super().__init__(Content(self.app.title))
