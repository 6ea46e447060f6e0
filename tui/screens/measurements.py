"""The KPI measurements list: by KPI, fiscal period and free text (notes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.widgets import Select

from crm.formatting import format_day, format_number
from crm.models import KpiMeasurement
from crm.records.queries import (
    MeasurementRow,
    count_measurements,
    measured_kpi_choices,
    measurement_page,
)
from tui.messages import Loaded
from tui.screens.measurement_form import MeasurementForm
from tui.screens.record_list import Column, RecordListScreen
from tui.widgets.filter_bar import FilterBar


class MeasurementListScreen(RecordListScreen):
    """Every measurement entered, newest first."""

    section = "measurements"
    model = KpiMeasurement
    default_sort = "measured_on"
    columns = (
        Column("measured_on", "measured_on", 10),
        Column("kpi", "kpi", 34, flex=True),
        Column("value", "value", 12),
        Column("note", "note", 24),
        Column("entered_by", "entered_by", 10),
    )

    def filter_bar(self) -> FilterBar:
        return FilterBar(
            placeholder=self.t("search_placeholder"), years=self.year_options(),
            quarters=self.quarter_options(), year_prompt=self.t("fiscal_year"),
            quarter_prompt=self.t("quarter"), kinds=[],
            kind_prompt=self.t("kpi"),
        )

    def on_mount(self) -> None:
        self.read("kpis", measured_kpi_choices)

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "kpis":
            self.query_one("#fb-kind", Select).set_options(
                [(c.label(self.crm.lang), c.value) for c in message.data])

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Any]:
        return measurement_page(session, filters=self.filters, order_by=self.order_by,
                                descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_measurements(session, filters=self.filters)

    def cells(self, row: MeasurementRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        name = row.kpi_name_ja if lang == "ja" else row.kpi_name_en
        unit = "" if row.unit == "—" else row.unit
        return (format_day(row.measured_on, lang), name,
                Text(f"{format_number(row.value)}{unit}", justify="right"), row.note or "",
                row.entered_by)

    def row_title(self, row: MeasurementRow) -> str:
        return f"{row.kpi_name_ja if self.crm.lang == 'ja' else row.kpi_name_en} {row.value:g}"

    def open_form(self, record_id: int | None) -> None:
        self.app.push_screen(MeasurementForm(record_id))
