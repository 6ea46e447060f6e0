"""App-wide messages: results of database workers, posted back to the event loop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.message import Message


class PageLoaded(Message):
    """A page of rows read for a list; `generation` tells a stale page from the current one."""

    def __init__(self, generation: int, offset: int, rows: Sequence[Any], has_more: bool) -> None:
        super().__init__()
        self.generation = generation
        self.offset = offset
        self.rows = rows
        self.has_more = has_more


class CountLoaded(Message):
    """How many rows a list's filter matches."""

    def __init__(self, generation: int, total: int) -> None:
        super().__init__()
        self.generation = generation
        self.total = total


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


class Loaded(Message):
    """Data a screen asked for (choices, a record to edit, KPI figures), keyed by `what`."""

    def __init__(self, what: str, data: Any) -> None:
        super().__init__()
        self.what = what
        self.data = data
