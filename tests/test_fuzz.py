"""Fuzzing (hypothesis): the date parser, the name normalizer, the importers and the CLI's
arguments never crash with a traceback and never leave a partial write.

Examples are derandomized (the same every run) and bounded; `pytest -s` prints how many each
test tried (lines starting `fuzz:`).
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from crm.calendar import DateParseError, parse_date
from crm.context import Context
from crm.errors import DataError
from crm.io.importing import COLUMNS, ENTITIES, import_file
from crm.normalize import normalize_name
from crm.records import services
from db.session import Database
from tests.conftest import BACKEND


def fuzz(examples: int) -> settings:
    """Derandomized, bounded, no deadline, no example database."""
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# Characters people type into dates and names: digits (both widths), separators, era letters
# and kanji, legal forms, kana, spaces, and some that belong to none of these.
DATE_ALPHABET = "0123456789０１２３４５６７８９-/.年月日度元令和平成昭大正RrHhSsTtFYQ 　\t"
NAME_ALPHABET = (
    "株式会社(株)㈱（）有限合同ｶﾌﾞｼｷｶﾞｲｼｬカブシキーｰ‐−—~〜 　\t\n·・&ＡＢabcAB1１ﾞﾟ゛゜\u0301\u200b"
)


class Counter:
    """How many examples a fuzz test ran, printed at its end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@contextlib.contextmanager
def counted(name: str) -> Iterator[Counter]:
    counter = Counter(name)
    yield counter
    print(f"\nfuzz: {counter.count} examples of {name}")


dates = st.one_of(
    st.text(alphabet=DATE_ALPHABET, max_size=16),
    st.text(max_size=12),
    st.builds(lambda era, y, m, d, sep: f"{era}{y}{sep}{m}{sep}{d}",
              st.sampled_from(["", "R", "H", "S", "令和", "平成", "昭和", "大正", "r"]),
              st.integers(-5, 3000), st.integers(-1, 14), st.integers(-1, 33),
              st.sampled_from(["-", "/", ".", "年", " "])),
)


def test_the_date_parser_only_ever_raises_date_parse_error() -> None:
    with counted("parse_date") as counter:

        @fuzz(1000)
        @given(dates)
        def check(value: str) -> None:
            counter()
            try:
                parsed = parse_date(value)
            except DateParseError:
                return
            assert parse_date(parsed.isoformat()) == parsed

        check()


def test_the_name_normalizer_only_ever_raises_value_error_and_is_idempotent() -> None:
    with counted("normalize_name") as counter:

        @fuzz(1000)
        @given(st.one_of(st.text(alphabet=NAME_ALPHABET, max_size=20), st.text(max_size=20)))
        def check(name: str) -> None:
            counter()
            try:
                key = normalize_name(name)
            except ValueError:
                return
            assert key and normalize_name(key) == key

        check()


def _cell(column: str) -> st.SearchStrategy[str]:
    if column in {"date", "concluded_on", "starts_on", "ends_on", "follow_up_on"}:
        return dates
    choices = {
        "kind": ["company", "民間企業", "lecture", "出前講座", "in_city", "x", ""],
        "status": ["proposed", "concluded", "締結", "中止", "?", ""],
        "organizations": ["株式会社播磨データ", "㈱播磨データ;加古川大学", "未登録", ""],
        "partners": ["株式会社播磨データ", "加古川大学、株式会社播磨データ", ""],
        "kpi": ["app_downloads", "アプリのダウンロード数", "nope", ""],
        "value": ["1", "1,234", "-3", "1e400", "nan", "十", ""],
        "attendees": ["0", "12", "-1", "1.5", "99999999999999999999", ""],
        "corporate_number": ["5180001008846", "1234", "５１８０００１００８８４６", ""],
    }.get(column)
    text = st.text(alphabet=NAME_ALPHABET + ",\"\r\n", max_size=12)
    return st.one_of(st.sampled_from(choices), text) if choices else text


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """An entity and the bytes of a CSV file for it: garbage, or plausible rows."""
    entity = draw(st.sampled_from(ENTITIES))
    if draw(st.integers(0, 4)) == 0:
        return entity, draw(st.binary(max_size=200))
    columns = draw(st.lists(st.sampled_from(COLUMNS[entity] + ("日付", "件名", "extra")),
                            min_size=1, max_size=9))
    rows = draw(st.lists(st.tuples(*(_cell(c) for c in columns)), max_size=4))
    lines = [",".join(columns)] + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows
    ]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
    return entity, "\n".join(lines).encode(encoding, errors="replace")


