"""The KPI report PDF: figures read back against the KPI engine, font embedding, determinism."""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import sys
import tomllib
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.formatting import format_number, format_rate
from crm.kpi.engine import compute_for_period
from crm.models import OutreachEvent
from crm.records import services
from db.session import Database
from reports.publish import ReportResult, build_report, default_filename
from reports.styles import FONT_FILE, LICENSE_FILE
from tests.conftest import BACKEND

GENERATED = datetime(2023, 1, 10, 0, 30, tzinfo=UTC)
Q3 = FiscalPeriod(2022, 3)


def populate(session: Any, ctx: Context) -> dict[str, int]:
    """A small office history: companies, partners, meetings, agreements, events, measures.

    Returns the ids a test may want to change later.
    """
    org = {}
    for key, name, kind in [
        ("maeda", "前田電気㈱", "company"),
        ("harima", "株式会社ハリマ&データ<研究>", "company"),
        ("kobe_u", "神戸大学", "university"),
        ("hyogo", "兵庫県", "government_agency"),
        ("takasaki", "髙﨑ソフト株式会社", "company"),
        ("old_co", "旧来商事株式会社", "company"),
    ]:
        org[key] = services.create_organization(session, ctx, name=name, kind=kind).id
    yamamoto, nakamura = services.staff_ids_by_name(session, ctx, ["山本 健一", "中村 大輔"])
    ids: dict[str, int] = {}
    services.log_meeting(session, ctx, held_on=date(2018, 11, 5), title="旧来の打合せ",
                         organization_ids=[org["old_co"]], staff_ids=[yamamoto])
    services.log_meeting(session, ctx, held_on=date(2022, 5, 10), title="データ活用の相談",
                         organization_ids=[org["maeda"]], staff_ids=[yamamoto])
    for day, key in [(date(2022, 10, 3), "harima"), (date(2022, 11, 15), "takasaki")]:
        meeting = services.log_meeting(
            session, ctx, held_on=day, title=f"意見交換 {key}",
            organization_ids=[org[key], org["maeda"]], staff_ids=[yamamoto, nakamura],
            next_action="資料を送付", follow_up_on=date(2022, 12, 1),
        )
        ids[f"meeting_{key}"] = meeting.id
    services.complete_follow_up(session, ctx, ids["meeting_takasaki"], done_on=date(2022, 12, 2))
    services.create_agreement(session, ctx, title="防災データ連携協定",
                              partner_ids=[org["kobe_u"]], status="concluded",
                              concluded_on=date(2021, 6, 1), starts_on=date(2021, 6, 1))
    ids["agreement_q3"] = services.create_agreement(
        session, ctx, title="交通データ連携協定", partner_ids=[org["harima"], org["hyogo"]],
        status="concluded", concluded_on=date(2022, 11, 1), starts_on=date(2022, 11, 1),
        ends_on=date(2025, 3, 31),
    ).id
    services.create_agreement(session, ctx, title="観光データ協議", partner_ids=[org["maeda"]],
                              status="negotiating")
    for n, (day, kind) in enumerate([
        (date(2019, 8, 1), "in_city"), (date(2021, 2, 3), "lecture"),
        (date(2022, 7, 20), "out_of_city"), (date(2022, 10, 8), "in_city"),
        (date(2022, 11, 20), "lecture"), (date(2022, 12, 24), "lecture"),
        (date(2022, 12, 10), "out_of_city"),
    ]):
        event = services.log_event(session, ctx, held_on=day, kind=kind, title=f"周知 {n}",
                                   venue="市民会館", attendees=1200 + n, staff_ids=[nakamura])
        ids[f"event_{n}"] = event.id
    for code, day, value in [
        ("open_data_files", date(2022, 6, 30), 1900), ("open_data_files", date(2022, 12, 31), 2150),
        ("open_data_catalog_access", date(2022, 10, 31), 4321.5),
        ("app_awareness_rate", date(2022, 9, 30), 22.5),
        ("data_disclosure_review", date(2022, 11, 1), 1),
    ]:
        services.record_measurement(session, ctx, kpi_code=code, measured_on=day, value=value)
    return ids


