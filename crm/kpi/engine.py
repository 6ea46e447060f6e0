"""The KPI engine: every KPI of every plan, counted in SQL (../shared/spec/kpis.md,
docs/plans.md).

Computed KPIs are counted from the base tables by their rules (crm.kpi.counting: the sum
of each record's weight), split at each KPI's baseline date exactly as the `kpi_evidence`
view is, and held equal to counting the `kpi_counted_record` view by a test; measured
KPIs from `kpi_measurement`. Python only combines the handful of per-KPI totals the queries
return with the progress arithmetic: the target in force at the date (revisions), the
expected line through interim targets, the plan's formula, direction and grading, and from
the target date on the final judgement.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Date, Integer, String, bindparam, text

from crm.calendar import FiscalPeriod, fiscal_year_of, fiscal_year_range, months_between
from crm.errors import DataError, NotFoundError
from crm.kpi.counting import Counts, count_from_tables
from crm.kpi.plan_file import TargetRevision
from crm.kpi.rules import COMPUTED_RULES, DEFAULT_GRADING, CountRule
from crm.reader import Reader, by_ids
from crm.vocabulary import KPI_STATUS_LABELS

#: `plans` argument of the figures' functions: every plan, or these plan codes.
ALL_PLANS = None


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
    baseline: float
    baseline_as_of: date
    baseline_label: str | None
    target: float
    target_by: date
    target_label: str | None
    sort_order: int
    plan_code: str = ""
    formula: str = "ratio"
    direction: str = "higher"
    count: CountRule | None = None
    revisions: tuple[TargetRevision, ...] = ()
    grading: tuple[tuple[str, float], ...] = DEFAULT_GRADING

    @property
    def key(self) -> str:
        """'plan/code': which KPI this is across plans (a code is unique only in its plan)."""
        return f"{self.plan_code}/{self.code}"

    def name(self, lang: str) -> str:
        """The KPI's name in `lang`."""
        return self.name_ja if lang == "ja" else self.name_en

    def target_at(self, as_of: date) -> tuple[float, date]:
        """The target and its date in force at `as_of`: the latest revision made on or before
        it, else the original."""
        target = (self.target, self.target_by)
        for revision in self.revisions:
            if revision.revised_on <= as_of:
                target = (revision.target, revision.target_by)
        return target

    def knots(self, as_of: date) -> list[tuple[date, float]]:
        """The expected line at `as_of`: from the baseline through the earlier (interim)
        targets of the versions in force so far, to the target in force."""
        target, target_by = self.target_at(as_of)
        versions = [(self.target_by, self.target)] + [
            (r.target_by, r.target) for r in self.revisions if r.revised_on <= as_of]
        interim = {by: value for by, value in versions
                   if self.baseline_as_of < by < target_by}
        return [(self.baseline_as_of, self.baseline), *sorted(interim.items()),
                (target_by, target)]

    def better(self, value: float, than: float) -> bool:
        """Whether `value` is at least as good as `than` in the KPI's direction."""
        return value >= than if self.direction == "higher" else value <= than

    def grade(self, rate: float | None) -> str | None:
        """The plan's grade for an achievement `rate` (%), the letter after the table's last
        below its lowest threshold."""
        if rate is None:
            return None
        for letter, threshold in self.grading:
            if round(rate, 6) >= threshold:
                return letter
        return chr(ord(self.grading[-1][0][0]) + 1)


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
    #: Where the measurement shown comes from (kpi_measurement.source), if it says.
    measurement_source: str | None = None
    expected: float | None = None
    achievement_rate: float | None = None
    progress_rate: float | None = None
    status: str = "unknown"
    needed_pace: float | None = None
    target: float | None = None
    target_by: date | None = None
    grade: str | None = None
    judgement: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.kpi.code

    def status_label(self, lang: str) -> str:
        """達成 / 順調 / 遅れ / 未達成 (or English), — when unknown."""
        ja, en = KPI_STATUS_LABELS[self.status]
        return ja if lang == "ja" else en

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ISO dates, numbers as numbers, null for unknown."""
        k = self.kpi
        target, target_by = k.target_at(self.as_of)
        data: dict[str, Any] = {
            "plan": k.plan_code,
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
            "target": _number(target),
            "target_by": target_by.isoformat(),
            "target_label": k.target_label,
            "original_target": _number(k.target),
            "original_target_by": k.target_by.isoformat(),
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
            "grade": self.grade,
            "judgement": self.judgement,
            "needed_pace": _number(self.needed_pace),
            "reconciliation_records": self.reconciliation,
            "measured_on": self.measured_on.isoformat() if self.measured_on else None,
            "measurement_source": self.measurement_source,
        }
        return data


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """A record that adds its weight (1, or an event's attendees) to a computed KPI.

    A report holds every one up to its period's end (160,000 for the 1M-meeting annual):
    slots and shared code strings keep each small."""

    kpi_code: str
    record_type: str
    record_id: int
    counted_on: date
    title: str
    organizations: str
    weight: int = 1


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


# --- queries --------------------------------------------------------------------------------


#: The active plans, oldest first (`plans_in_force` narrows it to a fiscal year).
_ACTIVE_PLANS = ("SELECT code FROM plan WHERE archived_at IS NULL{where}"
                 " ORDER BY first_fiscal_year, code")


def plans_in_force(session: Reader, fiscal_year: int) -> list[str]:
    """The codes of the active plans whose years include `fiscal_year`, oldest first."""
    query = text(_ACTIVE_PLANS.format(
        where=" AND first_fiscal_year <= :year AND last_fiscal_year >= :year"))
    return list(session.scalars(query, {"year": fiscal_year}))


def select_plans(session: Reader, plan: str | None, fiscal_year: int) -> list[str] | None:
    """The plans `crm kpi --plan` means: None (every plan) for 'all', the plans in force in
    `fiscal_year` when not given, else the one named (NotFoundError if unknown)."""
    if plan is None:
        return plans_in_force(session, fiscal_year)
    if plan.strip() == "all":
        return ALL_PLANS
    codes = list(session.scalars(text(_ACTIVE_PLANS.format(where=""))))
    if plan.strip() not in codes:
        raise NotFoundError(f"unknown plan {plan!r}; known: {', '.join(codes)}, all",
                            ja=f"計画 {plan!r} は存在しません。既知のコード:"
                               f" {', '.join(codes)}, all",
                            field="plan")
    return [plan.strip()]


def active_kpis(session: Reader, plans: Sequence[str] | None = ALL_PLANS) -> list[KpiDefinition]:
    """The active KPI definitions of the active plans (or of `plans`) in reporting order:
    plans oldest first, then each plan's KPI order."""
    in_plans = "" if plans is None else " AND p.code IN :plans"
    query = text(
        "SELECT k.id, k.code, k.basic_policy, k.policy_ref, k.name_ja, k.name_en, k.unit,"
        " k.kind, k.rule, k.baseline, k.baseline_as_of, k.baseline_label, k.target,"
        " k.target_by, k.target_label, k.sort_order, p.code AS plan_code, k.formula,"
        " k.direction, k.count_source, k.count_measure, k.plan_id"
        " FROM kpi k JOIN plan p ON p.id = k.plan_id"
        f" WHERE k.archived_at IS NULL AND p.archived_at IS NULL{in_plans}"
        " ORDER BY p.first_fiscal_year, p.code, k.sort_order, k.id"
    ).columns(baseline_as_of=Date, target_by=Date)
    if plans is not None:
        # Typed: an empty list is expanded to an empty set of that type (PostgreSQL checks it).
        query = query.bindparams(bindparam("plans", expanding=True, type_=String))
    rows = session.execute(query, {} if plans is None else {"plans": list(plans)}).all()
    ids = [int(k.id) for k in rows]
    plan_ids = sorted({int(k.plan_id) for k in rows})
    grading: dict[int, list[tuple[str, float]]] = {}
    for plan_id, grade, threshold in session.execute(by_ids(
            "SELECT plan_id, grade, threshold FROM plan_grade WHERE plan_id IN :ids"
            " ORDER BY threshold DESC"), {"ids": plan_ids}):
        grading.setdefault(int(plan_id), []).append((grade, float(threshold)))
    revisions: dict[int, list[TargetRevision]] = {}
    for r in session.execute(by_ids(
            "SELECT kpi_id, revised_on, target, target_by, reason FROM kpi_target_revision"
            " WHERE kpi_id IN :ids AND archived_at IS NULL ORDER BY revised_on",
            revised_on=Date, target_by=Date), {"ids": ids}):
        revisions.setdefault(int(r.kpi_id), []).append(TargetRevision(
            revised_on=r.revised_on, target=float(r.target), target_by=r.target_by,
            reason=r.reason))
    filters: dict[int, list[tuple[str, str]]] = {}
    for kpi_id, name, value in session.execute(by_ids(
            'SELECT kpi_id, "filter", "value" FROM kpi_count_filter WHERE kpi_id IN :ids'
            ' ORDER BY "filter", "value"'), {"ids": ids}):
        filters.setdefault(int(kpi_id), []).append((name, value))
    return [
        KpiDefinition(
            id=int(k.id), code=k.code, basic_policy=int(k.basic_policy),
            policy_ref=k.policy_ref, name_ja=k.name_ja, name_en=k.name_en, unit=k.unit,
            kind=k.kind, rule=k.rule, baseline=float(k.baseline),
            baseline_as_of=k.baseline_as_of, baseline_label=k.baseline_label,
            target=float(k.target), target_by=k.target_by, target_label=k.target_label,
            sort_order=int(k.sort_order), plan_code=k.plan_code, formula=k.formula,
            direction=k.direction,
            count=None if k.count_source is None else CountRule.from_rows(
                k.count_source, k.count_measure or "records", filters.get(int(k.id), [])),
            revisions=tuple(revisions.get(int(k.id), [])),
            grading=tuple(grading.get(int(k.plan_id), [])) or DEFAULT_GRADING,
        )
        for k in rows
    ]


def computed_counts(session: Reader, kpis: Sequence[KpiDefinition],
                    dates: Sequence[date]) -> dict[int, Counts]:
    """For each computed KPI of `kpis` (by id): the weight of its records dated on or before
    the baseline date, and for each of `dates` of the records after the baseline dated on or
    before it (the `kpi_evidence` rows).

    Counted from the base tables, one SELECT per KPI generated from its rule
    (crm.kpi.counting); the reconciliation (records the baseline covers) is shown beside
    each baseline figure.
    """
    return count_from_tables(session, [k for k in kpis if k.rule in COMPUTED_RULES], dates)


class Level(NamedTuple):
    """A measured KPI's value at a date: the latest measurement's value, date and source."""

    value: float | None
    measured_on: date | None
    source: str | None = None


def latest_levels(session: Reader, as_of: date) -> dict[int, Level]:
    """For each level or milestone KPI (by id), its latest measurement on or before `as_of`."""
    query = text(
        "SELECT kpi_id, value, measured_on, source FROM ("
        " SELECT m.kpi_id AS kpi_id, m.value AS value, m.measured_on AS measured_on,"
        "  m.source AS source,"
        "  ROW_NUMBER() OVER (PARTITION BY m.kpi_id ORDER BY m.measured_on DESC, m.id DESC)"
        "   AS position"
        " FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id"
        " WHERE m.archived_at IS NULL AND k.rule IN ('level', 'milestone')"
        "  AND m.measured_on <= :as_of"
        ") latest WHERE position = 1"
    ).bindparams(bindparam("as_of", type_=Date)).columns(measured_on=Date)
    return {
        int(kpi_id): Level(float(value), measured_on, source)
        for kpi_id, value, measured_on, source in session.execute(query, {"as_of": as_of})
    }


def annual_sums(session: Reader, start: date, end: date) -> dict[int, float]:
    """For each annual KPI (by id) with a measurement dated in [start, end], the sum of those."""
    query = text(
        "SELECT m.kpi_id, SUM(m.value) FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id"
        " WHERE m.archived_at IS NULL AND k.rule = 'annual'"
        "  AND m.measured_on >= :start AND m.measured_on <= :end GROUP BY m.kpi_id"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    return {int(kpi_id): float(total)
            for kpi_id, total in session.execute(query, {"start": start, "end": end})}


def computed_kpi(session: Reader, code: str, plan: str | None = None) -> KpiDefinition:
    """The active computed KPI with this code (in `plan`, needed where two plans share the
    code); DataError naming the computed codes otherwise."""
    kpis = [k for k in active_kpis(session, None if plan is None else [plan])
            if k.rule in COMPUTED_RULES]
    found = [k for k in kpis if k.code == code.strip()]
    if len(found) == 1:
        return found[0]
    if found:
        plans = ", ".join(k.plan_code for k in found)
        raise DataError(f"KPI {code!r} exists in plans {plans}: name one with --plan",
                        ja=f"KPI {code!r} は複数の計画（{plans}）にあります。"
                           "--plan で指定してください",
                        field="plan")
    codes = ", ".join(k.code for k in kpis)
    raise DataError(
        f"{code!r} is not a computed KPI; evidence exists for: {codes}",
        ja=f"{code!r} は自動集計の KPI ではありません。根拠を出せるのは: {codes}",
        field="kpi",
    )


# --- progress arithmetic --------------------------------------------------------------------


def expected_value(kpi: KpiDefinition, as_of: date) -> float:
    """Where the KPI should be at `as_of` on the line to the target in force.

    Cumulative and level KPIs: straight from (baseline date, baseline) through each interim
    target to (target date, target). Annual KPIs restart every fiscal year: from 0 on its
    first day to the annual target on its last.
    """
    if kpi.rule == "annual":
        start, end = fiscal_year_range(fiscal_year_of(as_of))
        elapsed = (as_of - start).days + 1
        return kpi.target_at(as_of)[0] * elapsed / ((end - start).days + 1)
    knots = kpi.knots(as_of)
    if as_of <= knots[0][0]:
        return knots[0][1]
    for (day0, value0), (day1, value1) in zip(knots, knots[1:], strict=False):
        if as_of < day1:
            share = (as_of - day0).days / (day1 - day0).days
            return value0 + (value1 - value0) * share
    return knots[-1][1]


def _rate(kpi: KpiDefinition, value: float, target: float) -> float | None:
    """value ÷ target in %, or target ÷ value where lower is better; None when undefined."""
    if kpi.direction == "higher":
        return value / target * 100 if target else None
    return target / value * 100 if value else None


def _with_progress(figure: KpiFigure) -> KpiFigure:
    kpi, value, as_of = figure.kpi, figure.value, figure.as_of
    target, target_by = kpi.target_at(as_of)
    figure.target, figure.target_by = target, target_by
    figure.expected = expected_value(kpi, as_of)
    if value is None:
        return figure
    figure.achievement_rate = _rate(kpi, value, target)
    if kpi.rule == "annual":
        # An annual figure restarts every April: progress is the year so far against the
        # target prorated to date, not against a baseline from an earlier year.
        if figure.expected:
            figure.progress_rate = _rate(kpi, value, figure.expected)
    elif target != kpi.baseline:
        figure.progress_rate = (value - kpi.baseline) / (target - kpi.baseline) * 100
    figure.grade = kpi.grade(
        figure.achievement_rate if kpi.formula == "ratio" else figure.progress_rate)
    final = as_of >= target_by  # on the target day the result is known: 達成 or 未達成
    if kpi.better(value, target):
        figure.status = "achieved"
    elif final:
        figure.status = "not_achieved"
    elif kpi.better(value, figure.expected - 1e-9 if kpi.direction == "higher"
                    else figure.expected + 1e-9):
        figure.status = "on_track"
    else:
        figure.status = "behind"
    if final:
        figure.judgement = "achieved" if figure.status == "achieved" else "not_achieved"
    deadline = target_by
    if kpi.rule == "annual":
        deadline = fiscal_year_range(fiscal_year_of(as_of))[1]
    remaining = target - value if kpi.direction == "higher" else value - target
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


def _level(kpi: KpiDefinition, levels: dict[int, Level], as_of: date) -> Level:
    if kpi.id in levels:
        return levels[kpi.id]
    if as_of < kpi.baseline_as_of:
        return Level(None, None)
    return Level(kpi.baseline, None)


def compute_at(session: Reader, as_of: date,
               plans: Sequence[str] | None = ALL_PLANS) -> list[KpiFigure]:
    """Every active KPI's value and progress at `as_of` (of `plans` only, if given)."""
    kpis = active_kpis(session, plans)
    counts = computed_counts(session, kpis, [as_of])
    levels = latest_levels(session, as_of)
    fy_start, _ = fiscal_year_range(fiscal_year_of(as_of))
    sums = annual_sums(session, fy_start, as_of)
    figures = []
    for kpi in kpis:
        figure = KpiFigure(kpi=kpi, as_of=as_of, value=None)
        if kpi.rule in COMPUTED_RULES:
            found = counts.get(kpi.id, Counts(0, [0]))
            figure.value = _cumulative(kpi, found.at[0], as_of)
            figure.reconciliation = found.reconciliation
        elif kpi.rule == "annual":
            figure.value = sums.get(kpi.id)
        else:
            figure.value, figure.measured_on, figure.measurement_source = _level(
                kpi, levels, as_of)
        figures.append(_with_progress(figure))
    return figures


def compute_for_period(session: Reader, period: FiscalPeriod,
                       plans: Sequence[str] | None = ALL_PLANS) -> list[KpiFigure]:
    """Every active KPI for a fiscal quarter or year: count within it, value at its end."""
    return compute_for_periods(session, [period], plans)[period]


def compute_for_periods(
    session: Reader, periods: Sequence[FiscalPeriod], plans: Sequence[str] | None = ALL_PLANS
) -> dict[FiscalPeriod, list[KpiFigure]]:
    """`compute_for_period` for several periods (a dashboard's trend), computed KPIs counted
    in one scan for all of them."""
    kpis = active_kpis(session, plans)
    dates = sorted({d for p in periods for d in (p.start - timedelta(days=1), p.end)})
    position = {d: i for i, d in enumerate(dates)}
    counts = computed_counts(session, kpis, dates)
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
                found = counts.get(kpi.id, Counts(0, [0] * len(dates)))
                at_before, at_end = found.at[position[before]], found.at[position[period.end]]
                figure.value = _cumulative(kpi, at_end, period.end)
                if figure.value is not None:
                    figure.period_count = at_end - at_before
                figure.reconciliation = found.reconciliation
            elif kpi.rule == "annual":
                figure.value = year_sums.get(kpi.id)
                figure.period_count = period_sums.get(kpi.id)
            else:
                figure.value, figure.measured_on, figure.measurement_source = _level(
                    kpi, levels[period.end], period.end)
                start_value = _level(kpi, levels[before], before).value
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


def computed_series(session: Reader, periods: Sequence[FiscalPeriod],
                    plans: Sequence[str] | None = ALL_PLANS) -> dict[int, list[SeriesPoint]]:
    """For each computed KPI (by id), its count and cumulative value over consecutive periods.

    One query for all periods and KPIs (for trend columns and report charts).
    """
    if not periods:
        return {}
    kpis = [k for k in active_kpis(session, plans) if k.rule in COMPUTED_RULES]
    dates = [periods[0].start - timedelta(days=1), *(p.end for p in periods)]
    counts = computed_counts(session, kpis, dates)
    series: dict[int, list[SeriesPoint]] = {}
    for kpi in kpis:
        at = counts.get(kpi.id, Counts(0, [0] * len(dates))).at
        series[kpi.id] = [
            SeriesPoint(
                period=p,
                count=at[i + 1] - at[i],
                cumulative=_cumulative(kpi, at[i + 1], p.end),
            )
            for i, p in enumerate(periods)
        ]
    return series


def evidence(
    session: Reader,
    code: str,
    *,
    plan: str | None = None,
    through: date | None = None,
    since: date | None = None,
    limit: int | None = None,
    offset: int = 0,
    kpi_id: int | None = None,
) -> list[EvidenceRow]:
    """The records behind a computed KPI (of `plan`, where two plans share the code), dated
    in [since, through], oldest first (`limit` of them after `offset`, if given). `kpi_id`,
    the KPI's id if known, lets SQLite read only that KPI's branch of the view."""
    conditions = ["e.kpi_code = :code"]
    params: dict[str, Any] = {"code": code}
    binds: list[BindParameter[Any]] = []
    if plan is not None:
        conditions.append("e.plan_code = :plan")
        params["plan"] = plan
    if kpi_id is not None:
        conditions.append("e.kpi_id = :kpi_id")
        params["kpi_id"] = kpi_id
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
        " e.organization_id, e.weight FROM kpi_evidence e WHERE "
        + " AND ".join(conditions)
        + " ORDER BY e.counted_on, e.record_type, e.record_id"
    )
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params |= {"limit": limit, "offset": offset}
        binds += [bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)]
    query = text(sql).bindparams(*binds).columns(counted_on=Date)
    rows = session.execute(query, params).all()
    names = _organization_names(session, rows)
    return [
        EvidenceRow(
            kpi_code=sys.intern(row.kpi_code),
            record_type=sys.intern(row.record_type),
            record_id=int(row.record_id),
            counted_on=row.counted_on,
            title=row.title,
            organizations=names.get(_names_key(row), ""),
            weight=int(row.weight),
        )
        for row in rows
    ]


