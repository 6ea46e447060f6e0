"""The plans (計画): each plan's KPIs with their rule in plain words and target revisions."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Select

from crm.formatting import format_number
from crm.kpi.plan_file import KpiSpec, PlanSpec
from crm.kpi.plans import list_plans, plan_spec
from crm.kpi.rules import rule
from tui.kit.navigation import TargetRevision
from tui.kit.table_screen import TableScreen
from tui.messages import Loaded
from tui.strings import unit_label
from tui.widgets.plain import literal


class PlansScreen(TableScreen):
    """One plan at a time (chosen above the table): its KPIs, how each is obtained, targets."""

    class PlanLoaded(Loaded[PlanSpec]):
        """A plan as its file would define it."""

    BINDINGS = [Binding("r", "revise", "revise_target"), Binding("f5", "refresh", "refresh"),
                Binding("escape", "back", "back")]
    table_id = "plan-kpis"
    table_columns = (("policy", "policy", 6), ("code", "code", 24), ("name", "name", 30),
                     ("rule", "rule", 36), ("target", "target", 12),
                     ("revisions", "revisions", 36))

    def __init__(self, plan: str | None = None) -> None:
        super().__init__()
        self.plan = plan

    def heading(self) -> ComposeResult:
        yield self.section_title(self.t("plans_title"))
        with self.crm.database.reading() as session:
            plans = list_plans(session)
        codes = [p.code for p in plans]
        if self.plan not in codes:
            self.plan = codes[-1] if codes else None
        ja = self.crm.lang == "ja"
        yield Select(
            [(literal(f"{p.code} {p.name_ja if ja else p.name_en}"
                      f" ({p.first_fiscal_year}–{p.last_fiscal_year})"), p.code) for p in plans],
            value=self.plan if self.plan else Select.NULL, prompt=self.t("plan"),
            id="plan-choice", compact=True,
        )

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the chosen plan again."""
        plan = self.plan
        if plan is None:
            self.show_status(self.t("no_plans"))
            return
        self.read(lambda session: plan_spec(session, plan), self.PlanLoaded)

    def on_screen_resume(self) -> None:
        if self.plan is not None:
            self.action_refresh()

    def action_revise(self) -> None:
        """Revise the target of the KPI under the cursor (its reason asked in the form)."""
        table = self.table
        if self.plan is None or not table.row_count or not self.crm.writable():
            return
        kpi = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if kpi is not None:
            self.crm.open(TargetRevision(self.plan, kpi))

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.plan:
            self.plan = event.value
            self.action_refresh()

    def _revisions(self, kpi: KpiSpec) -> str:
        return "; ".join(f"{r.revised_on}: {format_number(r.target)} ({r.target_by}) {r.reason}"
                         for r in kpi.revisions)

    def on_plans_screen_plan_loaded(self, message: PlansScreen.PlanLoaded) -> None:
        spec, lang = message.data, self.crm.lang
        if spec.code != self.plan:
            return
        table = self.table
        table.clear()
        with self.app.batch_update():
            for kpi in spec.kpis:
                how = kpi.count.describe(lang) if kpi.count else rule(kpi.kind).label(lang)
                target = f"{format_number(kpi.target)}{unit_label(kpi.unit, lang)}"
                table.add_row(kpi.policy_ref, kpi.code, kpi.name_ja if lang == "ja"
                              else kpi.name_en, how, Text(target, justify="right"),
                              self._revisions(kpi), key=kpi.code)
        grading = ", ".join(f"{g} ≥ {t:g}%" for g, t in spec.grading)
        self.show_status(f"{spec.first_fiscal_year}–{spec.last_fiscal_year}   "
                         f"{self.t('grading')}: {grading}   "
                         + self.t("kpi_count", count=len(spec.kpis)))
