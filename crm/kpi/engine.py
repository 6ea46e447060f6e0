"""The KPI engine: every rule of ../shared/spec/kpis.md, counted in SQL.

Computed KPIs are counted from the `kpi_counted_record` view, split at each KPI's baseline
date exactly as the `kpi_evidence` view is; measured KPIs from `kpi_measurement`. Python
only combines the handful of per-KPI totals the queries return with the progress arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Date, Integer, bindparam, select, text
from sqlmodel import Session, col

from crm.calendar import FiscalPeriod, fiscal_year_of, fiscal_year_range, months_between
from crm.errors import DataError
from crm.kpi.rules import COMPUTED_RULES
from crm.models import Kpi
from crm.vocabulary import KPI_STATUS_LABELS


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI definition, detached from the database session that read it."""

    id: int
    code: str
    basic_policy: int
    policy_ref: str
    name_ja: str
    name_en: str
    unit: str
    kind: str
    rule: str
    rule_param: str | None
    baseline: float
    baseline_as_of: date
    baseline_label: str | None
    target: float
    target_by: date
    target_label: str | None
    sort_order: int

    @classmethod
    def from_model(cls, kpi: Kpi) -> KpiDefinition:
        """A snapshot of a `kpi` row."""
        assert kpi.id is not None
        return cls(**{f: getattr(kpi, f) for f in cls.__dataclass_fields__})

    def name(self, lang: str) -> str:
        """The KPI's name in `lang`."""
        return self.name_ja if lang == "ja" else self.name_en


@dataclass
class KpiFigure:
    """One KPI's value and progress at a date, or over a fiscal period ending on that date."""

    kpi: KpiDefinition
    as_of: date
    value: float | None
    period: FiscalPeriod | None = None
    period_count: float | None = None
    reconciliation: int | None = None
    measured_on: date | None = None
    expected: float | None = None
    achievement_rate: float | None = None
    progress_rate: float | None = None
    status: str = "unknown"
    needed_pace: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.kpi.code

    def status_label(self, lang: str) -> str:
        """達成 / 順調 / 遅れ (or English), — when unknown."""
        ja, en = KPI_STATUS_LABELS[self.status]
        return ja if lang == "ja" else en

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ISO dates, numbers as numbers, null for unknown."""
        k = self.kpi
        data: dict[str, Any] = {
            "code": k.code,
            "name_ja": k.name_ja,
            "name_en": k.name_en,
            "unit": k.unit,
            "kind": k.kind,
            "rule": k.rule,
            "basic_policy": k.basic_policy,
            "policy_ref": k.policy_ref,
            "baseline": _number(k.baseline),
            "baseline_as_of": k.baseline_as_of.isoformat(),
            "baseline_label": k.baseline_label,
            "target": _number(k.target),
            "target_by": k.target_by.isoformat(),
            "target_label": k.target_label,
            "as_of": self.as_of.isoformat(),
            "value": _number(self.value),
        }
        if self.period is not None:
            data |= {
                "fiscal_year": self.period.fiscal_year,
                "quarter": self.period.quarter,
                "period_start": self.period.start.isoformat(),
                "period_end": self.period.end.isoformat(),
                "period_count": _number(self.period_count),
            }
        data |= {
            "achievement_rate": _number(self.achievement_rate),
            "progress_rate": _number(self.progress_rate),
            "expected": _number(self.expected),
            "status": self.status,
            "needed_pace": _number(self.needed_pace),
            "reconciliation_records": self.reconciliation,
            "measured_on": self.measured_on.isoformat() if self.measured_on else None,
        }
        return data


@dataclass(frozen=True)
class EvidenceRow:
    """A record that adds one to a computed KPI."""

    kpi_code: str
    record_type: str
    record_id: int
    counted_on: date
    title: str
    organizations: str


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


# --- queries --------------------------------------------------------------------------------


def active_kpis(session: Session) -> list[KpiDefinition]:
    """The active KPI definitions in their reporting order."""
    query = (
        select(Kpi)
        .where(col(Kpi.archived_at).is_(None))
        .order_by(col(Kpi.sort_order), col(Kpi.id))
    )
    return [KpiDefinition.from_model(k) for k in session.scalars(query)]


@dataclass(frozen=True)
class Counts:
    """A computed KPI's records: before its baseline (reconciliation) and up to each date."""

    reconciliation: int
    at: list[int]


