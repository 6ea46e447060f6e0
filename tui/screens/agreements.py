"""The agreements list: by status, fiscal year of conclusion and free text."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.binding import Binding

from crm.formatting import format_day
from crm.records import entities, services
from crm.records.queries import AgreementRow, agreement_page, count_agreements
from crm.vocabulary import AGREEMENT_STATUSES
from tui.kit.record_list import ListQueries, RecordListScreen
from tui.strings import term_options
from tui.widgets.filter_bar import FilterBar
from tui.widgets.status_dialog import StatusDialog


class AgreementListScreen(RecordListScreen[AgreementRow]):
    """Every agreement, latest concluded first; `t` changes the status of the one selected."""

    BINDINGS = [Binding("t", "change_status", "status_change"),
                Binding("h", "history", "audit_history")]

    section = "agreements"
    kind = "agreement"
    entity = entities.AGREEMENTS
    queries = ListQueries(agreement_page, count_agreements)

    uses_tags = True

    def filter_bar(self) -> FilterBar:
        return self.period_filter_bar(term_options(AGREEMENT_STATUSES, self.crm.lang),
                                      self.t("status"))

    def cells(self, row: AgreementRow) -> tuple[Any, ...]:
        lang = self.crm.lang

        def day(d: date | None) -> str:
            return format_day(d, lang) if d else ""

        return (day(row.concluded_on), row.title, row.partners,
                AGREEMENT_STATUSES.label(row.status, lang), day(row.starts_on), day(row.ends_on))

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
