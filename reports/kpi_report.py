"""The quarterly or annual KPI report as PDF: lay out a report's content, return bytes.

Output is reproducible: the same content and options give byte-identical PDFs
(ReportLab's invariant mode, the PDF creation date set from `generated_at`, every list in a
fixed order). A4 portrait; the Japanese font is embedded as a subset. The story is made while
it is laid out and each page is finished as it is filled, so memory stays bounded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFBase85Encode,
    PDFName,
    PDFPage,
    PDFStream,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from crm.context import JAPAN
from crm.reporting.content import ReportContent
from reports.glyphs import draw_runs
from reports.labels import t
from reports.lines import LazyStory
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


class _PdfTimestamp:
    """The PDF's creation date: `generated_at` in Japan time (stands in for ReportLab's)."""

    def __init__(self, moment: datetime) -> None:
        local = moment.astimezone(JAPAN)
        self.t = local.timestamp()
        self.YMDhms = (local.year, local.month, local.day, local.hour, local.minute,
                       local.second)
        self.dhh, self.dmm = 9, 0


class _Pages(Protocol):
    pages: list[PDFPage]


class _Document(Protocol):
    """ReportLab's PDF document, as far as its creation date and its pages go."""

    _timeStamp: _PdfTimestamp
    Pages: _Pages


class _Filter(Protocol):
    pdfname: str

    def encode(self, text: Any) -> Any: ...


def _encode_now(page: PDFPage) -> None:
    """Encode a finished page's content stream now, as ReportLab would when saving (the same
    filters, so the same bytes), rather than keep every page's text until the end."""
    if page.stream is None:
        return
    content: str | bytes = page.stream
    filters: list[_Filter] = ([PDFBase85Encode, PDFZCompress] if rl_config.useA85
                              else [PDFZCompress])
    stream = PDFStream()
    if page.compression:
        for encoder in reversed(filters):
            content = encoder.encode(content)
        stream.dictionary["Filter"] = PDFArray([PDFName(f.pdfname) for f in filters])
    stream.content = content
    setattr(stream, "__Comment__", "page stream")  # noqa: B010 (as ReportLab labels it)
    page.Contents = stream
    page.stream = None


#: The PDF form holding the page count, drawn on every page and written once all are laid out.
_PAGE_COUNT_FORM = "pageCount"


def _canvas_class(generated_at: datetime, footer_left: str, lang: str) -> type[Canvas]:
    """A canvas that dates the PDF `generated_at` and numbers its pages 'N / M'.

    M is a form written after the last page: every page is finished (and compressed) as it
    is laid out, so memory does not grow with the number of pages.
    """

    class ReportCanvas(Canvas):
        # Canvas members this class uses that ReportLab's type stubs leave out.
        _doc: _Document

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _PdfTimestamp(generated_at)

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            number = self.getPageNumber()
            before, _, _ = t("page", lang, page=number, pages="\0").partition("\0")
            y = MARGIN_BOTTOM - 9 * mm
            x = PAGE_SIZE[0] - MARGIN_X - _PAGE_LABEL_WIDTH
            self.saveState()
            self.setFont(FONT_NAME, HEADER_FONT_SIZE)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, y, footer_left)
            self.drawString(x, y, before)
            self.translate(x + self.stringWidth(before, FONT_NAME, HEADER_FONT_SIZE), y)
            self.doForm(_PAGE_COUNT_FORM)
            self.restoreState()
            super().showPage()
            _encode_now(self._doc.Pages.pages[-1])

        def save(self) -> None:
            total = self.getPageNumber() - 1
            _, _, after = t("page", lang, page=0, pages="\0").partition("\0")
            self.beginForm(_PAGE_COUNT_FORM)
            self.setFont(FONT_NAME, HEADER_FONT_SIZE)
            self.setFillColor(MUTED)
            self.drawString(0, 0, f"{total}{after}")
            self.endForm()
            super().save()

    return ReportCanvas


#: Room for 'N / M' at the right of the footer (up to five-digit page numbers).
_PAGE_LABEL_WIDTH = 24 * mm


def _header(title: str, office: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Draws the header (title, office) and the footer rule of every page."""

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = PAGE_SIZE
        y = height - MARGIN_TOP + 8 * mm
        canvas.saveState()
        canvas.setFont(FONT_NAME, HEADER_FONT_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, y, title)

        def piece(font: str, x: float, text: str) -> None:
            canvas.setFont(font, HEADER_FONT_SIZE)
            canvas.drawString(x, y, text)

        draw_runs(piece, width - MARGIN_X, office, HEADER_FONT_SIZE, anchor="end")
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
        keywords=["KPI", content.period.label_en(), content.fingerprint,
                  *([] if options.personal else ["no-personal"])],
        lang="ja-JP" if lang == "ja" else "en",
        invariant=1,
        initialFontName=FONT_NAME,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=_header(title, options.office))])
    footer = f"{content.period.label(lang)} · {content.fingerprint[:16]}"
    doc.build(LazyStory(story(content, options)),
              canvasmaker=_canvas_class(options.generated_at, footer, lang))
    return buffer.getvalue()
