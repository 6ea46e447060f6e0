"""No command: the terminal UI (on the demo database with --demo)."""

from __future__ import annotations

import argparse
from typing import TextIO

from cli.database import context, open_database
from crm.i18n import default_language


def cmd_home(args: argparse.Namespace, out: TextIO) -> int:
    """No command: open the terminal UI (on the demo database with --demo)."""
    from tui.app import CRMApp

    database = open_database(args)
    lang = args.lang or default_language()
    CRMApp(database, context(args), lang=lang, read_only=args.read_only,
           personal=args.show_personal).run()
    return 0
