"""The fiscal years people may ask about (light: the command line's parser states them)."""

from __future__ import annotations

#: 平成元年度 (FY1989) to FY2100.
FIRST_FISCAL_YEAR = 1989
LAST_FISCAL_YEAR = 2100


def is_supported_fiscal_year(fy: int) -> bool:
    """Whether `fy` is within FIRST_FISCAL_YEAR..LAST_FISCAL_YEAR."""
    return FIRST_FISCAL_YEAR <= fy <= LAST_FISCAL_YEAR
