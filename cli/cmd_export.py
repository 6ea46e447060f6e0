"""`crm export` and `crm opendata`: records and open data to a file or standard output."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from cli.database import open_database
from cli.messages import say
from cli.period import checked_date_range
from crm.files import write_private
from crm.io import opendata
from crm.io.exporting import ExportOptions, export_csv, export_file, open_for_export
from db.maintenance import refuse_output_over_database


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """`crm export ENTITY`: records as CSV on stdout, or CSV/.xlsx with -o."""
    start, end = checked_date_range(args)
    options = ExportOptions(start=start, end=end, include_personal=args.include_personal)
    database = open_database(args)
    if args.output is not None:
        refuse_output_over_database(args.output, database.url)
        if args.include_personal:
            write_private(args.output)  # created owner-only before the export fills it
    with database.reading() as session:
        if args.output is None:
            export_csv(session, args.entity, out, options)
            return 0
        count = export_file(session, args.entity, args.output, options)
    print(say("exported", args.lang, count=count, entity=args.entity, path=args.output),
          file=sys.stderr)
    return 0


def cmd_opendata(args: argparse.Namespace, out: TextIO) -> int:
    """`crm opendata DATASET`: the open-data CSV on stdout or to -o."""
    start, end = checked_date_range(args)
    database = open_database(args)
    if args.output is not None:
        refuse_output_over_database(args.output, database.url)
    with database.reading() as session:
        if args.output is None:
            opendata.export_opendata(session, args.dataset, out, start=start, end=end)
            return 0
        with open_for_export(args.output) as handle:
            count = opendata.export_opendata(session, args.dataset, handle, start=start,
                                             end=end)
    print(say("exported_open_data", args.lang, count=count, dataset=args.dataset,
              path=args.output), file=sys.stderr)
    return 0
