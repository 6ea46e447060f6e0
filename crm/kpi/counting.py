"""Counting computed KPIs straight from the base tables, one plain SELECT per KPI.

Each KPI's statement is generated from its counting branch in crm.kpi.rules (the records,
their `present` condition, the weight, each filter's match) with the KPI's own filter values
bound as parameters: the same rule the `kpi_counted_record` view states, without the view's
join of every KPI with every record and its correlated `kpi_count_filter` lookups, so each
database plans it as it would a hand-written count (tests/test_kpi_counting.py holds the two
equal). Plain SQLAlchemy Core over the documented table names (docs/schema.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import BindParameter, Date, bindparam, text
from sqlalchemy.orm import Session

from crm.kpi.rules import FIRST_MEETING_TAG, CountingBranch, CountRule, branch


class CountedKpi(Protocol):
    """What counting needs of a computed KPI: its id, rule and baseline date."""

    @property
    def id(self) -> int: ...

    @property
    def count(self) -> CountRule | None: ...

    @property
    def baseline_as_of(self) -> date: ...


@dataclass(frozen=True)
class Counts:
    """A computed KPI's records (sum of weights): before its baseline (reconciliation) and up
    to each date."""

    reconciliation: int
    at: list[int]


def _records(b: CountingBranch, values: dict[str, str]) -> tuple[str, str]:
    """The FROM and WHERE of branch `b`'s records with the filters `values` (filter code ->
    bound parameter list), and the column holding each record's date."""
    if b.measure == "first_time_organizations":
        # Each organization's first active meeting passing the tag filter; the organization's
        # own filters after the grouping, as the view applies them.
        tagged = (f" AND {FIRST_MEETING_TAG.sql(values['tag'])}" if "tag" in values else "")
        inner = ("SELECT mo.organization_id, MIN(m1.held_on) AS held_on"
                 " FROM meeting m1 JOIN meeting_organization mo ON mo.meeting_id = m1.id"
                 f" WHERE m1.archived_at IS NULL{tagged} GROUP BY mo.organization_id")
        sql = f"FROM ({inner}) fm JOIN {b.records} ON o.id = fm.organization_id"
        column = "fm.held_on"
        own = [(name, match) for name, match in b.filters if name != "tag"]
    else:
        sql = f"FROM {b.records}"
        column = f"{b.alias}.{b.counted_on}"
        own = list(b.filters)
    conditions = [b.present] + [match.sql(values[name]) for name, match in own
                                if name in values]
    return f"{sql} WHERE {' AND '.join(conditions)}", column


def _select(kpi: CountedKpi, position: int, dates: int) -> tuple[str, dict[str, Any]]:
    """The SELECT of one KPI's row (id, reconciliation, one sum per date) and its filter
    values by parameter name."""
    assert kpi.count is not None
    b = branch(kpi.count.source, kpi.count.measure)
    params: dict[str, Any] = {}
    values: dict[str, list[str]] = {}
    for name, value in kpi.count.filter_rows():
        key = f"f{position}_{len(params)}"
        params[key] = value
        values.setdefault(name, []).append(f":{key}")
    sql, column = _records(b, {name: ", ".join(keys) for name, keys in values.items()})
    baseline = f":b{position}"
    sums = [f"SUM(CASE WHEN {column} <= {baseline} THEN {b.weight} ELSE 0 END)"] + [
        f"SUM(CASE WHEN {column} > {baseline} AND {column} <= :d{i} THEN {b.weight} ELSE 0 END)"
        for i in range(dates)
    ]
    return f"SELECT {int(kpi.id)}, {', '.join(sums)} {sql}", params


def count_from_tables(session: Session, kpis: Sequence[CountedKpi],
                      dates: Sequence[date]) -> dict[int, Counts]:
    """For each of `kpis` with a counting rule (by id): the weight of its records dated on
    or before its baseline date, and for each of `dates` of those after the baseline dated on
    or before it; what `kpi_counted_record` / `kpi_evidence` give, in one statement."""
    counted = [k for k in kpis if k.count is not None]
    if not counted:
        return {}
    selects: list[str] = []
    params: dict[str, Any] = {}
    binds: list[BindParameter[Any]] = []
    for position, kpi in enumerate(counted):
        select, values = _select(kpi, position, len(dates))
        selects.append(select)
        params |= values
        params[f"b{position}"] = kpi.baseline_as_of
        binds.append(bindparam(f"b{position}", type_=Date))
    params |= {f"d{i}": d for i, d in enumerate(dates)}
    binds += [bindparam(f"d{i}", type_=Date) for i in range(len(dates))]
    query = text(" UNION ALL ".join(selects)).bindparams(*binds)
    return {
        int(row[0]): Counts(reconciliation=int(row[1] or 0), at=[int(c or 0) for c in row[2:]])
        for row in session.execute(query, params)
    }