def _names_key(row: Any) -> tuple[str, int, int | None]:
    """An evidence row's key for its organizations: a meeting that first counts two companies
    is two rows, each naming its own company."""
    organization = None if row.organization_id is None else int(row.organization_id)
    return row.record_type, int(row.record_id), organization


def _organization_names(
    session: Reader, rows: Sequence[Any]
) -> dict[tuple[str, int, int | None], str]:
    """The organizations of each evidence row (`_names_key`): the company met, or the
    partners."""
    names: dict[tuple[str, int, int | None], list[str]] = {}
    company_ids = {int(r.organization_id) for r in rows if r.organization_id is not None}
    if company_ids:
        query = by_ids("SELECT id, name FROM organization WHERE id IN :ids")
        company = {row[0]: row[1] for row in session.execute(query, {"ids": sorted(company_ids)})}
        for r in rows:
            if r.organization_id is not None:
                names[_names_key(r)] = [company[int(r.organization_id)]]
    agreement_ids = sorted({int(r.record_id) for r in rows if r.record_type == "agreement"})
    if agreement_ids:
        query = by_ids(
            "SELECT p.agreement_id, o.name FROM agreement_partner p"
            " JOIN organization o ON o.id = p.organization_id"
            " WHERE p.agreement_id IN :ids"
            " ORDER BY p.agreement_id, COALESCE(o.kana_sort_key, o.name), o.id"
        )
        for agreement_id, name in session.execute(query, {"ids": agreement_ids}):
            names.setdefault(("agreement", int(agreement_id), None), []).append(name)
    return {key: "; ".join(value) for key, value in names.items()}
