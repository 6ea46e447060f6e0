"""The quarterly or annual KPI report as PDF: lay out the report's content, return bytes.

Output is reproducible: the same database and `generated_at` give byte-identical PDFs
(ReportLab's invariant mode, the PDF creation date set from `generated_at`, every list in a
fixed order). A4 portrait; the Japanese font is embedded as a subset.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from sqlmodel import Session

from crm.calendar import FiscalPeriod
from crm.context import JAPAN
from crm.errors import DataError
from crm.i18n import LANGUAGES
from crm.reporting.content import ReportContent, gather_report
from reports.labels import t
from reports.sections import ReportOptions, report_title, story
from reports.styles import (
    FONT_NAME,
    HEADER_FONT_SIZE,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_SIZE,
    RULE,
    register_fonts,
)

CREATOR = "kakogawa-crm"


@dataclass(frozen=True)
class ReportResult:
    """A built report: the PDF, and what it printed (for tests, auditors and issuing)."""

    pdf: bytes
    content: ReportContent
    lang: str
    generated_at: datetime

    @property
    def period(self) -> FiscalPeriod:
        """The fiscal quarter or year reported on."""
        return self.content.period

    @property
    def fingerprint(self) -> str:
        """The data fingerprint printed on the report."""
        return self.content.fingerprint

    @property
    def published(self) -> dict[str, dict[str, Any]]:
        """What issuing the report freezes: per KPI code, its figures and evidence keys."""
        return self.content.published

    @property
    def sha256(self) -> str:
        """The SHA-256 of the PDF bytes."""
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def filename(self) -> str:
        """The default file name: kpi-report-FY2022-Q3.pdf or kpi-report-FY2022.pdf."""
        return default_filename(self.period)


def default_filename(period: FiscalPeriod) -> str:
    """kpi-report-FY2022-Q3.pdf for a quarter, kpi-report-FY2022.pdf for a year."""
    suffix = f"-Q{period.quarter}" if period.quarter else ""
    return f"kpi-report-FY{period.fiscal_year}{suffix}.pdf"


class _PdfTimestamp:
    """The PDF's creation date: `generated_at` in Japan time (stands in for ReportLab's)."""

    def __init__(self, moment: datetime) -> None:
        local = moment.astimezone(JAPAN)
        self.t = local.timestamp()
        self.YMDhms = (local.year, local.month, local.day, local.hour, local.minute,
                       local.second)
        self.dhh, self.dmm = 9, 0


class _TimeStamped(Protocol):
    """ReportLab's PDF document, as far as its creation date goes."""

    _timeStamp: _PdfTimestamp


def _canvas_class(generated_at: datetime, footer_left: str, lang: str) -> type[Canvas]:
    """A canvas that dates the PDF `generated_at` and numbers its pages 'N / M'."""

    class ReportCanvas(Canvas):
        # Canvas members this class uses that ReportLab's type stubs leave out.
        _doc: _TimeStamped
        _startPage: Callable[[], None]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _PdfTimestamp(generated_at)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT_NAME, HEADER_FONT_SIZE)
                self.setFillColor(MUTED)
                self.drawString(MARGIN_X, MARGIN_BOTTOM - 9 * mm, footer_left)
                self.drawRightString(PAGE_SIZE[0] - MARGIN_X, MARGIN_BOTTOM - 9 * mm,
                                     t("page", lang, page=number, pages=total))
                super().showPage()
            super().save()

    return ReportCanvas


def _header(title: str, office: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Draws the header (title, office) and the footer rule of every page."""

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = PAGE_SIZE
        y = height - MARGIN_TOP + 8 * mm
        canvas.saveState()
        canvas.setFont(FONT_NAME, HEADER_FONT_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, y, title)
        canvas.drawRightString(width - MARGIN_X, y, office)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y - 2 * mm, width - MARGIN_X, y - 2 * mm)
        canvas.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, width - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
        canvas.restoreState()

    return draw


def render(content: ReportContent, options: ReportOptions) -> bytes:
    """Lay out `content` as an A4 PDF printed with `options` and return its bytes."""
    register_fonts()
    buffer = io.BytesIO()
    lang = options.lang
    title = report_title(content.period, lang)
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=options.office,
        subject=t("subject", lang, period=content.period.label(lang),
                  fingerprint=content.fingerprint),
        creator=CREATOR,
        producer=CREATOR,
        keywords=["KPI", content.period.label_en(), content.fingerprint],
        lang="ja-JP" if lang == "ja" else "en",
        invariant=1,
        initialFontName=FONT_NAME,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=_header(title, options.office))])
    footer = f"{content.period.label(lang)} · {content.fingerprint[:16]}"
    doc.build(story(content, options),
              canvasmaker=_canvas_class(options.generated_at, footer, lang))
    return buffer.getvalue()


def build_report(
    session: Session,
    *,
    period: FiscalPeriod,
    lang: str,
    generated_at: datetime,
    approval_block: bool = True,
    office: str | None = None,
) -> ReportResult:
    """Build the KPI report for `period` in `lang` ('ja' or 'en') as of `generated_at`.

    `generated_at` must be timezone-aware; `office` defaults to the city's ICT-policy office.
    """
    if lang not in LANGUAGES:
        raise DataError(f"language must be ja or en, not {lang!r}",
                        ja=f"言語は ja か en です: {lang!r}", field="lang")
    if generated_at.tzinfo is None:
        raise DataError("the generation time needs a time zone",
                        ja="作成日時にはタイムゾーンが必要です", field="generated_at")
    content = gather_report(session, period)
    options = ReportOptions(lang=lang, generated_at=generated_at,
                            office=office or t("office", lang), approval_block=approval_block)
    return ReportResult(pdf=render(content, options), content=content, lang=lang,
                        generated_at=generated_at)

