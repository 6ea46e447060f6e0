"""No command: the terminal UI (on the demo database with --demo)."""

from __future__ import annotations

import argparse
from typing import TextIO

from cli.database import context, open_database
from crm.i18n import default_language


def cmd_home(args: argparse.Namespace, out: TextIO) -> int:
    """No command: open the terminal UI (on the demo database with --demo)."""
    from cli.cmd_demo import build_demo
    from db.paths import demo_database_path, keymap_path
    from db.session import resolve_url
    from tui.app import CRMApp
    from tui.keymap import known_actions, load_keymap

    keymap = load_keymap(keymap_path(), known_actions())
    lang = args.lang or default_language()
    path = demo_database_path()
    if args.demo and args.db is None and not path.exists():
        from tui.splash import build_with_splash

        today = context(args).today()
        build_with_splash(lambda progress: build_demo(
            resolve_url(path), seed=2018, force=False, today=today, progress=progress,
        ).dispose(), lang)
    database = open_database(args)
    CRMApp(database, context(args), lang=lang, read_only=args.read_only,
           personal=args.show_personal, keymap=keymap).run()
    return 0
