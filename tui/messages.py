"""App-wide messages: the results of the workers screens run, posted back to the event loop.

What one screen reads comes back as a subclass of `Loaded` nested in that screen (Textual's
habit): `DuplicatesScreen.PairsLoaded`, `FormScreen.Loaded`, `DashboardScreen.ReportDone`…
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.message import Message

Data = TypeVar("Data")


class Loaded(Message, Generic[Data]):
    """The result of a read, typed by the subclass that names it."""

    def __init__(self, data: Data) -> None:
        super().__init__()
        self.data = data


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
