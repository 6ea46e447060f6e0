"""Long lists laid out as lines of one height, page by page, in bounded memory.

ReportLab's Table measures every cell and splits itself across pages: for the evidence
appendix and the `--detail` lists that was most of a large report's time and memory. Here a
list is cut into pages by counting lines (each cell is one line of plain text, cut with … to
its column), and each page's part is one flowable drawing its cells straight onto the
canvas. A list's caption and column header open it and every page it continues on, and a
page never holds a single row of a list alone (no orphan or widow rows). The lists are read
from iterators and drawn as they come: only the page being laid out is held.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak

from reports.glyphs import draw_runs, font_for
from reports.glyphs import runs as glyph_runs
from reports.styles import (
    ACCENT,
    APPENDIX_FONT_SIZE,
    FONT_NAME,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    GROUP_FILL,
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
)

ROW_SIZE = APPENDIX_FONT_SIZE
ROW_HEIGHT = ROW_SIZE * 1.5
CAPTION_SIZE = 8.5
CAPTION_LEADING = CAPTION_SIZE * 1.45
NOTE_SIZE = 7.5
NOTE_LEADING = NOTE_SIZE * 1.45
TITLE_SIZE = 12.5
TITLE_HEIGHT = TITLE_SIZE * 2.2
PADDING = 2.0
ELLIPSIS = "…"
#: Cells whose PDF text a document keeps, before it starts afresh.
RUN_CACHE = 20_000


@cache
def _char_width(char: str, size: float) -> float:
    return stringWidth(char, font_for(char) or FONT_NAME, size)


@cache
def _widths(size: float) -> dict[str, float]:
    """Widths of the characters met so far at `size` points (filled as they are met)."""
    return {}


def text_width(text: str, size: float) -> float:
    """The width of `text` in the report's font at `size` points."""
    widths = _widths(size)
    try:
        return sum(map(widths.__getitem__, text))
    except KeyError:
        widths.update((c, _char_width(c, size)) for c in text)
        return sum(map(widths.__getitem__, text))


