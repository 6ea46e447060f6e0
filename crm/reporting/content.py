"""Everything one KPI report shows, read in one pass into one immutable object.

The report's layout (reports/) takes a `ReportContent` and reads nothing else: the figures and
their series and evidence, the period's activities counted, the register of agreements, the
restatements of issued reports, the audit chain's head and the data fingerprint. The full
record lists of `--detail` are the one part read while the PDF is laid out, page by page
(`DetailLists`), so that a report of any size builds in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from crm.audit.chain import ChainHead, chain_head
from crm.calendar import FiscalPeriod, quarters_between
from crm.kpi.comments import Comments
from crm.kpi.engine import (
    EvidenceRow,
    KpiDefinition,
    KpiFigure,
    SeriesPoint,
    compute_for_periods,
    computed_series,
)
from crm.kpi.plans import PlanSummary, list_plans
from crm.reporting import data
from crm.reporting.data import (
    AgreementLine,
    EventLine,
    FirstContact,
    KindActivity,
    MeetingLine,
    MonthActivity,
)
from crm.reporting.fingerprint import data_fingerprint
from crm.reporting.issued import (
    Restatement,
    comments_by_code,
    evidence_through,
    published_figures,
    restatements,
)
from crm.reporting.yearly import YearEnd, measured_series, year_ends
from crm.vocabulary import COMPUTED_RULES


@dataclass(frozen=True)
class DetailLists:
    """Every meeting and every outreach event or lecture of the period, each call reading
    them afresh page by page (in the unit of work that gathered the report)."""

    meetings: Callable[[], Iterator[list[MeetingLine]]]
    events: Callable[[], Iterator[list[EventLine]]]


@dataclass(frozen=True)
class ReportContent:
    """What one report of `period` shows, as read from the database.

    `series` holds each KPI's values, one point per quarter of its `chart_quarters` (a
    measured KPI's points count nothing); `evidence` each computed KPI's evidence records
    dated by the period's end; `plan_names` the (Japanese, English) names of the plans whose
    KPIs it reports; `year_before` each KPI's figure for the same period a year earlier;
    `years` each KPI's value at every fiscal year end of its plan (年度別実績). Every mapping
    is keyed by the KPI's key, 'plan/code' (`KpiDefinition.key`): two plans may share a code.
    """

    period: FiscalPeriod
    fingerprint: str
    audit_head: ChainHead
    figures: tuple[KpiFigure, ...]
    series: Mapping[str, tuple[SeriesPoint, ...]]
    evidence: Mapping[str, tuple[EvidenceRow, ...]]
    months: tuple[MonthActivity, ...]
    by_kind: tuple[KindActivity, ...]
    first_organizations: tuple[FirstContact, ...]
    agreements_changed: tuple[AgreementLine, ...]
    follow_ups: tuple[MeetingLine, ...]
    register: tuple[AgreementLine, ...]
    restatements: tuple[Restatement, ...]
    plan_names: tuple[tuple[str, str], ...] = ()
    #: Each KPI's comments for exactly this period (a quarter's, or the year's).
    comments: Mapping[str, Comments] = field(default_factory=dict)
    year_before: Mapping[str, KpiFigure] = field(default_factory=dict)
    years: Mapping[str, tuple[YearEnd, ...]] = field(default_factory=dict)
    personal: bool = True
    detail: DetailLists | None = None

    def without_personal(self) -> ReportContent:
        """This content without names of people (staff who met, who issued a report): the
        version fit for disclosure under the information-disclosure ordinance."""
        detail = self.detail
        if detail is not None:
            pages = detail.meetings
            detail = replace(detail, meetings=lambda: (
                [replace(m, staff="") for m in page] for page in pages()))
        return replace(
            self, personal=False, detail=detail,
            follow_ups=tuple(replace(m, staff="") for m in self.follow_ups),
            restatements=tuple(replace(r, issued_by="") for r in self.restatements),
        )

    @property
    def published(self) -> dict[str, dict[str, Any]]:
        """What issuing this report freezes: per KPI code, its figures and evidence keys."""
        return published_figures(self.figures, self.evidence, self.comments)

    @property
    def restated_figures(self) -> int:
        """How many figures of issued reports this report restates."""
        return sum(len(r.changes) for r in self.restatements)


def chart_quarters(kpi: KpiDefinition, period: FiscalPeriod) -> list[FiscalPeriod]:
    """The quarters a KPI's chart spans: from its baseline to its target or the period's end."""
    return quarters_between(kpi.baseline_as_of, max(kpi.target_by, period.end))


def _series(
    session: Session, computed: list[KpiFigure], period: FiscalPeriod,
    plans: Sequence[str] | None,
) -> dict[str, tuple[SeriesPoint, ...]]:
    """Each computed KPI's series over its `chart_quarters`."""
    spans = {f.kpi.key: chart_quarters(f.kpi, period) for f in computed}
    if not spans:
        return {}
    # One query over consecutive quarters covering every chart (computed_series needs them so).
    every = computed_series(session, quarters_between(
        min(span[0].start for span in spans.values()),
        max(span[-1].end for span in spans.values()),
    ), plans)
    ids = {f.kpi.key: f.kpi.id for f in computed}
    return {
        code: tuple(p for p in every.get(ids[code], []) if p.period in set(span))
        for code, span in spans.items()
    }