def computed_counts(session: Session, dates: Sequence[date]) -> dict[str, Counts]:
    """For each computed KPI: its records dated on or before the baseline date, and for each
    of `dates` the records after the baseline dated on or before it (the `kpi_evidence` rows).

    One scan of `kpi_counted_record` for every KPI and every date: a conditional sum each.
    The reconciliation (records the baseline covers) is shown beside each baseline figure.
    """
    sums = "".join(
        f", CAST(SUM(CASE WHEN c.counted_on > k.baseline_as_of AND c.counted_on <= :d{i}"
        f" THEN 1 ELSE 0 END) AS INTEGER)"
        for i in range(len(dates))
    )
    query = text(
        "SELECT c.kpi_code,"
        " CAST(SUM(CASE WHEN c.counted_on <= k.baseline_as_of THEN 1 ELSE 0 END) AS INTEGER)"
        f"{sums} FROM kpi_counted_record c JOIN kpi k ON k.code = c.kpi_code"
        " GROUP BY c.kpi_code"
    ).bindparams(*(bindparam(f"d{i}", type_=Date) for i in range(len(dates))))
    rows = session.execute(query, {f"d{i}": d for i, d in enumerate(dates)})
    return {
        row[0]: Counts(reconciliation=int(row[1] or 0), at=[int(c or 0) for c in row[2:]])
        for row in rows
    }


def latest_levels(session: Session, as_of: date) -> dict[str, tuple[float, date]]:
    """For each level or milestone KPI, its latest measurement on or before `as_of`."""
    query = text(
        "SELECT code, value, measured_on FROM ("
        " SELECT k.code AS code, m.value AS value, m.measured_on AS measured_on,"
        "  ROW_NUMBER() OVER (PARTITION BY m.kpi_id ORDER BY m.measured_on DESC, m.id DESC)"
        "   AS position"
        " FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id"
        " WHERE m.archived_at IS NULL AND k.rule IN ('level', 'milestone')"
        "  AND m.measured_on <= :as_of"
        ") latest WHERE position = 1"
    ).bindparams(bindparam("as_of", type_=Date)).columns(measured_on=Date)
    return {
        code: (float(value), measured_on)
        for code, value, measured_on in session.execute(query, {"as_of": as_of})
    }


