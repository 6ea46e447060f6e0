"""A KPI over time for the report: its value at each fiscal year end of its plan (年度別実績)
and a measured KPI's value at each quarter end (for its chart)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from crm.calendar import FiscalPeriod, fiscal_year_range
from crm.kpi.engine import (
    KpiDefinition,
    KpiFigure,
    SeriesPoint,
    annual_sums,
    expected_value,
    latest_levels,
)
from crm.kpi.plans import PlanSummary


@dataclass(frozen=True)
class YearEnd:
    """A KPI at the end of one fiscal year of its plan: the value (None for a year not yet
    reached), the date it stands at (the report's period end within the running year), and
    where the line to the target is at the year's end."""

    fiscal_year: int
    value: float | None
    as_of: date | None
    expected: float


def year_ends(figure: KpiFigure, plan: PlanSummary,
              computed: Mapping[FiscalPeriod, Sequence[KpiFigure]]) -> tuple[YearEnd, ...]:
    """`figure`'s KPI at every fiscal year end of `plan`: closed years from `computed` (whole
    fiscal years), the running year from `figure` itself, later years without a value."""
    kpi, rows = figure.kpi, []
    for year in range(plan.first_fiscal_year, plan.last_fiscal_year + 1):
        year_end = fiscal_year_range(year)[1]
        value: float | None = None
        as_of: date | None = None
        whole = FiscalPeriod(year)
        if whole in computed and year_end <= figure.as_of:
            found = next(f for f in computed[whole] if f.kpi.id == kpi.id)
            value, as_of = found.value, year_end
        elif figure.period is not None and year == figure.period.fiscal_year:
            value, as_of = figure.value, figure.as_of
        rows.append(YearEnd(year, value, as_of, expected_value(kpi, year_end)))
    return tuple(rows)


def measured_series(
    session: Session, charts: Mapping[str, tuple[KpiDefinition, Sequence[FiscalPeriod]]],
    period: FiscalPeriod,
) -> dict[str, tuple[SeriesPoint, ...]]:
    """Each measured KPI's value at the end of every quarter of its chart up to `period`'s end
    (the latest measurement, or the year-to-date sum of an annual KPI); later quarters none."""
    ends = sorted({q.end for _, quarters in charts.values() for q in quarters
                   if q.end <= period.end})
    levels = {d: latest_levels(session, d) for d in ends}
    sums = {d: annual_sums(session, fiscal_year_range(FiscalPeriod.of(d).fiscal_year)[0], d)
            for d in ends} if any(k.rule == "annual" for k, _ in charts.values()) else {}
    series: dict[str, tuple[SeriesPoint, ...]] = {}
    for code, (kpi, quarters) in charts.items():
        points = []
        for q in quarters:
            value: float | None = None
            if q.end <= period.end and q.end >= kpi.baseline_as_of:
                if kpi.rule == "annual":
                    value = sums[q.end].get(kpi.id)
                else:
                    value = levels[q.end].get(kpi.id, (kpi.baseline, q.end))[0]
            points.append(SeriesPoint(period=q, count=0, cumulative=value))
        series[code] = tuple(points)
    return series
