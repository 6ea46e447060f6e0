"""The `crm` command: one face of the service API, like the TUI and the reports.

Exit codes: 0 success, 1 a data error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import NoReturn, TextIO, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from cli.table import format_table
from crm import tags
from crm.audit import chain as audit
from crm.calendar import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    DateParseError,
    FiscalPeriod,
    fiscal_year_of,
    format_wareki,
    is_supported_fiscal_year,
    parse_date,
)
from crm.context import JAPAN, Context, fixed_clock, system_clock
from crm.errors import CRMError, DataError, ReadOnlyError
from crm.files import write_private
from crm.formatting import format_day, format_number, format_rate
from crm.i18n import LANGUAGES, default_language, label, language_setting_problem
from crm.io import opendata
from crm.io.exporting import ExportOptions, export_csv, export_file, open_for_export
from crm.io.importing import ENTITIES, import_file
from crm.kpi import engine as kpi_engine
from crm.kpi import plans
from crm.kpi.plan_file import plan_to_toml, read_plan
from crm.kpi.plans import plan_text
from crm.records import dedup
from db.engine import make_engine, sqlite_path
from db.maintenance import (
    BackupError,
    backup,
    backup_path_before,
    backup_path_before_upgrade,
    check,
    is_demo,
    mark_as_demo,
    refuse_output_over_database,
)
from db.migrate import current_revision, head_revision, newer_schema_problem
from db.session import (
    URL_VARIABLE,
    Database,
    DatabaseError,
    create_database,
    default_database_path,
    demo_database_path,
    resolve_url,
)

N = TypeVar("N", int, float)

EXIT_DATA_ERROR = 1
EXIT_USAGE = 2


class UsageError(CRMError):
    """Options that do not go together."""


#: Longest piece of a user's input repeated in a message.
_ECHO = 40

_YEARS = f"{FIRST_FISCAL_YEAR}–{LAST_FISCAL_YEAR}"


def _echo(text: str) -> str:
    """`text` quoted for a message, cut to a readable length."""
    return repr(text if len(text) <= _ECHO else text[:_ECHO] + "…")


def _date_argument(text: str) -> date:
    try:
        day = parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)[:200]) from exc
    if not is_supported_fiscal_year(fiscal_year_of(day)):
        raise argparse.ArgumentTypeError(
            f"{_echo(text)} is outside fiscal years {_YEARS}"
            f" ({FIRST_FISCAL_YEAR}-04-01 to {LAST_FISCAL_YEAR + 1}-03-31)"
        )
    return day


def _number_argument(
    convert: Callable[[str], N], noun: str, allowed: Callable[[N], bool], outside: str
) -> Callable[[str], N]:
    """An argparse type: `convert` the text, then refuse values for which `allowed` is false."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{_echo(text)} is not {noun}") from exc
        if not allowed(value):
            raise argparse.ArgumentTypeError(f"{_echo(text)} is {outside}")
        return value

    return parse


_fiscal_year_argument = _number_argument(
    int, "a year like 2022", is_supported_fiscal_year, f"outside fiscal years {_YEARS}")
_score_argument = _number_argument(float, "a number", lambda v: 0 <= v <= 1, "outside 0–1")
_positive_int = _number_argument(int, "a whole number", lambda v: v >= 1, "less than 1")


