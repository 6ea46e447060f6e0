"""The organizations list: search by name, normalized name or kana; filter by kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.binding import Binding

from crm.formatting import format_day
from crm.models import Organization
from crm.records.queries import OrganizationRow, count_organizations, organization_page
from crm.vocabulary import ORGANIZATION_KINDS
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.organization_detail import OrganizationDetailScreen
from tui.screens.organization_form import OrganizationForm
from tui.screens.record_list import Column, RecordListScreen
from tui.widgets.filter_bar import FilterBar


class OrganizationListScreen(RecordListScreen):
    """Every organization in 50音 order; Enter opens its history, `u` the likely duplicates."""

    BINDINGS = [Binding("u", "duplicates", "duplicates")]

    section = "organizations"
    model = Organization
    default_sort = "name"
    default_descending = False
    columns = (
        Column("name", "name", 30, flex=True),
        Column("kana", "kana", 20),
        Column("kind", "kind", 14),
        Column("corporate_number", "corporate_number", 13),
        Column("meetings", "meeting_count", 8, sortable=False),
        Column("last_met_on", "last_met_on", 10, sortable=False),
    )

    def filter_bar(self) -> FilterBar:
        lang = self.crm.lang
        return FilterBar(
            placeholder=self.t("search_placeholder"),
            kinds=[(t.label(lang), t.code) for t in ORGANIZATION_KINDS.terms],
            kind_prompt=self.t("kind"),
        )

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Any]:
        return organization_page(session, filters=self.filters, order_by=self.order_by,
                                 descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_organizations(session, filters=self.filters)

    def cells(self, row: OrganizationRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (row.name, row.kana or "", ORGANIZATION_KINDS.label(row.kind, lang),
                row.corporate_number or "", Text(str(row.meetings), justify="right"),
                format_day(row.last_met_on, lang) if row.last_met_on else "")

    def row_title(self, row: OrganizationRow) -> str:
        return row.name

    def open_form(self, record_id: int | None) -> None:
        self.app.push_screen(OrganizationForm(record_id))

    def action_open(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.app.push_screen(OrganizationDetailScreen(row.id))

    def action_duplicates(self) -> None:
        """List the likely duplicate pairs, to merge them."""
        self.app.push_screen(DuplicatesScreen())
