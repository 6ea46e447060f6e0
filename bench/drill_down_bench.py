"""The TUI's KPI screen read: one KPI for a quarter with its first pages of evidence and of the
records that did not count, and the last page of those (crm.kpi.drill_down, not_counted).

Measures, on a database made by bench.generate, for the first-time companies KPI (the costly
rule: an earlier meeting looked for per record) and for a kind of event, in FY2022 Q3:
`screen` (everything the KPI screen reads when it opens from the dashboard, which hands it the
KPI's figure: the engine's own time is bench.kpi_bench's), `last_page` (the last page of the
records not counted); first checking that evidence + not counted = the source records.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

from sqlalchemy import text

from bench.kpi_bench import best_of
from crm.calendar import FiscalPeriod
from crm.kpi.drill_down import count_evidence, drill_down
from crm.kpi.engine import compute_for_period
from crm.kpi.not_counted import PAGE, count_not_counted, not_counted
from db.engine import sqlite_url
from db.session import Database

PERIOD = FiscalPeriod(2022, 3)
KPIS = {"companies_consulted": "SELECT count(*) FROM meeting m JOIN meeting_organization mo"
                               " ON mo.meeting_id = m.id WHERE m.held_on BETWEEN :s AND :e",
        "lectures_in_city": "SELECT count(*) FROM outreach_event WHERE held_on BETWEEN :s AND :e"}


def measure(path: Path, runs: int = 3) -> dict[str, dict[str, float]]:
    """Seconds per KPI: the screen's read and the last page, with the rows not counted."""
    database = Database.open(sqlite_url(path), read_only=True)
    results: dict[str, dict[str, float]] = {}
    try:
        with database.reading() as session:
            figures = {f.code: f for f in compute_for_period(session, PERIOD)}
            for code, source_sql in KPIS.items():
                figure = figures[code]
                total = count_not_counted(session, figure.kpi, PERIOD)
                source = session.execute(text(source_sql),
                                         {"s": PERIOD.start, "e": PERIOD.end}).scalar_one()
                if total + count_evidence(session, figure, PERIOD) != source:
                    raise AssertionError(f"{code}: evidence + not counted != {source} records")
                last = max(0, total - PAGE)
                results[code] = {
                    "screen": best_of(runs, lambda c=code, f=figure: drill_down(
                        session, "ict-policy-2018", c, PERIOD, f)),
                    "last_page": best_of(runs, lambda k=figure.kpi, o=last: not_counted(
                        session, k, PERIOD, offset=o)),
                    "not_counted": total,
                }
    finally:
        database.dispose()
    return results


def main() -> None:
    """`python -m bench.drill_down_bench DB`: one JSON line of seconds and the peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, object] = dict(measure(args.database, runs=args.runs))
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))


if __name__ == "__main__":
    main()
