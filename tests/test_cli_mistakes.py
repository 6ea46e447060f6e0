"""A user's mistakes on the command line: each one exits 1 or 2 with one line, never a traceback.

Every case runs `main()` in-process against a real database; the pipe case runs the real
console script with a reader that closes early.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from db.session import Database
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="argument checks: backend-neutral")

#: (arguments after `--db FILE`, exit status, a piece of the one line on stderr)
CASES: list[tuple[list[str], int, str]] = [
    (["kpi", "--fiscal-year", "202"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "20222"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "1800"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "1988"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "2101"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "-1"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "99999"], 2, "outside fiscal years 1989–2100"),
    (["kpi", "--fiscal-year", "二〇二二"], 2, "not a year"),
    (["kpi", "--as-of", "1900-01-01"], 2, "outside fiscal years"),
    (["kpi", "--as-of", "9999-12-31"], 2, "outside fiscal years"),
    (["kpi", "--as-of", "1989-03-31"], 2, "outside fiscal years"),
    (["kpi", "--as-of", "2101-04-01"], 2, "outside fiscal years"),
    (["kpi", "--as-of", "令和99年1月1日"], 2, "outside fiscal years"),
    (["kpi", "--as-of", "2022-02-30"], 2, "--as-of"),
    (["--today", "1900-01-01", "kpi"], 2, "--today"),
    (["kpi", "--quarter", "3"], 2, "--quarter needs --fiscal-year"),
    (["kpi", "--fiscal-year", "2022", "--quarter", "5"], 2, "--quarter"),
    (["report", "--fiscal-year", "1800"], 2, "outside fiscal years 1989–2100"),
    (["export", "meetings", "--fiscal-year", "3000"], 2, "outside fiscal years 1989–2100"),
    (["export", "meetings", "--from", "2023-01-01", "--to", "2022-01-01"], 2,
     "--from 2023-01-01 is after --to 2022-01-01"),
    (["opendata", "events", "--from", "R5.1.1", "--to", "R4.1.1"], 2, "is after --to"),
    (["export", "meetings", "--from", "2022-01-01", "--fiscal-year", "2022"], 2,
     "either --from/--to or --fiscal-year"),
    (["orgs", "duplicates", "--min-score", "2"], 2, "outside 0–1"),
    (["orgs", "duplicates", "--min-score", "-0.1"], 2, "outside 0–1"),
    (["orgs", "duplicates", "--min-score", "high"], 2, "not a number"),
    (["audit", "log", "--limit", "-1"], 2, "less than 1"),
    (["audit", "log", "--limit", "0"], 2, "less than 1"),
    (["audit", "log", "--limit", "ten"], 2, "not a whole number"),
    (["bogus"], 2, "invalid choice"),
    (["export", "meetings", "-o", "/nonexistent-dir/x.csv"], 1, "/nonexistent-dir/x.csv"),
    (["opendata", "events", "-o", "/nonexistent-dir/x.csv"], 1, "/nonexistent-dir/x.csv"),
    (["db", "backup", "/nonexistent-dir/x.bak"], 1, "/nonexistent-dir"),
]


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(("argv", "status", "expected"), CASES,
                         ids=[" ".join(c[0]) for c in CASES])
def test_a_mistake_gets_one_line(
    database: Database, capsys: pytest.CaptureFixture[str],
    argv: list[str], status: int, expected: str,
) -> None:
    try:
        code = main(["--db", str(database.describe()), *argv])
    except SystemExit as exc:  # argparse ends usage errors by SystemExit
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == status
    line = _one_line(captured.err)
    assert expected in line
    assert line.startswith("crm")


def test_a_long_value_is_cut_in_the_message(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--db", str(database.describe()), "kpi", "--fiscal-year", "9" * 10_000])
    line = _one_line(capsys.readouterr().err)
    assert len(line) < 200


@pytest.mark.parametrize("value", ["fr", "japanese", "EN_us"])
def test_an_unknown_language_setting_is_refused(
    database: Database, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, value: str,
) -> None:
    monkeypatch.setenv("CRM_LANG", value)
    assert main(["--db", str(database.describe()), "kpi"]) == 2
    assert "use ja or en" in _one_line(capsys.readouterr().err)


def test_an_unknown_database_driver_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", "mysql://nobody@127.0.0.1/crm")
    assert main(["kpi"]) == 1
    assert "driver" in _one_line(capsys.readouterr().err)


def test_a_reader_closing_the_pipe_is_one_line(database: Database) -> None:
    # The reader has exited before the first write, so writing always meets a closed pipe.
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait()
    assert reader.stdin is not None
    root = Path(__file__).resolve().parent.parent
    writer = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", str(database.describe()), "kpi"],
        stdout=reader.stdin, stderr=subprocess.PIPE, text=True, check=False, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    reader.stdin.close()
    assert writer.returncode == 1
    assert "broken pipe" in _one_line(writer.stderr)


def test_a_database_from_a_newer_program_is_refused_before_any_backup(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(database.describe())
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    database.dispose()
    assert main(["--db", str(path), "db", "upgrade"]) == 1
    assert "newer than this program" in _one_line(capsys.readouterr().err)
    assert not list(path.parent.glob("*.bak"))  # refused before taking a backup
    assert main(["--db", str(path), "db", "check"]) == 1
    assert any("newer than this program" in line
               for line in capsys.readouterr().err.splitlines())
    assert main(["--db", str(path), "kpi"]) == 1
    assert "newer than this program" in _one_line(capsys.readouterr().err)
