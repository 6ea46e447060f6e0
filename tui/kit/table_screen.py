"""The shape of the screens around one table that is not a paged list: a title, the table,
maybe a status line; Escape goes back."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tui.kit.screen import QUIT, CRMScreen
from tui.widgets.footer import PriorityFooter
from tui.widgets.plain import PlainTable
from tui.widgets.title_bar import TitleBar


class TableScreen(CRMScreen):
    """A screen showing one DataTable of rows, laid out under `heading`."""

    BINDINGS = [QUIT]

    #: The table's id.
    table_id: ClassVar[str]
    #: The table's columns: key, label key, width.
    table_columns: ClassVar[tuple[tuple[str, str, int], ...]]
    #: Whether a status line (id `list-status`, "loading" at first) follows the table.
    status_line: ClassVar[bool] = True

    def heading(self) -> ComposeResult:
        """What stands above the table (a section title)."""
        raise NotImplementedError

    def section_title(self, text: str) -> Static:
        """A section title above the table."""
        return Static(text, classes="section-title", markup=False)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield from self.heading()
        yield PlainTable(id=self.table_id, cursor_type="row", zebra_stripes=True)
        if self.status_line:
            yield Static(self.t("loading"), id="list-status")
        yield PriorityFooter()

    @property
    def table(self) -> DataTable[object]:
        """The screen's table."""
        return self.query_one(f"#{self.table_id}", DataTable)

    def on_mount(self) -> None:
        table = self.table
        for key, label, width in self.table_columns:
            table.add_column(self.t(label), width=width, key=key)
        table.focus()

    def show_status(self, status: str) -> None:
        """Show `status` under the table."""
        self.query_one("#list-status", Static).update(status)

    def action_back(self) -> None:
        self.dismiss(None)
