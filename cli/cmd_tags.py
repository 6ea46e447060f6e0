"""`crm tags list|rename`: the tags of meetings, agreements and events."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from cli.database import context, open_database, refuse_if_read_only
from cli.messages import say
from cli.table import format_table
from crm import tags
from crm.i18n import default_language, label


def cmd_tags(args: argparse.Namespace, out: TextIO) -> int:
    """`tags list`: each tag and its uses; `tags rename OLD NEW` (docs/plans.md, "Tags")."""
    lang = args.lang or default_language()
    if args.tags_command == "rename":
        refuse_if_read_only(args)
        with open_database(args).writing(actor=context(args).user) as session:
            tags.rename_tag(session, args.old, args.new)
        print(say("tag_renamed", lang, old=repr(args.old.strip()), new=repr(args.new.strip())),
              file=out)
        return 0
    with open_database(args).reading() as session:
        uses = tags.list_tags(session)
    if args.format == "json":
        json.dump([u.to_json() for u in uses], out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    headers = [label(key, lang) for key in ("tag", "meetings", "agreements", "events")]
    rows = [[u.name, str(u.meetings), str(u.agreements), str(u.events)] for u in uses]
    print(format_table(headers, rows, right=[False, True, True, True]), file=out)
    return 0
