"""The organizations list: search by name, normalized name or kana; filter by kind."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding

from crm.formatting import format_day
from crm.records import entities
from crm.records.queries import OrganizationRow, count_organizations, organization_page
from crm.vocabulary import ORGANIZATION_KINDS
from tui.kit.navigation import DuplicatePairs, OrganizationHistory
from tui.kit.record_list import ListQueries, RecordListScreen
from tui.strings import term_options
from tui.widgets.filter_bar import FilterBar


class OrganizationListScreen(RecordListScreen[OrganizationRow]):
    """Every organization in 50音 order; Enter opens its history, `u` the likely duplicates."""

    BINDINGS = [Binding("u", "duplicates", "duplicates")]

    section = "organizations"
    kind = "organization"
    entity = entities.ORGANIZATIONS
    queries = ListQueries(organization_page, count_organizations)

    def filter_bar(self) -> FilterBar:
        return FilterBar(
            placeholder=self.t("search_placeholder"),
            kinds=term_options(ORGANIZATION_KINDS, self.crm.lang), kind_prompt=self.t("kind"),
        )

    def cells(self, row: OrganizationRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (row.name, row.kana or "", ORGANIZATION_KINDS.label(row.kind, lang),
                row.corporate_number or "", Text(str(row.meetings), justify="right"),
                format_day(row.last_met_on, lang) if row.last_met_on else "")

    def row_title(self, row: OrganizationRow) -> str:
        return row.name

    def action_open(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.crm.open(OrganizationHistory(row.id))

    def action_duplicates(self) -> None:
        """List the likely duplicate pairs, to merge them."""
        self.crm.open(DuplicatePairs())