def fill(database: Database, ctx: Context) -> Database:
    """`database` with `populate`'s records committed."""
    with database.writing() as session:
        populate(session, ctx)
    return database


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """The test database with `populate`'s records committed."""
    return fill(database, ctx)


def build(database: Database, period: FiscalPeriod = Q3, lang: str = "ja",
          **options: Any) -> ReportResult:
    with database.reading() as session:
        return build_report(session, period=period, lang=lang, generated_at=GENERATED,
                            **options)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_summary_figure_matches_the_kpi_engine(filled: Database, lang: str) -> None:
    result = build(filled, lang=lang)
    text = _squash("".join(page_texts(result.pdf)[1:3]))
    with filled.reading() as session:
        figures = compute_for_period(session, Q3)
    assert len(figures) == 19
    codes = [f.code for f in figures]
    for i, figure in enumerate(figures):
        start = text.index(figure.code)
        end = min((text.index(c, start) for c in codes[i + 1:] if c in text[start:]),
                  default=len(text))
        row = text[start:end]
        expected = [format_number(figure.kpi.baseline), format_number(figure.kpi.target),
                    format_number(figure.period_count), format_number(figure.value),
                    format_rate(figure.achievement_rate), format_rate(figure.progress_rate),
                    figure.status_label(lang)]
        position = 0
        for cell in expected:
            found = row.find(_squash(cell), position)
            assert found >= 0, (figure.code, cell, row)
            position = found + len(_squash(cell))


def test_summary_shows_known_values_with_separators(filled: Database) -> None:
    text = _squash("".join(page_texts(build(filled).pdf)))
    # open_data_files: 2,150 at the end of Q3, 250 more than at the start; target 2,000 met.
    assert "+2502,150R4.12.31測定645+1,505107.5%111.1%A達成" in text
    assert _squash("令和4年10月1日 〜 令和4年12月31日（2022-10-01 – 2022-12-31）") in text


def test_font_is_embedded_as_subset_and_no_cid_font_is_used(filled: Database) -> None:
    raw = build(filled).pdf
    reader = PdfReader(io.BytesIO(raw))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+IPAexGothic", name), name
        assert font["/Subtype"] == "/TrueType", name
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), name
    assert b"/CIDFontType0" not in raw and b"HeiseiKakuGo" not in raw and b"Helvetica" not in raw


def test_font_and_licence_ship_with_the_package() -> None:
    fonts = files("reports") / "fonts"
    assert (fonts / FONT_FILE).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines
    assert "IPAフォントライセンスv1.0" in (fonts / LICENSE_FILE).read_text("utf-8")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["reports"]
    assert "fonts/*" in shipped and "labels.toml" in shipped


def test_two_builds_are_byte_identical(filled: Database) -> None:
    first, second = build(filled), build(filled)
    assert first.pdf == second.pdf
    assert first.sha256 == hashlib.sha256(second.pdf).hexdigest()


def test_metadata(filled: Database) -> None:
    result = build(filled, lang="en")
    meta = PdfReader(io.BytesIO(result.pdf)).metadata
    assert meta.title == "FY2022 Q3 Partnership and Outreach KPI Report"
    assert meta.author == "Information Policy Division, Kakogawa City"
    assert result.fingerprint in meta.subject
    assert meta.creation_date == datetime(2023, 1, 10, 9, 30, tzinfo=meta.creation_date.tzinfo)
    assert meta.creation_date.utcoffset().total_seconds() == 9 * 3600


def test_header_footer_and_page_numbers(filled: Database) -> None:
    pages = page_texts(build(filled).pdf)
    total = len(pages)
    assert total >= 5
    for number, text in enumerate(pages, start=1):
        # the page count is a form drawn after the last page: its own text run
        assert f"{number} / {total}" in " ".join(text.split())
        assert "令和4年度 第3四半期 連携・周知活動 KPI 報告" in text


def test_approval_block_present_or_left_out(filled: Database) -> None:
    with_block = page_texts(build(filled).pdf)[0]
    without = page_texts(build(filled, approval_block=False).pdf)[0]
    for role in ("決裁欄", "課長", "係長", "担当"):
        assert role in with_block
        assert role not in without


