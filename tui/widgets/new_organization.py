"""A dialog asking for a new organization's name, kana and kind, from inside another form."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from crm.vocabulary import ORGANIZATION_KINDS
from tui.strings import term_options, text
from tui.widgets.dialogs import InputDialog
from tui.widgets.organization_picker import PickedOrganization


class NewOrganizationDialog(InputDialog[PickedOrganization]):
    """Name, kana and kind of an organization to create when the form is saved."""

    def __init__(self, name: str, lang: str) -> None:
        super().__init__(lang)
        self._name = name

    def compose(self) -> ComposeResult:
        t = self._lang
        with Vertical(id="dialog"):
            yield Label(text("new_organization", t), id="question")
            yield Label(text("name", t))
            yield Input(self._name, id="new-name")
            yield Label(text("kana", t))
            yield Input(id="new-kana")
            yield Label(text("kind", t))
            yield Select(term_options(ORGANIZATION_KINDS, t), prompt=text("kind", t),
                         id="new-kind")
            yield Static("", id="new-error", classes="error")
            yield from self.buttons()

    def on_mount(self) -> None:
        # The name first: typing, Tab, Tab, Enter then opens the kinds, not Cancel.
        self.query_one("#new-name", Input).focus()

    def accept(self) -> None:
        name = self.query_one("#new-name", Input).value.strip()
        kind = self.query_one("#new-kind", Select).value
        if not name or kind is Select.NULL:
            self.query_one("#new-error", Static).update(text("required", self._lang))
            return
        kana = self.query_one("#new-kana", Input).value.strip() or None
        self.dismiss(PickedOrganization(None, name, str(kind), kana))