def _anchor_argument(text: str) -> audit.Anchor:
    try:
        return audit.parse_anchor(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)[:200]) from exc


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: what is wrong and where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `crm` and its subcommands."""
    parser = _Parser(
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
        "--show-personal", action="store_true",
        help="show contacts' personal data in the UI's record histories (hidden by default)",
    )
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
    db_commands.add_parser("upgrade", help="back up, then migrate to the newest schema")
    db_backup = db_commands.add_parser("backup", help="copy the database, even while in use")
    db_backup.add_argument("file", type=Path, metavar="FILE", help="the copy (a new file)")
    db_commands.add_parser(
        "check", help="integrity_check, foreign_key_check, audit triggers and audit chain"
    )

    audit_parser = commands.add_parser("audit", help="the audit trail (監査証跡)")
    audit_commands = audit_parser.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True
    )
    audit_verify = audit_commands.add_parser(
        "verify", help="recompute the audit hash chain and check every anchor")
    audit_verify.add_argument(
        "--anchor", dest="anchors", action="append", type=_anchor_argument, default=[],
        metavar="ID:HASH", help="a head kept outside the database (`crm audit head` printed"
        " it): the chain must still have HASH at row ID (repeatable)")
    audit_commands.add_parser("head", help="print the chain head (ID:HASH) to keep elsewhere")
    acknowledge = audit_commands.add_parser(
        "acknowledge", help="record the breaks verify names at a row as looked into")
    acknowledge.add_argument("row", type=int, metavar="ROW", help="the audit_log row id")
    acknowledge.add_argument("--reason", required=True, help="what was found and done")
    audit_log = audit_commands.add_parser("log", help="the changes to a table or a record")
    audit_log.add_argument("--table", choices=audit.audited_tables())
    audit_log.add_argument("--id", dest="row_id", type=int, metavar="N",
                           help="the record's id (with --table); its links are included")
    audit_log.add_argument("--limit", type=_positive_int, default=200, metavar="N",
                           help="the newest N changes (default 200)")
    audit_log.add_argument("--format", choices=("table", "json"), default="table")
    audit_log.add_argument("--personal", action="store_true",
                           help="show contacts' personal data (hidden by default)")

    demo = commands.add_parser("demo", help="create a realistic demo database")
    demo.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    demo.add_argument("--force", action="store_true", help="replace an existing demo database")

    kpi = commands.add_parser("kpi", help="KPI values, progress and evidence")
    when = kpi.add_mutually_exclusive_group()
    when.add_argument("--as-of", type=_date_argument, metavar="DATE",
                      help="value at DATE (default: today)")
    when.add_argument("--fiscal-year", type=_fiscal_year_argument, metavar="N",
                      help=f"fiscal year N (April N to March N+1; {_YEARS})")
    kpi.add_argument("--quarter", type=int, choices=(1, 2, 3, 4),
                     help="fiscal quarter (with --fiscal-year)")
    kpi.add_argument("--format", choices=("table", "json", "csv"), default="table")
    kpi.add_argument("--evidence", metavar="CODE",
                     help="list the records behind a computed KPI instead")
    kpi.add_argument("--plan", metavar="CODE",
                     help="the plan's KPIs (`all`: every plan; default: the plans in force"
                     " at the date)")

    plan = commands.add_parser("plan", help="plans and their KPIs: list, show, import, export")
    plan_commands = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    plan_list = plan_commands.add_parser("list", help="the plans: code, name, years, KPIs")
    plan_list.add_argument("--format", choices=("table", "json"), default="table")
    plan_show = plan_commands.add_parser("show", help="a plan's KPIs, rules and revisions")
    plan_show.add_argument("code", metavar="CODE")
    plan_import = plan_commands.add_parser(
        "import", help="define or update a plan from a TOML file (all or nothing)")
    plan_import.add_argument("file", type=Path, metavar="FILE.toml")
    plan_export = plan_commands.add_parser("export", help="write a plan as a TOML plan file")
    plan_export.add_argument("code", metavar="CODE")
    plan_export.add_argument("-o", "--output", type=Path, metavar="FILE.toml",
                             help="file to write (default: standard output)")

    tags_parser = commands.add_parser("tags", help="the tags of meetings, agreements, events")
    tags_commands = tags_parser.add_subparsers(dest="tags_command", metavar="ACTION",
                                               required=True)
    tags_list = tags_commands.add_parser("list", help="each tag and how many records carry it")
    tags_list.add_argument("--format", choices=("table", "json"), default="table")
    tags_rename = tags_commands.add_parser(
        "rename", help="rename a tag everywhere, KPI rules included (NEW must be unused)")
    tags_rename.add_argument("old", metavar="OLD")
    tags_rename.add_argument("new", metavar="NEW")

    importer = commands.add_parser("import", help="import records from a CSV or .xlsx file")
    importer.add_argument("entity", choices=ENTITIES)
    importer.add_argument("file", type=Path)
    importer.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx file"
                          " (default: the first)")
    importer.add_argument("--dry-run", action="store_true",
                          help="report what would be added, updated and refused; change nothing")
    importer.add_argument("--create-missing", action="store_true",
                          help="create the organizations a row names that do not exist (with"
                          " --kind)")
    importer.add_argument("--kind", metavar="K", help="the kind of organizations created")

    exporter = commands.add_parser("export", help="export records to CSV or .xlsx")
    exporter.add_argument("entity", choices=ENTITIES)
    _add_output_and_period(exporter, "FILE.csv or FILE.xlsx (CSV in UTF-8 with BOM)")
    exporter.add_argument("--include-personal", action="store_true",
                          help="allow personal data: the contacts entity")

    open_data = commands.add_parser(
        "opendata", help="open-data CSV of outreach events or concluded agreements"
    )
    open_data.add_argument("dataset", choices=tuple(opendata.DATASETS))
    _add_output_and_period(open_data, "FILE (UTF-8 with BOM)")

    orgs = commands.add_parser("orgs", help="duplicate organizations: find, merge, undo")
    orgs_commands = orgs.add_subparsers(dest="orgs_command", metavar="ACTION", required=True)
    duplicates = orgs_commands.add_parser("duplicates", help="likely duplicate pairs")
    duplicates.add_argument("--min-score", type=_score_argument, default=0.6, metavar="S",
                            help="leave out pairs scoring below S (0–1, default 0.6)")
    duplicates.add_argument("--format", choices=("table", "json"), default="table")
    merge = orgs_commands.add_parser("merge", help="merge DUPLICATE into KEEP (by id)")
    merge.add_argument("keep", type=int, metavar="KEEP")
    merge.add_argument("duplicate", type=int, metavar="DUPLICATE")
    unmerge = orgs_commands.add_parser("unmerge", help="undo a merge (by its merge id)")
    unmerge.add_argument("merge_id", type=int, metavar="MERGE_ID")

    report = commands.add_parser(
        "report", help="KPI report of a fiscal quarter or year as PDF; `report history`"
    )
    report.add_argument("action", nargs="?", choices=("history",),
                        help="history: list the reports issued so far")
    report.add_argument("--fiscal-year", type=_fiscal_year_argument, metavar="N",
                        help=f"fiscal year N ({_YEARS})")
    report.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), help="fiscal quarter")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="PDF to write (default: kpi-report-FY<N>[-Q<Q>].pdf here)")
    report.add_argument("--lang", dest="report_lang", choices=LANGUAGES, default=None,
                        help="language of the report (default: the global --lang)")
    report.add_argument("--generated-at", type=_timestamp_argument, metavar="TIMESTAMP",
                        help="generation time printed (ISO; default now): fixes the output")
    report.add_argument("--no-approval-block", action="store_true",
                        help="leave out the approval block (決裁欄) on the cover")
    report.add_argument("--office", metavar="NAME", help="issuing office printed on the report")
    report.add_argument("--plan", metavar="CODE",
                        help="the plan reported on (default: the plans in force in the year)")
    report.add_argument("--issue", action="store_true",
                        help="record the report as issued: its figures and hashes are frozen")
    return parser


def _add_output_and_period(parser: argparse.ArgumentParser, output: str) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help=f"write to {output} instead of standard output")
    parser.add_argument("--from", dest="start", type=_date_argument, metavar="DATE")
    parser.add_argument("--to", dest="end", type=_date_argument, metavar="DATE")
    parser.add_argument("--fiscal-year", type=_fiscal_year_argument, metavar="N",
                        help=f"fiscal year N (April N to March N+1; {_YEARS}) instead of"
                        " --from/--to")
    parser.add_argument("--quarter", type=int, choices=(1, 2, 3, 4),
                        help="fiscal quarter (with --fiscal-year)")


def _timestamp_argument(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO timestamp (use 2023-01-10T09:30+09:00)"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JAPAN)


def _context(args: argparse.Namespace) -> Context:
    if args.today is None:
        return Context(clock=system_clock)
    noon = datetime.combine(args.today, time(12), tzinfo=JAPAN).astimezone(UTC)
    return Context(clock=fixed_clock(noon))


def _url(args: argparse.Namespace) -> str:
    if args.demo and args.db is None:
        path = demo_database_path()
        if not path.exists():
            print(f"crm: building the demo database at {path} (first use, a few seconds)…",
                  file=sys.stderr, flush=True)
            build_demo(resolve_url(path), seed=2018, force=False,
                       today=_context(args).today()).dispose()
        return resolve_url(path, read_only=args.read_only)
    return resolve_url(args.db, read_only=args.read_only)


def _open(args: argparse.Namespace) -> Database:
    return Database.open(_url(args), read_only=args.read_only)


# --- commands -------------------------------------------------------------------------------


def _refuse_if_read_only(args: argparse.Namespace) -> None:
    if args.read_only:
        raise ReadOnlyError("--read-only: this command would change the database; nothing done")


def _open_any_revision(args: argparse.Namespace) -> Database:
    """An existing database at whatever schema revision it is."""
    url = _url(args)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise DatabaseError(f"no database at {path}")
    return Database.open(url, read_only=args.read_only, must_exist=False)


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    _refuse_if_read_only(args)
    database = create_database(_url(args), _context(args))
    print(f"created {database.describe()}", file=out)
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    if args.db_command == "backup":
        database = _open_any_revision(args)
        target = backup(database, args.file)
        print(f"backed up {database.describe()} to {target}", file=out)
        return 0
    if args.db_command == "check":
        report = check(_open_any_revision(args))
        chain = report.chain
        assert chain is not None
        print(f"integrity_check: {report.integrity}", file=out)
        print(f"foreign_key_check: {len(report.foreign_key_violations)} violation(s)", file=out)
        print(f"audit triggers: {len(report.trigger_problems)} problem(s)", file=out)
        print(f"audit chain: {chain.verified} row(s) verified, {chain.unsealed} unsealed",
              file=out)
        print(f"replay: {len(report.replay_problems)} record(s) differ from the audit log",
              file=out)
        for problem in report.problems:
            print(f"crm: {problem}", file=sys.stderr)
        return EXIT_DATA_ERROR if report.problems else 0
    _refuse_if_read_only(args)
    database = Database.open(_url(args), must_exist=False)
    revision = current_revision(database.engine)
    newer = newer_schema_problem(revision, database.describe())
    if newer is not None:
        raise DatabaseError(newer)
    path = sqlite_path(database.url)
    ctx = _context(args)
    if path is not None and revision not in (None, head_revision()):
        copy = backup(database, backup_path_before_upgrade(path, revision, ctx.now()))
        print(f"backed up to {copy}", file=out)
    database.upgrade()
    with database.writing(actor=ctx.user):
        pass  # an empty unit of work seals the audit rows the migration recorded
    print(f"{database.describe()} is at the newest schema", file=out)
    return 0


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    """`audit verify`: recompute the chain, check the anchors; `audit head`: the head to keep;
    `audit log`: a table's or record's changes."""
    if args.audit_command == "log" and args.row_id is not None and args.table is None:
        raise UsageError("--id needs --table")
    if args.audit_command == "acknowledge":
        _refuse_if_read_only(args)
        ctx = _context(args)
        with _open(args).writing(actor=ctx.user) as session:
            lines = audit.acknowledge(session, ctx.user, args.row, args.reason)
        for line in lines:
            print(f"acknowledged: {line}", file=out)
        return 0
    with _open(args).reading() as session:
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
                print(f"crm: {problem}", file=sys.stderr)
            return EXIT_DATA_ERROR
        print(f"audit chain: {report.verified} row(s) verified; head: row {report.head_id},"
              f" {report.head_hash}", file=out)
        if report.acknowledged:
            print(f"{len(report.acknowledged)} acknowledged break(s): crm audit log --table"
                  " audit_break", file=out)
        if report.unsealed:
            print(f"{report.unsealed} row(s) recorded by another tool await sealing"
                  " (sealed at the program's next write)", file=out)
        return 0
    _print_audit_log(entries, out, personal=args.personal, as_json=args.format == "json")
    return 0


def _print_audit_log(
    entries: Sequence[audit.AuditEntry], out: TextIO, *, personal: bool, as_json: bool
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
            f"{entry.changed_by} (as {entry.claimed_by})")
        rows.append([str(entry.id), entry.changed_at, who, entry.table_name,
                     str(entry.row_id), entry.action, "; ".join(changes)])
    headers = ["#", "changed_at", "changed_by", "table", "row", "action", "changes"]
    print(_printable(format_table(headers, rows, right=[True, False, False, False, True])),
          file=out)


def _printable(text: str) -> str:
    """`text` with bytes another tool wrote that are not UTF-8 shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def build_demo(url: str, *, seed: int, force: bool, today: date,
               out: TextIO | None = None,
               progress: Callable[[str], None] | None = None) -> Database:
    """Create the demo database at `url`, its records up to `today`, marked as one
    (db.maintenance.mark_as_demo); `progress` hears each step (crm.demo.DEMO_STEPS, then
    "saving").

    With `force` it replaces an existing SQLite file: a demo one as it is, any other only
    once a backup of it is taken (and reported on `out`).
    """
    from crm.demo import demo_clock, generate_demo

    path = sqlite_path(url)
    if path is not None and path.exists():
        if not force:
            raise UsageError(f"{path} already exists: add --force to replace it")
        if not is_demo(path):
            existing = Database(url=url, engine=make_engine(url))
            try:
                copy = backup(existing, backup_path_before(path, "demo", datetime.now(UTC)))
            except BackupError as exc:
                raise BackupError(f"{path} is not a demo database and could not be backed"
                                  f" up, so it is left as it is ({exc})") from exc
            finally:
                existing.dispose()
            if out is not None:
                print(f"{path} is not a demo database: backed up to {copy}", file=out)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    ctx = Context(user="demo", clock=fixed_clock(demo_clock(today)))
    database = create_database(url, ctx)
    with database.writing(actor=ctx.user) as session:
        generate_demo(session, ctx, seed=seed, today=today, progress=progress)
        if progress is not None:
            progress("saving")
    if path is not None:
        mark_as_demo(database)
    return database


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    _refuse_if_read_only(args)
    url = resolve_url(args.db if args.db is not None else demo_database_path())
    database = build_demo(url, seed=args.seed, force=args.force,
                          today=_context(args).today(), out=out)
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
    if note and args.format != "table":
        print(f"crm: {note}", file=sys.stderr)
    if args.format == "json":
        json.dump([f.to_json() for f in figures], out, ensure_ascii=False, indent=2)
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


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    """List, show, import or export plans (docs/plans.md)."""
    lang = args.lang or default_language()
    if args.plan_command == "import":
        _refuse_if_read_only(args)
        spec = read_plan(args.file)
        with _open(args).writing(actor=_context(args).user) as session:
            changed = plans.import_plan(session, _context(args), spec, args.file.name)
        state = "defined or updated" if changed else "unchanged (already as in the file)"
        print(f"plan {spec.code}: {state}", file=out)
        return 0
    with _open(args).reading() as session:
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
            print(f"wrote {args.output}", file=out)
    else:
        print(plan_text(spec, lang), file=out)
    return 0


