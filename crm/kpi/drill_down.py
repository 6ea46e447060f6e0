"""One KPI for a period, as the TUI's KPI screen shows it: its definition and rule in plain
words, its figures, its comments, and the first page of its evidence and of the records that
did not count (later pages on demand)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from crm.calendar import FiscalPeriod
from crm.errors import NotFoundError
from crm.kpi.comments import Comments, comments_for, no_comments
from crm.kpi.engine import EvidenceRow, KpiFigure, compute_for_period, evidence
from crm.kpi.not_counted import PAGE, NotCounted, count_not_counted, not_counted
from crm.kpi.plans import list_plans
from crm.kpi.rules import COMPUTED_RULES, rule


@dataclass(frozen=True)
class KpiDrillDown:
    """A KPI's figure for `period` and everything around it, read in one unit of work."""

    figure: KpiFigure
    period: FiscalPeriod
    plan_name: tuple[str, str]
    comments: Comments
    evidence: list[EvidenceRow]
    evidence_total: int
    not_counted: list[NotCounted]
    not_counted_total: int

    def rule_text(self, lang: str) -> str:
        """How the KPI is obtained, in plain words in `lang`."""
        kpi = self.figure.kpi
        return kpi.count.describe(lang) if kpi.count else rule(kpi.rule).label(lang)


def evidence_page(session: Session, figure: KpiFigure, period: FiscalPeriod,
                  offset: int = 0) -> list[EvidenceRow]:
    """A page of the evidence records of a computed KPI dated in `period`."""
    if figure.kpi.rule not in COMPUTED_RULES:
        return []
    return evidence(session, figure.code, plan=figure.kpi.plan_code, since=period.start,
                    through=period.end, limit=PAGE, offset=offset, kpi_id=figure.kpi.id)


def count_evidence(session: Session, figure: KpiFigure, period: FiscalPeriod) -> int:
    """How many evidence records of a computed KPI are dated in `period`: the figure's count in
    the period where every record weighs 1 (all rules but attendees), else counted."""
    if figure.kpi.rule not in COMPUTED_RULES:
        return 0
    if (figure.kpi.rule != "attendees" and figure.period == period
            and figure.period_count is not None):
        return int(figure.period_count)
    query = text("SELECT count(*) FROM kpi_evidence WHERE kpi_id = :kpi_id"
                 " AND counted_on BETWEEN :start AND :end").bindparams(
        bindparam("start", type_=Date), bindparam("end", type_=Date))
    return int(session.execute(query, {"kpi_id": figure.kpi.id, "start": period.start,
                                       "end": period.end}).scalar_one())


def drill_down(session: Session, plan: str, code: str, period: FiscalPeriod,
               figure: KpiFigure | None = None) -> KpiDrillDown:
    """The KPI `code` of `plan` for `period` (its `figure` for the period, if already computed);
    NotFoundError if it is not an active KPI."""
    if figure is None:
        figure = next((f for f in compute_for_period(session, period, [plan])
                       if f.code == code), None)
    if figure is None:
        raise NotFoundError(f"no active KPI {code!r} in plan {plan!r}",
                            ja=f"計画 {plan!r} に KPI {code!r} がありません", field="kpi")
    names = next(((p.name_ja, p.name_en) for p in list_plans(session) if p.code == plan),
                 (plan, plan))
    kpi = figure.kpi
    return KpiDrillDown(
        figure=figure, period=period, plan_name=names,
        comments=comments_for(session, period, [kpi.id]).get(kpi.id, no_comments()),
        evidence=evidence_page(session, figure, period),
        evidence_total=count_evidence(session, figure, period),
        not_counted=not_counted(session, kpi, period),
        not_counted_total=count_not_counted(session, kpi, period),
    )
