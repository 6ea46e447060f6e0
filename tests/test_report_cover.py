"""The report's cover: approval roles given, saved and used by default; no repository paths
or commands in printed text; Western dates in the English report."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.main import main
from crm.context import Context
from crm.reporting.approvers import saved_approvers, settings_path
from db.session import URL_VARIABLE, Database
from reports.publish import publish_report
from tests.conftest import BACKEND
from tests.test_report import GENERATED, Q3, build, fill, page_texts


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """The test database with test_report's office history."""
    return fill(database, ctx)


@pytest.fixture
def cli_db(filled: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Arguments that point `crm` at the filled test database (file or PostgreSQL URL)."""
    if BACKEND == "sqlite":
        return ["--db", str(filled.describe())]
    monkeypatch.setenv(URL_VARIABLE, database_url)
    return []


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user config directory for this test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def _roles_row(cover: str) -> str:
    """The approval block's text: the label, then the roles in order."""
    start = cover.index("決裁欄")
    return re.sub(r"\s+", "", cover[start:cover.index("報告", start)])


def test_approvers_printed_in_the_order_given(filled: Database) -> None:
    cover = page_texts(build(filled, approvers=("部長", "課長", "係長", "担当")).pdf)[0]
    assert "決裁欄部長課長係長担当" in _roles_row(cover)
    default = page_texts(build(filled).pdf)[0]
    assert "決裁欄課長係長担当" in _roles_row(default) and "部長" not in default


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_repository_paths_or_commands_on_any_page(filled: Database, lang: str) -> None:
    text = "\n".join(page_texts(build(filled, lang=lang).pdf))
    for needle in ("docs/", ".md", "crm audit", "crm report", "reports/"):
        assert needle not in text, needle


def test_english_cover_in_western_dates(filled: Database) -> None:
    cover = page_texts(build(filled, lang="en").pdf)[0]
    assert "2022-10-01 – 2022-12-31" in cover
    assert not re.search(r"令和|平成|R\d+\.\d+\.\d+", cover)
    japanese = page_texts(build(filled).pdf)[0]
    assert "令和4年10月1日" in japanese


def test_saved_approvers_are_the_default_of_later_reports(
    filled: Database, ctx: Context, cli_db: list[str], config: Path, tmp_path: Path,
) -> None:
    out = io.StringIO()
    code = main([*cli_db, "report", "--fiscal-year", "2022", "--quarter",
                 "3", "--generated-at", GENERATED.isoformat(), "-o", str(tmp_path / "a.pdf"),
                 "--approvers", "部長,課長,係長,担当", "--save-approvers"], out=out)
    assert code == 0, out.getvalue()
    assert settings_path().is_relative_to(config) and saved_approvers() == (
        "部長", "課長", "係長", "担当")
    assert str(settings_path()) in out.getvalue()
    # The TUI's p / i and a plain `crm report` publish through publish_report: the saved roles.
    published = publish_report(filled, ctx, period=Q3, lang="ja", generated_at=GENERATED,
                               output=tmp_path / "b.pdf")
    cover = PdfReader(io.BytesIO(published.report.pdf)).pages[0].extract_text()
    assert "決裁欄部長課長係長担当" in _roles_row(cover)


@pytest.mark.parametrize("roles", ["部長,,担当", "a,b,c,d,e,f,g,h", "とても長い役職の名前です"])
def test_bad_approvers_are_one_line_and_nothing_is_written(
    cli_db: list[str], config: Path, tmp_path: Path, roles: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    code = main([*cli_db, "--lang", "en", "report", "--fiscal-year", "2022",
                 "-o", str(tmp_path / "x.pdf"), "--approvers", roles, "--save-approvers"],
                out=out)
    assert code == 1 and out.getvalue() == ""
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1 and "approv" in message, message
    assert "Traceback" not in message
    assert not (tmp_path / "x.pdf").exists() and not settings_path().exists()


def test_save_approvers_needs_approvers(cli_db: list[str], config: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*cli_db, "report", "--fiscal-year", "2022", "--save-approvers"],
                out=io.StringIO()) == 2
    assert "--approvers" in capsys.readouterr().err
