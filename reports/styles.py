"""Page, font, paragraph and table styles of the KPI report, defined once as data.

The only font is IPAexGothic (ipaexg.ttf, IPA Font License v1.0, shipped in reports/fonts/
beside its licence): a TrueType font that ReportLab embeds as a subset, so Japanese renders
in every viewer. The built-in CID fonts are never used: they are not embedded.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "IPAexGothic"
FONT_FILE = "ipaexg.ttf"
LICENSE_FILE = "IPA_Font_License_Agreement_v1.0.txt"
#: For the characters IPAexGothic lacks (𠮷…): a cut of Hanazono Mincho A (reports.glyphs).
FALLBACK_FONT_NAME = "HanazonoFallback"
FALLBACK_FONT_FILE = "fallback-hanamina.ttf"
FALLBACK_LICENSE_FILE = "Hanazono_Font_License.txt"

PAGE_SIZE = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5c5c5c")
RULE = colors.HexColor("#8c8c8c")
HEADER_FILL = colors.HexColor("#e4e8ee")
GROUP_FILL = colors.HexColor("#f3f4f6")
ACCENT = colors.HexColor("#1f4e79")
TARGET_LINE = colors.HexColor("#c0504d")
BAR_FILL = colors.HexColor("#a9c4de")
RESTATED = colors.HexColor("#fff2cc")
PERIOD_FILL = colors.HexColor("#fbe9c8")

#: Cell fill per KPI status (achieved, on track, behind, unknown).
STATUS_FILL = {
    "achieved": colors.HexColor("#c6e7c6"),
    "on_track": colors.HexColor("#d6e6f5"),
    "behind": colors.HexColor("#f7cfcf"),
    "not_achieved": colors.HexColor("#f7cfcf"),
    "unknown": colors.white,
}


def font_resource(name: str = FONT_FILE) -> Traversable:
    """A shipped font file, found through the installed `reports` package."""
    return files("reports") / "fonts" / name


_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 (a
    surrogate pair), as PDF requires: ReportLab writes <20BB7>, and viewers drop 𠮷 from the
    text layer. Characters up to U+FFFF come out exactly as before."""
    text = _reportlab_to_unicode(fontname, subset)
    for point in subset:
        if point > 0xFFFF:
            pair = chr(point).encode("utf-16-be").hex().upper()
            text = text.replace(f"> <{point:04X}>\n", f"> <{pair}>\n")
    return text


def register_fonts() -> str:
    """Register the embedded Japanese font and its fallback once (they are read into
    memory); returns the main font's name."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    for name, file in ((FONT_NAME, FONT_FILE), (FALLBACK_FONT_NAME, FALLBACK_FONT_FILE)):
        if name not in pdfmetrics.getRegisteredFontNames():
            with as_file(font_resource(file)) as path:
                pdfmetrics.registerFont(TTFont(name, str(path)))
    return FONT_NAME


def _style(name: str, size: float, **extra: Any) -> ParagraphStyle:
    """A paragraph style in the report's font and ink, `size` points, with `extra` settings."""
    base: dict[str, Any] = {
        "fontName": FONT_NAME, "fontSize": size, "leading": size * 1.45, "textColor": INK,
        "wordWrap": "CJK",
    }
    return ParagraphStyle(name, **(base | extra))


STYLES: dict[str, ParagraphStyle] = {
    "title": _style("title", 17, leading=25, alignment=TA_CENTER, spaceAfter=4 * mm),
    "subtitle": _style("subtitle", 11, alignment=TA_CENTER, spaceAfter=6 * mm),
    "h1": _style("h1", 12.5, textColor=ACCENT, spaceBefore=5 * mm, spaceAfter=2.5 * mm),
    "h2": _style("h2", 10, textColor=ACCENT, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
    "body": _style("body", 9),
    "note": _style("note", 7.5, textColor=MUTED),
    "cell": _style("cell", 7.5, leading=10),
    "number": _style("number", 7.2, leading=9.4, alignment=TA_RIGHT),
    "small": _style("small", 6.8, leading=8.5),
    "head": _style("head", 6.8, leading=8.5, alignment=TA_CENTER),
    "cover_key": _style("cover_key", 9, textColor=MUTED, alignment=TA_LEFT),
    "cover_value": _style("cover_value", 9.5),
    "fingerprint": _style("fingerprint", 8.5, leading=11, wordWrap=None),
}

TABLE_FONT_SIZE = 7.5
#: The appendix and the detail lists (reports/lines.py).
APPENDIX_FONT_SIZE = 6.8
#: Rows per table in long lists: short tables lay out several times faster than one long one.
CHUNK_ROWS = 200

BASE_TABLE: list[tuple[Any, ...]] = [
    ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
    ("FONTSIZE", (0, 0), (-1, -1), TABLE_FONT_SIZE),
    ("LEADING", (0, 0), (-1, -1), TABLE_FONT_SIZE * 1.3),
    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
]

HEADER_FONT_SIZE = 7.5
