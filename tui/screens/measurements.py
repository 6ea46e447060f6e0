"""The KPI measurements list: by KPI, fiscal period and free text (notes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Select

from crm.formatting import format_day, format_number
from crm.records import entities
from crm.records.queries import (
    Choice,
    MeasurementRow,
    count_measurements,
    measured_kpi_choices,
    measurement_page,
)
from tui.kit.record_list import ListQueries, RecordListScreen
from tui.messages import Loaded
from tui.strings import unit_label
from tui.widgets.filter_bar import FilterBar
from tui.widgets.plain import literal


class MeasurementListScreen(RecordListScreen[MeasurementRow]):
    """Every measurement entered, newest first."""

    class KpisLoaded(Loaded[Sequence[Choice]]):
        """The KPIs that are measured, for the KPI filter."""

    section = "measurements"
    kind = "measurement"
    entity = entities.MEASUREMENTS
    queries = ListQueries(measurement_page, count_measurements)

    def filter_bar(self) -> FilterBar:
        return self.period_filter_bar([], self.t("kpi"))

    def on_mount(self) -> None:
        self.read(measured_kpi_choices, self.KpisLoaded)

    def on_measurement_list_screen_kpis_loaded(
        self, message: MeasurementListScreen.KpisLoaded
    ) -> None:
        self.query_one("#fb-kind", Select).set_options(
            [(literal(c.label(self.crm.lang)), c.value) for c in message.data])

    def cells(self, row: MeasurementRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        name = row.kpi_name_ja if lang == "ja" else row.kpi_name_en
        unit = unit_label(row.unit, lang)
        return (format_day(row.measured_on, lang), name,
                Text(f"{format_number(row.value)}{unit}", justify="right"), row.note or "",
                row.entered_by)

    def row_title(self, row: MeasurementRow) -> str:
        return f"{row.kpi_name_ja if self.crm.lang == 'ja' else row.kpi_name_en} {row.value:g}"
