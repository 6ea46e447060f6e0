"""Text search in the meetings list on SQLite and PostgreSQL (a script, not a test).

Times the first page (100 rows, newest first) of a free-text search the way the list
chooses (`_Lister.plan`: TEST, PROBE or SORT), the same page collected and sorted through the
trigram index (SORT, the only way before), the exact count, and the plain LIKE search the
index replaces, on the same generated database (bench.generate) and on a copy of it in a
throw-away PostgreSQL cluster (tests.postgres; rows copied with COPY, so the audit and search
triggers fire). The page is the best of `--repeat` runs (wall time, and the CPU time of
this process, which holds SQLite's work but not PostgreSQL's), the others of one. Run:

    .venv/bin/python -m bench.search_bench [--db PATH] [--meetings N] [--no-postgresql]
        [--no-sqlite] [--url POSTGRESQL-URL]
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from bench.tui_bench import ensure_database
from crm.context import Context, fixed_clock
from crm.records import entities
from crm.records.queries import (
    _MEETINGS,
    SORT,
    ListFilter,
    MeetingRow,
    _Lister,
    count_meetings,
    meeting_page,
)
from db.session import Database, create_database

CTX = Context(user="bench", clock=fixed_clock(datetime(2025, 3, 31, 3, tzinfo=UTC)))
#: (what it shows, text): a common topic, a rare organization name, its kana, a title
#: number, nothing, and short (1-2 character) texts, common and matching nothing (through
#: the index's terms or one- and two-character windows from migration 0015).
QUERIES = (
    ("topic, 10% of meetings", "防災IoT"),
    ("organization name, ~0.3%", "ベンチ42株式会社"),
    ("organization kana", "べんち42"),
    ("title number", "#4242"),
    ("matching nothing", "該当なし"),
    ("2 characters, 10%", "防災"),
    ("2 characters, nothing", "該当"),
    ("1 character", "災"),
    ("1 character, nothing", "該"),
)
#: Tables copied to PostgreSQL, parents first.
TABLES = ("organization", "meeting", "meeting_organization", "outreach_event", "agreement",
          "agreement_partner")

_PLAIN = _Lister(replace(entities.MEETINGS,
                         listing=replace(entities.MEETINGS.list_spec, text_index=None)),
                 MeetingRow)


def _best(repeat: int, run: Callable[[], object],
          clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        started = clock()
        run()
        times.append(clock() - started)
    return min(times)


def measure(database: Database, repeat: int) -> dict[str, dict[str, Any]]:
    """Seconds per query: first page as chosen and by SORT, count, plain LIKE page; the
    plan chosen; the same rows checked every way."""
    figures: dict[str, dict[str, Any]] = {}
    with database.reading() as session:
        for label, query in QUERIES:
            filters = ListFilter(text=query)
            plain = _PLAIN.page(session, filters=filters)
            for plan in (None, SORT):
                if meeting_page(session, filters=filters, plan=plan) != plain:
                    raise AssertionError(f"{query}: {plan or 'chosen'} finds other rows than LIKE")
            figures[f"{query} ({label})"] = {
                "plan": _MEETINGS.plan(session, filters, None, None, 100),
                "page": _best(repeat, partial(meeting_page, session, filters=filters)),
                # The process's CPU: SQLite works in it; PostgreSQL's server does not count.
                "page CPU": _best(repeat, partial(meeting_page, session, filters=filters),
                                  time.process_time),
                "page (SORT)": _best(1, partial(meeting_page, session, filters=filters,
                                                plan=SORT)),
                "count": _best(1, partial(count_meetings, session, filters=filters)),
                "page (LIKE)": _best(1, partial(_PLAIN.page, session, filters=filters)),
                "rows": float(count_meetings(session, filters=filters)),
            }
    return figures


def copy_to_postgresql(source: Path, url: str) -> Database:
    """A new database at `url` holding the rows of the generated SQLite file `source`."""
    database = create_database(url, CTX)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with sqlite3.connect(source) as lite, psycopg.connect(dsn) as pg:
        for table in TABLES:
            columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(columns)
            with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        with pg.cursor() as cursor:
            for table in TABLES:
                if table in ("meeting_organization", "agreement_partner"):
                    continue
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                               f" (SELECT max(id) FROM {table}))")
        pg.execute("ANALYZE")
    return database


def _print(backend: str, figures: dict[str, dict[str, Any]]) -> None:
    print(f"{backend}: ms (first page as chosen, wall and this process's CPU / by SORT /"
          " exact count / by plain LIKE), plan, rows")
    for name, row in figures.items():
        print(f"  {name:<40} {row['page'] * 1000:7.0f} {row['page CPU'] * 1000:7.0f}"
              f" {row['page (SORT)'] * 1000:7.0f}"
              f" {row['count'] * 1000:7.0f} {row['page (LIKE)'] * 1000:7.0f}"
              f" {row['plan']:>6} {row['rows']:9,.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/crm-search-bench.sqlite3"))
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--url", help="a PostgreSQL database this script copied earlier,"
                        " measured instead of a new copy")
    args = parser.parse_args()
    database = ensure_database(args.db, args.meetings)
    if not args.no_sqlite:
        _print(f"SQLite, {args.meetings:,} meetings", measure(database, args.repeat))
    database.dispose()
    if args.no_postgresql:
        return
    if args.url:
        pg = Database.open(args.url)
        _print(f"PostgreSQL, {args.meetings:,} meetings", measure(pg, args.repeat))
        pg.dispose()
        return
    from tests.postgres import postgres_cluster

    with postgres_cluster() as url:
        started = time.perf_counter()
        pg = copy_to_postgresql(args.db, url)
        print(f"copied to PostgreSQL in {time.perf_counter() - started:.1f} s")
        figures = measure(pg, args.repeat)
        _print(f"PostgreSQL, {args.meetings:,} meetings", figures)
        pg.dispose()


if __name__ == "__main__":
    main()
