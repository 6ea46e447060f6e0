"""`crm import ENTITY FILE`: records from a CSV or .xlsx file, all checked before any is written."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from cli.database import context, open_database, refuse_if_read_only
from cli.errors import EXIT_DATA_ERROR, UsageError
from cli.messages import refusal, say
from crm.io.importing import import_file


def _progress(lang: str) -> Callable[[int], None]:
    def progress(read: int) -> None:
        print(f"crm: {say('rows_read', lang, count=read)}", file=sys.stderr, flush=True)

    return progress


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """Import a file; with --dry-run (allowed under --read-only) only say what it would do."""
    if args.create_missing != (args.kind is not None):
        raise refusal(UsageError, "missing_with_kind")
    if not args.dry_run:
        refuse_if_read_only(args)
    database = open_database(args)
    actor = context(args).user
    with database.rehearsing(actor=actor) if args.dry_run else database.writing(
            actor=actor) as session:
        result = import_file(
            session, context(args), args.entity, args.file, sheet=args.sheet,
            dry_run=args.dry_run, create_missing=args.kind, progress=_progress(args.lang),
        )
    print(result.summary(args.lang), file=out)
    for error in result.errors:
        print(f"crm: {error.text(args.lang)}", file=sys.stderr)
    return EXIT_DATA_ERROR if result.refused else 0
