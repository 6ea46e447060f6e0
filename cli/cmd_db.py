"""`crm init` and `crm db upgrade|backup|check`: creating and maintaining the database."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from cli.database import context, open_any_revision, refuse_if_read_only, url
from cli.errors import EXIT_DATA_ERROR
from cli.messages import say
from crm.i18n import in_language
from db.engine import sqlite_path
from db.maintenance import backup, backup_path_before_upgrade, check
from db.migrate import current_revision, head_revision, newer_schema_problem
from db.session import Database, DatabaseError, create_database


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    """`crm init`: a new database at the newest schema with the shipped plan."""
    refuse_if_read_only(args)
    database = create_database(url(args), context(args))
    print(say("created", args.lang, database=database.describe()), file=out)
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    """`crm db upgrade|backup|check`; upgrade refuses a newer schema before any backup."""
    if args.db_command == "backup":
        database = open_any_revision(args)
        target = backup(database, args.file)
        print(say("backed_up", args.lang, database=database.describe(), target=target),
              file=out)
        return 0
    if args.db_command == "check":
        report = check(open_any_revision(args))
        lang = args.lang
        chain = report.chain
        assert chain is not None
        print(say("check_integrity", lang, result=report.integrity), file=out)
        print(say("check_foreign_keys", lang, count=len(report.foreign_key_violations)),
              file=out)
        print(say("check_triggers", lang, count=len(report.trigger_problems)), file=out)
        print(say("check_chain", lang, verified=chain.verified, unsealed=chain.unsealed),
              file=out)
        print(say("check_replay", lang, count=len(report.replay_problems)), file=out)
        for problem in report.problems:
            print(f"crm: {in_language(problem, lang)}", file=sys.stderr)
        return EXIT_DATA_ERROR if report.problems else 0
    refuse_if_read_only(args)
    database = Database.open(url(args), must_exist=False)
    revision = current_revision(database.engine)
    newer = newer_schema_problem(revision, database.describe())
    if newer is not None:
        raise DatabaseError(newer, ja=newer_schema_problem(revision, database.describe(), "ja"))
    path = sqlite_path(database.url)
    ctx = context(args)
    if path is not None and revision not in (None, head_revision()):
        copy = backup(database, backup_path_before_upgrade(path, revision, ctx.now()))
        print(say("backed_up_to", args.lang, target=copy), file=out)
    database.upgrade()
    with database.writing(actor=ctx.user):
        pass  # an empty unit of work seals the audit rows the migration recorded
    print(say("at_newest", args.lang, database=database.describe()), file=out)
    return 0

