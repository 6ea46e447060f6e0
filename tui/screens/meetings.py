"""The meetings list (意見交換): by fiscal year and quarter, staff and free text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session
from textual.binding import Binding

from crm.formatting import format_day
from crm.models import Meeting
from crm.records.queries import MeetingRow, count_meetings, meeting_page
from tui.screens.meeting_form import MeetingForm
from tui.screens.record_list import Column, RecordListScreen
from tui.widgets.filter_bar import FilterBar


class MeetingListScreen(RecordListScreen):
    """Every meeting, newest first, read a page at a time."""

    BINDINGS = [Binding("h", "history", "audit_history")]

    section = "meetings"
    model = Meeting
    uses_staff = True
    default_sort = "held_on"
    columns = (
        Column("held_on", "held_on", 10),
        Column("title", "title", 24, flex=True),
        Column("organizations", "organizations_col", 20, flex=True),
        Column("next_action", "next_action", 14),
        Column("follow_up_on", "follow_up_col", 10),
    )

    def filter_bar(self) -> FilterBar:
        return FilterBar(
            placeholder=self.t("search_placeholder"), years=self.year_options(),
            quarters=self.quarter_options(), year_prompt=self.t("fiscal_year"),
            quarter_prompt=self.t("quarter"), staff_prompt=self.t("staff"),
        )

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Any]:
        return meeting_page(session, filters=self.filters, order_by=self.order_by,
                            descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_meetings(session, filters=self.filters)

    def cells(self, row: MeetingRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (format_day(row.held_on, lang), row.title, row.organizations,
                row.next_action or "", format_day(row.follow_up_on, lang)
                if row.follow_up_on else "")

    def open_form(self, record_id: int | None) -> None:
        self.app.push_screen(MeetingForm(record_id))
