"""`crm orgs duplicates|merge|unmerge`: duplicate organizations."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from cli.database import context, open_database, refuse_if_read_only
from cli.messages import say
from cli.table import format_table
from crm.i18n import default_language, label
from crm.records import dedup


def cmd_orgs(args: argparse.Namespace, out: TextIO) -> int:
    """`orgs duplicates`: likely duplicate pairs; `orgs merge` / `orgs unmerge`."""
    lang = args.lang or default_language()
    if args.orgs_command == "duplicates":
        with open_database(args).reading() as session:
            pairs = dedup.find_duplicates(session, min_score=args.min_score)
        if args.format == "json":
            json.dump([p.to_json() for p in pairs], out, ensure_ascii=False, indent=2)
            print(file=out)
            return 0
        headers = [label(key, lang) for key in ("score", "id", "org_name", "id", "org_name",
                                                "reason")]
        rows = [[f"{p.score:.2f}", str(p.first.id), p.first.name, str(p.second.id),
                 p.second.name, p.reason_text(lang)] for p in pairs]
        print(format_table(headers, rows, right=[True, True, False, True]), file=out)
        return 0
    refuse_if_read_only(args)
    ctx = context(args)
    with open_database(args).writing(actor=ctx.user) as session:
        if args.orgs_command == "merge":
            record = dedup.merge_organizations(session, ctx, keep_id=args.keep,
                                               duplicate_id=args.duplicate)
            print(say("merged", lang, duplicate=args.duplicate, keep=args.keep, merge=record.id),
                  file=out)
        else:
            record = dedup.unmerge_organizations(session, ctx, args.merge_id)
            print(say("unmerged", lang, merge=record.id, organization=record.merged_id),
                  file=out)
    return 0
