"""The outreach events and lectures list: by kind, fiscal period, staff and free text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.binding import Binding

from crm.formatting import format_day, format_number
from crm.models import OutreachEvent
from crm.records.queries import EventRow, count_events, event_page
from crm.vocabulary import EVENT_KINDS
from tui.screens.event_form import EventForm
from tui.screens.record_list import Column, RecordListScreen
from tui.widgets.filter_bar import FilterBar


class EventListScreen(RecordListScreen):
    """Every outreach event and lecture, newest first."""

    BINDINGS = [Binding("h", "history", "audit_history")]

    section = "events"
    model = OutreachEvent
    uses_staff = True
    default_sort = "held_on"
    columns = (
        Column("held_on", "held_on", 10),
        Column("kind", "kind", 12),
        Column("title", "title", 30, flex=True),
        Column("venue", "venue", 18),
        Column("municipality", "municipality", 8),
        Column("attendees", "attendees", 8),
    )

    def filter_bar(self) -> FilterBar:
        lang = self.crm.lang
        return FilterBar(
            placeholder=self.t("search_placeholder"), years=self.year_options(),
            quarters=self.quarter_options(), year_prompt=self.t("fiscal_year"),
            quarter_prompt=self.t("quarter"),
            kinds=[(t.label(lang), t.code) for t in EVENT_KINDS.terms],
            kind_prompt=self.t("kind"), staff_prompt=self.t("staff"),
        )

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Any]:
        return event_page(session, filters=self.filters, order_by=self.order_by,
                          descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_events(session, filters=self.filters)

    def cells(self, row: EventRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (format_day(row.held_on, lang), EVENT_KINDS.label(row.kind, lang), row.title,
                row.venue or "", row.municipality or "",
                Text(format_number(row.attendees), justify="right"))

    def open_form(self, record_id: int | None) -> None:
        self.app.push_screen(EventForm(record_id))
