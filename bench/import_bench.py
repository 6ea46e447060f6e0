"""Importing meetings against its floor: a plain executemany of the same rows.

Writes a CSV of N meetings (default 100,000) naming 60 organizations and a few staff, then,
each in a fresh process (so that peak memory is its own) on a fresh database at the newest
schema, with the audit triggers firing in both:
- `import`: the CSV read by crm.io.importing.read_import in `Database.reading()`, then written
  by `ImportPlan.write` inside `Database.writing()`, as `crm import` does (the audit sealing
  at commit is timed apart, it belongs to every write of the program; `lock_held_seconds` is
  the whole write session, for which other writers wait: compare it across schema versions,
  since from migration 0016 PostgreSQL writes the search documents at commit);
- `executemany`: the rows already parsed and resolved to ids, inserted with three
  executemany calls (meeting, meeting_organization, meeting_staff) and committed;
- `import_with_save` (not run by default): `import`, and a save (one meeting logged from
  another connection, as the TUI does) started as soon as the import holds the lock: it
  waits for the lock at most `db.engine.BUSY_TIMEOUT_MS`; `save` says whether it succeeded
  (or the busy error) and how long it took.

    .venv/bin/python -m bench.import_bench [--rows N] [--keep DIR] [--url URL | --postgres]
        [--modes import,executemany,import_with_save]

On SQLite by default; `--url` (a PostgreSQL admin URL) or `--postgres` (a throw-away cluster
started as the tests start theirs) measures PostgreSQL, each run in a database of its own.

Prints one JSON object: seconds for each, their ratio, and each run's peak RSS (ru_maxrss).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import backends
from crm.audit import chain as audit
from crm.context import Context, fixed_clock
from crm.io.importing import read_import
from crm.records import services
from db.session import Database, create_database

CTX = Context(user="bench", clock=fixed_clock(datetime(2024, 4, 1, 3, 0, tzinfo=UTC)))
ORGANIZATIONS = [f"株式会社ベンチ{i:02}" for i in range(60)]
STAFF = ["山田太郎", "佐藤花子", "鈴木一郎", "田中次郎"]


def write_csv(path: Path, rows: int, seed: int = 2024) -> None:
    """N meetings with 1–2 organizations and 0–1 staff, summaries, some follow-ups."""
    rng = random.Random(seed)
    first = date(2018, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "title", "organizations", "staff", "summary", "next_action",
                         "follow_up_on"])
        for i in range(rows):
            held_on = first + timedelta(days=rng.randrange(2000))
            orgs = rng.sample(ORGANIZATIONS, rng.choice((1, 1, 2)))
            staff = rng.sample(STAFF, rng.choice((0, 1)))
            follow = held_on + timedelta(days=14) if i % 5 == 0 else None
            writer.writerow([held_on.isoformat(), f"意見交換 {i}", ";".join(orgs), ";".join(staff),
                             "データ連携について意見交換した。" * 2, "資料送付" if follow else "",
                             follow.isoformat() if follow else ""])


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def fresh_database(url: str) -> Database:
    """A new database at the newest schema with the organizations and staff the CSV names."""
    database = create_database(url, CTX)
    with database.writing(actor=CTX.user) as session:
        for name in ORGANIZATIONS:
            services.create_organization(session, CTX, name=name, kind="company")
        for name in STAFF:
            services.create_staff(session, CTX, name=name)
    return database


def run_import(database: Database, source: Path,
               on_locked: Callable[[], None] | None = None) -> dict[str, Any]:
    """Read the file in a read session, then write it in a write session (as `crm import`
    does): `seconds` is the two together, `lock_held_seconds` the write session (BEGIN to
    COMMIT, sealing included), during which every other writer waits. `on_locked` is
    called once the lock is held."""
    started = time.perf_counter()
    with database.reading() as session:
        plan = read_import(session, CTX, "meetings", source)
    read = time.perf_counter()
    with database.writing(actor=CTX.user) as session:
        locked = time.perf_counter()
        if on_locked is not None:
            on_locked()
        assert plan.still_current(session)
        result = plan.write(session)
        written = time.perf_counter()
        before_commit = _peak_rss_mb()
    committed = time.perf_counter()
    return {"seconds": round(read - started + written - locked, 2), "added": result.added,
            "read_seconds": round(read - started, 2),
            "write_seconds": round(written - locked, 2),
            "seal_and_commit_seconds": round(committed - written, 2),
            "lock_held_seconds": round(committed - locked, 2),
            "peak_rss_mb_before_commit": before_commit}


def run_executemany(database: Database, source: Path) -> dict[str, Any]:
    """The floor: rows parsed and resolved beforehand, inserted with plain executemany."""
    connection = database.engine.raw_connection()
    cursor = connection.cursor()
    sqlite = database.engine.dialect.name == "sqlite"
    cursor.execute("SELECT name, id FROM organization")
    organizations = dict(cursor.fetchall())
    cursor.execute("SELECT name, id FROM staff")
    staff = dict(cursor.fetchall())
    now = CTX.now().isoformat(sep=" ")
    meetings, links, staff_links = [], [], []
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for meeting_id, (held_on, title, orgs, names, summary, action, follow) in enumerate(
            reader, start=1
        ):
            meetings.append((meeting_id, held_on, title, summary, action or None,
                             follow or None, now, "bench", now, "bench"))
            links += [(meeting_id, organizations[o]) for o in orgs.split(";")]
            staff_links += [(meeting_id, staff[s]) for s in names.split(";") if s]
    mark = "?" if sqlite else "%s"

    def marks(count: int) -> str:
        return ", ".join([mark] * count)

    started = time.perf_counter()
    if sqlite:
        cursor.execute("BEGIN IMMEDIATE")  # the engine leaves pysqlite in autocommit mode
    cursor.executemany(
        "INSERT INTO meeting (id, held_on, title, summary, next_action, follow_up_on,"
        f" created_at, created_by, updated_at, updated_by) VALUES ({marks(10)})",
        meetings,
    )
    cursor.executemany(f"INSERT INTO meeting_organization VALUES ({marks(2)})", links)
    cursor.executemany(f"INSERT INTO meeting_staff VALUES ({marks(2)})", staff_links)
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return {"seconds": round(elapsed, 2), "added": len(meetings)}


def run_import_with_save(database: Database, source: Path) -> dict[str, Any]:
    """`run_import`, with a save from another connection started once the import holds
    the lock; `save` is its outcome and its time from start to commit."""
    saver = Database.open(database.url)
    save: dict[str, Any] = {}

    def log_one() -> None:
        started = time.perf_counter()
        try:
            with saver.writing(actor="saver") as session:
                organization = services.find_organization(session, ORGANIZATIONS[0])
                assert organization is not None and organization.id is not None
                services.log_meeting(session, CTX, held_on=date(2024, 3, 1),
                                     title="取込中の保存", organization_ids=[organization.id])
            save["outcome"] = "saved"
        except Exception as exc:  # noqa: BLE001 - reported in the figures
            save["outcome"] = str(exc)
        save["seconds"] = round(time.perf_counter() - started, 2)

    thread = threading.Thread(target=log_one)
    result = run_import(database, source, on_locked=thread.start)
    thread.join()
    saver.dispose()
    result["save"] = save
    return result


_RUNNERS: dict[str, Callable[[Database, Path], dict[str, Any]]] = {
    "import": run_import, "executemany": run_executemany,
    "import_with_save": run_import_with_save,
}


def run_one(mode: str, folder: Path, admin_url: str | None) -> dict[str, Any]:
    database = fresh_database(backends.fresh_url(admin_url, folder, f"bench_{mode}"))
    result = _RUNNERS[mode](database, folder / "meetings.csv")
    with database.reading() as session:
        result["audit_rows"] = audit.chain_head(session).id
    database.dispose()
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the files in")
    parser.add_argument("--modes", default="import,executemany",
                        help="which runs, comma-separated (default: both)")
    backends.add_arguments(parser)
    parser.add_argument("--only", choices=tuple(_RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_one(args.only, args.folder, args.url)))
        return
    with tempfile.TemporaryDirectory() as temporary, backends.server(args) as admin_url:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "meetings.csv", args.rows)
        results: dict[str, Any] = {"rows": args.rows,
                                   "backend": backends.backend_name(admin_url)}
        for mode in args.modes.split(","):
            server = ["--url", admin_url] if admin_url else []
            output = subprocess.run(
                [sys.executable, "-m", "bench.import_bench", "--only", mode, "--folder",
                 str(folder), *server], check=True, capture_output=True, text=True,
            ).stdout
            results[mode] = json.loads(output)
    if "executemany" not in results or "import" not in results:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    results["ratio"] = round(results["import"]["seconds"] / results["executemany"]["seconds"], 2)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
