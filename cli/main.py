"""The `crm` command: one face of the service API, like the TUI and the reports.

This module only parses the arguments (argparse and the standard library, so `crm --help`
starts fast); the command's handler module (cli/cmd_*.py) is imported after parsing, and
imports only what that command uses.

Exit codes: 0 success, 1 a data error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

from cli.errors import EXIT_DATA_ERROR, EXIT_USAGE, UsageError
from cli.messages import say
from crm.errors import CRMError
from crm.i18n import LANGUAGES, default_language, language_setting_problem
from crm.supported_years import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, is_supported_fiscal_year

if TYPE_CHECKING:
    from crm.audit.chain import Anchor

N = TypeVar("N", int, float)

#: The entities `crm import` and `crm export` take (crm.io.importing.ENTITIES; a test holds
#: them equal, so the parser need not import the importers).
ENTITIES = ("organizations", "contacts", "meetings", "agreements", "events", "measurements")
#: The open-data sets (crm.io.opendata.DATASETS; a test holds them equal).
OPEN_DATASETS = ("events", "agreements")

#: Longest piece of a user's input repeated in a message.
_ECHO = 40

_YEARS = f"{FIRST_FISCAL_YEAR}–{LAST_FISCAL_YEAR}"

#: The language of this run's help and usage errors, set by main() before parsing.
_language = "ja"


def _echo(text: str) -> str:
    """`text` quoted for a message, cut to a readable length."""
    return repr(text if len(text) <= _ECHO else text[:_ECHO] + "…")


def _refuse(key: str, **values: object) -> argparse.ArgumentTypeError:
    """An argument type's complaint, in this run's language (cli.messages)."""
    return argparse.ArgumentTypeError(say(key, _language, **values))


def _date_argument(text: str) -> date:
    from crm.calendar import DateParseError, fiscal_year_of, parse_date

    try:
        day = parse_date(text)
    except DateParseError as exc:
        raise _refuse("not_a_date", value=_echo(text)) from exc
    if not is_supported_fiscal_year(fiscal_year_of(day)):
        raise _refuse("date_outside", value=_echo(text), years=_YEARS,
                      first=f"{FIRST_FISCAL_YEAR}-04-01", last=f"{LAST_FISCAL_YEAR + 1}-03-31")
    return day


def _number_argument(
    convert: Callable[[str], N], noun: str, allowed: Callable[[N], bool], outside: str
) -> Callable[[str], N]:
    """An argparse type: `convert` the text, then refuse values for which `allowed` is false.

    `noun` and `outside` are keys of cli.messages (the complaint in each language).
    """

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError as exc:
            raise _refuse(noun, value=_echo(text)) from exc
        if not allowed(value):
            raise _refuse(outside, value=_echo(text), years=_YEARS)
        return value

    return parse


_fiscal_year_argument = _number_argument(
    int, "not_a_year", is_supported_fiscal_year, "year_outside")
_score_argument = _number_argument(float, "not_a_number", lambda v: 0 <= v <= 1, "not_0_to_1")
_positive_int = _number_argument(int, "not_a_whole_number", lambda v: v >= 1, "less_than_1")


def _anchor_argument(text: str) -> Anchor:
    from crm.audit.chain import parse_anchor

    try:
        return parse_anchor(text)
    except ValueError as exc:
        raise _refuse("not_an_anchor", value=_echo(text)) from exc


class _Version(argparse.Action):
    """--version: print the installed program's version (looked up only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("kakogawa-crm")
        except PackageNotFoundError:
            number = "(not installed)"
        print(f"crm {number}")
        parser.exit(0)


#: Placeholders in help texts for the database paths, filled only when help is shown (the
#: paths come from platformdirs, which the parser does not import otherwise).
_DATABASE_PATH = "<database path>"
_DEMO_PATH = "<demo database path>"


def _with_paths(text: str) -> str:
    """`text` with the database paths filled in."""
    if _DATABASE_PATH not in text and _DEMO_PATH not in text:
        return text
    from db.paths import default_database_path, demo_database_path

    return (text.replace(_DATABASE_PATH, str(default_database_path()))
            .replace(_DEMO_PATH, str(demo_database_path())))


def _localized(text: str) -> str:
    """A help text in this run's language, the database paths filled in."""
    if _language == "ja":
        from cli.help_ja import HELP_JA

        text = HELP_JA.get(text, text)
    return _with_paths(text)


