"""Large synthetic databases for the benchmarks (not the demo: sizes, not realism).

`generate(path, meetings=N)` creates a migrated database and bulk-inserts N meetings with
matching organizations (N/200, at least 60), meeting links (1–2 organizations each), events
(N/4), agreements (N/100) and their partners, all dated over FY2018–FY2024, with a fixed seed.
Rows go in through sqlite3 `executemany` in large batches: the schema, constraints and
indexes are the program's own.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm.context import Context, fixed_clock
from db.engine import sqlite_url
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


def _day(rng: random.Random) -> str:
    return (FIRST + timedelta(days=rng.randrange(DAYS))).isoformat()


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(path: Path, *, meetings: int, seed: int = 1) -> dict[str, int]:
    """Create `path` with `meetings` meetings and proportional other records; row counts."""
    if path.exists():
        path.unlink()
    ctx = Context(user="bench", clock=fixed_clock(datetime(2025, 3, 31, tzinfo=UTC)))
    create_database(sqlite_url(path), ctx).dispose()
    rng = random.Random(seed)
    organizations = max(60, meetings // 200)
    events = meetings // 4
    agreements = max(20, meetings // 100)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    tracked = "created_at, created_by, updated_at, updated_by"
    with connection:
        connection.executemany(
            f"INSERT INTO organization (id, {tracked}, name, normalized_name, kind, kana,"
            " kana_sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i, *AUDIT, f"ベンチ{i}株式会社", f"ベンチ{i}株式会社", KINDS[i % len(KINDS)],
                 f"ベンチ{i}", f"べんち{i}")
                for i in range(1, organizations + 1)
            ],
        )
        for batch in _batches(
            (i, *AUDIT, _day(rng), f"{TOPICS[i % len(TOPICS)]}の意見交換 #{i}",
             "要旨" if i % 3 else None)
            for i in range(1, meetings + 1)
        ):
            connection.executemany(
                f"INSERT INTO meeting (id, {tracked}, held_on, title, summary)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        for batch in _batches(
            link
            for i in range(1, meetings + 1)
            for link in {(i, rng.randint(1, organizations)) for _ in range(rng.randint(1, 2))}
        ):
            connection.executemany(
                "INSERT INTO meeting_organization (meeting_id, organization_id) VALUES (?, ?)",
                batch,
            )
        for batch in _batches(
            (i, *AUDIT, _day(rng), EVENT_KINDS[i % 3], f"周知イベント #{i}", 30)
            for i in range(1, events + 1)
        ):
            connection.executemany(
                f"INSERT INTO outreach_event (id, {tracked}, held_on, kind, title, attendees)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        agreement_rows = [
            (i, *AUDIT, f"データ連携協定 #{i}", *(
                ("concluded", _day(rng)) if i % 4 else ("negotiating", None)
            ))
            for i in range(1, agreements + 1)
        ]
        connection.executemany(
            f"INSERT INTO agreement (id, {tracked}, title, status, concluded_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            agreement_rows,
        )
        connection.executemany(  # the status history the services would have written
            "INSERT INTO agreement_status_change (agreement_id, status, effective_on,"
            " concluded_on, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
            [(row[0], status, concluded_on or STAMP[:10], concluded_on, STAMP, "bench")
             for row in agreement_rows for status, concluded_on in [row[-2:]]],
        )
        connection.executemany(
            "INSERT INTO agreement_partner (agreement_id, organization_id) VALUES (?, ?)",
            sorted({
                (i, rng.randint(1, organizations))
                for i in range(1, agreements + 1) for _ in range(2)
            }),
        )
    connection.execute("ANALYZE")
    connection.close()
    return {"meetings": meetings, "organizations": organizations, "events": events,
            "agreements": agreements}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.path, meetings=args.meetings, seed=args.seed)
    print(f"{counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
