"""`crm import ENTITY FILE`: records from a CSV or .xlsx file, all checked before any is written."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from sqlmodel import Session

from cli.database import context, open_database, refuse_if_read_only
from cli.errors import EXIT_DATA_ERROR, UsageError
from cli.messages import refusal, say
from crm.io.importing import ImportPlan, ImportResult, read_import
from db.session import Database


def _progress(lang: str) -> Callable[[int], None]:
    def progress(read: int) -> None:
        print(f"crm: {say('rows_read', lang, count=read)}", file=sys.stderr, flush=True)

    return progress


#: How many times a file is read again without the lock when the database changed meanwhile.
READ_ATTEMPTS = 3


def import_with_short_lock(
    database: Database, actor: str, read: Callable[[Session], ImportPlan]
) -> ImportResult:
    """Read the file with reads only, then write it holding the write lock for the writes
    alone. If the database changed in between, the file is read again (without the lock, up
    to READ_ATTEMPTS times; then under it)."""
    for _ in range(READ_ATTEMPTS):
        with database.reading() as session:
            plan = read(session)
        with database.writing(actor=actor) as session:
            if plan.still_current(session):
                return plan.write(session)
    with database.writing(actor=actor) as session:
        return read(session).write(session)


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """Import a file; with --dry-run (allowed under --read-only) only say what it would do."""
    if args.create_missing != (args.kind is not None):
        raise refusal(UsageError, "missing_with_kind")
    if not args.dry_run:
        refuse_if_read_only(args)
    database = open_database(args)
    actor = context(args).user

    def read(session: Session) -> ImportPlan:
        return read_import(
            session, context(args), args.entity, args.file, sheet=args.sheet,
            dry_run=args.dry_run, create_missing=args.kind, progress=_progress(args.lang),
        )

    if args.dry_run:
        with database.rehearsing(actor=actor) as session:
            result = read(session).write(session)
    else:
        result = import_with_short_lock(database, actor, read)
    print(result.summary(args.lang), file=out)
    for error in result.errors:
        print(f"crm: {error.text(args.lang)}", file=sys.stderr)
    return EXIT_DATA_ERROR if result.refused else 0
