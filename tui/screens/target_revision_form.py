"""Revise a KPI's target (目標値の改訂) with its reason: the original target and earlier
revisions stay on record; the new target is in force from the revision date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Static

from crm.formatting import format_number
from crm.kpi.plan_file import KpiSpec
from crm.kpi.plans import plan_spec, revise_target
from tui.kit.form import FormScreen
from tui.strings import unit_label


@dataclass(frozen=True)
class RevisionFormData:
    """The KPI being revised, as its plan defines it."""

    kpi: KpiSpec


class TargetRevisionForm(FormScreen[RevisionFormData]):
    """The target revision form for KPI `kpi` of `plan`."""

    title_key = "form_target_revision"

    def __init__(self, plan: str, kpi: str) -> None:
        super().__init__()
        self.plan = plan
        self.kpi = kpi

    def fields(self) -> ComposeResult:
        yield Static("", id="revision-kpi", markup=False)
        yield self.date_field("revised_on", "revised_on", value=self.crm.ctx.today())
        yield self.field("new_target", Input(id="target"), "target")
        yield self.date_field("target_by", "target_by")
        yield self.input_field("reason", "revision_reason")

    def load(self, session: Session) -> RevisionFormData:
        spec = plan_spec(session, self.plan)
        (kpi,) = [k for k in spec.kpis if k.code == self.kpi]
        return RevisionFormData(kpi)

    def fill(self, data: RevisionFormData) -> None:
        kpi, lang = data.kpi, self.crm.lang
        unit = unit_label(kpi.unit, lang)
        lines = [f"{self.plan} / {kpi.code}  {kpi.name_ja if lang == 'ja' else kpi.name_en}",
                 self.t("original_target_line", target=f"{format_number(kpi.target)}{unit}",
                        by=kpi.target_by.isoformat())]
        lines += [self.t("revision_line", on=r.revised_on.isoformat(),
                         target=f"{format_number(r.target)}{unit}", by=r.target_by.isoformat(),
                         reason=r.reason) for r in kpi.revisions]
        self.query_one("#revision-kpi", Static).update("\n".join(lines))
        in_force = kpi.revisions[-1].target_by if kpi.revisions else kpi.target_by
        self.query_one("#target_by", Input).value = in_force.isoformat()

    def validate(self) -> dict[str, str]:
        errors = self.missing("target", "reason")
        self.parse_date_field("revised_on", required=True, errors=errors)
        self.parse_date_field("target_by", required=True, errors=errors)
        if "target" not in errors:
            self.parse_number_field("target", errors)
        return errors

    def change(self) -> Callable[[Session], int | None]:
        ctx, plan, kpi = self.crm.ctx, self.plan, self.kpi
        revised_on, target_by = self.date_value("revised_on"), self.date_value("target_by")
        target = self.parse_number_field("target", {})
        reason = self.input_value("reason")
        assert revised_on is not None and target_by is not None and target is not None

        def save(session: Session) -> int | None:
            return revise_target(session, ctx, plan=plan, kpi=kpi, revised_on=revised_on,
                                 target=target, target_by=target_by, reason=reason).id

        return save
