"""Characters the report's main font lacks: printed in the fallback font, or refused.

IPAexGothic lacks characters common in names (𠮷, U+20BB7) and a few thousand more of
Adobe-Japan1 and JIS X 0213; the shipped fallback (a cut of Hanazono Mincho A, made by
tools/fallback_font.py) has them. Text is split into runs by the font that has each
character; a character neither has stops the build with one line naming the record, the field
and the character, so nothing vanishes silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import groupby
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from crm.errors import DataError
from crm.reporting.content import ReportContent
from crm.reporting.data import EventLine, MeetingLine
from reports.styles import FALLBACK_FONT_NAME, FONT_NAME, register_fonts


@cache
def _charmap(name: str) -> frozenset[str]:
    """The characters the font `name` has (with line breaks and tabs for the main font)."""
    register_fonts()
    font = pdfmetrics.getFont(name)
    assert isinstance(font, TTFont)
    extra = "\n\r\t" if name == FONT_NAME else ""
    return frozenset(chr(point) for point in font.face.charToGlyph) | frozenset(extra)


def _main_only(text: str) -> bool:
    """Whether the main font has every character of `text` (a set test, at C speed)."""
    return text.isascii() or set(text) <= _charmap(FONT_NAME)


def font_for(char: str) -> str | None:
    """The font that prints `char`: the main one if it has it, else the fallback, else None."""
    if char in _charmap(FONT_NAME):
        return FONT_NAME
    if char in _charmap(FALLBACK_FONT_NAME):
        return FALLBACK_FONT_NAME
    return None


def runs(text: str) -> list[tuple[str, str]]:
    """`text` as (font name, piece) runs; a character neither font has stays in the main
    font's run (callers check the content first with `check_content`)."""
    return [(font, "".join(chars)) for font, chars in
            groupby(text, key=lambda c: font_for(c) or FONT_NAME)]


def markup(text: str) -> str:
    """`text` escaped for a Paragraph, with the fallback font's runs in <font> tags."""
    if _main_only(text):
        return escape(text)
    return "".join(escape(piece) if font == FONT_NAME else
                   f'<font name="{font}">{escape(piece)}</font>' for font, piece in runs(text))


def draw_runs(draw: Callable[[str, float, str], None], x: float, text: str, size: float,
              anchor: str = "start") -> None:
    """Draw `text` run by run from `x` (or ending at `x` for anchor 'end') with
    draw(font, x, piece): for canvas strings and chart labels, which know one font each."""
    pieces = runs(text)
    if anchor == "end":
        x -= sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in pieces)
    for font, piece in pieces:
        draw(font, x, piece)
        x += pdfmetrics.stringWidth(piece, font, size)


def needs_fallback(text: str) -> bool:
    """Whether `text` has a character only the fallback font prints."""
    return not _main_only(text)


def _texts(content: ReportContent, extra: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """Every piece of stored text the report prints, as (record, field, text)."""
    for key, text in extra.items():
        yield "option", key, text
    for ja, en in content.plan_names:
        yield "plan", "name", f"{ja} {en}"
    for f in content.figures:
        yield f"kpi {f.code}", "name", f"{f.kpi.name_ja} {f.kpi.name_en}"
        yield f"kpi {f.code}", "unit", f"{f.kpi.unit} {f.kpi.target_label or ''}"
    for code, comments in content.comments.items():
        for field, comment in comments.items():
            yield f"kpi {code}", f"comment {field}", comment or ""
    meetings: list[Iterable[MeetingLine]] = [content.follow_ups]
    events: list[Iterable[EventLine]] = []
    if content.detail is not None:  # read page by page, as the layout will
        meetings.append(m for page in content.detail.meetings() for m in page)
        events.append(e for page in content.detail.events() for e in page)
    for m in (m for lines in meetings for m in lines):
        yield f"meeting {m.id}", "title", m.title
        yield f"meeting {m.id}", "organizations", m.organizations
        yield f"meeting {m.id}", "staff", m.staff
        yield f"meeting {m.id}", "next_action", m.next_action or ""
    for c in content.first_organizations:
        yield f"organization {c.organization_id}", "name", c.name
    for a in (*content.agreements_changed, *content.register):
        yield f"agreement {a.id}", "title", a.title
        yield f"agreement {a.id}", "partners", a.partners
    for e in (e for lines in events for e in lines):
        yield f"outreach_event {e.id}", "title", e.title
        yield f"outreach_event {e.id}", "venue", f"{e.venue or ''} {e.municipality or ''}"
    for rows in content.evidence.values():
        for r in rows:
            yield f"{r.record_type} {r.record_id}", "title", r.title
            yield f"{r.record_type} {r.record_id}", "organizations", r.organizations
    for restated in content.restatements:
        yield f"issued_report {restated.issued_id}", "issued_by", restated.issued_by
        for change in restated.changes:
            for rec in change.records:
                yield f"{rec.record_type} {rec.record_id}", "title", rec.title


def check_content(content: ReportContent, extra: dict[str, str]) -> None:
    """DataError naming the first record, field and character that neither font prints."""
    for record, field, text in _texts(content, extra):
        if _main_only(text):
            continue
        for char in text:
            if font_for(char) is None:
                raise DataError(
                    f"{record} {field}: the character {char} (U+{ord(char):04X}) is in neither"
                    " of the report's fonts; replace it with a standard form to print it",
                    ja=f"{record} の {field}: 文字 {char}（U+{ord(char):04X}）は報告書のフォントに"
                       "ありません。標準の字形に置き換えてください",
                    field=field,
                )