def fit(text: str, width: float, size: float = ROW_SIZE) -> str:
    """`text` on one line, cut with … to fit in `width` points."""
    text = " ".join(text.split())
    total = 0.0
    room = width - _char_width(ELLIPSIS, size)
    cut = None
    for index, char in enumerate(text):
        total += _char_width(char, size)
        if cut is None and total > room:
            cut = index
        if total > width:
            return text[:cut] + ELLIPSIS
    return text


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` broken into lines of at most `width` points (between any two characters, as
    Japanese is; at a space when a Latin word would be cut)."""
    lines: list[str] = []
    line, total = "", 0.0
    for char in text:
        w = _char_width(char, size)
        if line and total + w > width:
            space = line.rfind(" ")
            if char != " " and space > 0:
                lines.append(line[:space])
                line = line[space + 1:]
                total = text_width(line, size)
            else:
                lines.append(line)
                line, total = "", 0.0
            if char == " ":
                continue
        line += char
        total += w
    return [*lines, line] if line or not lines else lines


@dataclass(frozen=True)
class Column:
    """A column: its width in points and how its text aligns (left, right or center)."""

    width: float
    align: str = "left"


@dataclass(frozen=True)
class LineList:
    """A list to lay out: caption, columns with their header, the rows (cells are plain
    text, cut to fit), what a continued page adds to the caption, and what an empty list
    says."""

    caption: str
    columns: tuple[Column, ...]
    header: tuple[str, ...]
    rows: Iterable[Sequence[str]]
    continued: str
    empty: str


class PageBlock(Flowable):
    """Part of a list on one page: caption lines, the header, rows, or a note."""

    def __init__(self, *, title: str | None = None, caption: Sequence[str] = (),
                 note: Sequence[str] = (), columns: Sequence[Column] = (),
                 header: Sequence[str] | None = None,
                 rows: Sequence[Sequence[str]] = ()) -> None:
        super().__init__()
        self.title, self.caption, self.note = title, list(caption), list(note)
        self.columns, self.header, self.rows = list(columns), header, list(rows)
        self.height = block_height(title is not None, len(self.caption), len(self.note),
                                   header is not None, len(self.rows))
        self.width = FRAME_WIDTH

    def wrap(self, _width: float, _height: float) -> tuple[float, float]:
        return self.width, self.height

    def _cells(self, y: float, cells: Sequence[str], color: Color) -> None:
        """One line of cells in one text object, written as PDF operators.

        The same text ReportLab's drawString writes, without its text object per call (most
        of a long list's time): each cell is positioned by its text matrix and set in the
        font's subsets, whose codes a per-document cache keeps for repeated cells.
        """
        canvas = self.canv
        canvas.setFillColor(color)
        doc = canvas._doc  # type: ignore[attr-defined]
        runs: dict[str, str] = canvas.__dict__.setdefault("_line_runs", {})
        code: list[str] = canvas._code  # type: ignore[attr-defined]
        code.append("BT")
        append, known = code.append, runs.get
        x = 0.0
        for column, cell in zip(self.columns, cells, strict=True):
            if cell:
                if column.align == "right":
                    left = x + column.width - PADDING - text_width(cell, ROW_SIZE)
                elif column.align == "center":
                    left = x + (column.width - text_width(cell, ROW_SIZE)) / 2
                else:
                    left = x + PADDING
                run = known(cell)
                if run is None:
                    if len(runs) > RUN_CACHE:
                        runs.clear()
                    run = runs[cell] = " ".join(
                        f"{face.getSubsetInternalName(subset, doc)} {ROW_SIZE} Tf"
                        f" ({canvas._escape(text)}) Tj"  # type: ignore[attr-defined]
                        for face, piece in _faces(cell)
                        for subset, text in face.splitString(piece, doc)
                    )
                append(f"1 0 0 1 {left:.2f} {y:.2f} Tm {run}")
            x += column.width
        code.append("ET")

    def draw(self) -> None:
        canvas = self.canv
        y = self.height
        if self.title is not None:
            canvas.setFont(FONT_NAME, TITLE_SIZE)
            canvas.setFillColor(ACCENT)
            y -= TITLE_HEIGHT
            _draw(canvas, y + TITLE_SIZE * 0.7, self.title, TITLE_SIZE)
        canvas.setFont(FONT_NAME, NOTE_SIZE)
        canvas.setFillColor(MUTED)
        for line in self.note:
            y -= NOTE_LEADING
            _draw(canvas, y + NOTE_SIZE * 0.35, line, NOTE_SIZE)
        canvas.setFont(FONT_NAME, CAPTION_SIZE)
        canvas.setFillColor(ACCENT)
        for n, line in enumerate(self.caption):
            y -= CAPTION_LEADING + (PADDING * 2 if n == 0 else 0)
            _draw(canvas, y + CAPTION_SIZE * 0.35, line, CAPTION_SIZE)
        canvas.setFont(FONT_NAME, ROW_SIZE)
        canvas.setLineWidth(0.3)
        canvas.setStrokeColor(RULE)
        if self.header is not None:
            y -= ROW_HEIGHT
            canvas.setFillColor(HEADER_FILL)
            canvas.rect(0, y, self.width, ROW_HEIGHT, stroke=0, fill=1)
            self._cells(y + ROW_SIZE * 0.45, self.header, INK)
        for n, row in enumerate(self.rows):
            y -= ROW_HEIGHT
            if n % 2:
                canvas.setFillColor(GROUP_FILL)
                canvas.rect(0, y, self.width, ROW_HEIGHT, stroke=0, fill=1)
            self._cells(y + ROW_SIZE * 0.45, row, INK)
        if self.rows:
            canvas.line(0, y, self.width, y)


def _faces(text: str) -> list[tuple[TTFont, str]]:
    """`text` as runs of the embedded font that prints each (the fallback for 𠮷 and such)."""
    found: list[tuple[TTFont, str]] = []
    for name, piece in glyph_runs(text):
        face = getFont(name)
        assert isinstance(face, TTFont)  # the embedded fonts (reports.styles)
        found.append((face, piece))
    return found


def _draw(canvas: Canvas, y: float, text: str, size: float) -> None:
    """One line of text from the left edge, each run in the font that has its characters."""
    def piece(font: str, x: float, part: str) -> None:
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)

    draw_runs(piece, 0, text, size)


def block_height(title: bool, captions: int, notes: int, header: bool, rows: int) -> float:
    """The height of a block with these parts."""
    return ((TITLE_HEIGHT if title else 0.0) + notes * NOTE_LEADING
            + captions * CAPTION_LEADING + (PADDING * 2 if captions else 0.0)
            + ((1 if header else 0) + rows) * ROW_HEIGHT)


class Pager:
    """Lays lists out onto pages whose room it counts itself: it starts a page, and every
    flowable on its pages is one of its blocks."""

    def __init__(self) -> None:
        # A point of slack, so that a full page never spills into the next by rounding.
        self.room = FRAME_HEIGHT - 1.0

    def _new_page(self) -> Iterator[PageBreak]:
        yield PageBreak()
        self.room = FRAME_HEIGHT - 1.0

    def start(self, title: str, note: str) -> Iterator[Flowable]:
        """A new page opened by a section title and its note."""
        yield PageBreak()
        block = PageBlock(title=title, note=wrap(note, FRAME_WIDTH, NOTE_SIZE))
        self.room = FRAME_HEIGHT - 1.0 - block.height
        yield block

    def lay_out(self, items: LineList) -> Iterator[Flowable]:
        """The blocks of one list, with page breaks where it continues."""
        rows = iter(items.rows)
        pending: deque[Sequence[str]] = deque()
        caption = items.caption
        while True:
            lines = wrap(caption, FRAME_WIDTH, CAPTION_SIZE)
            fixed = block_height(False, len(lines), 0, True, 0)
            fits = int((self.room - fixed) // ROW_HEIGHT)
            # Read one more row than fits, and one beyond it: enough to see a widow coming.
            pending.extend(islice(rows, max(fits + 2 - len(pending), 0)))
            if not pending:
                if caption != items.caption:
                    return
                block = PageBlock(caption=lines, note=[items.empty])
                if block.height > self.room:
                    yield from self._new_page()
                self.room -= block.height
                yield block
                return
            take = min(fits, len(pending))
            if len(pending) == fits + 1:  # one row would be left alone on the next page
                take -= 1
            if take < min(2, len(pending)):
                yield from self._new_page()
                continue
            block = PageBlock(caption=lines, columns=items.columns, header=items.header,
                           rows=[pending.popleft() for _ in range(take)])
            self.room -= block.height
            yield block
            if not pending:
                pending.extend(islice(rows, 1))
                if not pending:
                    return
            yield from self._new_page()
            caption = items.caption + items.continued


class LazyStory(list[Flowable]):
    """A story that ReportLab's `build` reads while `source` writes it: a few flowables
    ahead of the one being laid out, never the whole document."""

    def __init__(self, source: Iterable[Flowable], ahead: int = 16) -> None:
        super().__init__()
        self._source = iter(source)
        self._ahead = ahead

    def __len__(self) -> int:
        while super().__len__() < self._ahead:
            following = next(self._source, None)
            if following is None:
                break
            self.append(following)
        return super().__len__()
