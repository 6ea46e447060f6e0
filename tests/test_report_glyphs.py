"""Characters the main font lacks: 𠮷 (U+20BB7) printed in the shipped fallback font and
read back from the PDF's text layer; a character no shipped font has stops the build with one
line naming the record, the field and the character."""

from __future__ import annotations

import io
import re
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.main import main
from crm.context import Context
from crm.records import services
from db.session import URL_VARIABLE, Database
from reports.styles import FALLBACK_FONT_FILE, FALLBACK_LICENSE_FILE, FONT_NAME
from tests.conftest import BACKEND
from tests.test_report import build, fill, page_texts

YOSHI = "\U00020BB7"  # 𠮷, the "tsuchi-yoshi" of many family names; not in IPAexGothic
NOWHERE = "\U0001F600"  # an emoji: in neither font


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """test_report's office history and a meeting in Q3 with a company named with 𠮷."""
    fill(database, ctx)
    with database.writing() as session:
        company = services.create_organization(session, ctx, name=f"{YOSHI}野データ株式会社",
                                               kind="company").id
        services.log_meeting(session, ctx, held_on=date(2022, 12, 5),
                             title=f"{YOSHI}田さんとの意見交換", organization_ids=[company])
    return database


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_character_the_main_font_lacks_prints_in_the_fallback(filled: Database,
                                                                lang: str) -> None:
    result = build(filled, lang=lang)
    text = "\n".join(page_texts(result.pdf))
    assert f"{YOSHI}野データ株式会社" in text  # first-time companies, activities, appendix
    assert f"{YOSHI}田さんとの意見交換" in text
    reader = PdfReader(io.BytesIO(result.pdf))
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any(re.fullmatch(r"/[A-Z]{6}\+HanazonoFallback|/[A-Z]{6}\+HanaMinA", f)
               or "Hanazono" in f or "HanaMin" in f for f in fonts), fonts
    assert any(FONT_NAME in f for f in fonts)
    assert build(filled, lang=lang).pdf == result.pdf  # still byte-reproducible


def test_the_fallback_font_and_its_licence_ship() -> None:
    fonts = files("reports") / "fonts"
    data = (fonts / FALLBACK_FONT_FILE).read_bytes()
    assert data[:4] == b"\x00\x01\x00\x00" and b"glyf" in data[:400]  # TrueType, not CFF
    assert len(data) < 3_000_000
    assert "Hanazono Font License" in (fonts / FALLBACK_LICENSE_FILE).read_text("utf-8")


def test_a_character_no_font_has_stops_the_build_naming_record_and_field(
    filled: Database, ctx: Context, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    with filled.writing() as session:
        meeting = services.log_meeting(session, ctx, held_on=date(2022, 12, 6),
                                       title=f"打合せ{NOWHERE}", organization_ids=[1])
    args = ["--db", str(filled.describe())] if BACKEND == "sqlite" else []
    if BACKEND != "sqlite":
        monkeypatch.setenv(URL_VARIABLE, database_url)
    out = tmp_path / "r.pdf"
    code = main([*args, "--lang", "en", "report", "--fiscal-year", "2022", "--quarter", "3",
                 "--detail", "-o", str(out)], out=io.StringIO())  # the meeting is listed
    err = capsys.readouterr().err.strip()
    assert code == 1 and not out.exists()
    assert err.splitlines() == [err] and "Traceback" not in err
    assert f"meeting {meeting.id} title" in err and "U+1F600" in err
