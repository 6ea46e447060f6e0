"""The help screen: the keys of the screen it was opened over, and what they do."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from tui.widgets.plain import PlainTable


class HelpDialog(ModalScreen[None]):
    """A table of (key, what it does); Escape, `?` or F1 closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", show=False),
        Binding("question_mark", "dismiss", show=False),
        Binding("f1", "dismiss", show=False),
    ]

    def __init__(self, title: str, headers: tuple[str, str], keys: Sequence[tuple[str, str]],
                 closing: str) -> None:
        super().__init__()
        self._title = title
        self._headers = headers
        self._keys = keys
        self._closing_hint = closing

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(self._title, id="help-title", markup=False)
            yield PlainTable(id="help-keys", cursor_type="row", show_cursor=False)
            yield Label(self._closing_hint, id="help-closing", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(PlainTable)
        table.add_columns(*self._headers)
        for key, action in self._keys:
            table.add_row(key, action)
