"""Run every benchmark and write docs/performance.md (a script, not part of the test suite).

    .venv/bin/python -m bench.run [--sizes 10000,100000,1000000] [--cache DIR]
                                  [--postgres [--pg-sizes 10000,100000]]

For each size it generates (or reuses) a database with bench.generate, then measures in
separate processes, so that each figure's peak memory is its own:
- all KPIs at one date and for every quarter of the plan period, against a hand-written SQL
  aggregate over the same tables (bench.kpi_bench);
- TUI start-up to first paint against a bare Textual app, the dashboard, opening the meetings
  list and filtering it (bench.tui_bench);
and once: importing 100,000 meetings against a plain executemany (bench.import_bench), and the
quarterly PDF, typical and with 10,000 appendix rows (bench.report_bench).

With --postgres it starts a throw-away PostgreSQL cluster the way the tests do and measures,
at each of --pg-sizes, the KPI engine against its floor and the import (with its sealing) on
both backends side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import __version__ as sqlalchemy_version
from textual import __version__ as textual_version

from bench import backends

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "performance.md"
TARGETS = {
    "kpi": "KPI computation within 2x of its floor at every size",
    "tui": "TUI start within 1.5x of a bare Textual app; a filter keystroke under 100 ms at 1M",
    "import": "import within 3x of executemany",
    "pdf": "a quarterly PDF under 1 s",
    "cli": "`crm --help` within 4x of `python -c pass`; `crm kpi` within 2x of"
           " `python -c \"import sqlalchemy\"`",
}


@dataclass(frozen=True)
class Run:
    """One benchmark process: what it printed, how long it took, its peak memory."""

    output: str
    seconds: float
    peak_mb: float


def run(*arguments: str) -> Run:
    """Run `python -m ARGUMENTS` from the project root; its own peak RSS from wait4."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", *arguments], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(arguments)} failed with exit {process.returncode}")
    return Run(output, time.perf_counter() - started, usage.ru_maxrss / 1024)


def tui_figures(output: str) -> dict[str, float]:
    """The 'name   N ms' lines bench.tui_bench prints, as milliseconds by name."""
    figures = {}
    for line in output.splitlines():
        found = re.match(r"\s+(.+?)\s+(\d+) ms$", line)
        if found:
            figures[found.group(1)] = float(found.group(2))
    return figures


