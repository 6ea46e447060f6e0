"""Text search in the meetings list on SQLite and PostgreSQL (a script, not a test).

Times the first page (100 rows, newest first) and the exact count of a free-text search,
through the trigram index (migration 0011) and through the plain LIKE search it replaces, on
the same generated database (bench.generate) and on a copy of it in a throw-away PostgreSQL
cluster (tests.postgres; rows copied with COPY, so the audit and search triggers fire).
Each figure is the best of `--repeat` runs. Run:

    .venv/bin/python -m bench.search_bench [--db PATH] [--meetings N] [--no-postgresql]
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
from crm.records.queries import ListFilter, MeetingRow, _Lister, count_meetings, meeting_page
from db.session import Database, create_database

CTX = Context(user="bench", clock=fixed_clock(datetime(2025, 3, 31, 3, tzinfo=UTC)))
#: (what it shows, text): a common topic, a rare organization name, its kana, a title
#: number, nothing, and the short (1-2 character) texts the index cannot serve.
QUERIES = (
    ("topic, 10% of meetings", "防災IoT"),
    ("organization name, ~0.3%", "ベンチ42株式会社"),
    ("organization kana", "べんち42"),
    ("title number", "#4242"),
    ("matching nothing", "該当なし"),
    ("2 characters, 10%", "防災"),
    ("2 characters, nothing", "該当"),
    ("1 character", "災"),
)
#: Tables copied to PostgreSQL, parents first.
TABLES = ("organization", "meeting", "meeting_organization", "outreach_event", "agreement",
          "agreement_partner")

_PLAIN = _Lister(replace(entities.MEETINGS,
                         listing=replace(entities.MEETINGS.list_spec, text_index=None)),
                 MeetingRow)


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(database: Database, repeat: int) -> dict[str, dict[str, float]]:
    """Seconds per query: first page and count, indexed and plain; same rows checked."""
    figures: dict[str, dict[str, float]] = {}
    with database.reading() as session:
        for label, query in QUERIES:
            filters = ListFilter(text=query)
            indexed = meeting_page(session, filters=filters)
            plain = _PLAIN.page(session, filters=filters)
            if indexed != plain:
                raise AssertionError(f"{query}: the index finds other rows than LIKE")
            figures[f"{query} ({label})"] = {
                "page": _best(repeat, partial(meeting_page, session, filters=filters)),
                "count": _best(repeat, partial(count_meetings, session, filters=filters)),
                "page (LIKE)": _best(repeat, partial(_PLAIN.page, session, filters=filters)),
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


def _print(backend: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"{backend}: ms (first page / exact count / first page by plain LIKE), rows")
    for name, row in figures.items():
        print(f"  {name:<40} {row['page'] * 1000:7.0f} {row['count'] * 1000:7.0f}"
              f" {row['page (LIKE)'] * 1000:7.0f} {row['rows']:9,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/crm-search-bench.sqlite3"))
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    database = ensure_database(args.db, args.meetings)
    _print(f"SQLite, {args.meetings:,} meetings", measure(database, args.repeat))
    database.dispose()
    if args.no_postgresql:
        return
    from tests.postgres import postgres_cluster

    with postgres_cluster() as url:
        started = time.perf_counter()
        pg = copy_to_postgresql(args.db, url)
        print(f"copied to PostgreSQL in {time.perf_counter() - started:.1f} s")
        figures: dict[str, Any] = measure(pg, args.repeat)
        _print(f"PostgreSQL, {args.meetings:,} meetings", figures)
        pg.dispose()


if __name__ == "__main__":
    main()
