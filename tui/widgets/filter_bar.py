"""The filter row above a list: free text, fiscal year and quarter, kind, staff, tag, scope."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Select

from crm.calendar import FiscalPeriod
from crm.records.queries import ListFilter
from tui.widgets.plain import literal

Options = Sequence[tuple[str, str]]

#: How long typing must pause before the text filter applies (seconds).
TYPING_PAUSE = 0.3


class FilterBar(Horizontal):
    """Filter controls; posts `Changed` with the resulting ListFilter."""

    DEFAULT_CSS = """
    FilterBar { height: 1; margin: 0 1 1 1; }
    FilterBar Input { width: 1fr; min-width: 12; margin-right: 1; }
    FilterBar Select { width: 16; margin-right: 1; }
    FilterBar #fb-kind, FilterBar #fb-scope { width: 22; }
    FilterBar #fb-tag { width: 16; min-width: 8; }
    """

    class Changed(Message):
        """The filter changed."""

        def __init__(self, filters: ListFilter) -> None:
            super().__init__()
            self.filters = filters

    def __init__(
        self,
        *,
        placeholder: str,
        years: Options | None = None,
        quarters: Options | None = None,
        kinds: Options | None = None,
        kind_prompt: str = "",
        scopes: Options | None = None,
        staff_prompt: str | None = None,
        tag_prompt: str | None = None,
        year_prompt: str = "",
        quarter_prompt: str = "",
    ) -> None:
        super().__init__()
        self._placeholder = placeholder
        self._years = years
        self._quarters = quarters
        self._kinds = kinds
        self._kind_prompt = kind_prompt
        self._scopes = scopes
        self._staff_prompt = staff_prompt
        self._tag_prompt = tag_prompt
        self._year_prompt = year_prompt
        self._quarter_prompt = quarter_prompt
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder, id="fb-text", compact=True)
        if self._scopes is not None:
            yield Select(self._scopes, value=self._scopes[0][1], allow_blank=False, id="fb-scope",
                         compact=True)
        if self._years is not None:
            yield Select(self._years, prompt=self._year_prompt, id="fb-year", compact=True)
        if self._quarters is not None:
            yield Select(self._quarters, prompt=self._quarter_prompt, id="fb-quarter", compact=True)
        if self._kinds is not None:
            yield Select(self._kinds, prompt=self._kind_prompt, id="fb-kind", compact=True)
        if self._staff_prompt is not None:
            yield Select([], prompt=self._staff_prompt, id="fb-staff", compact=True)
        if self._tag_prompt is not None:
            yield Input(placeholder=self._tag_prompt, id="fb-tag", compact=True)

    def set_staff(self, options: Options) -> None:
        """Fill the staff choices once they are read."""
        if self._staff_prompt is not None:
            # Staff names are data: shown as written, never as markup.
            self.query_one("#fb-staff", Select).set_options(
                [(literal(str(prompt)), value) for prompt, value in options])

    def focus_text(self) -> None:
        """Put the cursor in the free-text filter."""
        self.query_one("#fb-text", Input).focus()

    def current(self) -> ListFilter:
        """The filter the controls show."""
        values: dict[str, str | None] = {}
        for select in self.query(Select):
            value = select.value
            values[select.id or ""] = None if value is Select.NULL else str(value)
        period = None
        if values.get("fb-year"):
            quarter = values.get("fb-quarter")
            period = FiscalPeriod(int(values["fb-year"] or 0), int(quarter) if quarter else None)
        staff = values.get("fb-staff")
        return ListFilter(
            text=self.query_one("#fb-text", Input).value,
            period=period,
            kind=values.get("fb-kind"),
            staff_id=int(staff) if staff else None,
            scope=values.get("fb-scope") or "open",
            tag=(self.query_one("#fb-tag", Input).value.strip() or None
                 if self._tag_prompt is not None else None),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TYPING_PAUSE, self._announce)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._announce()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Changed(self.current()))
