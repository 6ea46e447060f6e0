"""`crm report`: the KPI report PDF of a fiscal quarter or year; `crm report history`."""

from __future__ import annotations

import argparse
from typing import TextIO

from cli.database import context, open_database
from cli.errors import UsageError
from cli.messages import refusal, say
from cli.period import period as fiscal_period
from cli.table import format_table
from crm.calendar import FiscalPeriod
from crm.i18n import default_language


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """Write the KPI report PDF (and issue it with --issue), or list the issued reports."""
    # Imported here: ReportLab is loaded only by the command that needs it.
    from crm.reporting.issued import history, japan_time_text
    from reports.labels import t
    from reports.publish import publish_report

    lang = args.report_lang or args.lang or default_language()
    if args.action == "history":
        if args.fiscal_year is not None or args.issue or args.output is not None:
            raise refusal(UsageError, "history_takes_nothing")
        with open_database(args).reading() as session:
            records = history(session)
        headers = t("history_columns", lang).split("|")
        rows = [
            [str(r.id), FiscalPeriod(r.fiscal_year, r.quarter).label(lang), r.lang,
             japan_time_text(r.generated_at), japan_time_text(r.issued_at), r.issued_by,
             r.fingerprint, r.pdf_sha256,
             "—" if r.audit_head_hash is None else f"{r.audit_head_id or 0}:{r.audit_head_hash}",
             "—" if r.no_personal is None else t(
                 "history_names_left_out" if r.no_personal else "history_names_printed", lang)]
            for r in records
        ]
        print(format_table(headers, rows, right=[True]), file=out)
        return 0
    period = fiscal_period(args)
    if period is None:
        raise refusal(UsageError, "report_needs_year")
    from cli.cmd_approvers import approvers_option

    approvers = approvers_option(args, out)
    ctx = context(args)
    published = publish_report(
        open_database(args), ctx, period=period, lang=lang, output=args.output,
        generated_at=args.generated_at, approval_block=not args.no_approval_block,
        office=args.office, issue=args.issue, plan=args.plan, approvers=approvers,
        personal=not args.no_personal, detail=args.detail,
    )
    result = published.report
    print(say("report_written", args.lang, path=published.path,
              fingerprint=result.fingerprint), file=out)
    changed = result.content.restated_figures
    if changed:
        print(say("report_restates", args.lang, count=changed), file=out)
    if published.issued_id is not None:
        print(say("report_issued", args.lang, id=published.issued_id, sha256=result.sha256),
              file=out)
    return 0
