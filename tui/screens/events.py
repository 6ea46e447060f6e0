"""The outreach events and lectures list: by kind, fiscal period, staff and free text."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding

from crm.formatting import format_day, format_number
from crm.records import entities
from crm.records.queries import EventRow, count_events, event_page
from crm.vocabulary import EVENT_KINDS
from tui.kit.record_list import ListQueries, RecordListScreen
from tui.strings import term_options
from tui.widgets.filter_bar import FilterBar


class EventListScreen(RecordListScreen[EventRow]):
    """Every outreach event and lecture, newest first."""

    BINDINGS = [Binding("h", "history", "audit_history")]

    section = "events"
    kind = "event"
    entity = entities.EVENTS
    queries = ListQueries(event_page, count_events)
    uses_staff = True
    uses_tags = True

    def filter_bar(self) -> FilterBar:
        return self.period_filter_bar(term_options(EVENT_KINDS, self.crm.lang), self.t("kind"))

    def cells(self, row: EventRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (format_day(row.held_on, lang), EVENT_KINDS.label(row.kind, lang), row.title,
                row.venue or "", row.municipality or "",
                Text(format_number(row.attendees), justify="right"))