def _audit_rows(database: Database) -> int:
    path = database.describe()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        connection.close()


@pytest.mark.skipif(BACKEND != "sqlite", reason="counts audit rows through the SQLite file")
def test_an_import_either_succeeds_or_raises_data_error_and_changes_nothing(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    with database.writing() as session:
        services.create_organization(session, ctx, name="株式会社播磨データ", kind="company")
        services.create_organization(session, ctx, name="加古川大学", kind="university")
    source = tmp_path / "fuzz.csv"
    with counted("import_file") as counter:

        @fuzz(150)
        @given(csv_files())
        def check(file: tuple[str, bytes]) -> None:
            counter()
            entity, data = file
            source.write_bytes(data)
            before = _audit_rows(database)
            try:
                with database.writing() as session:
                    result = import_file(session, ctx, entity, source)
            except DataError:
                assert _audit_rows(database) == before
                return
            assert result.added >= 1 and _audit_rows(database) > before

        check()


TOKENS = [
    "kpi", "import", "export", "audit", "verify", "log", "db", "check", "backup", "upgrade",
    "init", "report", "history", "--table", "--id", "--limit", "--format", "json", "csv",
    "table", "--as-of", "--fiscal-year", "--quarter", "--evidence", "--from", "--to", "-o",
    "--personal", "--lang", "ja", "en", "--read-only", "--today", "--issue", "--help",
    "organizations", "meetings", "agreements", "events", "measurements", "kpi_measurement",
    "contact", "companies_consulted", "app_downloads", "2022", "3", "0", "-1", "99999",
    "R4.12.5", "2023-03-31", "令和5年3月31日", "H31.4.31", "{csv}", "{missing}", "out.csv",
    "copy.sqlite3", "", "opendata", "orgs", "duplicates", "merge", "unmerge", "--min-score",
    "--dry-run", "--sheet", "--create-missing", "--kind", "company", "--include-personal",
    "tags", "list", "rename", "防災", "長" * 51,
    # numbers at and past every range the CLI checks
    "1988", "1989", "2100", "2101", "202", "20222", "1800", "-0.1", "1.5", "2", "1e3", "nan",
    "1989-03-31", "1989-04-01", "2101-03-31", "2101-04-01", "1900-01-01", "9999-12-31",
    "令和99年1月1日", "昭和60年1月1日", "2022-02-30",
    "{unwritable}", "{directory}", "{database}",
]
COMMANDS = ["kpi", "import", "export", "audit", "db", "init", "report", "opendata", "orgs",
            "demo", "tags"]
#: What CRM_LANG may hold, unset included.
LANGUAGES = [None, "ja", "en", "EN", "fr", ""]


@pytest.mark.skipif(BACKEND != "sqlite", reason="points --db at a SQLite file")
def test_the_cli_never_shows_a_traceback_whatever_its_arguments(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files the commands write (exports, backups, PDFs) land in the test's directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    good = tmp_path / "events.csv"
    good.write_text("date,kind,title\n2023-01-10,lecture,講座\n", encoding="utf-8")
    substitutions = {"{csv}": str(good), "{missing}": str(tmp_path / "missing.csv"),
                     "{unwritable}": "/proc/crm-fuzz/out.csv", "{directory}": str(tmp_path),
                     "{database}": database.describe()}
    word = st.one_of(st.sampled_from(TOKENS), st.text(max_size=6))
    with counted("crm argv") as counter:

        @fuzz(400)
        @given(st.lists(st.sampled_from(["--read-only", "--lang", "en", "--today", "R5.1.1"]),
                        max_size=3),
               st.sampled_from(COMMANDS), st.lists(word, max_size=6),
               st.sampled_from(LANGUAGES))
        def check(options: list[str], command: str, rest: list[str], lang: str | None) -> None:
            counter()
            if lang is None:
                monkeypatch.delenv("CRM_LANG", raising=False)
            else:
                monkeypatch.setenv("CRM_LANG", lang)
            argv = ["--db", database.describe(), *options, command,
                    *(substitutions.get(w, w) for w in rest)]
            before = _audit_rows(database)
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = main(argv, out=io.StringIO())
                except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
                    code = exc.code if isinstance(exc.code, int) else 2
            assert code in {0, 1, 2}, argv
            assert "Traceback" not in stderr.getvalue(), argv
            if code != 0:
                assert _audit_rows(database) == before, argv

        check()
