"""A labelled form field with room for its error message; `-focused` while its input has
the focus (the stylesheet shows which field that is)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class Field(Vertical):
    """The label beside the (compact) input widget, and an error line shown only on error."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 1; }
    Field > Horizontal { height: auto; }
    Field .field-label { width: 18; color: $text-muted; }
    Field .field-hint { color: $text-muted; padding-left: 18; }
    Field > .field-error { color: $error; display: none; padding-left: 18; }
    Field.-invalid > .field-error { display: block; }
    """

    def __init__(self, label: str, widget: Widget, *, name: str, hint: str = "") -> None:
        super().__init__(id=f"field-{name}")
        self.field_name = name
        self._label = label
        self._hint = hint
        self._widget = widget
        if hasattr(widget, "compact"):
            widget.compact = True
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self._label, classes="field-label")
            yield self._widget
        if self._hint:
            yield Static(self._hint, classes="field-hint")
        yield Static("", classes="field-error", markup=False)

    def on_descendant_focus(self) -> None:
        self.add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.remove_class("-focused")

    def set_error(self, message: str | None) -> None:
        """Show `message` under the field, or clear the error with None."""
        self.error = message or None
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-invalid")
