"""The `crm` command: one face of the service API, like the TUI and the reports.

Exit codes: 0 success, 1 a data error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TextIO

from crm.exporting import export_csv, open_for_export
from crm.importing import ENTITIES, import_file
from sqlalchemy.exc import SQLAlchemyError

from cli.table import format_table
from crm import kpi as kpi_engine
from crm.calendar import DateParseError, FiscalPeriod, format_wareki, parse_date
from crm.context import JAPAN, Context, fixed_clock, system_clock
from crm.errors import CRMError, DataError
from crm.formatting import format_day, format_number, format_rate
from crm.i18n import LANGUAGES, default_language, label
from db.session import (
    URL_VARIABLE,
    Database,
    create_database,
    default_database_path,
    demo_database_path,
    resolve_url,
)

EXIT_DATA_ERROR = 1
EXIT_USAGE = 2


class UsageError(CRMError):
    """Options that do not go together."""


def _date_argument(text: str) -> date:
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `crm` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="crm",
        description="Partnership and outreach CRM with the city's ICT-policy KPIs.",
        epilog=(
            f"Database: --db PATH, else ${URL_VARIABLE} (a SQLAlchemy URL), else"
            f" {default_database_path()}. With no command, `crm` opens the terminal UI."
        ),
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite database file to use")
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=None,
        help="language of the output (default: $CRM_LANG, else ja)",
    )
    parser.add_argument("--read-only", action="store_true", help="open the database read-only")
    parser.add_argument(
        "--demo", action="store_true",
        help=f"use the demo database ({demo_database_path()}), creating it if needed",
    )
    parser.add_argument(
        "--today", type=_date_argument, metavar="DATE",
        help="pretend today is DATE (for reproducing a past view)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("init", help="create a new, empty database with the shipped KPI set")

    db_parser = commands.add_parser("db", help="database maintenance")
    db_commands = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="migrate the database to the newest schema")

    demo = commands.add_parser("demo", help="create a realistic demo database")
    demo.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    demo.add_argument("--force", action="store_true", help="replace an existing demo database")

    kpi = commands.add_parser("kpi", help="KPI values, progress and evidence")
    when = kpi.add_mutually_exclusive_group()
    when.add_argument("--as-of", type=_date_argument, metavar="DATE",
                      help="value at DATE (default: today)")
    when.add_argument("--fiscal-year", type=int, metavar="N",
                      help="fiscal year N (April N to March N+1)")
    kpi.add_argument("--quarter", type=int, choices=(1, 2, 3, 4),
                     help="fiscal quarter (with --fiscal-year)")
    kpi.add_argument("--format", choices=("table", "json", "csv"), default="table")
    kpi.add_argument("--evidence", metavar="CODE",
                     help="list the records behind a computed KPI instead")

    importer = commands.add_parser("import", help="import records from a CSV file")
    importer.add_argument("entity", choices=ENTITIES)
    importer.add_argument("file", type=Path)

    exporter = commands.add_parser("export", help="export records to CSV")
    exporter.add_argument("entity", choices=ENTITIES)
    exporter.add_argument("-o", "--output", type=Path, metavar="FILE",
                          help="write to FILE (UTF-8 with BOM) instead of standard output")
    exporter.add_argument("--from", dest="start", type=_date_argument, metavar="DATE")
    exporter.add_argument("--to", dest="end", type=_date_argument, metavar="DATE")
    return parser


def _context(args: argparse.Namespace) -> Context:
    if args.today is None:
        return Context(clock=system_clock)
    noon = datetime.combine(args.today, time(12), tzinfo=JAPAN).astimezone(UTC)
    return Context(clock=fixed_clock(noon))


def _url(args: argparse.Namespace) -> str:
    if args.demo and args.db is None:
        return resolve_url(demo_database_path(), read_only=args.read_only)
    return resolve_url(args.db, read_only=args.read_only)


def _open(args: argparse.Namespace) -> Database:
    return Database.open(_url(args), read_only=args.read_only)


# --- commands -------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    database = create_database(_url(args), _context(args))
    print(f"created {database.describe()}", file=out)
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    database = Database.open(_url(args), must_exist=False)
    database.upgrade()
    print(f"{database.describe()} is at the newest schema", file=out)
    return 0


def build_demo(url: str, *, seed: int, force: bool) -> Database:
    """Create the demo database at `url` (replacing a SQLite file only with `force`)."""
    from crm.demo import DEMO_CLOCK, generate_demo

    from db.engine import sqlite_path

    path = sqlite_path(url)
    if path is not None and path.exists():
        if not force:
            raise UsageError(f"{path} already exists: add --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    ctx = Context(user="demo", clock=fixed_clock(DEMO_CLOCK))
    database = create_database(url, ctx)
    with database.writing() as session:
        generate_demo(session, ctx, seed=seed)
    return database


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    url = resolve_url(args.db if args.db is not None else demo_database_path())
    database = build_demo(url, seed=args.seed, force=args.force)
    print(f"demo database (seed {args.seed}) created at {database.describe()}", file=out)
    return 0


def _period(args: argparse.Namespace) -> FiscalPeriod | None:
    if args.quarter is not None and args.fiscal_year is None:
        raise UsageError("--quarter needs --fiscal-year")
    if args.fiscal_year is None:
        return None
    return FiscalPeriod(args.fiscal_year, args.quarter)


def cmd_kpi(args: argparse.Namespace, out: TextIO) -> int:
    lang = args.lang or default_language()
    period = _period(args)
    as_of = args.as_of or _context(args).today()
    database = _open(args)
    with database.reading() as session:
        if args.evidence:
            kpi = kpi_engine.computed_kpi(session, args.evidence)
            since = period.start if period else None
            through = period.end if period else as_of
            rows = kpi_engine.evidence(session, kpi.code, since=since, through=through)
            _print_evidence(args, out, lang, kpi, rows, since, through)
            return 0
        if period is not None:
            figures = kpi_engine.compute_for_period(session, period)
        else:
            figures = kpi_engine.compute_at(session, as_of)
    if args.format == "json":
        json.dump([f.to_json() for f in figures], out, ensure_ascii=False, indent=2)
        print(file=out)
    elif args.format == "csv":
        _write_csv(out, [f.to_json() for f in figures])
    else:
        heading = period.label(lang) if period else _as_of_heading(as_of, lang)
        print(heading, file=out)
        print(_kpi_table(figures, lang, with_period=period is not None), file=out)
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
         "organizations": r.organizations}
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


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    database = _open(args)
    with database.writing() as session:
        result = import_file(session, _context(args), args.entity, args.file)
    print(f"imported {result.added} {args.entity} from {args.file}", file=out)
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    database = _open(args)
    with database.reading() as session:
        if args.output is None:
            export_csv(session, args.entity, out, start=args.start, end=args.end)
            return 0
        with open_for_export(args.output) as handle:
            count = export_csv(session, args.entity, handle, start=args.start, end=args.end)
    print(f"exported {count} {args.entity} to {args.output}", file=sys.stderr)
    return 0


def cmd_home(args: argparse.Namespace, out: TextIO) -> int:
    """No command: the KPI table of today (the terminal UI replaces this)."""
    if args.demo and args.db is None and not demo_database_path().exists():
        build_demo(resolve_url(demo_database_path()), seed=2018, force=False)
    args.as_of = None
    args.fiscal_year = None
    args.quarter = None
    args.evidence = None
    args.format = "table"
    return cmd_kpi(args, out)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "init": cmd_init,
    "db": cmd_db,
    "demo": cmd_demo,
    "kpi": cmd_kpi,
    "import": cmd_import,
    "export": cmd_export,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run `crm` with `argv`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    handler = COMMANDS.get(args.command, cmd_home) if args.command else cmd_home
    try:
        return handler(args, stream)
    except UsageError as exc:
        print(f"crm: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"crm: {exc.text(args.lang or default_language())}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except CRMError as exc:
        print(f"crm: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"crm: database error: {reason}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
