"""User text shown as written: never parsed as Textual markup (a title `[/]` crashed every
list; `[@click=app.quit]` was live)."""

from __future__ import annotations

from rich.text import Text, TextType
from textual.content import Content
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


def literal(text: str) -> Content:
    """`text` as content for a label, option or static: brackets shown, nothing parsed."""
    return Content(text)


def plain(value: object) -> object:
    """A str as literal text (brackets shown, nothing parsed); anything else unchanged."""
    return Text(value, end="") if isinstance(value, str) else value


class PlainTable(DataTable[object]):
    """DataTable parses a str cell as markup: a title `[/]` crashed it and `[@click=…]` was
    live. Every str cell added or updated here is literal text."""

    def add_row(
        self, *cells: object, height: int | None = 1, key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        """Add a row; its str cells are literal text."""
        return super().add_row(*(plain(c) for c in cells), height=height, key=key,
                               label=Text(label) if isinstance(label, str) else label)

    def update_cell(
        self, row_key: RowKey | str, column_key: ColumnKey | str, value: object, *,
        update_width: bool = False,
    ) -> None:
        """Update a cell; a str value is literal text."""
        super().update_cell(row_key, column_key, plain(value), update_width=update_width)
