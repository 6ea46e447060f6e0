"""Plain-text tables that stay aligned with full-width (Japanese) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Terminal columns `text` takes: 2 for wide and full-width characters, 0 for combining."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` columns, on the left if `right`-aligned."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[bool] = ()
) -> str:
    """A table with a header rule; `right[i]` right-aligns column i (numbers)."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    aligns = list(right) + [False] * (len(headers) - len(right))
    lines = [
        "  ".join(pad(h, w, right=a) for h, w, a in zip(headers, widths, aligns, strict=True)),
        "  ".join("-" * w for w in widths),  # ASCII: box drawing is ambiguous-width in CJK
    ]
    for row in rows:
        cells = zip(row, widths, aligns, strict=True)
        lines.append("  ".join(pad(c, w, right=a) for c, w, a in cells).rstrip())
    return "\n".join(line.rstrip() for line in lines)
