"""Time the KPI report: a typical quarter, a year with 10,000 counted records, and at scale.

Run: `.venv/bin/python bench/report_bench.py` (from the project root). Builds two temporary
databases with Core bulk inserts, then times `build_report` (best of a few runs) and prints
seconds, pages and PDF size. Then, at scale, a database of `--meetings` meetings made by
bench/generate.py (or `--database PATH`, kept) and the annual report of `--fiscal-year`,
without and with `--detail`, each built in a fresh process that prints its peak memory
(ru_maxrss), the time to gather and to lay out (wall and CPU), its pages and the rate at
which the evidence appendix is laid out (the same content laid out again without evidence
gives the appendix's share).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import generate  # noqa: E402
from crm.calendar import FiscalPeriod  # noqa: E402
from crm.context import Context, fixed_clock  # noqa: E402
from crm.models import (  # noqa: E402
    Agreement,
    AgreementPartner,
    Meeting,
    MeetingOrganization,
    MeetingStaff,
    Organization,
    OutreachEvent,
    Staff,
)
from crm.reporting.content import gather_report  # noqa: E402
from db.engine import sqlite_url  # noqa: E402
from db.session import Database, create_database  # noqa: E402
from reports.kpi_report import render  # noqa: E402
from reports.publish import ReportResult, build_report  # noqa: E402
from reports.sections import ReportOptions  # noqa: E402

NOW = datetime(2023, 4, 1, 3, tzinfo=UTC)
STAMP = {"created_at": NOW, "created_by": "bench", "updated_at": NOW, "updated_by": "bench"}
KINDS = ("company",) * 6 + ("university", "government_agency", "municipality", "npo")
EVENT_KINDS = ("in_city", "out_of_city", "lecture")


def _days(start: date, end: date, n: int, rng: random.Random) -> list[date]:
    span = (end - start).days
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(n))


def populate(
    database: Database, *, organizations: int, meetings: int, events: int, agreements: int,
    start: date, end: date, seed: int = 7,
) -> None:
    """Random but reproducible records dated in [start, end], inserted in bulk."""
    rng = random.Random(seed)
    with database.writing() as session:
        session.execute(insert(Staff), [
            {**STAMP, "id": i, "name": f"職員 {i}", "active": True} for i in range(1, 9)
        ])
        session.execute(insert(Organization), [
            {**STAMP, "id": i, "name": f"加古川テスト{i}株式会社", "normalized_name": f"org{i}",
             "kind": KINDS[i % len(KINDS)]}
            for i in range(1, organizations + 1)
        ])
        meeting_days = _days(start, end, meetings, rng)
        session.execute(insert(Meeting), [
            {**STAMP, "id": i, "held_on": d, "title": f"意見交換 第{i}回（データ活用の相談）",
             "next_action": "資料送付" if i % 5 == 0 else None,
             "follow_up_on": d + timedelta(days=30) if i % 5 == 0 else None}
            for i, d in enumerate(meeting_days, start=1)
        ])
        session.execute(insert(MeetingOrganization), [
            {"meeting_id": i, "organization_id": o}
            for i in range(1, meetings + 1)
            for o in sorted(rng.sample(range(1, organizations + 1), 2))
        ])
        session.execute(insert(MeetingStaff), [
            {"meeting_id": i, "staff_id": 1 + i % 8} for i in range(1, meetings + 1)
        ])
        session.execute(insert(OutreachEvent), [
            {**STAMP, "id": i, "held_on": d, "kind": EVENT_KINDS[i % 3],
             "title": f"かこがわアプリ周知 {i}", "venue": "市民会館", "attendees": 40 + i % 300}
            for i, d in enumerate(_days(start, end, events, rng), start=1)
        ])
        agreement_days = _days(start, end, agreements, rng)
        session.execute(insert(Agreement), [
            {**STAMP, "id": i, "title": f"データ連携協定 {i}", "status": "concluded",
             "concluded_on": d, "starts_on": d}
            for i, d in enumerate(agreement_days, start=1)
        ])
        session.execute(insert(AgreementPartner), [
            {"agreement_id": i, "organization_id": 1 + i % organizations}
            for i in range(1, agreements + 1)
        ])


def timed(label: str, build: Callable[[], ReportResult], runs: int) -> None:
    """Build `runs` times; print the best time, pages, size and appendix records."""
    times = []
    result = None
    for _ in range(runs):
        began = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - began)
    assert result is not None
    pages = len(PdfReader(io.BytesIO(result.pdf)).pages)
    counted = sum(len(v.get("evidence", [])) for v in result.published.values())
    print(f"{label}: best {min(times):.2f} s of {runs} (all: "
          f"{', '.join(f'{t:.2f}' for t in times)}), {pages} pages, "
          f"{len(result.pdf) / 1024:.0f} KiB, {counted} evidence rows in the appendix")


def scenario(
    folder: Path, name: str, period: FiscalPeriod, runs: int, **sizes: Any
) -> None:
    ctx = Context(user="bench", clock=fixed_clock(NOW))
    database = create_database(sqlite_url(folder / f"{name}.sqlite3"), ctx)
    began = time.perf_counter()
    populate(database, **sizes)
    print(f"[{name}] data inserted in {time.perf_counter() - began:.1f} s: {sizes}")

    def build() -> ReportResult:
        with database.reading() as session:
            return build_report(session, period=period, lang="ja", generated_at=NOW)

    timed(f"[{name}] {period.label_en()}", build, runs)
    database.dispose()


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure(path: Path, period: FiscalPeriod, detail: bool) -> None:
    """Build the report of `period` from the database at `path` once; print what it took."""
    database = Database.open(sqlite_url(path))
    options = ReportOptions(lang="ja", generated_at=NOW, office="bench", approval_block=True)
    with database.reading() as session:
        began = time.perf_counter()
        content = gather_report(session, period, detail=detail)
        gathered = time.perf_counter() - began
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = render(content, options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        bare_wall, bare_cpu = time.perf_counter(), time.process_time()
        bare = render(dataclasses.replace(content, evidence={}), options)
        bare_wall, bare_cpu = time.perf_counter() - bare_wall, time.process_time() - bare_cpu
    pages, appendix = _pages(pdf), _pages(pdf) - _pages(bare)
    print(f"{period.label_en()}{' --detail' if detail else ''}: gathered in {gathered:.1f} s,"
          f" laid out in {wall:.1f} s ({cpu:.1f} s CPU), {pages} pages,"
          f" {len(pdf) / 1024:.0f} KiB, peak RSS {peak:.0f} MB; appendix {appendix} pages at"
          f" {appendix / max(wall - bare_wall, 1e-9):.0f} pages/s"
          f" ({appendix / max(cpu - bare_cpu, 1e-9):.0f} pages/s of CPU)")
    database.dispose()


def at_scale(path: Path, meetings: int | None, fiscal_year: int) -> None:
    """Generate the database if asked, then measure the annual report, plain and detailed."""
    if meetings is not None:
        began = time.perf_counter()
        counts = generate(path, meetings=meetings)
        print(f"[scale] generated {counts} in {time.perf_counter() - began:.0f} s")
    for detail in (False, True):
        command = [sys.executable, __file__, "--measure", str(path), "--fiscal-year",
                   str(fiscal_year), *(["--detail"] if detail else [])]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print(f"[scale] {output.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, default=100_000,
                        help="meetings in the generated database (default 100,000)")
    parser.add_argument("--database", type=Path,
                        help="measure this database (generated first with --meetings if absent)")
    parser.add_argument("--fiscal-year", type=int, default=2022)
    parser.add_argument("--scale-only", action="store_true", help="skip the small scenarios")
    parser.add_argument("--skip-scale", action="store_true", help="only the small scenarios")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--detail", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, FiscalPeriod(args.fiscal_year), args.detail)
        return
    with tempfile.TemporaryDirectory() as folder:
        if not args.scale_only:
            scenario(Path(folder), "typical", FiscalPeriod(2022, 3), 3, organizations=60,
                     meetings=400, events=150, agreements=20, start=date(2019, 1, 1),
                     end=date(2023, 3, 31))
            scenario(Path(folder), "large", FiscalPeriod(2022), 2, organizations=300,
                     meetings=600, events=9_763, agreements=60, start=date(2022, 4, 1),
                     end=date(2023, 3, 31))
        if args.skip_scale:
            return
        path = args.database or Path(folder) / "scale.sqlite3"
        at_scale(path, None if args.database and path.exists() else args.meetings,
                 args.fiscal_year)


if __name__ == "__main__":
    main()
