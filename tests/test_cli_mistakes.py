"""A user's mistakes on the command line (the tester's table, issue 15): each exits 1 or 2
with exactly one line on stderr in the user's language, never a traceback, and leaves the
database as it was.

Every case runs `main()` in-process against a real SQLite database, once in Japanese (the
default) and once in English; the closed-pipe cases run the real console script.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="argument checks: backend-neutral")

ROOT = Path(__file__).resolve().parent.parent
MEETINGS = "日付,件名,相手先,担当\n"
NOWHERE = "/nonexistent-dir"


@dataclass(frozen=True)
class Case:
    """A mistake: the arguments after `--db FILE` ({tmp}: a scratch folder; {file}: the input
    file written from `content`), the exit status and a piece of the English line."""

    argv: list[str]
    status: int
    english: str
    content: bytes | None = None
    name: str = "input.csv"
    env: dict[str, str] = field(default_factory=dict)


def years(command: list[str]) -> list[Case]:
    return [Case([*command, "--fiscal-year", year], 2, "outside fiscal years 1989–2100")
            for year in ("202", "20222", "1800", "1988", "2101", "-1", "99999")]


def bad_files(entity: str) -> list[Case]:
    return [
        Case(["import", entity, f"{NOWHERE}/{entity}.csv"], 1, f"{NOWHERE}/{entity}.csv"),
        Case(["import", entity, "{file}"], 1, "input.csv", b""),
        Case(["import", entity, "{file}"], 1, "input.csv", b"foo,bar\n1,2\n"),
        Case(["import", entity, "{file}"], 1, "input.csv", b"\x00\x01\x02\xff\xfe" * 50),
        Case(["import", entity, "{file}"], 1, "input.xlsx", b"not a zip file",
             name="input.xlsx"),
    ]


CASES: list[Case] = [
    # fiscal years, dates and periods out of range or out of order
    *years(["kpi"]),
    *years(["report"]),
    *years(["export", "meetings"]),
    *years(["opendata", "events"]),
    Case(["kpi", "--fiscal-year", "二〇二二"], 2, "not a year"),
    Case(["kpi", "--fiscal-year", "2022.5"], 2, "not a year"),
    Case(["kpi", "--fiscal-year", "9" * 10_000], 2, "not a year"),
    Case(["kpi", "--as-of", "1900-01-01"], 2, "outside fiscal years"),
    Case(["kpi", "--as-of", "9999-12-31"], 2, "outside fiscal years"),
    Case(["kpi", "--as-of", "1989-03-31"], 2, "outside fiscal years"),
    Case(["kpi", "--as-of", "2101-04-01"], 2, "outside fiscal years"),
    Case(["kpi", "--as-of", "令和99年1月1日"], 2, "outside fiscal years"),
    Case(["kpi", "--as-of", "2022-02-30"], 2, "is not a date"),
    Case(["kpi", "--as-of", "R4.13.1"], 2, "is not a date"),
    Case(["kpi", "--as-of", ""], 2, "is not a date"),
    Case(["kpi", "--as-of", "x" * 10_000], 2, "is not a date"),
    Case(["--today", "1900-01-01", "kpi"], 2, "--today"),
    Case(["--today", "9999-12-31", "kpi"], 2, "--today"),
    Case(["--today", "令和99年1月1日", "kpi"], 2, "--today"),
    Case(["kpi", "--quarter", "3"], 2, "--quarter needs --fiscal-year"),
    Case(["kpi", "--fiscal-year", "2022", "--quarter", "5"], 2, "--quarter"),
    Case(["kpi", "--fiscal-year", "2022", "--quarter", "0"], 2, "--quarter"),
    Case(["kpi", "--as-of", "2022-04-01", "--fiscal-year", "2022"], 2, "not allowed with"),
    Case(["report"], 2, "report needs --fiscal-year"),
    Case(["report", "history", "--fiscal-year", "2022"], 2, "takes no period"),
    Case(["report", "--fiscal-year", "2022", "--generated-at", "yesterday"], 2,
         "not an ISO timestamp"),
    Case(["export", "meetings", "--from", "2023-01-01", "--to", "2022-01-01"], 2,
         "--from 2023-01-01 is after --to 2022-01-01"),
    Case(["export", "meetings", "--from", "1900-01-01"], 2, "outside fiscal years"),
    Case(["export", "meetings", "--to", "9999-12-31"], 2, "outside fiscal years"),
    Case(["export", "meetings", "--from", "2022-01-01", "--fiscal-year", "2022"], 2,
         "either --from/--to or --fiscal-year"),
    Case(["export", "meetings", "--quarter", "2"], 2, "--quarter needs --fiscal-year"),
    Case(["opendata", "events", "--from", "R5.1.1", "--to", "R4.1.1"], 2, "is after --to"),
    Case(["opendata", "events", "--from", "令和99年1月1日"], 2, "outside fiscal years"),
    # scores, limits, ids, anchors, seeds
    Case(["orgs", "duplicates", "--min-score", "2"], 2, "outside 0–1"),
    Case(["orgs", "duplicates", "--min-score", "-0.1"], 2, "outside 0–1"),
    Case(["orgs", "duplicates", "--min-score", "nan"], 2, "outside 0–1"),
    Case(["orgs", "duplicates", "--min-score", "high"], 2, "not a number"),
    Case(["audit", "log", "--limit", "-1"], 2, "less than 1"),
    Case(["audit", "log", "--limit", "0"], 2, "less than 1"),
    Case(["audit", "log", "--limit", "ten"], 2, "not a whole number"),
    Case(["audit", "log", "--id", "5"], 2, "--id needs --table"),
    Case(["audit", "log", "--table", "nosuch"], 2, "not an audited table"),
    Case(["audit", "verify", "--anchor", "nonsense"], 2, "not an anchor"),
    Case(["audit", "acknowledge", "5"], 2, "--reason"),
    Case(["demo", "--seed", "x"], 2, "--seed"),
    Case(["orgs", "merge", "a", "b"], 2, "KEEP"),
    Case(["orgs", "merge", "999", "998"], 1, "999"),
    Case(["orgs", "unmerge", "999"], 1, "999"),
    # the language setting
    Case(["kpi"], 2, "use ja or en", env={"CRM_LANG": "fr"}),
    Case(["kpi"], 2, "use ja or en", env={"CRM_LANG": "japanese"}),
    Case(["kpi"], 2, "use ja or en", env={"CRM_LANG": "EN_us"}),
    Case(["--lang", "fr", "kpi"], 2, "--lang"),
    # commands, options and names that do not exist
    Case(["bogus"], 2, "invalid choice"),
    Case(["kpi", "--bogus"], 2, "unrecognized arguments"),
    Case(["db"], 2, "required"),
    Case(["db", "frobnicate"], 2, "invalid choice"),
    Case(["kpi", "--format", "xml"], 2, "invalid choice"),
    Case(["import"], 2, "required"),
    Case(["import", "widgets", "x.csv"], 2, "invalid choice"),
    Case(["export", "widgets"], 2, "invalid choice"),
    Case(["opendata", "people"], 2, "invalid choice"),
    Case(["plan", "show", "nosuch"], 1, "nosuch"),
    Case(["plan", "export", "nosuch"], 1, "nosuch"),
    Case(["kpi", "--evidence", "NOSUCH"], 1, "NOSUCH"),
    Case(["kpi", "--plan", "nosuch"], 1, "nosuch"),
    Case(["tags", "rename", "nosuch", "new"], 1, "nosuch"),
    Case(["tags", "rename", "x" * 10_000, "new"], 1, "x"),
    # importing: options that go together, and a bad file for each entity
    Case(["import", "meetings", "{file}", "--create-missing"], 2, "--create-missing and --kind",
         MEETINGS.encode()),
    Case(["import", "meetings", "{file}", "--kind", "company"], 2,
         "--create-missing and --kind", MEETINGS.encode()),
    Case(["import", "meetings", "{file}", "--create-missing", "--kind", "spaceship"], 1,
         "spaceship", (MEETINGS + "R5.1.10,相談,新しい会社,山田\n").encode()),
    *[case for entity in ("organizations", "contacts", "meetings", "agreements", "events",
                          "measurements") for case in bad_files(entity)],
    Case(["import", "meetings", "{file}"], 1, "row 2",
         (MEETINGS + "R5.13.1,相談,,山田\n").encode()),
    Case(["import", "meetings", "{file}"], 1, "row 2",
         (MEETINGS + "R5.1.10,相談,存在しない会社,山田\n").encode()),
    Case(["import", "meetings", "{file}"], 1, "row 2",
         (MEETINGS + f"R5.1.10,{'長' * 10_000},,山田\n").encode()),
    Case(["import", "meetings", "{tmp}"], 1, "{tmp}"),
    Case(["import", "meetings", "{file}", "--sheet", "NoSuch"], 1, "input.xlsx",
         b"PK\x03\x04 truncated", name="input.xlsx"),
    Case(["plan", "import", f"{NOWHERE}/plan.toml"], 1, "plan.toml: cannot be read"),
    Case(["plan", "import", "{file}"], 1, "plan.toml", b"[plan\ncode = ", name="plan.toml"),
    # outputs that cannot be written, or would overwrite what must not be
    Case(["export", "meetings", "-o", f"{NOWHERE}/x.csv"], 1, f"{NOWHERE}/x.csv"),
    Case(["export", "meetings", "-o", "{tmp}"], 1, "{tmp}"),
    Case(["export", "meetings", "-o", "/proc/crm-export.csv"], 1, "/proc/crm-export.csv"),
    Case(["export", "meetings", "-o", "{db}"], 1, "is the database"),
    Case(["export", "contacts"], 1, "--include-personal"),
    Case(["opendata", "events", "-o", f"{NOWHERE}/x.csv"], 1, f"{NOWHERE}/x.csv"),
    Case(["opendata", "events", "-o", "{db}-wal"], 1, "is the database"),
    Case(["db", "backup", f"{NOWHERE}/x.bak"], 1, NOWHERE),
    Case(["db", "backup", "{db}"], 1, "already exists"),
    Case(["report", "--fiscal-year", "2022", "-o", f"{NOWHERE}/r.pdf"], 1, NOWHERE),
    Case(["plan", "export", "ict-policy-2018", "-o", f"{NOWHERE}/p.toml"], 1, NOWHERE),
    Case(["init"], 1, "already exists"),
    # --read-only refuses every command that writes (a dry run only reads: allowed)
    Case(["--read-only", "init"], 1, "--read-only"),
    Case(["--read-only", "demo"], 1, "--read-only"),
    Case(["--read-only", "db", "upgrade"], 1, "--read-only"),
    Case(["--read-only", "tags", "rename", "a", "b"], 1, "--read-only"),
    Case(["--read-only", "orgs", "merge", "1", "2"], 1, "--read-only"),
    Case(["--read-only", "audit", "acknowledge", "1", "--reason", "x"], 1, "--read-only"),
    Case(["--read-only", "plan", "import", "{file}"], 1, "--read-only", b"", name="plan.toml"),
    Case(["--read-only", "import", "meetings", "{file}"], 1, "--read-only", MEETINGS.encode()),
    Case(["--read-only", "report", "--fiscal-year", "2022", "--issue", "-o", "{tmp}/r.pdf"], 1,
         "read-only"),
]

#: Databases that are not what the command needs (no `--db FILE` of the test's own).
DATABASES: list[Case] = [
    Case(["kpi"], 1, "driver 'MySQLdb'", env={"CRM_DATABASE_URL": "mysql://u@127.0.0.1/crm"}),
    Case(["kpi"], 1, "driver", env={"CRM_DATABASE_URL": "oracle://u@127.0.0.1/crm"}),
    Case(["kpi"], 1, "database", env={"CRM_DATABASE_URL": "not a url"}),
    Case(["--db", f"{NOWHERE}/crm.sqlite3", "kpi"], 1, "no database at"),
    Case(["--db", "/proc/crm/crm.sqlite3", "init"], 1, "/proc/crm"),
    Case(["--db", "{tmp}", "init"], 1, "{tmp}"),
    Case(["--db", "{file}", "kpi"], 1, "file is not a database",
         b"just text, not a database\n" * 100),
]

_KANA = re.compile(r"[\u3040-\u30ff]")
#: Quoted values and parenthesized Japanese names (kinds, KPI names) an English line may show.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\([^)]*\)")


def fingerprint(path: Path) -> dict[str, int]:
    """Every table's row count and highest rowid: a write of any kind changes one."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        # WITHOUT ROWID tables (the text-search index's config) are counted only.
        tables = {r[0]: "WITHOUT ROWID" in (r[1] or "").upper() for r in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")}
        return {f"{t}.{m}": connection.execute(
            f'SELECT {m}({"*" if no_rowid else "rowid"}) FROM "{t}"').fetchone()[0] or 0
            for t, no_rowid in tables.items() if not t.startswith("sqlite_")
            for m in ("count", "max") if not (no_rowid and m == "max")}


def one_line(text: str) -> str:
    """The only line of `text`, which holds no traceback."""
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def in_language(line: str, lang: str) -> bool:
    """Whether `line` reads as `lang`: Japanese has kana; English has none outside quotes."""
    if lang == "ja":
        return _KANA.search(line) is not None
    return _KANA.search(_QUOTED.sub("", line)) is None


def attempt(case: Case, tmp_path: Path, database: Path | None, lang: str,
            monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("CRM_LANG", lang)
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    file = scratch / case.name
    if case.content is not None:
        file.write_bytes(case.content)
    values = {"tmp": str(scratch), "file": str(file), "db": str(database)}
    argv = [a.format(**values) if "{" in a and len(a) < 200 else a for a in case.argv]
    if database is not None:
        argv = ["--db", str(database), *argv]
    try:
        return main(argv)
    except SystemExit as exc:  # argparse ends usage errors by SystemExit
        return int(exc.code or 0)


def _ids(cases: list[Case]) -> list[str]:
    return [" ".join(a[:30] for a in c.argv)[:80] + "".join(f" {k}={v}" for k, v in
                                                            c.env.items()) for c in cases]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_a_mistake_gets_one_line_and_changes_nothing(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, case: Case, lang: str,
) -> None:
    before = fingerprint(database_path)
    code = attempt(case, tmp_path, database_path, lang, monkeypatch)
    line = one_line(capsys.readouterr().err)
    assert code == case.status, line
    assert line.startswith("crm")
    assert len(line) < 400, line  # values are cut, never repeated whole
    # An unknown CRM_LANG leaves the language unknown: the line is in the default, Japanese.
    assert in_language(line, "ja" if "CRM_LANG" in case.env else lang), line
    if lang == "en":
        assert case.english.format(tmp=tmp_path / "scratch") in line
    assert fingerprint(database_path) == before


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", DATABASES, ids=_ids(DATABASES))
def test_a_wrong_database_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    case: Case, lang: str,
) -> None:
    code = attempt(case, tmp_path, None, lang, monkeypatch)
    line = one_line(capsys.readouterr().err)
    assert code == case.status, line
    assert in_language(line, lang), line
    if lang == "en":
        assert case.english.format(tmp=tmp_path / "scratch", file="input.csv") in line


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "check"], ["kpi"]])
def test_a_database_from_a_newer_program_is_refused_before_any_backup(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, command: list[str], lang: str,
) -> None:
    with sqlite3.connect(database_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = fingerprint(database_path)
    code = attempt(Case(command, 1, ""), tmp_path, database_path, lang, monkeypatch)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert not list(database_path.parent.glob("*.bak"))  # refused before taking a backup
    expected = "newer than this program" if lang == "en" else "新しい版です"
    if command != ["db", "check"]:
        assert expected in one_line(err)
    else:  # the check's own lines, one per problem, in the language too
        assert any(expected in line for line in err.splitlines())
    assert fingerprint(database_path) == before


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_database_at_an_older_schema_names_the_upgrade(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, lang: str,
) -> None:
    with sqlite3.connect(database_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0006'")
    assert attempt(Case(["kpi"], 1, ""), tmp_path, database_path, lang, monkeypatch) == 1
    line = one_line(capsys.readouterr().err)
    assert "crm db upgrade" in line and in_language(line, lang)


@pytest.mark.parametrize("command", [["kpi"], ["export", "meetings"], ["audit", "log"],
                                     ["opendata", "events"]])
def test_a_reader_closing_the_pipe_is_one_line(database_path: Path, command: list[str]) -> None:
    # The reader has exited before the first write, so writing always meets a closed pipe.
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait()
    assert reader.stdin is not None
    writer = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", str(database_path), *command],
        stdout=reader.stdin, stderr=subprocess.PIPE, text=True, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CRM_LANG": "ja"},
    )
    reader.stdin.close()
    assert writer.returncode == 1
    assert "broken pipe" in one_line(writer.stderr)

