"""Numbers and dates as people read them: thousands separators, percentages, — for unknown."""

from __future__ import annotations

from datetime import date

from crm.calendar import format_wareki

UNKNOWN = "—"


def format_number(value: float | None, *, decimals: int | None = None) -> str:
    """`value` with thousands separators; integers without decimals; — when unknown."""
    if value is None:
        return UNKNOWN
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return f"{value:,.{decimals}f}"


def format_rate(value: float | None) -> str:
    """A percentage with one decimal, e.g. 72.5%; — when unknown."""
    return UNKNOWN if value is None else f"{value:,.1f}%"


def format_day(value: date | None, lang: str) -> str:
    """A date as ISO in English, as wareki short form with ISO in Japanese (R4.12.5)."""
    if value is None:
        return UNKNOWN
    return format_wareki(value, style="short") if lang == "ja" else value.isoformat()
