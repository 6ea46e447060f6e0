"""Large synthetic databases for the benchmarks (not the demo: sizes, not realism).

`generate(path, meetings=N)` creates a migrated database and bulk-inserts N meetings with
matching organizations (N/200, at least 60), meeting links (1–2 organizations each), events
(N/4), agreements (N/100) and their partners, all dated over FY2018–FY2024, with a fixed seed.
One company in twelve is first met after the KPI baseline (a day in FY2019–FY2024): meetings
before that day name the next organization instead, so that `companies_consulted` counts.
Rows go in through the driver's `executemany` in large batches: the schema, constraints,
indexes and audit triggers are the program's own. The target is a SQLite file, or a
PostgreSQL database URL (bench.backends makes one).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import backends
from crm.context import Context, fixed_clock
from db.engine import sqlite_path, sqlite_url
from db.session import create_database

FIRST = date(2018, 4, 1)
DAYS = (date(2025, 3, 31) - FIRST).days + 1
STAMP = "2025-03-31 00:00:00.000000"
AUDIT = (STAMP, "bench", STAMP, "bench")
KINDS = ("company",) * 6 + ("university", "research_institute", "government_agency",
                            "municipality", "npo", "other")
EVENT_KINDS = ("in_city", "out_of_city", "lecture")
TOPICS = ("AIオンデマンド交通", "オープンデータ活用", "防災IoT", "人流データ", "見守りカメラ",
          "スマート農業", "電子申請", "Decidim", "ダッシュボード", "5G実証")
BATCH = 50_000
#: Every LATE-th organization (a company) is first met after the baseline (2018-12-31).
LATE = 12
LATE_FROM = date(2019, 4, 1)


def _day(rng: random.Random) -> str:
    return (FIRST + timedelta(days=rng.randrange(DAYS))).isoformat()


def first_met(organization: int) -> str | None:
    """The day a late organization is first met (spread over FY2019–FY2024); None for others."""
    if organization % LATE:
        return None
    span = (FIRST + timedelta(days=DAYS) - LATE_FROM).days - 30
    return (LATE_FROM + timedelta(days=organization * 7919 % span)).isoformat()


def _met(organization: int, day: str, organizations: int) -> int:
    """`organization`, or a neighbour (never late) if it is not met yet on `day`."""
    late = first_met(organization)
    if late is None or day >= late:
        return organization
    return organization + 1 if organization < organizations else organization - 1


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


#: The tables the generator fills, whose id sequences PostgreSQL must be told about.
FILLED = ("organization", "meeting", "outreach_event", "agreement")


def generate(target: Path | str, *, meetings: int, seed: int = 1) -> dict[str, int]:
    """Create `target` (a SQLite path, or an empty PostgreSQL database's URL) with `meetings`
    meetings and proportional other records; row counts."""
    url = sqlite_url(target) if isinstance(target, Path) else target
    path = sqlite_path(url)
    if path is not None and path.exists():
        path.unlink()
    ctx = Context(user="bench", clock=fixed_clock(datetime(2025, 3, 31, tzinfo=UTC)))
    database = create_database(url, ctx)
    rng = random.Random(seed)
    organizations = max(60, meetings // 200)
    events = meetings // 4
    agreements = max(20, meetings // 100)
    connection = database.engine.raw_connection()
    sqlite = path is not None
    tracked = "created_at, created_by, updated_at, updated_by"
    cursor = connection.cursor()
    if sqlite:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")

    def values(count: int) -> str:
        return "VALUES (" + ", ".join(["?" if sqlite else "%s"] * count) + ")"

    if sqlite:
        cursor.execute("BEGIN")
    cursor.executemany(
        f"INSERT INTO organization (id, {tracked}, name, normalized_name, kind, kana,"
        f" kana_sort_key) {values(10)}",
        [
            (i, *AUDIT, f"ベンチ{i}株式会社", f"ベンチ{i}株式会社", KINDS[i % len(KINDS)],
             f"ベンチ{i}", f"べんち{i}")
            for i in range(1, organizations + 1)
        ],
    )
    days = [_day(rng) for _ in range(meetings)]
    for batch in _batches(
        (i, *AUDIT, days[i - 1], f"{TOPICS[i % len(TOPICS)]}の意見交換 #{i}",
         "要旨" if i % 3 else None)
        for i in range(1, meetings + 1)
    ):
        cursor.executemany(
            f"INSERT INTO meeting (id, {tracked}, held_on, title, summary) {values(8)}",
            batch,
        )
    for batch in _batches(
        link
        for i in range(1, meetings + 1)
        for link in {(i, _met(rng.randint(1, organizations), days[i - 1], organizations))
                     for _ in range(rng.randint(1, 2))}
    ):
        cursor.executemany(
            f"INSERT INTO meeting_organization (meeting_id, organization_id) {values(2)}",
            batch,
        )
    for batch in _batches(
        (i, *AUDIT, _day(rng), EVENT_KINDS[i % 3], f"周知イベント #{i}", 30)
        for i in range(1, events + 1)
    ):
        cursor.executemany(
            f"INSERT INTO outreach_event (id, {tracked}, held_on, kind, title, attendees)"
            f" {values(9)}",
            batch,
        )
    agreement_rows = [
        (i, *AUDIT, f"データ連携協定 #{i}", *(
            ("concluded", _day(rng)) if i % 4 else ("negotiating", None)
        ))
        for i in range(1, agreements + 1)
    ]
    cursor.executemany(
        f"INSERT INTO agreement (id, {tracked}, title, status, concluded_on) {values(8)}",
        agreement_rows,
    )
    cursor.executemany(  # the status history the services would have written
        "INSERT INTO agreement_status_change (agreement_id, status, effective_on,"
        f" concluded_on, recorded_at, recorded_by) {values(6)}",
        [(row[0], status, concluded_on or STAMP[:10], concluded_on, STAMP, "bench")
         for row in agreement_rows for status, concluded_on in [row[-2:]]],
    )
    cursor.executemany(
        f"INSERT INTO agreement_partner (agreement_id, organization_id) {values(2)}",
        sorted({
            (i, rng.randint(1, organizations))
            for i in range(1, agreements + 1) for _ in range(2)
        }),
    )
    if not sqlite:
        for table in FILLED:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                           f" (SELECT max(id) FROM {table}))")
    connection.commit()
    cursor.execute("ANALYZE")
    connection.commit()
    connection.close()
    database.dispose()
    return {"meetings": meetings, "organizations": organizations, "events": events,
            "agreements": agreements}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path, help="the SQLite file, or with --url the name of"
                                                " the PostgreSQL database to (re)create")
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="a PostgreSQL admin URL: generate there")
    args = parser.parse_args()
    started = time.perf_counter()
    target: Path | str = args.path
    if args.url:
        target = backends.fresh_url(args.url, args.path.parent, args.path.name)
    counts = generate(target, meetings=args.meetings, seed=args.seed)
    print(f"{counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