#: A word of ASCII (with the spaces after it), a run of spaces, or any other one character:
#: the pieces a line of Japanese may break between.
_PIECES = re.compile(r"[!-~]+ *| +|.")
#: Characters that never start a line (行頭禁則).
_NO_LINE_START = frozenset("、。，．）」』】・：；？！ー")


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns (Japanese counts two a character)."""
    from cli.table import display_width

    lines: list[str] = []
    line = ""
    for piece in _PIECES.findall(" ".join(text.split())):
        if (line and display_width(line + piece.rstrip()) > width
                and piece[0] not in _NO_LINE_START):
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help in this run's language, with the database paths filled in; Japanese
    is wrapped by terminal columns (argparse counts characters)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if _language != "ja":
            return super()._split_lines(text, width)
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if _language != "ja":
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap(text, width))

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        if text is None:
            return None
        # argparse then expands %(default)s and the like: keep those, escape any other %.
        return _localized(text).replace("%", "%%").replace("%%(", "%(")

    def _format_text(self, text: str) -> str:
        return super()._format_text(_localized(text))


@contextmanager
def _argparse_speaking(lang: str) -> Iterator[None]:
    """argparse's own strings (usage:, headings, errors) in `lang` while parsing.

    argparse looks its strings up through the module's `_` and `ngettext` (gettext) at the
    moment it needs them; they are swapped for the Japanese table only inside this block.
    """
    if lang != "ja":
        yield
        return
    from cli.help_ja import ARGPARSE_JA

    def gettext(message: str) -> str:
        return ARGPARSE_JA.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    saved = argparse.__dict__["_"], argparse.__dict__["ngettext"]
    setattr(argparse, "_", gettext)  # noqa: B010  (not a declared attribute of the module)
    setattr(argparse, "ngettext", ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


def _language_of(argv: Sequence[str]) -> str:
    """The language `argv` asks for with --lang, else $CRM_LANG's (ja unless it says en)."""
    for index, item in enumerate(argv):
        if item == "--":
            break
        value = None
        if item.startswith("--lang="):
            value = item.partition("=")[2]
        elif item == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value in LANGUAGES:
            return value
    return default_language()


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: what is wrong and where to read more."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, say("usage_error", _language, prog=self.prog,
                                  message=" ".join(message.split())) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `crm` and its subcommands."""
    parser = _Parser(
        prog="crm",
        description="Partnership and outreach CRM with the city's ICT-policy KPIs.",
        epilog=(
            "Database: --db PATH, else $CRM_DATABASE_URL (a SQLAlchemy URL), else"
            f" {_DATABASE_PATH}. With no command, `crm` opens the terminal UI."
        ),
    )
    parser.add_argument("--version", action=_Version, help="print the program's version and exit")
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
        help=f"use the demo database ({_DEMO_PATH}), creating it if needed",
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
    audit_log.add_argument("--table", metavar="TABLE",
                           help="an audited table, such as meeting or organization")
    audit_log.add_argument("--id", dest="row_id", type=int, metavar="N",
                           help="the record's id (with --table); its links are included")
    audit_log.add_argument("--limit", type=_positive_int, default=200, metavar="N",
                           help="the newest N changes (default 200)")
    audit_log.add_argument("--format", choices=("table", "json"), default="table")
    audit_log.add_argument("--personal", action="store_true",
                           help="show contacts' personal data (hidden by default)")

    contacts = commands.add_parser("contacts", help="contacts' personal data: erase")
    contacts_commands = contacts.add_subparsers(dest="contacts_command", metavar="ACTION",
                                                required=True)
    erase = contacts_commands.add_parser(
        "erase", help="erase a contact's personal data, the audit log included")
    erase.add_argument("id", type=int, metavar="ID", help="the contact's id")
    erase.add_argument("--reason", help="why (e.g. the person's request of 2024-05-01)")

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
    kpi_commands = kpi.add_subparsers(dest="kpi_command", metavar="ACTION")
    comment = kpi_commands.add_parser(
        "comment", help="write a KPI's analysis, issues or next steps for a year or quarter")
    comment.add_argument("code", metavar="CODE")
    comment.add_argument("--fiscal-year", type=_fiscal_year_argument, metavar="N", required=True)
    comment.add_argument("--quarter", type=int, choices=(1, 2, 3, 4),
                         help="fiscal quarter (default: the whole year)")
    comment.add_argument("--plan", metavar="CODE",
                         help="the KPI's plan (needed when two plans share the code)")
    comment.add_argument("--field", choices=("analysis", "issues", "next"), required=True)
    comment_text = comment.add_mutually_exclusive_group(required=True)
    comment_text.add_argument("--text", metavar="TEXT", help="the comment (empty: clear it)")
    comment_text.add_argument("--file", type=Path, metavar="FILE",
                              help="read the comment from FILE (UTF-8 or cp932)")

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
    open_data.add_argument("dataset", choices=OPEN_DATASETS)
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
    report.add_argument("--approvers", metavar="ROLES",
                        help="approval roles on the cover, e.g. 部長,課長,係長,担当"
                             " (default: the saved roles, else 課長,係長,担当)")
    report.add_argument("--no-personal", action="store_true",
                        help="leave names of people (staff, contacts) out: the version for"
                             " disclosure")
    report.add_argument("--save-approvers", action="store_true",
                        help="keep --approvers as the default for later reports (CLI and TUI)")
    report.add_argument("--plan", metavar="CODE",
                        help="the plan reported on (default: the plans in force in the year)")
    report.add_argument("--issue", action="store_true",
                        help="record the report as issued: its figures and hashes are frozen")
    report.add_argument("--detail", action="store_true",
                        help="add every meeting, event and lecture of the period (appendix 2)")
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
    from crm.context import JAPAN

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise _refuse("not_a_timestamp", value=_echo(text)) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JAPAN)



#: Each command's handler: "module:function", imported only when the command runs.
COMMANDS: dict[str, str] = {
    "init": "cli.cmd_db:cmd_init",
    "db": "cli.cmd_db:cmd_db",
    "audit": "cli.cmd_audit:cmd_audit",
    "demo": "cli.cmd_demo:cmd_demo",
    "kpi": "cli.cmd_kpi:cmd_kpi",
    "plan": "cli.cmd_plan:cmd_plan",
    "tags": "cli.cmd_tags:cmd_tags",
    "import": "cli.cmd_import:cmd_import",
    "export": "cli.cmd_export:cmd_export",
    "opendata": "cli.cmd_export:cmd_opendata",
    "orgs": "cli.cmd_orgs:cmd_orgs",
    "report": "cli.cmd_report:cmd_report",
    "contacts": "cli.cmd_contacts:cmd_contacts",
}
HOME = "cli.cmd_home:cmd_home"


def handler_of(command: str | None) -> Callable[[argparse.Namespace, TextIO], int]:
    """The handler function of `command` (the terminal UI for none), imported now."""
    module, _, function = (COMMANDS.get(command, HOME) if command else HOME).partition(":")
    handler: Callable[[argparse.Namespace, TextIO], int] = getattr(
        importlib.import_module(module), function)
    return handler


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


#: Japanese of the C library's reasons for the file errors a user can cause.
_OS_REASONS_JA = {
    errno.ENOENT: "ファイルまたはディレクトリがありません",
    errno.EACCES: "権限がありません",
    errno.EPERM: "許可されていない操作です",
    errno.EROFS: "読み取り専用のファイルシステムです",
    errno.EISDIR: "ディレクトリです",
    errno.ENOTDIR: "ディレクトリではありません",
    errno.ENOSPC: "空き容量がありません",
    errno.EEXIST: "既にあります",
}


def _os_error_text(exc: OSError, lang: str) -> str:
    """One line for a file the command could not read or write."""
    reason = exc.strerror or type(exc).__name__
    if lang == "ja" and exc.errno in _OS_REASONS_JA:
        reason = _OS_REASONS_JA[exc.errno]
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"


def _stdout_closed() -> None:
    # The reader (e.g. `head`) went away: point stdout at /dev/null so that the interpreter's
    # final flush does not raise BrokenPipeError a second time.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())



def _database_error_text(exc: Exception, lang: str) -> str | None:
    """One line for a database error, or None when `exc` is not one (SQLAlchemy is looked up
    only if a command loaded it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.SQLAlchemyError):
        return None
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return say("database_error", lang, reason=reason)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run `crm` with `argv`; returns the exit code."""
    global _language
    arguments = hoist_global_options(sys.argv[1:] if argv is None else argv)
    _language = _language_of(arguments)
    with _argparse_speaking(_language):
        args = build_parser().parse_args(arguments)
    if language_setting_problem() is not None and args.lang is None:
        # The language is what is unknown: say it in both, on one line.
        value = repr(os.environ.get("CRM_LANG", "")[:20])
        print(f"crm: {say('language_setting', 'ja', value=value)} /"
              f" {say('language_setting', 'en', value=value)}", file=sys.stderr)
        return EXIT_USAGE
    args.lang = args.lang or _language
    stream = out if out is not None else sys.stdout
    try:
        status = handler_of(args.command)(args, stream)
        stream.flush()
        return status
    except UsageError as exc:
        print(f"crm: {exc.text(args.lang)}", file=sys.stderr)
        return EXIT_USAGE
    except CRMError as exc:
        print(f"crm: {exc.text(args.lang)}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except BrokenPipeError:
        if out is None:
            _stdout_closed()
        print(f"crm: {say('broken_pipe', args.lang)}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in _OWN_PACKAGES:
            raise
        print(f"crm: {say('no_driver', args.lang, name=repr(exc.name))}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except OSError as exc:
        print(f"crm: {_os_error_text(exc, args.lang)}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        text = _database_error_text(exc, args.lang)
        if text is None:
            raise
        print(f"crm: {text}", file=sys.stderr)
        return EXIT_DATA_ERROR


#: A missing module of the program itself is a bug, not a user's mistake: let it show.
_OWN_PACKAGES = frozenset({"crm", "db", "tui", "reports", "cli"})


if __name__ == "__main__":
    sys.exit(main())