def gather_report(session: Session, period: FiscalPeriod,
                  plans: Sequence[str] | None = None, *, detail: bool = False) -> ReportContent:
    """Read everything the report of `period` shows, for the KPIs of `plans` (default: every
    plan); with `detail`, the full record lists too (read later, page by page, in `session`)."""
    plan_list = list_plans(session)
    spans = {p.code: p for p in plan_list}
    earlier = FiscalPeriod(period.fiscal_year - 1, period.quarter)
    closed_years = [FiscalPeriod(y) for y in _closed_years(plan_list, period)]
    computed = compute_for_periods(session, [period, earlier, *closed_years], plans)
    figures = computed[period]
    start, end = period.start, period.end
    series = _series(session, [f for f in figures if f.kpi.rule in COMPUTED_RULES], period,
                     plans)
    series |= measured_series(
        session, {f.kpi.key: (f.kpi, chart_quarters(f.kpi, period)) for f in figures
                  if f.kpi.rule not in COMPUTED_RULES}, period)
    return ReportContent(
        period=period,
        fingerprint=data_fingerprint(session.connection(), period),
        audit_head=chain_head(session),
        figures=tuple(figures),
        series=series,
        evidence={key: tuple(rows)
                  for key, rows in evidence_through(session, figures, end).items()},
        months=tuple(data.activity_by_month(session, start, end)),
        by_kind=tuple(data.activity_by_organization_kind(session, start, end)),
        first_organizations=tuple(data.first_time_organizations(session, start, end)),
        agreements_changed=tuple(data.agreements_changed(session, start, end)),
        follow_ups=tuple(data.open_follow_ups(session, end)),
        register=tuple(data.agreements_in_force(session, end)),
        restatements=tuple(restatements(session, period)),
        plan_names=tuple((p.name_ja, p.name_en) for p in plan_list
                         if p.code in {f.kpi.plan_code for f in figures}),
        comments=comments_by_code(session, period, figures),
        year_before={f.kpi.key: f for f in computed[earlier]},
        years={f.kpi.key: year_ends(f, spans[f.kpi.plan_code], computed) for f in figures},
        detail=DetailLists(
            meetings=lambda: data.meeting_pages(session, start, end),
            events=lambda: data.event_pages(session, start, end),
        ) if detail else None,
    )


def _closed_years(plans: Sequence[PlanSummary], period: FiscalPeriod) -> list[int]:
    """The fiscal years of any plan that ended before `period`'s year."""
    years = {y for p in plans for y in range(p.first_fiscal_year, p.last_fiscal_year + 1)}
    return sorted(y for y in years if y < period.fiscal_year)
