"""Command-line start-up against the interpreter's own (a script, not part of the test suite).

    .venv/bin/python -m bench.cli_bench [--runs 15]

Runs, interleaved so that a busy machine slows every command alike, in fresh processes:
`python -c pass`, `python -c "import sqlalchemy"`, `crm --help`, `crm --version`,
`crm kpi --help` and `crm --db DEMO kpi` on a demo database built once in a temporary
directory, and prints the median wall time of each and the two ratios issue 15 targets:
`crm --help` <= 4x `python -c pass`; `crm kpi` <= 2x `import sqlalchemy`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CRM = [sys.executable, "-m", "cli.main"]
TODAY = "2025-03-31"


def _elapsed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(runs: int, demo: Path) -> dict[str, float]:
    """The median seconds of each command over `runs` interleaved rounds."""
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import sqlalchemy"': [sys.executable, "-c", "import sqlalchemy"],
        "crm --help": [*CRM, "--help"],
        "crm --version": [*CRM, "--version"],
        "crm kpi --help": [*CRM, "kpi", "--help"],
        "crm kpi (demo database)": [*CRM, "--db", str(demo), "--today", TODAY, "kpi"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache once
        _elapsed(command)
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_elapsed(command))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Build a demo database, measure, print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.sqlite3"
        subprocess.run([*CRM, "--db", str(demo), "--today", TODAY, "demo"], check=True,
                       stdout=subprocess.DEVNULL)
        medians = measure(args.runs, demo)
    print("| command | median wall time |\n|---|---:|")
    for name, seconds in medians.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")
    bare, alchemy = medians["python -c pass"], medians['python -c "import sqlalchemy"']
    print(f"\n`crm --help` / `python -c pass`: {medians['crm --help'] / bare:.2f}x (target <= 4x)")
    print(f"`crm kpi` / `import sqlalchemy`: {medians['crm kpi (demo database)'] / alchemy:.2f}x"
          " (target <= 2x)")


if __name__ == "__main__":
    main()
