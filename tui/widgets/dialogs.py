"""Small modal dialogs: a yes/no confirmation, a whole text to read, and the base of dialogs
that ask for values."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.strings import text


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self._yes} (y)", variant="primary", id="yes")
                yield Button(f"{self._no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextDialog(ModalScreen[None]):
    """Show a title and a whole text (user data, never markup), scrolled if long; Escape,
    Enter or q closes it."""

    BINDINGS = [
        Binding("escape", "close", show=False),
        Binding("enter", "close", show=False),
        Binding("q", "close", show=False),
    ]

    def __init__(self, title: str, body: str, close: str) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._close = close

    def compose(self) -> ComposeResult:
        with Vertical(id="text-dialog"):
            yield Label(self._title, id="question", markup=False)
            with VerticalScroll(id="text-body"):
                yield Label(self._body, id="text", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self._close} (esc)", variant="primary", id="close")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


Answer = TypeVar("Answer")


class InputDialog(ModalScreen[Answer | None]):
    """A dialog with fields, OK and Cancel: Enter or OK accepts, Escape or Cancel dismisses."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._lang = lang

    def buttons(self) -> ComposeResult:
        """The OK and Cancel buttons, for the end of `compose`."""
        with Horizontal(id="buttons"):
            yield Button(text("ok", self._lang), variant="primary", id="ok")
            yield Button(text("cancel", self._lang), id="cancel")

    def on_input_submitted(self) -> None:
        self.accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.accept()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def accept(self) -> None:
        """Check the fields; dismiss with the answer, or show what is wrong."""
        raise NotImplementedError
