"""`crm plan list|show|import|export`: plans and their KPIs (docs/plans.md)."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from cli.database import context, open_database, refuse_if_read_only
from cli.messages import say
from cli.table import format_table
from crm.i18n import default_language, label
from crm.kpi import plans
from crm.kpi.plan_file import plan_to_toml, read_plan
from crm.kpi.plans import plan_text


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    """List, show, import or export plans (docs/plans.md)."""
    lang = args.lang or default_language()
    if args.plan_command == "import":
        refuse_if_read_only(args)
        spec = read_plan(args.file)
        with open_database(args).writing(actor=context(args).user) as session:
            changed = plans.import_plan(session, context(args), spec, args.file.name)
        print(say("plan_changed" if changed else "plan_unchanged", lang, code=spec.code),
              file=out)
        return 0
    with open_database(args).reading() as session:
        if args.plan_command == "list":
            summaries = plans.list_plans(session)
        else:
            spec = plans.plan_spec(session, args.code)
    if args.plan_command == "list":
        if args.format == "json":
            json.dump([p.to_json() for p in summaries], out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            print(format_table(
                [label("code", lang), label("name", lang), label("fiscal_years", lang),
                 label("kpis", lang)],
                [[p.code, p.name_ja if lang == "ja" else p.name_en,
                  f"{p.first_fiscal_year}–{p.last_fiscal_year}", str(p.kpi_count)]
                 for p in summaries], right=[False, False, False, True]), file=out)
    elif args.plan_command == "export":
        text = plan_to_toml(spec)
        if args.output is None:
            out.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
            print(say("wrote", lang, path=args.output), file=out)
    else:
        print(plan_text(spec, lang), file=out)
    return 0
