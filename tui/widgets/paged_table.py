"""A DataTable that asks for the next page when its cursor nears the last loaded row."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from tui.widgets.plain import PlainTable


class PagedTable(PlainTable):
    """Rows come a page at a time; `NearEnd` is posted when more should be loaded."""

    BINDINGS = [
        Binding("home", "scroll_top", show=False),
        Binding("end", "scroll_bottom", show=False),
    ]

    #: How close to the last row the cursor gets before the next page is wanted.
    MARGIN = 20

    class NearEnd(Message):
        """The cursor is within MARGIN rows of the last loaded row."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def watch_cursor_coordinate(self, old: object, new: object) -> None:
        super().watch_cursor_coordinate(old, new)  # type: ignore[arg-type]
        if self.near_end():
            self.post_message(self.NearEnd())

    def near_end(self) -> bool:
        """True when the cursor is within MARGIN rows of the last loaded row."""
        return bool(self.row_count) and self.cursor_row >= self.row_count - self.MARGIN

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