def cmd_tags(args: argparse.Namespace, out: TextIO) -> int:
    """`tags list`: each tag and its uses; `tags rename OLD NEW` (docs/plans.md, "Tags")."""
    lang = args.lang or default_language()
    if args.tags_command == "rename":
        _refuse_if_read_only(args)
        with _open(args).writing(actor=_context(args).user) as session:
            tags.rename_tag(session, args.old, args.new)
        print(f"renamed tag {args.old.strip()!r} to {args.new.strip()!r}", file=out)
        return 0
    with _open(args).reading() as session:
        uses = tags.list_tags(session)
    if args.format == "json":
        json.dump([u.to_json() for u in uses], out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    headers = [label(key, lang) for key in ("tag", "meetings", "agreements", "events")]
    rows = [[u.name, str(u.meetings), str(u.agreements), str(u.events)] for u in uses]
    print(format_table(headers, rows, right=[False, True, True, True]), file=out)
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


def _progress(read: int) -> None:
    print(f"crm: {read} rows read", file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    if args.create_missing != (args.kind is not None):
        raise UsageError("--create-missing and --kind K go together")
    _refuse_if_read_only(args)
    database = _open(args)
    with database.writing(actor=_context(args).user) as session:
        result = import_file(
            session, _context(args), args.entity, args.file, sheet=args.sheet,
            dry_run=args.dry_run, create_missing=args.kind, progress=_progress,
        )
    print(result.summary(), file=out)
    for error in result.errors:
        print(f"crm: {error}", file=sys.stderr)
    return EXIT_DATA_ERROR if result.refused else 0


def _date_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """--from/--to, or the dates of --fiscal-year [--quarter]."""
    period = _period(args)
    if period is None:
        return args.start, args.end
    if args.start is not None or args.end is not None:
        raise UsageError("use either --from/--to or --fiscal-year, not both")
    return period.start, period.end


def _checked_date_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    start, end = _date_range(args)
    if start is not None and end is not None and start > end:
        raise UsageError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    return start, end


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    start, end = _checked_date_range(args)
    options = ExportOptions(start=start, end=end, include_personal=args.include_personal)
    database = _open(args)
    if args.output is not None:
        refuse_output_over_database(args.output, database.url)
        if args.include_personal:
            write_private(args.output)  # created owner-only before the export fills it
    with database.reading() as session:
        if args.output is None:
            export_csv(session, args.entity, out, options)
            return 0
        count = export_file(session, args.entity, args.output, options)
    print(f"exported {count} {args.entity} to {args.output}", file=sys.stderr)
    return 0


def cmd_opendata(args: argparse.Namespace, out: TextIO) -> int:
    start, end = _checked_date_range(args)
    database = _open(args)
    if args.output is not None:
        refuse_output_over_database(args.output, database.url)
    with database.reading() as session:
        if args.output is None:
            opendata.export_opendata(session, args.dataset, out, start=start, end=end)
            return 0
        with open_for_export(args.output) as handle:
            count = opendata.export_opendata(session, args.dataset, handle, start=start,
                                             end=end)
    print(f"exported {count} rows of open data ({args.dataset}) to {args.output}",
          file=sys.stderr)
    return 0


def cmd_orgs(args: argparse.Namespace, out: TextIO) -> int:
    """`orgs duplicates`: likely duplicate pairs; `orgs merge` / `orgs unmerge`."""
    lang = args.lang or default_language()
    if args.orgs_command == "duplicates":
        with _open(args).reading() as session:
            pairs = dedup.find_duplicates(session, min_score=args.min_score)
        if args.format == "json":
            json.dump([p.to_json() for p in pairs], out, ensure_ascii=False, indent=2)
            print(file=out)
            return 0
        headers = ["score", "id", "name", "id", "name", "reason"]
        rows = [[f"{p.score:.2f}", str(p.first.id), p.first.name, str(p.second.id),
                 p.second.name, p.reason_text(lang)] for p in pairs]
        print(format_table(headers, rows, right=[True, True, False, True]), file=out)
        return 0
    _refuse_if_read_only(args)
    ctx = _context(args)
    with _open(args).writing(actor=ctx.user) as session:
        if args.orgs_command == "merge":
            record = dedup.merge_organizations(session, ctx, keep_id=args.keep,
                                               duplicate_id=args.duplicate)
            print(f"merged organization {args.duplicate} into {args.keep} (merge #{record.id};"
                  f" undo with `crm orgs unmerge {record.id}`)", file=out)
        else:
            record = dedup.unmerge_organizations(session, ctx, args.merge_id)
            print(f"undid merge #{record.id}: organization {record.merged_id} restored",
                  file=out)
    return 0


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """Write the KPI report PDF (and issue it with --issue), or list the issued reports."""
    # Imported here: ReportLab is loaded only by the command that needs it.
    from crm.reporting.issued import history, japan_time_text
    from reports.labels import t
    from reports.publish import publish_report

    lang = args.report_lang or args.lang or default_language()
    if args.action == "history":
        if args.fiscal_year is not None or args.issue or args.output is not None:
            raise UsageError("`crm report history` takes no period, --issue or --output")
        with _open(args).reading() as session:
            records = history(session)
        headers = t("history_columns", lang).split("|")
        rows = [
            [str(r.id), FiscalPeriod(r.fiscal_year, r.quarter).label(lang), r.lang,
             japan_time_text(r.generated_at), japan_time_text(r.issued_at), r.issued_by,
             r.fingerprint, r.pdf_sha256,
             "—" if r.audit_head_hash is None else f"{r.audit_head_id or 0}:{r.audit_head_hash}"]
            for r in records
        ]
        print(format_table(headers, rows, right=[True]), file=out)
        return 0
    period = _period(args)
    if period is None:
        raise UsageError("report needs --fiscal-year N (or use `crm report history`)")
    ctx = _context(args)
    published = publish_report(
        _open(args), ctx, period=period, lang=lang, output=args.output,
        generated_at=args.generated_at, approval_block=not args.no_approval_block,
        office=args.office, issue=args.issue, plan=args.plan,
    )
    result = published.report
    print(f"wrote {published.path} (fingerprint {result.fingerprint})", file=out)
    changed = result.content.restated_figures
    if changed:
        print(f"restates {changed} figure(s) of issued reports", file=out)
    if published.issued_id is not None:
        print(f"issued as report #{published.issued_id} (PDF SHA-256 {result.sha256})", file=out)
    return 0


def cmd_home(args: argparse.Namespace, out: TextIO) -> int:
    """No command: open the terminal UI (on the demo database with --demo)."""
    from db.session import keymap_path
    from tui.app import CRMApp
    from tui.keymap import known_actions, load_keymap

    keymap = load_keymap(keymap_path(), known_actions())
    lang = args.lang or default_language()
    path = demo_database_path()
    if args.demo and args.db is None and not path.exists():
        from tui.splash import build_with_splash

        today = _context(args).today()
        build_with_splash(lambda progress: build_demo(
            resolve_url(path), seed=2018, force=False, today=today, progress=progress,
        ).dispose(), lang)
    database = _open(args)
    CRMApp(database, _context(args), lang=lang, read_only=args.read_only,
           personal=args.show_personal, keymap=keymap).run()
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "init": cmd_init,
    "db": cmd_db,
    "audit": cmd_audit,
    "demo": cmd_demo,
    "kpi": cmd_kpi,
    "plan": cmd_plan,
    "tags": cmd_tags,
    "import": cmd_import,
    "export": cmd_export,
    "opendata": cmd_opendata,
    "orgs": cmd_orgs,
    "report": cmd_report,
}


GLOBAL_FLAGS = ("--read-only", "--demo", "--show-personal")
GLOBAL_OPTIONS = ("--db", "--lang", "--today")


def hoist_global_options(argv: Sequence[str]) -> list[str]:
    """Move the global options to the front, so `crm demo --db X` works like `crm --db X demo`."""
    front: list[str] = []
    rest: list[str] = []
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[0]
        if item in GLOBAL_FLAGS:
            front.append(item)
        elif name in GLOBAL_OPTIONS:
            value = next(items, None) if "=" not in item else None
            if "=" in item or value is not None:
                front.extend([item] if value is None else [item, value])
            else:
                rest.append(item)  # a missing value: let argparse say so
        elif item == "--":
            rest.append(item)
            rest.extend(items)
        else:
            rest.append(item)
    return front + rest


def _os_error_text(exc: OSError) -> str:
    """One line for a file the command could not read or write."""
    reason = exc.strerror or type(exc).__name__
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"


def _stdout_closed() -> None:
    # The reader (e.g. `head`) went away: point stdout at /dev/null so that the interpreter's
    # final flush does not raise BrokenPipeError a second time.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run `crm` with `argv`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(hoist_global_options(sys.argv[1:] if argv is None else argv))
    problem = language_setting_problem()
    if problem is not None and args.lang is None:
        print(f"crm: {problem}", file=sys.stderr)
        return EXIT_USAGE
    stream = out if out is not None else sys.stdout
    handler = COMMANDS.get(args.command, cmd_home) if args.command else cmd_home
    try:
        status = handler(args, stream)
        stream.flush()
        return status
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
    except BrokenPipeError:
        if out is None:
            _stdout_closed()
        print("crm: the output was closed before the end (broken pipe)", file=sys.stderr)
        return EXIT_DATA_ERROR
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in _OWN_PACKAGES:
            raise
        print(f"crm: the database driver {exc.name!r} is not installed; this program works"
              " with sqlite:// and postgresql+psycopg:// URLs", file=sys.stderr)
        return EXIT_DATA_ERROR
    except OSError as exc:
        print(f"crm: {_os_error_text(exc)}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        return 130


#: A missing module of the program itself is a bug, not a user's mistake: let it show.
_OWN_PACKAGES = frozenset({"crm", "db", "tui", "reports", "cli"})


if __name__ == "__main__":
    sys.exit(main())
