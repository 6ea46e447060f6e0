"""`crm report --no-personal`: the version for disclosure leaves out every name of a person
the report would print (staff who met, the user who issued a restated report)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.main import main
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.models import OutreachEvent
from crm.records import services
from db.session import URL_VARIABLE, Database
from reports.publish import build_report, issue_report
from tests.conftest import BACKEND
from tests.test_report import GENERATED, Q3, build, fill, page_texts

Q4 = FiscalPeriod(2022, 4)
STAFF = ("山本", "健一", "中村", "大輔")


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """test_report's office history, a report of Q3 issued by 'tester' and then restated."""
    fill(database, ctx)
    with database.writing() as session:
        issue_report(session, ctx, build_report(session, period=Q3, lang="ja",
                                                generated_at=GENERATED))
        services.archive(session, ctx, OutreachEvent, 6)
        company = services.create_organization(session, ctx, name="播磨精工株式会社",
                                               kind="company").id
        services.log_meeting(session, ctx, held_on=date(2023, 1, 20), title="四半期の意見交換",
                             organization_ids=[company],
                             staff_ids=services.staff_ids_by_name(session, ctx,
                                                                  ["山本 健一", "中村 大輔"]))
    return database


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_names_print_by_default(filled: Database, lang: str) -> None:
    text = re.sub(r"\s+", "", "".join(page_texts(build(filled, period=Q4, lang=lang,
                                                         detail=True).pdf)))
    assert "山本健一" in text and "中村大輔" in text and "tester" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_personal_leaves_every_name_out(filled: Database, lang: str) -> None:
    result = build(filled, period=Q4, lang=lang, personal=False, detail=True)
    pages = page_texts(result.pdf)
    text = "".join(pages)
    for part in (*STAFF, "tester"):
        assert part not in text, part
    # The rest of the report is there: the meetings, the restatement, a notice on the cover.
    assert "四半期の意見交換" in text and "播磨精工株式会社" in text
    assert ("訂正（再表示）" if lang == "ja" else "Restatements") in text
    assert ("個人の氏名" if lang == "ja" else "leaves out the names") in pages[0]
    assert "no-personal" in PdfReader(io.BytesIO(result.pdf)).metadata["/Keywords"]
    # The data fingerprint is the same: the data did not change, only what is printed.
    assert result.fingerprint == build(filled, period=Q4, lang=lang).fingerprint


def test_cli_no_personal(filled: Database, database_url: str, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--db", str(filled.describe())] if BACKEND == "sqlite" else []
    if BACKEND != "sqlite":
        monkeypatch.setenv(URL_VARIABLE, database_url)
    out = tmp_path / "open.pdf"
    assert main([*args, "report", "--fiscal-year", "2022", "--quarter", "4", "--no-personal",
                 "--detail", "--generated-at", GENERATED.isoformat(), "-o", str(out)],
                out=io.StringIO()) == 0
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert not any(part in text for part in (*STAFF, "tester"))
