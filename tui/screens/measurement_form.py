"""Enter a measured KPI figure read from another system; editing one records a correction
(the old figure is archived and the new one entered, in one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Select

from crm.models import Kpi, KpiMeasurement, Plan
from crm.records import services
from crm.records.queries import Choice, measured_kpi_choices
from tui.kit.form import FormScreen
from tui.widgets.plain import literal


@dataclass(frozen=True)
class MeasurementFormData:
    """The measured KPIs, and the measurement being corrected (if any)."""

    kpis: Sequence[Choice]
    #: The corrected measurement's KPI as "plan/code" (the choices' values).
    kpi_code: str | None
    measured_on: str
    value: str
    note: str
    source: str


class MeasurementForm(FormScreen[MeasurementFormData]):
    """The measurement form."""

    title_key = "form_measurement"
    FIELD_ALIASES = {"kpi": "kpi_code"}

    def fields(self) -> ComposeResult:
        yield self.field("kpi", Select([], prompt=self.t("kpi"), id="kpi_code"), "kpi_code")
        yield self.date_field("measured_on", "measured_on", value=self.crm.ctx.today())
        yield self.field("value", Input(id="value"), "value")
        yield self.input_field("note")
        yield self.input_field("source")

    def load(self, session: Session) -> MeasurementFormData:
        kpis = measured_kpi_choices(session, by_plan=True)
        if self.record_id is None:
            return MeasurementFormData(kpis, None, "", "", "", "")
        old = services.get(session, KpiMeasurement, self.record_id)
        kpi = services.get(session, Kpi, old.kpi_id)
        plan = services.get(session, Plan, kpi.plan_id).code
        return MeasurementFormData(kpis, f"{plan}/{kpi.code}", old.measured_on.isoformat(),
                                   f"{old.value:g}", old.note or "", old.source or "")

    def fill(self, data: MeasurementFormData) -> None:
        select = self.query_one("#kpi_code", Select)
        select.set_options([(literal(c.label(self.crm.lang)), c.value) for c in data.kpis])
        if data.kpi_code:
            select.value = data.kpi_code
            self.query_one("#measured_on", Input).value = data.measured_on
            self.query_one("#value", Input).value = data.value
            self.query_one("#note", Input).value = data.note
            self.query_one("#source", Input).value = data.source

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        self.parse_date_field("measured_on", required=True, errors=errors)
        errors |= self.missing("kpi_code", "value")
        self.parse_number_field("value", errors)
        return errors

    def change(self) -> Callable[[Session], int | None]:
        ctx, record_id = self.crm.ctx, self.record_id
        plan, _, code = str(self.query_one("#kpi_code", Select).value).partition("/")
        fields: dict[str, Any] = {
            "kpi_code": code,
            "plan": plan,
            "measured_on": self.date_value("measured_on"),
            "value": self.parse_number_field("value", {}),
            "note": self.input_value("note"),
            "source": self.input_value("source"),
        }

        def save(session: Session) -> int | None:
            if record_id is not None:
                services.archive(session, ctx, KpiMeasurement, record_id)
            return services.record_measurement(session, ctx, **fields).id

        return save
