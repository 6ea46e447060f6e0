"""Counting computed KPIs straight from the base tables: one plain SELECT per KPI, run
together as one UNION ALL statement.

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
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Date, bindparam, text

from crm.kpi.rules import FIRST_MEETING_TAG, CountingBranch, CountRule, branch

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session


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
        # CROSS JOIN: SQLite reads the meetings in order and looks up their links, rather
        # than visiting the meetings in organization order (the view does the same).
        inner = ("SELECT mo.organization_id, MIN(m1.held_on) AS held_on"
                 " FROM meeting m1 CROSS JOIN meeting_organization mo"
                 " WHERE mo.meeting_id = m1.id AND m1.archived_at IS NULL"
                 f"{tagged} GROUP BY mo.organization_id")
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
    """The SELECT of one KPI's rows (id, bucket, sum of weights) and its filter values by
    parameter name."""
    assert kpi.count is not None
    b = branch(kpi.count.source, kpi.count.measure)
    params: dict[str, Any] = {}
    values: dict[str, list[str]] = {}
    for name, value in kpi.count.filter_rows():
        key = f"f{position}_{len(params)}"
        params[key] = value
        values.setdefault(name, []).append(f":{key}")
    sql, column = _records(b, {name: ", ".join(keys) for name, keys in values.items()})
    # Each record's bucket: -1 on or before the baseline, else the first date on or after it
    # (the dates sorted); a searched CASE stops at the first match.
    buckets = "".join(f" WHEN {column} <= :d{i} THEN {i}" for i in range(dates))
    bucket = f"CASE WHEN {column} <= :b{position} THEN -1{buckets} END"
    return f"SELECT {int(kpi.id)}, {bucket}, SUM({b.weight}) {sql} GROUP BY 2", params


def count_from_tables(session: Connection | Session, kpis: Sequence[CountedKpi],
                      dates: Sequence[date]) -> dict[int, Counts]:
    """For each of `kpis` with a counting rule (by id): the weight of its records dated on
    or before its baseline date, and for each of `dates` of those after the baseline dated on
    or before it; what `kpi_counted_record` / `kpi_evidence` give, in one statement."""
    counted = [k for k in kpis if k.count is not None]
    if not counted:
        return {}
    ordered = sorted(set(dates))
    selects: list[str] = []
    params: dict[str, Any] = {f"d{i}": d for i, d in enumerate(ordered)}
    binds = [bindparam(f"d{i}", type_=Date) for i in range(len(ordered))]
    for position, kpi in enumerate(counted):
        select, values = _select(kpi, position, len(ordered))
        selects.append(select)
        params |= values | {f"b{position}": kpi.baseline_as_of}
        binds.append(bindparam(f"b{position}", type_=Date))
    query = text(" UNION ALL ".join(selects)).bindparams(*binds)
    reconciliation = dict.fromkeys((k.id for k in counted), 0)
    within = {k.id: [0] * len(ordered) for k in counted}
    for kpi_id, bucket, weight in session.execute(query, params):
        if bucket == -1:
            reconciliation[int(kpi_id)] = int(weight or 0)
        elif bucket is not None:
            within[int(kpi_id)][int(bucket)] = int(weight or 0)
    at = {kpi_id: list(accumulate(sums)) for kpi_id, sums in within.items()}
    index = {d: i for i, d in enumerate(ordered)}
    return {kpi_id: Counts(reconciliation=reconciliation[kpi_id],
                           at=[at[kpi_id][index[d]] for d in dates])
            for kpi_id in reconciliation}
