"""Start-up of the terminal UI in a fresh process, to its first frame (a script, not a test).

Each run starts a new interpreter that imports what it needs (a bare Textual App, or CRMApp
and the database code as `crm` does), runs the app headless and reports when the first frame
is drawn; the parent times it from the spawn. `python -c pass` is measured beside them. Run:

    .venv/bin/python -m bench.tui_fresh_start DB [--runs N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from statistics import median

#: The child's code: `{app}` builds the app to run; the first frame ends it.
CHILD = """
import asyncio
{imports}

async def main() -> None:
    app = {app}
    painted = asyncio.Event()
    display = app._display

    def first_frame(screen, renderable):
        if renderable is not None and not app._batch_count and not painted.is_set():
            print("painted", flush=True)  # now, not when a waiter resumes
            painted.set()
        display(screen, renderable)

    app._display = first_frame
    async with app.run_test(size=(120, 40)):
        await painted.wait()
        await app.workers.wait_for_complete()

asyncio.run(main())
"""

CASES = {
    "python -c pass": "pass",
    "bare App": CHILD.format(imports="from textual.app import App", app="App()"),
    "CRMApp (as `crm --db DB`)": CHILD.format(
        imports="from cli.main import main as _cli  # the entry point's own import\n"
                "from cli.cmd_home import cmd_home  # noqa\n"
                "from db.session import Database\n"
                "from db.engine import sqlite_url\n"
                "from tui.app import CRMApp\n"
                "from crm.context import Context",
        app="CRMApp(Database.open(sqlite_url({db!r})), Context(user='bench'))"),
}


def spawn_to_paint(code: str) -> float:
    """Seconds from starting `python -c code` to its "painted" line (or its exit)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    child.stdout.readline()
    elapsed = time.perf_counter() - started
    child.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    codes = {name: code.replace("{db!r}", repr(args.db)) for name, code in CASES.items()}
    samples: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(args.runs):  # in turns, so that a change of load weighs on each alike
        for name, code in codes.items():
            samples[name].append(spawn_to_paint(code))
    for name, times in samples.items():
        print(f"  {name:<40} {median(times) * 1000:8.0f} ms (median of {args.runs})")


if __name__ == "__main__":
    main()
