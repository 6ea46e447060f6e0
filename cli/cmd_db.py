"""`crm init` and `crm db upgrade|backup|check`: creating and maintaining the database."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from cli.database import context, open_any_revision, refuse_if_read_only, url
from cli.errors import EXIT_DATA_ERROR
from db.engine import sqlite_path
from db.maintenance import backup, backup_path_before_upgrade, check
from db.migrate import current_revision, head_revision, newer_schema_problem
from db.session import Database, DatabaseError, create_database


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    refuse_if_read_only(args)
    database = create_database(url(args), context(args))
    print(f"created {database.describe()}", file=out)
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    if args.db_command == "backup":
        database = open_any_revision(args)
        target = backup(database, args.file)
        print(f"backed up {database.describe()} to {target}", file=out)
        return 0
    if args.db_command == "check":
        report = check(open_any_revision(args))
        chain = report.chain
        assert chain is not None
        print(f"integrity_check: {report.integrity}", file=out)
        print(f"foreign_key_check: {len(report.foreign_key_violations)} violation(s)", file=out)
        print(f"audit triggers: {len(report.trigger_problems)} problem(s)", file=out)
        print(f"audit chain: {chain.verified} row(s) verified, {chain.unsealed} unsealed",
              file=out)
        print(f"replay: {len(report.replay_problems)} record(s) differ from the audit log",
              file=out)
        for problem in report.problems:
            print(f"crm: {problem}", file=sys.stderr)
        return EXIT_DATA_ERROR if report.problems else 0
    refuse_if_read_only(args)
    database = Database.open(url(args), must_exist=False)
    revision = current_revision(database.engine)
    newer = newer_schema_problem(revision, database.describe())
    if newer is not None:
        raise DatabaseError(newer)
    path = sqlite_path(database.url)
    ctx = context(args)
    if path is not None and revision not in (None, head_revision()):
        copy = backup(database, backup_path_before_upgrade(path, revision, ctx.now()))
        print(f"backed up to {copy}", file=out)
    database.upgrade()
    with database.writing(actor=ctx.user):
        pass  # an empty unit of work seals the audit rows the migration recorded
    print(f"{database.describe()} is at the newest schema", file=out)
    return 0

