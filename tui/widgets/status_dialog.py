"""A dialog choosing an agreement's new status and the date it took effect."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from crm.calendar import DateParseError, parse_date
from crm.vocabulary import AGREEMENT_STATUSES
from tui.strings import term_options, text
from tui.widgets.dialogs import InputDialog


class StatusDialog(InputDialog[tuple[str, str]]):
    """Choose an agreement's new status and the date it took effect."""

    def __init__(self, current: str, today: str, lang: str) -> None:
        super().__init__(lang)
        self._current = current
        self._today = today

    def compose(self) -> ComposeResult:
        lang = self._lang
        with Vertical(id="dialog"):
            yield Label(text("status_change", lang), id="question")
            yield Select(term_options(AGREEMENT_STATUSES, lang), value=self._current,
                         allow_blank=False, id="new-status")
            yield Label(text("held_on", lang))
            yield Input(self._today, id="status-on")
            yield Static("", id="status-error", classes="error")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#new-status", Select).focus()

    def accept(self) -> None:
        raw = self.query_one("#status-on", Input).value
        try:
            on_date = parse_date(raw)
        except DateParseError:
            self.query_one("#status-error", Static).update(text("bad_date", self._lang))
            return
        self.dismiss((str(self.query_one("#new-status", Select).value), on_date.isoformat()))
