"""Column widths for a list: sized to what the columns hold, fitted to the screen.

Each column wants the width of its header or of its longest cell on the loaded page,
whichever is wider (at most `LONGEST`). When the wants do not fit, the column with the most
room above its floor gives way first, one cell at a time: first down to its usual floor
(a key column's spec width, another column's `SHORT`), then, on a narrow terminal, every
column down to `SHORT`, so that the dates and due dates at the right stay on screen. What
is left over widens the flexible columns (titles, names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from crm.records.entities import ListColumn

#: No column is made wider than this for its content alone (a long summary would take all).
LONGEST = 60
#: The narrowest a column is squeezed to (a date, R8.12.26 or 2026-12-26, still fits).
SHORT = 10
#: DataTable's cell padding (one each side) per column, and the table's border and scrollbar.
PADDING = 2
FRAME = 4


def cell_width(cell: Any) -> int:
    """Terminal cells `cell` takes on screen (wide characters count two)."""
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def _give_way(widths: list[int], floors: Sequence[int], excess: int) -> int:
    """Narrow `widths` (in place) by up to `excess` cells, never below `floors`, the column
    with the most room first; what is still in excess."""
    while excess > 0:
        room, i = max((w - f, i) for i, (w, f) in enumerate(zip(widths, floors, strict=True)))
        if room <= 0:
            break
        widths[i] -= 1
        excess -= 1
    return excess


def fit_columns(columns: Sequence[ListColumn], headers: Sequence[str],
                rows: Iterable[Sequence[Any]], width: int) -> list[int]:
    """Widths of `columns` (headers as shown, `rows` their cells) on a screen `width` wide."""
    wants = [cell_width(header) for header in headers]
    for cells in rows:
        for i, cell in enumerate(cells):
            wants[i] = max(wants[i], min(LONGEST, cell_width(cell)))
    available = width - PADDING * len(columns) - FRAME
    widths = list(wants)
    usual = [min(want, column.width if column.flex else SHORT)
             for want, column in zip(wants, columns, strict=True)]
    excess = _give_way(widths, usual, sum(widths) - available)
    _give_way(widths, [min(want, SHORT) for want in wants], excess)
    flexible = [i for i, column in enumerate(columns) if column.flex]
    spare = max(0, available - sum(widths))
    for n, i in enumerate(flexible):
        widths[i] += spare // len(flexible) + (1 if n < spare % len(flexible) else 0)
    return widths
