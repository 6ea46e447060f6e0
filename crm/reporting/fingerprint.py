"""The data fingerprint printed on a KPI report: SHA-256 over the data the report counted.

Recipe (version 1), recomputable by an auditor with nothing but Python's sqlite3 and hashlib
(docs/reports.md shows the script). With END the period's last day as 'YYYY-MM-DD', the UTF-8
text hashed is the concatenation of these lines, each ending in "\\n":

1. ``kakogawa-crm-fingerprint/1|START|END`` (the period's first and last day);
2. one line per active KPI definition, ``K|code|rule|baseline|baseline_as_of|target|target_by``
   from ``SELECT code, rule, baseline, baseline_as_of, target, target_by FROM kpi
   WHERE archived_at IS NULL ORDER BY code``;
3. one line per evidence record counted by the period's end, ``E|kpi_code|record_type|
   record_id|counted_on`` from ``SELECT kpi_code, record_type, record_id, counted_on FROM
   kpi_evidence WHERE counted_on <= END ORDER BY kpi_code, counted_on, record_type,
   record_id``;
4. one line per measurement of an active KPI dated by the period's end,
   ``M|code|measurement_id|measured_on|value`` from ``SELECT k.code, m.id, m.measured_on,
   m.value FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id WHERE m.archived_at IS NULL
   AND k.archived_at IS NULL AND m.measured_on <= END ORDER BY k.code, m.measured_on, m.id``;
5. one line per active target revision of an active KPI, ``R|plan|code|revised_on|target|
   target_by`` from ``SELECT p.code, k.code, r.revised_on, r.target, r.target_by FROM
   kpi_target_revision r JOIN kpi k ON k.id = r.kpi_id JOIN plan p ON p.id = k.plan_id WHERE
   r.archived_at IS NULL AND k.archived_at IS NULL ORDER BY p.code, k.code, r.revised_on``;
6. one line per evidence record counted by the period's end that weighs other than 1 (an
   attendees KPI), ``W|plan|kpi_code|record_type|record_id|weight`` from ``SELECT plan_code,
   kpi_code, record_type, record_id, weight FROM kpi_evidence WHERE weight <> 1 AND
   counted_on <= END ORDER BY plan_code, kpi_code, record_type, record_id``;
7. one line per active KPI judged otherwise than by ratio with higher better,
   ``F|plan|code|formula|direction`` from ``SELECT p.code, k.code, k.formula, k.direction
   FROM kpi k JOIN plan p ON p.id = k.plan_id WHERE k.archived_at IS NULL AND (k.formula <>
   'ratio' OR k.direction <> 'higher') ORDER BY p.code, k.code``.

8. one line per agreement in the register at the period's end (in force on END by its status
   history, migration 0010), ``A|agreement_id|status|concluded_on|starts_on|ends_on`` from
   REGISTER_SQL below (a missing date is written ``None``).
9. one line per measurement of line 4 that names its source (migration 0013),
   ``S|code|measurement_id|source`` from SOURCE_SQL below (sorted by code, then id).

Lines 5–7 came with plans (migration 0006); a database of the one shipped plan without
revisions has none, so its fingerprints are those printed before. Lines 8 came with the
status history (migration 0010): a period with agreements in force gets another fingerprint
than before, as the register is now part of what it covers. Lines 9 came with measurement
sources (migration 0013): a database whose measurements name no source keeps its fingerprints.
Rows of two plans sharing a KPI code sort by all their cells.

Numbers are written with Python's ``repr(float(x))`` (``645.0``), integers with ``str``, dates
as 'YYYY-MM-DD'. The fingerprint is the lowercase hex digest. Text sorts by code point (SQLite's
default BINARY collation); on PostgreSQL, whose collation may differ, the program sorts the
rows itself in that order, so both backends give the same fingerprint for the same data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

from crm.calendar import FiscalPeriod

VERSION_LINE = "kakogawa-crm-fingerprint/1"

KPI_SQL = (
    "SELECT code, rule, baseline, baseline_as_of, target, target_by FROM kpi"
    " WHERE archived_at IS NULL ORDER BY code"
)
EVIDENCE_SQL = (
    "SELECT kpi_code, record_type, record_id, counted_on FROM kpi_evidence"
    " WHERE counted_on <= :end ORDER BY kpi_code, counted_on, record_type, record_id"
)
REVISION_SQL = (
    "SELECT p.code, k.code, r.revised_on, r.target, r.target_by FROM kpi_target_revision r"
    " JOIN kpi k ON k.id = r.kpi_id JOIN plan p ON p.id = k.plan_id"
    " WHERE r.archived_at IS NULL AND k.archived_at IS NULL ORDER BY p.code, k.code, r.revised_on"
)
WEIGHT_SQL = (
    "SELECT plan_code, kpi_code, record_type, record_id, weight FROM kpi_evidence"
    " WHERE weight <> 1 AND counted_on <= :end"
    " ORDER BY plan_code, kpi_code, record_type, record_id"
)
JUDGED_SQL = (
    "SELECT p.code, k.code, k.formula, k.direction FROM kpi k JOIN plan p ON p.id = k.plan_id"
    " WHERE k.archived_at IS NULL AND (k.formula <> 'ratio' OR k.direction <> 'higher')"
    " ORDER BY p.code, k.code"
)
#: The agreements in force on :end by their status history: the state recorded last among
#: those effective by :end, concluded (or ended later) by then and not past its term.
REGISTER_FROM = (
    " FROM agreement a JOIN agreement_status_change c ON c.agreement_id = a.id"
    " WHERE a.archived_at IS NULL AND c.id = (SELECT MAX(h.id) FROM agreement_status_change h"
    " WHERE h.agreement_id = a.id AND h.effective_on <= :end)"
    " AND c.status IN ('concluded', 'ended') AND c.concluded_on <= :end"
    " AND (c.ends_on IS NULL OR c.ends_on >= :end)"
)
REGISTER_SQL = (
    "SELECT a.id, c.status, c.concluded_on, c.starts_on, c.ends_on" + REGISTER_FROM
    + " ORDER BY a.id"
)
MEASUREMENT_SQL = (
    "SELECT k.code, m.id, m.measured_on, m.value FROM kpi_measurement m"
    " JOIN kpi k ON k.id = m.kpi_id WHERE m.archived_at IS NULL AND k.archived_at IS NULL"
    " AND m.measured_on <= :end ORDER BY k.code, m.measured_on, m.id"
)

SOURCE_SQL = (
    "SELECT k.code, m.id, m.source FROM kpi_measurement m"
    " JOIN kpi k ON k.id = m.kpi_id WHERE m.archived_at IS NULL AND k.archived_at IS NULL"
    " AND m.measured_on <= :end AND m.source IS NOT NULL ORDER BY k.code, m.id"
)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def _lines(
    prefix: str, rows: Iterable[Sequence[Any]], order: Callable[[tuple[str, ...]], Any]
) -> Iterator[str]:
    """Rows as recipe lines, sorted in Python by `order` (the recipe's ORDER BY)."""
    for cells in sorted((tuple(_cell(v) for v in row) for row in rows), key=order):
        yield "|".join([prefix, *cells]) + "\n"


def canonical_lines(connection: Connection, period: FiscalPeriod) -> Iterator[str]:
    """The lines of the recipe above, in order, read through `connection`."""
    end = bindparam("end", period.end, type_=Date)
    yield f"{VERSION_LINE}|{period.start.isoformat()}|{period.end.isoformat()}\n"
    yield from _lines("K", connection.execute(text(KPI_SQL)), lambda c: c)
    yield from _lines(
        "E", connection.execute(text(EVIDENCE_SQL).bindparams(end)),
        lambda c: (c[0], c[3], c[1], int(c[2])),
    )
    yield from _lines(
        "M", connection.execute(text(MEASUREMENT_SQL).bindparams(end)),
        lambda c: (c[0], c[2], int(c[1])),
    )
    yield from _lines("R", connection.execute(text(REVISION_SQL)), lambda c: c)
    yield from _lines(
        "W", connection.execute(text(WEIGHT_SQL).bindparams(end)),
        lambda c: (c[0], c[1], c[2], int(c[3])),
    )
    yield from _lines("F", connection.execute(text(JUDGED_SQL)), lambda c: c)
    yield from _lines(
        "A", connection.execute(text(REGISTER_SQL).bindparams(end)), lambda c: int(c[0])
    )
    yield from _lines(
        "S", connection.execute(text(SOURCE_SQL).bindparams(end)), lambda c: (c[0], int(c[1]))
    )


def data_fingerprint(connection: Connection, period: FiscalPeriod) -> str:
    """The SHA-256 hex digest of the canonical lines for `period`."""
    digest = hashlib.sha256()
    for line in canonical_lines(connection, period):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