def machine() -> str:
    """The machine the figures were measured on."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
        f" SQLAlchemy {sqlalchemy_version}, Textual {textual_version}"
    )


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor else "—"


def drill_down_section(sizes: dict[int, dict[str, Any]]) -> list[str]:
    """The KPI screen's read, per size (bench.drill_down_bench)."""
    lines = [
        "", "## KPI screen (drill-down)", "",
        "`bench/drill_down_bench.py`, FY2022 Q3: everything the TUI's KPI screen reads when it",
        "opens from the dashboard (which hands it the KPI's figure): comments, first pages and",
        "counts of the evidence and of the records that did not count; and the last page of",
        "those not counted; after checking that evidence plus not counted is every source",
        "record of the quarter.", "",
        "| meetings | KPI | screen | last page | not counted | peak memory |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size, data in sizes.items():
        for code, figures in data.items():
            if isinstance(figures, dict):
                lines.append(f"| {int(size):,} | {code} | {figures['screen']:.3f} s"
                             f" | {figures['last_page']:.3f} s | {figures['not_counted']:,}"
                             f" | {data['peak_mb']:.0f} MB |")
    return lines


def write_report(results: dict[str, Any]) -> str:
    """docs/performance.md from the collected results."""
    lines = [
        "# Performance",
        "",
        f"Measured {results['when']} with `.venv/bin/python -m bench.run` on:",
        f"{results['machine']}.",
        "Each figure is the best of a few runs in its own process; peak memory is that process's",
        "maximum resident set (it includes the interpreter and libraries, about 60–90 MB).",
        "Databases come from `bench/generate.py`: N meetings with 1–2 organizations each",
        "(N/200 organizations), N/4 events and N/100 agreements over FY2018–FY2024, audit",
        "triggers on.",
        "",
        "## Targets",
        "",
        *[f"- {text}" for text in TARGETS.values()],
        "",
        "## KPI computation against its floor",
        "",
        "The floor is one hand-written SQL statement over the same tables that counts the six",
        "computed figures (or their monthly counts, for the quarters), without the",
        "`kpi_counted_record` view, the evidence columns, the measured KPIs or the progress",
        "arithmetic (`bench/kpi_bench.py`, which first checks that both count the same).",
        "",
        "| meetings | all KPIs at a date | floor | ratio | every plan quarter | floor | ratio "
        "| peak memory |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, kpi in results["kpi"].items():
        lines.append(
            f"| {int(size):,} | {kpi['at']:.3f} s | {kpi['at_floor']:.3f} s"
            f" | {ratio(kpi['at'], kpi['at_floor'])} | {kpi['quarters']:.3f} s"
            f" | {kpi['quarters_floor']:.3f} s | {ratio(kpi['quarters'], kpi['quarters_floor'])}"
            f" | {kpi['peak_mb']:.0f} MB |"
        )
    lines += ["", "## Terminal UI", "",
              "Headless through Textual's Pilot (`bench/tui_bench.py`); milliseconds.", ""]
    names: list[str] = []
    for figures in results["tui"].values():
        names += [n for n in figures["ms"] if n not in names]
    sizes = list(results["tui"])
    lines.append("| measure | " + " | ".join(f"{int(s):,} meetings" for s in sizes) + " |")
    lines.append("|---|" + "---:|" * len(sizes))
    for name in names:
        cells = [results["tui"][s]["ms"].get(name) for s in sizes]
        lines.append(f"| {name} | " + " | ".join(
            "—" if c is None else f"{c:,.0f}" for c in cells) + " |")
    lines.append("| peak memory (MB) | " + " | ".join(
        f"{results['tui'][s]['peak_mb']:.0f}" for s in sizes) + " |")
    if results.get("drill_down"):
        lines += drill_down_section(results["drill_down"])
    if "import" in results:
        data = results["import"]
        lines += [
            "", "## Import of 100,000 meetings", "",
            "`bench/import_bench.py`: `crm.io.importing` (read, then written) on a CSV against"
            " a plain",
            "`executemany` of the same rows, already resolved to ids, into the same schema",
            "(audit triggers firing in both).", "",
            "| | seconds | peak memory |", "|---|---:|---:|",
        ]
        for mode in ("import", "executemany"):
            lines.append(f"| {mode} | {data[mode]['seconds']:.1f} |"
                         f" {data[mode].get('peak_rss_mb', 0):.0f} MB |")
        lines.append(f"| **ratio** | **{data['ratio']}x** | |")
        if "seal_and_commit_seconds" in data["import"]:
            lines += ["", "Sealing the audit chain and committing took a further"
                          f" {data['import']['seal_and_commit_seconds']:.1f} s (every write"
                          " of the program pays it, in proportion to the rows it changed)."]
        if "lock_held_seconds" in data["import"]:
            lines += ["", f"The file was read in {data['import']['read_seconds']:.1f} s before"
                          " the write lock was taken; the lock was held"
                          f" {data['import']['lock_held_seconds']:.1f} s (writes, sealing and"
                          " commit)."]
    lines += postgresql_sections(results)
    if "report" in results:
        lines += ["", "## Quarterly PDF", "", "`bench/report_bench.py`:", "", "```",
                  results["report"]["output"].strip(), "```",
                  f"Peak memory: {results['report']['peak_mb']:.0f} MB."]
    if "cli" in results:
        lines += ["", "## Command-line start-up", "",
                  "`bench/cli_bench.py`: fresh processes, interleaved round by round (a busy"
                  " machine slows each alike), median wall time; `crm kpi` on a demo database.",
                  "", results["cli"].strip()]
    lines += ["", "## Notes", "", *results.get("notes", []), ""]
    return "\n".join(lines)


def _per_row_ms(data: dict[str, Any]) -> float:
    """Milliseconds per row of an import, its sealing and commit included."""
    return float(1000 * (data["seconds"] + data["seal_and_commit_seconds"]) / data["added"])


def postgresql_sections(results: dict[str, Any]) -> list[str]:
    """The KPI and import figures measured on both backends (--postgres), side by side."""
    if "kpi_pg" not in results:
        return []
    lines = ["", "## SQLite and PostgreSQL side by side", "",
             "The same generated databases on both backends (PostgreSQL: a throw-away cluster",
             "started as the tests start theirs, fsync off); the KPI engine against its floor",
             "(`bench/kpi_bench.py`):", "",
             "| meetings | backend | all KPIs at a date | floor | ratio | every plan quarter"
             " | floor | ratio |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size, pg in results["kpi_pg"].items():
        for backend, kpi in (("SQLite", results["kpi_both"].get(size)), ("PostgreSQL", pg)):
            if kpi is None:
                continue
            lines.append(
                f"| {int(size):,} | {backend} | {kpi['at']:.3f} s | {kpi['at_floor']:.3f} s"
                f" | {ratio(kpi['at'], kpi['at_floor'])} | {kpi['quarters']:.3f} s"
                f" | {kpi['quarters_floor']:.3f} s"
                f" | {ratio(kpi['quarters'], kpi['quarters_floor'])} |")
    lines += ["", "Importing meetings (`bench/import_bench.py`, the import and the sealing of"
                  " its audit rows at commit), per row as the file grows:", "",
              "| backend | meetings | import | seal and commit | per row | per row against"
              " the smallest |", "|---|---:|---:|---:|---:|---:|"]
    for backend, runs in results["import_growth"].items():
        first = _per_row_ms(next(iter(runs.values())))
        for size, data in runs.items():
            lines.append(
                f"| {backend} | {int(size):,} | {data['seconds']:.1f} s"
                f" | {data['seal_and_commit_seconds']:.1f} s | {_per_row_ms(data):.2f} ms"
                f" | {_per_row_ms(data) / first:.2f}x |")
    return lines


def measure_both_backends(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """--postgres: KPI and import figures at --pg-sizes on both backends."""
    sizes = [int(s) for s in args.pg_sizes.split(",")]
    results["kpi_pg"], results["kpi_both"] = {}, {}
    results["import_growth"] = {"SQLite": {}, "PostgreSQL": {}}
    with backends.server(argparse.Namespace(postgres=True, url=None)) as admin_url:
        assert admin_url is not None
        for size in sizes:
            path = args.cache / f"bench-{size}.sqlite3"
            if not path.exists():
                run("bench.generate", str(path), "--meetings", str(size))
            results["kpi_both"][size] = json.loads(run("bench.kpi_bench", str(path)).output)
            run("bench.generate", f"bench_{size}", "--meetings", str(size), "--url", admin_url)
            results["kpi_pg"][size] = json.loads(
                run("bench.kpi_bench", backends.database_url(admin_url, f"bench_{size}")).output)
            for backend, server in (("SQLite", []), ("PostgreSQL", ["--url", admin_url])):
                output = run("bench.import_bench", "--rows", str(size), "--modes", "import",
                             *server).output
                results["import_growth"][backend][size] = json.loads(output)["import"]
            print(f"{size:,}: both backends measured", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/crm-bench"))
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--postgres", action="store_true",
                        help="also measure PostgreSQL (a throw-away cluster), side by side")
    parser.add_argument("--pg-sizes", default="10000,100000",
                        help="the sizes measured on both backends with --postgres")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "kpi": {}, "tui": {}, "drill_down": {},
    }
    for size in (int(s) for s in args.sizes.split(",")):
        path = args.cache / f"bench-{size}.sqlite3"
        tui = run("bench.tui_bench", "--db", str(path), "--meetings", str(size))
        results["tui"][size] = {"ms": tui_figures(tui.output), "peak_mb": tui.peak_mb}
        kpi = run("bench.kpi_bench", str(path))
        results["kpi"][size] = json.loads(kpi.output) | {"peak_mb": kpi.peak_mb}
        print(f"{size:,}: kpi {results['kpi'][size]}", file=sys.stderr)
        drill = run("bench.drill_down_bench", str(path))
        results["drill_down"][size] = json.loads(drill.output) | {"peak_mb": drill.peak_mb}
    if not args.skip_import:
        results["import"] = json.loads(run("bench.import_bench").output)
    if args.postgres:
        measure_both_backends(args, results)
    if not args.skip_report:
        report = run("bench.report_bench")
        results["report"] = {"output": report.output, "peak_mb": report.peak_mb}
    if not args.skip_cli:
        results["cli"] = run("bench.cli_bench").output
    notes = ROOT / "bench" / "notes.md"
    if notes.exists():
        results["notes"] = notes.read_text(encoding="utf-8").splitlines()
    REPORT.write_text(write_report(results), encoding="utf-8")
    print(f"wrote {REPORT}", file=sys.stderr)


if __name__ == "__main__":
    main()
