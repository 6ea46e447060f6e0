"""`crm audit verify|head|acknowledge|log`: the audit trail (監査証跡)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import TextIO

from cli.database import context, open_database, refuse_if_read_only
from cli.errors import EXIT_DATA_ERROR, UsageError
from cli.messages import refusal, say
from cli.table import format_table
from crm.audit import chain as audit
from crm.i18n import in_language, label


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    """`audit verify`: recompute the chain, check the anchors; `audit head`: the head to keep;
    `audit log`: a table's or record's changes."""
    if args.audit_command == "log" and args.row_id is not None and args.table is None:
        raise refusal(UsageError, "id_needs_table")
    if args.audit_command == "log" and args.table is not None:
        tables = audit.audited_tables()
        if args.table not in tables:
            usual = ("organization", "meeting", "agreement", "outreach_event")
            near = get_close_matches(args.table, tables, n=3) or [t for t in usual if t in tables]
            raise refusal(UsageError, "not_audited", table=repr(args.table[:40]),
                          tables=", ".join(near))
    if args.audit_command == "acknowledge":
        refuse_if_read_only(args)
        ctx = context(args)
        with open_database(args).writing(actor=ctx.user) as session:
            lines = audit.acknowledge(session, ctx.user, args.row, args.reason)
        for line in lines:
            print(say("acknowledged", args.lang, line=line), file=out)
        return 0
    with open_database(args).reading() as session:
        if args.audit_command == "head":
            head = audit.chain_head(session)
            print(f"{head.id or 0}:{head.hash}", file=out)
            return 0
        if args.audit_command == "verify":
            report = audit.verify(session, args.anchors)
        else:
            entries = audit.history(
                session, table=args.table, row_id=args.row_id, limit=max(args.limit, 0)
            )
    if args.audit_command == "verify":
        if not report.ok:
            for problem in report.problems():
                print(f"crm: {in_language(problem, args.lang)}", file=sys.stderr)
            return EXIT_DATA_ERROR
        print(say("chain_verified", args.lang, verified=report.verified, head_id=report.head_id,
                  head_hash=report.head_hash), file=out)
        if report.acknowledged:
            print(say("acknowledged_breaks", args.lang, count=len(report.acknowledged)),
                  file=out)
        if report.unsealed:
            print(say("await_sealing", args.lang, count=report.unsealed), file=out)
        return 0
    _print_audit_log(entries, out, args.lang, personal=args.personal,
                     as_json=args.format == "json")
    return 0


def _print_audit_log(
    entries: Sequence[audit.AuditEntry], out: TextIO, lang: str, *, personal: bool,
    as_json: bool
) -> None:
    if as_json:
        records = []
        for entry in entries:
            old, new = entry.values(personal=personal)
            records.append({"id": entry.id, "changed_at": entry.changed_at,
                            "changed_by": entry.changed_by, "claimed_by": entry.claimed_by,
                            "table": entry.table_name,
                            "row_id": entry.row_id, "action": entry.action, "old": old or None,
                            "new": new or None})
        print(_printable(json.dumps(records, ensure_ascii=False, indent=2)), file=out)
        return
    rows: list[list[str]] = []
    for entry in entries:
        old, new = entry.values(personal=personal)
        if entry.action == "update":
            changes = [f"{k}: {old.get(k)!r} → {v!r}" for k, v in new.items() if old.get(k) != v]
        else:
            changes = [f"{k}={v!r}" for k, v in (new or old).items() if v is not None]
        who = entry.changed_by if entry.claimed_by is None else (
            f"{entry.changed_by}（{entry.claimed_by} として）" if lang == "ja"
            else f"{entry.changed_by} (as {entry.claimed_by})")
        rows.append([str(entry.id), entry.changed_at, who, entry.table_name,
                     str(entry.row_id), entry.action, "; ".join(changes)])
    headers = ["#", *(label(key, lang) for key in ("changed_at", "changed_by", "table", "row",
                                                  "action", "changes"))]
    print(_printable(format_table(headers, rows, right=[True, False, False, False, True])),
          file=out)


def _printable(text: str) -> str:
    """`text` with bytes another tool wrote that are not UTF-8 shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