@pytest.mark.skipif(BACKEND != "sqlite", reason="an auditor's sqlite3 reading of the file")
def test_fingerprint_recomputed_from_raw_sql(filled: Database, database_path: Path) -> None:
    result = build(filled)
    end = Q3.end.isoformat()
    lines = [f"kakogawa-crm-fingerprint/1|{Q3.start.isoformat()}|{end}\n"]
    with sqlite3.connect(database_path) as raw:
        for prefix, sql, params in [
            ("K", "SELECT code, rule, baseline, baseline_as_of, target, target_by FROM kpi"
                  " WHERE archived_at IS NULL ORDER BY code", ()),
            ("E", "SELECT kpi_code, record_type, record_id, counted_on FROM kpi_evidence"
                  " WHERE counted_on <= ? ORDER BY kpi_code, counted_on, record_type, record_id",
             (end,)),
            ("M", "SELECT k.code, m.id, m.measured_on, m.value FROM kpi_measurement m"
                  " JOIN kpi k ON k.id = m.kpi_id WHERE m.archived_at IS NULL"
                  " AND k.archived_at IS NULL AND m.measured_on <= ?"
                  " ORDER BY k.code, m.measured_on, m.id", (end,)),
            ("A", "SELECT a.id, c.status, c.concluded_on, c.starts_on, c.ends_on"
                  " FROM agreement a JOIN agreement_status_change c ON c.agreement_id = a.id"
                  " WHERE a.archived_at IS NULL AND c.id = (SELECT MAX(h.id)"
                  " FROM agreement_status_change h WHERE h.agreement_id = a.id"
                  " AND h.effective_on <= ?) AND c.status IN ('concluded', 'ended')"
                  " AND c.concluded_on <= ? AND (c.ends_on IS NULL OR c.ends_on >= ?)"
                  " ORDER BY a.id", (end, end, end)),
        ]:
            for row in raw.execute(sql, params):
                cells = [repr(v) if isinstance(v, float) else str(v) for v in row]
                lines.append("|".join([prefix, *cells]) + "\n")
    expected = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert result.fingerprint == expected
    assert expected in page_texts(result.pdf)[0]


def test_sections_list_the_period_activities(filled: Database) -> None:
    text = "\n".join(page_texts(build(filled, detail=True).pdf))
    assert "株式会社ハリマ&データ<研究>" in text  # escaped, not parsed as markup
    assert "髙﨑ソフト株式会社" in text and "前田電気㈱" in text
    assert "交通データ連携協定" in text and "防災データ連携協定" in text  # changed; register
    assert "観光データ協議" not in text  # not concluded
    assert "期限超過" in text  # the Harima follow-up, due 12-01, still open
    assert "1,204" in text  # attendees with a separator


def test_appendix_lists_every_counted_record(filled: Database, ctx: Context) -> None:
    text = "\n".join(page_texts(build(filled).pdf))
    appendix = text[text.index("付録 根拠記録"):]
    with filled.reading() as session:
        figures = {f.code: f for f in compute_for_period(session, Q3)}
    lectures = figures["lectures_in_city"]
    assert lectures.value == 1 + 3
    assert _squash("基準値 1 + 記録 3 件 = 4（うち期間内 2 件）") in _squash(appendix)


def test_an_archived_event_leaves_the_report(filled: Database, ctx: Context) -> None:
    before = build(filled)
    with filled.writing() as session:
        services.archive(session, ctx, OutreachEvent, 6)
    after = build(filled)
    assert before.fingerprint != after.fingerprint
    assert after.published["ict-policy-2018/lectures_in_city"]["value"] == 3


def test_english_report_keeps_organization_names(filled: Database) -> None:
    text = "\n".join(page_texts(build(filled, lang="en").pdf))
    assert "Partnership and Outreach KPI Report" in text
    assert "前田電気㈱" in text and "Approval" in text


def test_a_year_report_and_an_empty_database(database: Database) -> None:
    result = build(database, period=FiscalPeriod(2022))
    assert default_filename(result.period) == "kpi-report-FY2022.pdf"
    assert "令和4年度 連携・周知活動 KPI 報告" in page_texts(result.pdf)[0]


def test_the_domain_never_imports_reportlab() -> None:
    import subprocess

    code = (
        "import sys, crm.reporting.data, crm.kpi.engine, crm.records.services\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in"
        " ('reportlab', 'textual', 'reports', 'tui')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
