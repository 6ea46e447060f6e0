"""App-wide messages: the results of the writes any screen runs in a worker.

What only one screen or widget reads comes back as a message nested in it (Textual's habit):
`RecordListScreen.PageLoaded`, `FormScreen.Loaded`, `DashboardScreen.FiguresLoaded`…
"""

from __future__ import annotations

from textual.message import Message


class WriteDone(Message):
    """A write finished and was committed; `notice` says what to tell the user."""

    def __init__(self, notice: str, record_id: int | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.record_id = record_id


class WriteFailed(Message):
    """A write was refused: `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.field = field
