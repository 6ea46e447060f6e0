"""`crm report` end to end through the command's entry point."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.main import main
from crm.context import Context
from db.session import Database
from tests.test_report import fill

STAMP = "2023-01-10T09:30+09:00"


@pytest.fixture
def db_path(database: Database, ctx: Context, database_path: Path) -> str:
    """The path of a filled test database, closed so the command opens it afresh."""
    fill(database, ctx)
    database.dispose()
    return str(database_path)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.mark.usefixtures("english")
def test_writes_the_default_file_reproducibly(
    db_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("--db", db_path, "report", "--fiscal-year", "2022", "--quarter", "3",
                    "--generated-at", STAMP)
    assert code == 0, out
    first = (tmp_path / "kpi-report-FY2022-Q3.pdf").read_bytes()
    assert "kpi-report-FY2022-Q3.pdf" in out and "fingerprint" in out
    code, _ = run("--db", db_path, "report", "--fiscal-year", "2022", "--quarter", "3",
                  "--generated-at", STAMP, "-o", str(tmp_path / "again.pdf"))
    assert code == 0 and (tmp_path / "again.pdf").read_bytes() == first


def test_year_report_in_english_without_approval_block(db_path: str, tmp_path: Path) -> None:
    target = tmp_path / "year.pdf"
    code, _ = run("--db", db_path, "report", "--fiscal-year", "2022", "--lang", "en",
                  "--no-approval-block", "--generated-at", "2023-04-05T10:00", "-o", str(target))
    assert code == 0
    reader = PdfReader(target)
    cover = reader.pages[0].extract_text()
    assert "FY2022 Partnership and Outreach KPI Report" in cover
    assert "Approval" not in cover and "2023-04-05 10:00 JST" in cover


def test_detail_adds_the_record_lists_reproducibly(db_path: str, tmp_path: Path) -> None:
    paths = [tmp_path / f"{name}.pdf" for name in ("plain", "detail", "again")]
    for path, extra in zip(paths, ([], ["--detail"], ["--detail"]), strict=True):
        code, out = run("--db", db_path, "report", "--fiscal-year", "2022", "--quarter", "3",
                        "--generated-at", STAMP, "-o", str(path), *extra)
        assert code == 0, out
    plain, detail = ("".join(page.extract_text() for page in PdfReader(path).pages)
                     for path in paths[:2])
    assert "付録 2 活動記録一覧" in detail and "付録 2 活動記録一覧" not in plain
    assert paths[2].read_bytes() == paths[1].read_bytes()


@pytest.mark.usefixtures("english")
def test_issue_then_history(db_path: str, tmp_path: Path) -> None:
    code, out = run("--db", db_path, "report", "--fiscal-year", "2022", "--quarter", "3",
                    "--generated-at", STAMP, "--issue", "-o", str(tmp_path / "q3.pdf"))
    assert code == 0 and "issued as report #1" in out
    code, out = run("--db", db_path, "--lang", "en", "report", "history")
    assert code == 0
    assert "FY2022 Q3" in out and "2023-01-10 09:30 JST" in out
    assert out.splitlines()[0].split()[:2] == ["ID", "Period"]


@pytest.mark.parametrize("argv", [
    ["report"],
    ["report", "--quarter", "3"],
    ["report", "history", "--fiscal-year", "2022"],
])
def test_usage_errors_exit_2(db_path: str, argv: list[str]) -> None:
    assert run("--db", db_path, *argv)[0] == 2


def test_a_bad_timestamp_is_a_usage_error(db_path: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run("--db", db_path, "report", "--fiscal-year", "2022", "--generated-at", "soon")
    assert exc.value.code == 2


def test_data_errors_exit_1_with_one_line(
    db_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "r.pdf"
    assert run("--db", db_path, "report", "--fiscal-year", "2022", "-o", str(missing))[0] == 1
    assert run("--db", db_path, "--read-only", "report", "--fiscal-year", "2022", "--issue",
               "-o", str(tmp_path / "r.pdf"))[0] == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("crm: ") for line in errors)
