"""`crm demo`: build a realistic demo database (also on first use of --demo)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from cli.database import context, refuse_if_read_only
from cli.errors import UsageError
from cli.messages import refusal, say
from crm.context import Context, fixed_clock
from db.engine import make_engine, sqlite_path
from db.maintenance import BackupError, backup, backup_path_before, is_demo, mark_as_demo
from db.paths import demo_database_path
from db.session import Database, create_database, resolve_url


def build_demo(url: str, *, seed: int, force: bool, today: date,
               out: TextIO | None = None, lang: str = "ja",
               progress: Callable[[str], None] | None = None) -> Database:
    """Create the demo database at `url`, its records up to `today`, marked as one
    (db.maintenance.mark_as_demo); `progress` hears each step (crm.demo.DEMO_STEPS, then
    "saving").

    With `force` it replaces an existing SQLite file: a demo one as it is, any other only
    once a backup of it is taken (and reported on `out`).
    """
    from crm.demo import demo_clock, generate_demo

    path = sqlite_path(url)
    if path is not None and path.exists():
        if not force:
            raise refusal(UsageError, "demo_exists", path=path)
        if not is_demo(path):
            existing = Database(url=url, engine=make_engine(url))
            try:
                copy = backup(existing, backup_path_before(path, "demo", datetime.now(UTC)))
            except BackupError as exc:
                raise refusal(BackupError, "not_a_demo", path=path,
                              reason=exc.message) from exc
            finally:
                existing.dispose()
            if out is not None:
                print(say("demo_backed_up", lang, path=path, copy=copy), file=out)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    ctx = Context(user="demo", clock=fixed_clock(demo_clock(today)))
    database = create_database(url, ctx)
    with database.writing(actor=ctx.user) as session:
        generate_demo(session, ctx, seed=seed, today=today, progress=progress)
        if progress is not None:
            progress("saving")
    if path is not None:
        mark_as_demo(database)
    return database



def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """`crm demo`: build the demo database (at --db, else the default demo path)."""
    refuse_if_read_only(args)
    where = resolve_url(args.db if args.db is not None else demo_database_path())
    database = build_demo(where, seed=args.seed, force=args.force,
                          today=context(args).today(), out=out, lang=args.lang)
    print(say("demo_created", args.lang, seed=args.seed, database=database.describe()),
          file=out)
    return 0
