"""`crm kpi`: KPI values, progress and evidence as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from cli.database import context, open_database
from cli.period import period as fiscal_period
from cli.table import format_table
from crm.calendar import FiscalPeriod, fiscal_year_of, format_wareki
from crm.formatting import format_day, format_number, format_rate
from crm.i18n import default_language, label
from crm.kpi import comments as kpi_comments
from crm.kpi import engine as kpi_engine


def cmd_kpi(args: argparse.Namespace, out: TextIO) -> int:
    """`crm kpi`: the KPIs at a date or for a period, or the evidence behind one."""
    if args.kpi_command == "comment":
        from cli.cmd_kpi_comment import cmd_kpi_comment
        return cmd_kpi_comment(args, out)
    lang = args.lang or default_language()
    period = fiscal_period(args)
    as_of = args.as_of or context(args).today()
    database = open_database(args)
    with database.reading_connection() as session:
        if args.evidence:
            plan = None if args.plan in (None, "all") else args.plan
            kpi = kpi_engine.computed_kpi(session, args.evidence, plan)
            since = period.start if period else None
            through = period.end if period else as_of
            rows = kpi_engine.evidence(session, kpi.code, plan=kpi.plan_code, since=since,
                                       through=through)
            _print_evidence(args, out, lang, kpi, rows, since, through)
            return 0
        year = period.fiscal_year if period else fiscal_year_of(as_of)
        note = None
        plans = kpi_engine.select_plans(session, args.plan, year)
        if plans == []:
            # A note, not an error: on stderr beside JSON or CSV, under the table's heading.
            note = (f"{year}年度に有効な計画はありません。--plan CODE で指定するか"
                    "（`crm plan list`）、--plan all を使ってください" if lang == "ja" else
                    f"no plan is in force in fiscal year {year}: name one with --plan CODE"
                    " (see `crm plan list`) or use --plan all")
        if period is not None:
            figures = kpi_engine.compute_for_period(session, period, plans)
        else:
            figures = kpi_engine.compute_at(session, as_of, plans)
        commented = kpi_comments.comments_for(session, period or FiscalPeriod(year))
    if note and args.format != "table":
        print(f"crm: {note}", file=sys.stderr)
    if args.format == "json":
        json.dump([f.to_json() | {"comments": commented.get(f.kpi.id, kpi_comments.no_comments())}
                   for f in figures], out, ensure_ascii=False, indent=2)
        print(file=out)
    elif args.format == "csv":
        _write_csv(out, [f.to_json() for f in figures])
    else:
        heading = period.label(lang) if period else _as_of_heading(as_of, lang)
        print(heading, file=out)
        if note:
            print(note, file=out)
        for code in dict.fromkeys(f.kpi.plan_code for f in figures):
            print(f"\n{label('plan', lang)}: {code}", file=out)
            print(_kpi_table([f for f in figures if f.kpi.plan_code == code], lang,
                             with_period=period is not None), file=out)
    return 0



def _as_of_heading(as_of: date, lang: str) -> str:
    if lang == "ja":
        return f"{format_wareki(as_of)}（{as_of.isoformat()}）時点"
    return f"As of {as_of.isoformat()}"


def _write_csv(out: TextIO, rows: Sequence[dict[str, object]]) -> None:
    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _kpi_table(figures: Sequence[kpi_engine.KpiFigure], lang: str, *, with_period: bool) -> str:
    headers = [label("basic_policy", lang), label("name", lang), label("baseline", lang),
               label("target", lang)]
    if with_period:
        headers.append(label("period_count", lang))
    headers += [label("value", lang), label("achievement_rate", lang),
                label("progress_rate", lang), label("status", lang)]
    rows = []
    for f in figures:
        k = f.kpi
        unit = "" if k.unit == "—" else k.unit
        row = [
            k.policy_ref,
            k.name_ja if lang == "ja" else k.name_en,
            f"{format_number(k.baseline)}{unit} ({format_day(k.baseline_as_of, lang)})",
            f"{format_number(k.target)}{unit} ({format_day(k.target_by, lang)})",
        ]
        if with_period:
            row.append(format_number(f.period_count))
        row += [format_number(f.value), format_rate(f.achievement_rate),
                format_rate(f.progress_rate), f.status_label(lang)]
        rows.append(row)
    right = [False, False, True, True] + [True] * (with_period + 3) + [False]
    return format_table(headers, rows, right=right)


def _print_evidence(
    args: argparse.Namespace,
    out: TextIO,
    lang: str,
    kpi: kpi_engine.KpiDefinition,
    rows: Sequence[kpi_engine.EvidenceRow],
    since: date | None,
    through: date,
) -> None:
    data = [
        {"kpi_code": r.kpi_code, "record_type": r.record_type, "record_id": r.record_id,
         "counted_on": r.counted_on.isoformat(), "title": r.title,
         "organizations": r.organizations, "plan_code": kpi.plan_code, "weight": r.weight}
        for r in rows
    ]
    if args.format == "json":
        json.dump(data, out, ensure_ascii=False, indent=2)
        print(file=out)
        return
    if args.format == "csv":
        _write_csv(out, data)
        return
    span = f"{since.isoformat()} – {through.isoformat()}" if since else f"… {through.isoformat()}"
    print(f"{label('evidence_for', lang)}: {args.evidence} ({span}): {len(rows)}", file=out)
    headers = [label("date", lang), label("record_type", lang), label("record_id", lang),
               label("title", lang), label("organizations", lang)]
    table_rows = [
        [r.counted_on.isoformat(), label(r.record_type, lang), str(r.record_id), r.title,
         r.organizations]
        for r in rows
    ]
    print(format_table(headers, table_rows, right=[False, False, True]), file=out)

