"""KPI computation against its floor: a hand-written SQL aggregate over the same tables.

Measures, on a database made by bench.generate:
- `at`: every KPI at one date (crm.kpi.engine.compute_at) vs one SQL statement counting the six
  computed figures straight from the base tables;
- `quarters`: every computed KPI for each quarter of the plan period
  (crm.kpi.engine.computed_series)
  vs one GROUP BY month per source, folded into quarters.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from crm.calendar import quarters_between
from crm.kpi import engine as kpi
from db.engine import sqlite_url
from db.session import Database

AS_OF = date(2023, 3, 31)
BASELINE = "2018-12-31"
PLAN = quarters_between(date(2018, 4, 1), date(2023, 3, 31))

FLOOR_AT = f"""
SELECT
  (SELECT count(*) FROM outreach_event WHERE archived_at IS NULL AND kind = 'in_city'
     AND held_on > '{BASELINE}' AND held_on <= :t),
  (SELECT count(*) FROM outreach_event WHERE archived_at IS NULL AND kind = 'lecture'
     AND held_on > '{BASELINE}' AND held_on <= :t),
  (SELECT count(*) FROM outreach_event WHERE archived_at IS NULL AND kind = 'out_of_city'
     AND held_on > '{BASELINE}' AND held_on <= :t),
  (SELECT count(*) FROM agreement a WHERE a.archived_at IS NULL
     AND a.concluded_on > '{BASELINE}' AND a.concluded_on <= :t AND EXISTS (
       SELECT 1 FROM agreement_partner p JOIN organization o ON o.id = p.organization_id
       WHERE p.agreement_id = a.id AND o.archived_at IS NULL AND o.kind = 'company')),
  (SELECT count(*) FROM agreement a WHERE a.archived_at IS NULL
     AND a.concluded_on > '{BASELINE}' AND a.concluded_on <= :t AND EXISTS (
       SELECT 1 FROM agreement_partner p JOIN organization o ON o.id = p.organization_id
       WHERE p.agreement_id = a.id AND o.archived_at IS NULL AND o.kind <> 'company')),
  (SELECT count(*) FROM (
     SELECT mo.organization_id, MIN(m.held_on) AS first_on
     FROM meeting m CROSS JOIN meeting_organization mo
     WHERE mo.meeting_id = m.id AND m.archived_at IS NULL GROUP BY mo.organization_id) f
   JOIN organization o ON o.id = f.organization_id
   WHERE o.kind = 'company' AND o.archived_at IS NULL
     AND f.first_on > '{BASELINE}' AND f.first_on <= :t)
"""

FLOOR_MONTHS = f"""
SELECT kind, substr(held_on, 1, 7), count(*) FROM outreach_event
WHERE archived_at IS NULL AND held_on > '{BASELINE}' GROUP BY 1, 2
UNION ALL
SELECT CASE WHEN o.kind = 'company' THEN 'private' ELSE 'external' END,
       substr(a.concluded_on, 1, 7), count(DISTINCT a.id)
FROM agreement a JOIN agreement_partner p ON p.agreement_id = a.id
JOIN organization o ON o.id = p.organization_id
WHERE a.archived_at IS NULL AND o.archived_at IS NULL AND a.concluded_on > '{BASELINE}'
GROUP BY 1, 2
UNION ALL
SELECT 'companies', substr(f.first_on, 1, 7), count(*) FROM (
  SELECT mo.organization_id, MIN(m.held_on) AS first_on
  FROM meeting m CROSS JOIN meeting_organization mo
  WHERE mo.meeting_id = m.id AND m.archived_at IS NULL GROUP BY mo.organization_id) f
JOIN organization o ON o.id = f.organization_id
WHERE o.kind = 'company' AND o.archived_at IS NULL AND f.first_on > '{BASELINE}'
GROUP BY 1, 2
"""


def best_of(runs: int, work: Callable[[], Any]) -> float:
    """The fastest of `runs` timed calls, in seconds (the first warms the cache)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(path: Path, runs: int = 3) -> dict[str, float]:
    """Seconds for the engine and its floor, at one date and for every plan quarter."""
    database = Database.open(sqlite_url(path), read_only=True)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with database.reading() as session:
            results = {
                "at": best_of(runs, lambda: kpi.compute_at(session, AS_OF)),
                "quarters": best_of(runs, lambda: kpi.computed_series(session, PLAN)),
            }
        results["at_floor"] = best_of(
            runs, lambda: raw.execute(FLOOR_AT, {"t": AS_OF.isoformat()}).fetchall()
        )
        results["quarters_floor"] = best_of(runs, lambda: raw.execute(FLOOR_MONTHS).fetchall())
    finally:
        raw.close()
        database.dispose()
    return results


def check_floor_agrees(path: Path) -> None:
    """The floor must count what the engine counts, or the comparison means nothing."""
    database = Database.open(sqlite_url(path), read_only=True)
    with database.reading() as session:
        figures = {f.code: f for f in kpi.compute_at(session, AS_OF)}
    database.dispose()
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    floor = raw.execute(FLOOR_AT, {"t": AS_OF.isoformat()}).fetchone()
    raw.close()
    codes = ("outreach_in_city", "lectures_in_city", "outreach_out_of_city", "linkage_private",
             "linkage_external", "companies_consulted")
    engine = tuple(int((figures[c].value or 0) - figures[c].kpi.baseline) for c in codes)
    if engine != tuple(floor):
        raise AssertionError(f"engine {engine} and floor {tuple(floor)} disagree")


def main() -> None:
    """`python -m bench.kpi_bench DB`: one JSON line of seconds and this process's peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    check_floor_agrees(args.database)
    results: dict[str, float] = measure(args.database, runs=args.runs)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))


if __name__ == "__main__":
    main()
