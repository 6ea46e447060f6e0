"""The agreements list: by status, fiscal year of conclusion and free text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session
from textual.binding import Binding

from crm.formatting import format_day
from crm.models import Agreement
from crm.records import services
from crm.records.queries import AgreementRow, agreement_page, count_agreements
from crm.vocabulary import AGREEMENT_STATUSES
from tui.screens.agreement_form import AgreementForm, StatusDialog
from tui.screens.record_list import Column, RecordListScreen
from tui.widgets.filter_bar import FilterBar


class AgreementListScreen(RecordListScreen):
    """Every agreement, latest concluded first; `t` changes the status of the one selected."""

    BINDINGS = [Binding("t", "change_status", "status_change"),
                Binding("h", "history", "audit_history")]

    section = "agreements"
    model = Agreement
    default_sort = "concluded_on"
    columns = (
        Column("concluded_on", "concluded_on", 10),
        Column("title", "title", 30, flex=True),
        Column("partners", "partners", 26),
        Column("status", "status", 8),
        Column("starts_on", "starts_on", 10),
        Column("ends_on", "ends_on", 10),
    )

    def filter_bar(self) -> FilterBar:
        lang = self.crm.lang
        return FilterBar(
            placeholder=self.t("search_placeholder"), years=self.year_options(),
            quarters=self.quarter_options(), year_prompt=self.t("fiscal_year"),
            quarter_prompt=self.t("quarter"),
            kinds=[(t.label(lang), t.code) for t in AGREEMENT_STATUSES.terms],
            kind_prompt=self.t("status"),
        )

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Any]:
        return agreement_page(session, filters=self.filters, order_by=self.order_by,
                              descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_agreements(session, filters=self.filters)

    def cells(self, row: AgreementRow) -> tuple[Any, ...]:
        lang = self.crm.lang

        def day(d: date | None) -> str:
            return format_day(d, lang) if d else ""

        return (day(row.concluded_on), row.title, row.partners,
                AGREEMENT_STATUSES.label(row.status, lang), day(row.starts_on), day(row.ends_on))

    def open_form(self, record_id: int | None) -> None:
        self.app.push_screen(AgreementForm(record_id))

    def action_change_status(self) -> None:
        row = self.selected_row()
        if row is None or not self.crm.writable():
            return
        ctx, record_id = self.crm.ctx, int(row.id)

        def chosen(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            status, on = result
            self.write(self.t("status_changed"), lambda s: services.set_agreement_status(
                s, ctx, record_id, status=status, on=date.fromisoformat(on)).id)

        dialog = StatusDialog(row.status, ctx.today().isoformat(), self.crm.lang)
        self.app.push_screen(dialog, chosen)
