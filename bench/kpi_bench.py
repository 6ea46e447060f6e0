"""KPI computation against its floor: a hand-written SQL aggregate over the same tables.

Measures, on a database made by bench.generate:
- `at`: every KPI at one date (crm.kpi.engine.compute_at) vs one SQL statement counting the six
  computed figures straight from the base tables;
- `quarters`: every computed KPI for each quarter of the plan period
  (crm.kpi.engine.computed_series)
  vs one GROUP BY month per source, folded into quarters.

    .venv/bin/python -m bench.kpi_bench DB      (a SQLite file made by bench.generate, or
                                                 the URL of a PostgreSQL database it made)
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from crm.calendar import quarters_between
from crm.kpi import engine as kpi
from db.engine import sqlite_path, sqlite_url
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


def floor_months(month: Callable[[str], str]) -> str:
    """The quarters' floor, `month(column)` giving a date column's YYYY-MM."""
    return f"""
SELECT kind, {month('held_on')}, count(*) FROM outreach_event
WHERE archived_at IS NULL AND held_on > '{BASELINE}' GROUP BY 1, 2
UNION ALL
SELECT CASE WHEN o.kind = 'company' THEN 'private' ELSE 'external' END,
       {month('a.concluded_on')}, count(DISTINCT a.id)
FROM agreement a JOIN agreement_partner p ON p.agreement_id = a.id
JOIN organization o ON o.id = p.organization_id
WHERE a.archived_at IS NULL AND o.archived_at IS NULL AND a.concluded_on > '{BASELINE}'
GROUP BY 1, 2
UNION ALL
SELECT 'companies', {month('f.first_on')}, count(*) FROM (
  SELECT mo.organization_id, MIN(m.held_on) AS first_on
  FROM meeting m CROSS JOIN meeting_organization mo
  WHERE mo.meeting_id = m.id AND m.archived_at IS NULL GROUP BY mo.organization_id) f
JOIN organization o ON o.id = f.organization_id
WHERE o.kind = 'company' AND o.archived_at IS NULL AND f.first_on > '{BASELINE}'
GROUP BY 1, 2
"""


def best_of(runs: int, work: Callable[[], Any]) -> float:
    """The fastest of `runs` timed calls, in seconds (the first warms the cache)."""
    return best_wall_and_cpu(runs, work)[0]


def best_wall_and_cpu(runs: int, work: Callable[[], Any]) -> tuple[float, float]:
    """The fastest of `runs` timed calls: wall seconds and this process's CPU seconds (the
    first call warms the cache). On SQLite the CPU time holds the query's work too, and is
    the figure to compare on a loaded machine; on PostgreSQL the server's work is not in it."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu)


class Floor:
    """The hand-written statements, run straight on the driver (sqlite3 for a file, so that
    no layer sits between them and the database; SQLAlchemy's text() on PostgreSQL)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.path = sqlite_path(database.url)
        self.raw = (sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
                    if self.path is not None else None)
        self.months = floor_months(
            (lambda c: f"substr({c}, 1, 7)") if self.raw is not None
            else (lambda c: f"to_char({c}, 'YYYY-MM')"))

    def run(self, statement: str, parameters: dict[str, str]) -> Sequence[Sequence[Any]]:
        """Every row `statement` gives."""
        if self.raw is not None:
            return self.raw.execute(statement, parameters).fetchall()
        with self.database.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement), parameters)]

    def at(self) -> Sequence[Any]:
        """The six computed figures at AS_OF."""
        return self.run(FLOOR_AT, {"t": AS_OF.isoformat()})[0]

    def quarters(self) -> Sequence[Sequence[Any]]:
        """The monthly counts the quarters fold."""
        return self.run(self.months, {})

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()


def _open(target: str) -> Database:
    return Database.open(target if "://" in target else sqlite_url(Path(target)),
                         read_only=True)


def measure(target: str, runs: int = 3) -> dict[str, float]:
    """Seconds for the engine and its floor, at one date and for every plan quarter: wall
    time, and CPU time of this process (`_cpu`)."""
    database = _open(target)
    floor = Floor(database)
    results: dict[str, float] = {}
    try:
        with database.reading() as session:
            timed = {
                "at": best_wall_and_cpu(runs, lambda: kpi.compute_at(session, AS_OF)),
                "quarters": best_wall_and_cpu(runs, lambda: kpi.computed_series(session, PLAN)),
            }
        timed["at_floor"] = best_wall_and_cpu(runs, floor.at)
        timed["quarters_floor"] = best_wall_and_cpu(runs, floor.quarters)
        for name, (wall, cpu) in timed.items():
            results[name], results[f"{name}_cpu"] = wall, cpu
    finally:
        floor.close()
        database.dispose()
    return results


def check_floor_agrees(target: str) -> None:
    """The floor must count what the engine counts, or the comparison means nothing."""
    database = _open(target)
    with database.reading() as session:
        figures = {f.code: f for f in kpi.compute_at(session, AS_OF)}
    floor_counter = Floor(database)
    floor = floor_counter.at()
    floor_counter.close()
    database.dispose()
    codes = ("outreach_in_city", "lectures_in_city", "outreach_out_of_city", "linkage_private",
             "linkage_external", "companies_consulted")
    engine = tuple(int((figures[c].value or 0) - figures[c].kpi.baseline) for c in codes)
    if engine != tuple(floor):
        raise AssertionError(f"engine {engine} and floor {tuple(floor)} disagree")


def main() -> None:
    """`python -m bench.kpi_bench DB`: one JSON line of seconds and this process's peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", help="a SQLite file, or a PostgreSQL database URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    check_floor_agrees(args.database)
    results: dict[str, float] = measure(args.database, runs=args.runs)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))


if __name__ == "__main__":
    main()
