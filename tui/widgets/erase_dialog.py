"""A dialog confirming the erasure of a contact's personal data, naming the person, with the
reason the erasure records."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.strings import text
from tui.widgets.dialogs import InputDialog


class EraseContactDialog(InputDialog[str]):
    """Ask to erase `name`'s personal data; dismisses with the reason, or None."""

    def __init__(self, name: str, lang: str) -> None:
        super().__init__(lang)
        self._name = name

    def compose(self) -> ComposeResult:
        lang = self._lang
        with Vertical(id="dialog"):
            yield Label(text("erase_question", lang, name=self._name), id="question",
                        markup=False)
            yield Label(text("erase_reason", lang))
            yield Input(id="erase-reason")
            yield Static("", id="erase-error", classes="error", markup=False)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#erase-reason", Input).focus()

    def accept(self) -> None:
        reason = self.query_one("#erase-reason", Input).value.strip()
        if not reason:
            self.query_one("#erase-error", Static).update(text("erase_reason_missing",
                                                               self._lang))
            return
        self.dismiss(reason)
