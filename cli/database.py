"""Opening the database a command names (--db, --demo, --read-only) with its context."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time

from cli.messages import refusal, say
from crm.context import JAPAN, Context, fixed_clock, system_clock
from crm.errors import ReadOnlyError
from db.engine import sqlite_path
from db.paths import demo_database_path
from db.session import Database, DatabaseError, resolve_url


def context(args: argparse.Namespace) -> Context:
    """The command's context: the system clock, or noon (Japan) of --today."""
    if args.today is None:
        return Context(clock=system_clock)
    noon = datetime.combine(args.today, time(12), tzinfo=JAPAN).astimezone(UTC)
    return Context(clock=fixed_clock(noon))


def url(args: argparse.Namespace) -> str:
    """The database URL of --db / --demo / $CRM_DATABASE_URL; --demo builds it on first use."""
    if args.demo and args.db is None:
        path = demo_database_path()
        if not path.exists():
            from cli.cmd_demo import build_demo

            print(f"crm: {say('building_demo', args.lang, path=path)}", file=sys.stderr,
                  flush=True)
            build_demo(resolve_url(path), seed=2018, force=False,
                       today=context(args).today()).dispose()
        return resolve_url(path, read_only=args.read_only)
    return resolve_url(args.db, read_only=args.read_only)


def open_database(args: argparse.Namespace) -> Database:
    """The database at the newest schema, read-only with --read-only."""
    return Database.open(url(args), read_only=args.read_only)


def refuse_if_read_only(args: argparse.Namespace) -> None:
    """Refuse a command that writes when --read-only was given."""
    if args.read_only:
        raise refusal(ReadOnlyError, "read_only")


def open_any_revision(args: argparse.Namespace) -> Database:
    """An existing database at whatever schema revision it is."""
    where = url(args)
    path = sqlite_path(where)
    if path is not None and not path.exists():
        raise refusal(DatabaseError, "no_database", path=path)
    return Database.open(where, read_only=args.read_only, must_exist=False)