def annual_sums(session: Session, start: date, end: date) -> dict[str, float]:
    """For each annual KPI with a measurement dated in [start, end], the sum of those."""
    query = text(
        "SELECT k.code, SUM(m.value) FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id"
        " WHERE m.archived_at IS NULL AND k.rule = 'annual'"
        "  AND m.measured_on >= :start AND m.measured_on <= :end GROUP BY k.code"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    return {code: float(total) for code, total in session.execute(query, {"start": start,
                                                                             "end": end})}


def computed_kpi(session: Session, code: str) -> KpiDefinition:
    """The active computed KPI with this code; DataError naming the computed codes otherwise."""
    kpis = [k for k in active_kpis(session) if k.rule in COMPUTED_RULES]
    for kpi in kpis:
        if kpi.code == code.strip():
            return kpi
    codes = ", ".join(k.code for k in kpis)
    raise DataError(
        f"{code!r} is not a computed KPI; evidence exists for: {codes}",
        ja=f"{code!r} は自動集計の KPI ではありません。根拠を出せるのは: {codes}",
        field="kpi",
    )


# --- progress arithmetic --------------------------------------------------------------------


def expected_value(kpi: KpiDefinition, as_of: date) -> float:
    """Where the KPI should be at `as_of` on a straight line to its target.

    Cumulative and level KPIs: from (baseline date, baseline) to (target date, target).
    Annual KPIs restart every fiscal year: from 0 on its first day to the annual target on
    its last.
    """
    if kpi.rule == "annual":
        start, end = fiscal_year_range(fiscal_year_of(as_of))
        elapsed = (as_of - start).days + 1
        return kpi.target * elapsed / ((end - start).days + 1)
    if as_of <= kpi.baseline_as_of:
        return kpi.baseline
    if as_of >= kpi.target_by:
        return kpi.target
    share = (as_of - kpi.baseline_as_of).days / (kpi.target_by - kpi.baseline_as_of).days
    return kpi.baseline + (kpi.target - kpi.baseline) * share


def _with_progress(figure: KpiFigure) -> KpiFigure:
    kpi, value, as_of = figure.kpi, figure.value, figure.as_of
    figure.expected = expected_value(kpi, as_of)
    if value is None:
        return figure
    if kpi.target:
        figure.achievement_rate = value / kpi.target * 100
    if kpi.rule == "annual":
        # An annual figure restarts every April: progress is the year so far against the
        # target prorated to date, not against a baseline from an earlier year.
        if figure.expected:
            figure.progress_rate = value / figure.expected * 100
    elif kpi.target != kpi.baseline:
        figure.progress_rate = (value - kpi.baseline) / (kpi.target - kpi.baseline) * 100
    if value >= kpi.target:
        figure.status = "achieved"
    elif value >= figure.expected - 1e-9:
        figure.status = "on_track"
    else:
        figure.status = "behind"
    deadline = kpi.target_by
    if kpi.rule == "annual":
        deadline = fiscal_year_range(fiscal_year_of(as_of))[1]
    remaining = kpi.target - value
    if remaining <= 0:
        figure.needed_pace = 0.0
    else:
        months = months_between(as_of, deadline)
        figure.needed_pace = remaining / months if months > 0 else None
    return figure


# --- figures --------------------------------------------------------------------------------


def _cumulative(kpi: KpiDefinition, count: int | None, as_of: date) -> float | None:
    if as_of < kpi.baseline_as_of:
        return None
    return kpi.baseline + (count or 0)


def _level(kpi: KpiDefinition, levels: dict[str, tuple[float, date]], as_of: date) -> tuple[
    float | None, date | None
]:
    if kpi.code in levels:
        return levels[kpi.code]
    if as_of < kpi.baseline_as_of:
        return None, None
    return kpi.baseline, None


def compute_at(session: Session, as_of: date) -> list[KpiFigure]:
    """Every active KPI's value and progress at `as_of`."""
    kpis = active_kpis(session)
    counts = computed_counts(session, [as_of])
    levels = latest_levels(session, as_of)
    fy_start, _ = fiscal_year_range(fiscal_year_of(as_of))
    sums = annual_sums(session, fy_start, as_of)
    figures = []
    for kpi in kpis:
        figure = KpiFigure(kpi=kpi, as_of=as_of, value=None)
        if kpi.rule in COMPUTED_RULES:
            found = counts.get(kpi.code, Counts(0, [0]))
            figure.value = _cumulative(kpi, found.at[0], as_of)
            figure.reconciliation = found.reconciliation
        elif kpi.rule == "annual":
            figure.value = sums.get(kpi.code)
        else:
            figure.value, figure.measured_on = _level(kpi, levels, as_of)
        figures.append(_with_progress(figure))
    return figures


def compute_for_period(session: Session, period: FiscalPeriod) -> list[KpiFigure]:
    """Every active KPI for a fiscal quarter or year: count within it, value at its end."""
    return compute_for_periods(session, [period])[period]


def compute_for_periods(
    session: Session, periods: Sequence[FiscalPeriod]
) -> dict[FiscalPeriod, list[KpiFigure]]:
    """`compute_for_period` for several periods (a dashboard's trend), computed KPIs counted
    in one scan for all of them."""
    kpis = active_kpis(session)
    dates = sorted({d for p in periods for d in (p.start - timedelta(days=1), p.end)})
    position = {d: i for i, d in enumerate(dates)}
    counts = computed_counts(session, dates)
    levels = {d: latest_levels(session, d) for d in dates}
    figures: dict[FiscalPeriod, list[KpiFigure]] = {}
    for period in periods:
        before = period.start - timedelta(days=1)
        fy_start, _ = fiscal_year_range(period.fiscal_year)
        year_sums = annual_sums(session, fy_start, period.end)
        period_sums = annual_sums(session, period.start, period.end)
        figures[period] = []
        for kpi in kpis:
            figure = KpiFigure(kpi=kpi, as_of=period.end, value=None, period=period)
            if kpi.rule in COMPUTED_RULES:
                found = counts.get(kpi.code, Counts(0, [0] * len(dates)))
                at_before, at_end = found.at[position[before]], found.at[position[period.end]]
                figure.value = _cumulative(kpi, at_end, period.end)
                if figure.value is not None:
                    figure.period_count = at_end - at_before
                figure.reconciliation = found.reconciliation
            elif kpi.rule == "annual":
                figure.value = year_sums.get(kpi.code)
                figure.period_count = period_sums.get(kpi.code)
            else:
                figure.value, figure.measured_on = _level(kpi, levels[period.end], period.end)
                start_value, _ = _level(kpi, levels[before], before)
                if figure.value is not None and start_value is not None:
                    figure.period_count = figure.value - start_value
            figures[period].append(_with_progress(figure))
    return figures


@dataclass(frozen=True)
class SeriesPoint:
    """A computed KPI over one fiscal period: records counted in it, and the value at its end."""

    period: FiscalPeriod
    count: int
    cumulative: float | None


def computed_series(session: Session, periods: Sequence[FiscalPeriod]) -> dict[
    str, list[SeriesPoint]
]:
    """For each computed KPI, its count and cumulative value over consecutive periods.

    One query for all periods and KPIs (for trend columns and report charts).
    """
    if not periods:
        return {}
    kpis = [k for k in active_kpis(session) if k.rule in COMPUTED_RULES]
    dates = [periods[0].start - timedelta(days=1), *(p.end for p in periods)]
    counts = computed_counts(session, dates)
    series: dict[str, list[SeriesPoint]] = {}
    for kpi in kpis:
        at = counts.get(kpi.code, Counts(0, [0] * len(dates))).at
        series[kpi.code] = [
            SeriesPoint(
                period=p,
                count=at[i + 1] - at[i],
                cumulative=_cumulative(kpi, at[i + 1], p.end),
            )
            for i, p in enumerate(periods)
        ]
    return series


def evidence(
    session: Session,
    code: str,
    *,
    through: date | None = None,
    since: date | None = None,
    limit: int | None = None,
) -> list[EvidenceRow]:
    """The records behind a computed KPI, dated in [since, through], oldest first."""
    conditions = ["e.kpi_code = :code"]
    params: dict[str, Any] = {"code": code}
    binds: list[BindParameter[Any]] = []
    if through is not None:
        conditions.append("e.counted_on <= :through")
        params["through"] = through
        binds.append(bindparam("through", type_=Date))
    if since is not None:
        conditions.append("e.counted_on >= :since")
        params["since"] = since
        binds.append(bindparam("since", type_=Date))
    sql = (
        "SELECT e.kpi_code, e.record_type, e.record_id, e.counted_on, e.title,"
        " e.organization_id FROM kpi_evidence e WHERE "
        + " AND ".join(conditions)
        + " ORDER BY e.counted_on, e.record_type, e.record_id"
    )
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
        binds.append(bindparam("limit", type_=Integer))
    query = text(sql).bindparams(*binds).columns(counted_on=Date)
    rows = session.execute(query, params).all()
    names = _organization_names(session, rows)
    return [
        EvidenceRow(
            kpi_code=row.kpi_code,
            record_type=row.record_type,
            record_id=int(row.record_id),
            counted_on=row.counted_on,
            title=row.title,
            organizations=names.get((row.record_type, int(row.record_id)), ""),
        )
        for row in rows
    ]


def _organization_names(session: Session, rows: Sequence[Any]) -> dict[tuple[str, int], str]:
    """The organizations of each evidence record: the company met, or the partners."""
    names: dict[tuple[str, int], list[str]] = {}
    company_ids = {int(r.organization_id) for r in rows if r.organization_id is not None}
    if company_ids:
        query = text("SELECT id, name FROM organization WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        company = {row[0]: row[1] for row in session.execute(query, {"ids": sorted(company_ids)})}
        for r in rows:
            if r.organization_id is not None:
                names[(r.record_type, int(r.record_id))] = [company[int(r.organization_id)]]
    agreement_ids = sorted({int(r.record_id) for r in rows if r.record_type == "agreement"})
    if agreement_ids:
        query = text(
            "SELECT p.agreement_id, o.name FROM agreement_partner p"
            " JOIN organization o ON o.id = p.organization_id"
            " WHERE p.agreement_id IN :ids"
            " ORDER BY p.agreement_id, COALESCE(o.kana_sort_key, o.name), o.id"
        ).bindparams(bindparam("ids", expanding=True))
        for agreement_id, name in session.execute(query, {"ids": agreement_ids}):
            names.setdefault(("agreement", int(agreement_id)), []).append(name)
    return {key: "; ".join(value) for key, value in names.items()}
