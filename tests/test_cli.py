"""The `crm` command end to end: exit codes, one-line errors, output formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from cli.table import display_width, format_table
from crm.context import Context
from crm.models import Meeting
from crm.records import services as s
from db.session import URL_VARIABLE, Database
from tests.conftest import BACKEND


@pytest.fixture
def cli_db(database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Arguments that point `crm` at the test's database (SQLite file or PostgreSQL URL)."""
    if BACKEND == "sqlite":
        return ["--db", str(database.describe())]
    monkeypatch.setenv(URL_VARIABLE, database_url)
    return []


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


@pytest.fixture
def populated(database: Database, ctx: Context) -> Database:
    with database.writing() as session:
        company = s.create_organization(session, ctx, name="株式会社播磨データ", kind="company")
        s.log_meeting(session, ctx, held_on=date(2022, 11, 1), title="AIカメラの意見交換",
                      organization_ids=[company.id or 0])
        s.log_event(session, ctx, held_on=date(2022, 10, 5), kind="lecture", title="出前講座")
    return database


def test_help_states_the_default_database(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    help_text = capsys.readouterr().out
    assert "crm.sqlite3" in help_text and URL_VARIABLE in help_text


@pytest.mark.usefixtures("english")
def test_init_creates_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite3"
    assert run(["--db", str(path), "init"])[0] == 0
    assert path.exists()
    assert run(["--db", str(path), "init"])[0] == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err


@pytest.mark.usefixtures("english")
def test_a_missing_database_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(["--db", str(tmp_path / "none.sqlite3"), "kpi"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("crm: no database at") and "crm init" in err
    assert "Traceback" not in err


def test_kpi_json_for_a_quarter(populated: Database, cli_db: list[str]) -> None:
    code, out = run([*cli_db, "kpi", "--fiscal-year", "2022", "--quarter", "3",
                     "--format", "json"])
    assert code == 0
    data = {row["code"]: row for row in json.loads(out)}
    assert len(data) == 19
    lectures = data["lectures_in_city"]
    assert (lectures["period_start"], lectures["period_end"]) == ("2022-10-01", "2022-12-31")
    assert lectures["period_count"] == 1 and lectures["value"] == 2
    assert data["companies_consulted"]["value"] == 4
    assert data["open_data_catalog_access"]["value"] is None
    assert lectures["status"] in {"achieved", "on_track", "behind"}


def test_kpi_csv_and_as_of(populated: Database, cli_db: list[str]) -> None:
    code, out = run([*cli_db, "kpi", "--as-of", "R4.12.31", "--format", "csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 19
    assert {r["as_of"] for r in rows} == {"2022-12-31"}


def test_kpi_table_in_japanese_and_english(populated: Database, cli_db: list[str]) -> None:
    code, out = run([*cli_db, "kpi", "--as-of", "2023-03-31"])
    assert code == 0
    assert out.startswith("令和5年3月31日（2023-03-31）時点")
    assert "市内における出前講座の開催回数" in out and "未達成" in out and "遅れ" not in out
    code, out = run([*cli_db, "--lang", "en", "kpi", "--as-of", "2023-03-31"])
    assert "On-site lectures" in out and "Not achieved" in out


def test_kpi_evidence(populated: Database, cli_db: list[str]) -> None:
    code, out = run([*cli_db, "kpi", "--evidence", "companies_consulted",
                     "--as-of", "2023-03-31", "--format", "json"])
    assert code == 0
    rows = json.loads(out)
    assert [(r["counted_on"], r["organizations"]) for r in rows] == [
        ("2022-11-01", "株式会社播磨データ")
    ]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["kpi", "--quarter", "3"], 2, "--quarter needs --fiscal-year"),
        (["kpi", "--evidence", "app_downloads"], 1, "not a computed KPI"),
        (["kpi", "--evidence", "nope"], 1, "not a computed KPI"),
    ],
)
def test_kpi_errors(
    populated: Database, cli_db: list[str], capsys: pytest.CaptureFixture[str],
    argv: list[str], code: int, message: str,
) -> None:
    assert run([*cli_db, "--lang", "en", *argv])[0] == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "'R4.13.1' is not a date"), ("ja", "'R4.13.1' は日付として読めません")])
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], lang: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--lang", lang, "kpi", "--as-of", "R4.13.1"])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_import_then_export_through_the_cli(
    populated: Database, cli_db: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "meetings.csv"
    source.write_text(
        "日付,件名,相手先,担当\nR5.1.10,データ連携の相談,(株)播磨データ,山田\n", encoding="cp932"
    )
    assert run([*cli_db, "import", "meetings", str(source)]) == (
        0, f"{source} から meetings 1 件を取り込みました\n"
    )
    target = tmp_path / "out.csv"
    assert run([*cli_db, "export", "meetings", "-o", str(target)])[0] == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    text = data.decode("utf-8-sig")
    assert text.startswith("date,title,organizations,summary,")  # staff names are personal
    assert "2023-01-10,データ連携の相談,株式会社播磨データ,," in text
    assert run([*cli_db, "export", "meetings", "-o", str(target), "--include-personal"])[0] == 0
    text = target.read_text(encoding="utf-8-sig")
    assert "2023-01-10,データ連携の相談,株式会社播磨データ,山田" in text


def test_a_bad_import_names_the_row_and_changes_nothing(
    populated: Database, cli_db: list[str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "meetings.csv"
    source.write_text(
        "date,title,organizations\n2023-01-10,ok,株式会社播磨データ\n"
        "2023-01-11,bad,存在しない株式会社\n",
        encoding="utf-8",
    )
    assert run([*cli_db, "--lang", "en", "import", "meetings", str(source)])[0] == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "organizations" in err and "存在しない株式会社" in err
    assert err.count("\n") == 1
    with populated.reading() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_read_only_refuses_writes(
    populated: Database, database_path: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "events.csv"
    source.write_text("date,kind,title\n2023-01-10,lecture,講座\n", encoding="utf-8")
    code, _ = run(["--db", str(database_path), "--read-only", "import", "events", str(source)])
    assert code == 1
    assert "read-only" in capsys.readouterr().err
    code, out = run(["--db", str(database_path), "--read-only", "kpi", "--format", "json",
                     "--as-of", "2023-03-31"])
    assert code == 0 and len(json.loads(out)) == 19


def test_tables_stay_aligned_with_wide_characters() -> None:
    table = format_table(["名称", "値", "状況"],
                         [["市内イベント", "1,234", "順調"], ["ABC", "5", "遅れ"]],
                         right=[False, True, False])
    lines = table.splitlines()
    status_columns = {display_width(line[: line.index(word)])
                      for line, word in zip(lines, ["状況", "-", "順調", "遅れ"], strict=True)
                      if word != "-"}
    assert len(status_columns) == 1
    assert display_width("ｶﾅ") == 2 and display_width("カナ") == 4


def test_global_options_work_after_the_command(
    populated: Database, cli_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["kpi", "--as-of", "2023-03-31", "--format", "json", *cli_db,
                     "--lang", "en"])
    assert code == 0 and len(json.loads(out)) == 19
    with pytest.raises(SystemExit) as exited:
        main(["kpi", "--db"])
    assert exited.value.code == 2
    assert "認識できない引数: --db" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "kpi", "--db"])
    assert "unrecognized arguments: --db" in capsys.readouterr().err
