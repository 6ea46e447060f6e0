"""Japanese fiscal year (年度) and era (和暦) calendar.

Fiscal year N runs from N-04-01 to (N+1)-03-31; its quarters are Q1 Apr–Jun, Q2 Jul–Sep,
Q3 Oct–Dec and Q4 Jan–Mar of N+1. Eras are 昭和 (from 1926-12-25), 平成 (from 1989-01-08)
and 令和 (from 2019-05-01); year 1 of an era is written 元年. A fiscal year is named by the era
in force on its first day, except FY2019, which is 令和元年度.

Dates are plain :class:`datetime.date` values (calendar dates, no time zone). Nothing here
reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from crm.supported_years import FIRST_FISCAL_YEAR as FIRST_FISCAL_YEAR
from crm.supported_years import LAST_FISCAL_YEAR as LAST_FISCAL_YEAR
from crm.supported_years import is_supported_fiscal_year as is_supported_fiscal_year

__all__ = [
    "ERAS",
    "DateParseError",
    "Era",
    "FiscalPeriod",
    "era_of",
    "era_year",
    "era_year_text",
    "fiscal_quarter_of",
    "fiscal_quarter_range",
    "fiscal_year_name_ja",
    "fiscal_year_of",
    "fiscal_year_range",
    "format_date",
    "format_wareki",
    "months_between",
    "parse_as_of",
    "parse_date",
    "quarters_between",
]

_DATE_HINT = "use 2022-12-05, 2022/12/5 or R4.12.5"
_AS_OF_HINT = "use 2022-12-05, 2022/12/5, R4.12.5, H30.12月 or R4年度"


class DateParseError(ValueError):
    """Text that could not be read as a date; ``.text`` holds the text as given."""

    def __init__(self, text: str, hint: str = _DATE_HINT) -> None:
        self.text = text
        super().__init__(f"{text!r} is not a date ({hint})")


@dataclass(frozen=True)
class Era:
    """A Japanese era: its name, its one-letter abbreviation and its first day."""

    name_ja: str
    letter: str
    name_en: str
    start: date


ERAS: tuple[Era, ...] = (
    Era("昭和", "S", "Showa", date(1926, 12, 25)),
    Era("平成", "H", "Heisei", date(1989, 1, 8)),
    Era("令和", "R", "Reiwa", date(2019, 5, 1)),
)

_REIWA = ERAS[2]
_QUARTER_LABELS_JA = ("第1四半期", "第2四半期", "第3四半期", "第4四半期")


def _era_end(era: Era) -> date | None:
    """The last day of ``era``, or None for the current era."""
    index = ERAS.index(era)
    if index + 1 < len(ERAS):
        return ERAS[index + 1].start - timedelta(days=1)
    return None


def _era_overlaps(era: Era, first: date, last: date) -> bool:
    """Whether ``era`` is in force on at least one day of ``first``..``last``."""
    end = _era_end(era)
    return last >= era.start and (end is None or first <= end)


def era_of(d: date) -> Era:
    """The era in force on ``d``; ValueError before 1926-12-25 (the start of 昭和)."""
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before {ERAS[0].name_en} ({ERAS[0].start.isoformat()})")


def era_year(d: date) -> tuple[Era, int]:
    """The era in force on ``d`` and the year of that era (1 for 元年)."""
    era = era_of(d)
    return era, d.year - era.start.year + 1


def era_year_text(era: Era, year: int) -> str:
    """An era year in Japanese: ``era_year_text(reiwa, 1) == '令和元年'``, 4 gives '令和4年'."""
    if year < 1:
        raise ValueError(f"era year must be 1 or more, not {year}")
    return f"{era.name_ja}{'元' if year == 1 else year}年"


def fiscal_year_of(d: date) -> int:
    """The fiscal year (年度) containing ``d``: April–December of N and January–March of N+1."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_quarter_of(d: date) -> tuple[int, int]:
    """The fiscal year and quarter (1..4) containing ``d``."""
    return fiscal_year_of(d), (d.month - 4) % 12 // 3 + 1



def _check_fiscal_year(fy: int) -> None:
    if isinstance(fy, bool) or not isinstance(fy, int):
        raise TypeError(f"fiscal year must be an int, not {fy!r}")
    if not date.min.year <= fy < date.max.year:
        raise ValueError(f"fiscal year {fy} is out of range")


def _check_quarter(quarter: int) -> None:
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1, 2, 3 or 4, not {quarter!r}")


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """The first and last day of fiscal year ``fy``: (fy-04-01, (fy+1)-03-31)."""
    _check_fiscal_year(fy)
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def fiscal_quarter_range(fy: int, quarter: int) -> tuple[date, date]:
    """The first and last day of quarter ``quarter`` (1..4) of fiscal year ``fy``."""
    _check_fiscal_year(fy)
    _check_quarter(quarter)
    start = _add_months(date(fy, 4, 1), 3 * (quarter - 1))
    return start, _add_months(start, 3) - timedelta(days=1)


def fiscal_year_name_ja(fy: int) -> str:
    """The Japanese name of a fiscal year: 2022 -> '令和4年度', 2019 -> '令和元年度'.

    Named by the era in force on its first day, except FY2019 (令和元年度). ValueError for a
    fiscal year starting before 昭和.
    """
    first, _ = fiscal_year_range(fy)
    era, year = (_REIWA, 1) if fy == 2019 else era_year(first)
    return f"{era_year_text(era, year)}度"


@dataclass(frozen=True, order=True)
class FiscalPeriod:
    """A fiscal year (``quarter`` None) or one quarter of it.

    Periods sort chronologically by start; a whole year sorts just before its first quarter.
    """

    # Comparison key, first so that ordering never compares None with an int.
    _key: tuple[int, int] = field(init=False, repr=False)
    fiscal_year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        _check_fiscal_year(self.fiscal_year)
        if self.quarter is not None:
            _check_quarter(self.quarter)
        object.__setattr__(self, "_key", (self.fiscal_year, self.quarter or 0))

    @property
    def start(self) -> date:
        """The period's first day."""
        return self._range()[0]

    @property
    def end(self) -> date:
        """The period's last day."""
        return self._range()[1]

    def _range(self) -> tuple[date, date]:
        if self.quarter is None:
            return fiscal_year_range(self.fiscal_year)
        return fiscal_quarter_range(self.fiscal_year, self.quarter)

    def label_ja(self) -> str:
        """'令和4年度 第3四半期', or '令和4年度' for a whole year."""
        name = fiscal_year_name_ja(self.fiscal_year)
        if self.quarter is None:
            return name
        return f"{name} {_QUARTER_LABELS_JA[self.quarter - 1]}"

    def label_en(self) -> str:
        """'FY2022 Q3', or 'FY2022' for a whole year."""
        if self.quarter is None:
            return f"FY{self.fiscal_year}"
        return f"FY{self.fiscal_year} Q{self.quarter}"

    def label(self, lang: str) -> str:
        """The label in ``lang``, 'ja' or 'en'."""
        if lang == "ja":
            return self.label_ja()
        if lang == "en":
            return self.label_en()
        raise ValueError(f"lang must be 'ja' or 'en', not {lang!r}")

    def quarters(self) -> list[FiscalPeriod]:
        """A year's four quarters in order; a quarter gives ``[self]``."""
        if self.quarter is None:
            return [FiscalPeriod(self.fiscal_year, q) for q in (1, 2, 3, 4)]
        return [self]

    @classmethod
    def of(cls, d: date) -> FiscalPeriod:
        """The quarter containing ``d``."""
        return cls(*fiscal_quarter_of(d))

    def next(self) -> FiscalPeriod:
        """The following period of the same granularity."""
        if self.quarter is None:
            return FiscalPeriod(self.fiscal_year + 1)
        if self.quarter == 4:
            return FiscalPeriod(self.fiscal_year + 1, 1)
        return FiscalPeriod(self.fiscal_year, self.quarter + 1)

    def previous(self) -> FiscalPeriod:
        """The preceding period of the same granularity."""
        if self.quarter is None:
            return FiscalPeriod(self.fiscal_year - 1)
        if self.quarter == 1:
            return FiscalPeriod(self.fiscal_year - 1, 4)
        return FiscalPeriod(self.fiscal_year, self.quarter - 1)


def quarters_between(start: date, end: date) -> list[FiscalPeriod]:
    """Every quarter overlapping ``start``..``end`` (inclusive), in order; [] if end < start."""
    if end < start:
        return []
    period = FiscalPeriod.of(start)
    last = FiscalPeriod.of(end)
    periods = [period]
    while period != last:
        period = period.next()
        periods.append(period)
    return periods


def format_wareki(d: date, style: str = "long") -> str:
    """``d`` in wareki: long '令和4年12月5日' / '令和元年5月1日', short 'R4.12.5' / 'R1.5.1'."""
    era, year = era_year(d)
    if style == "long":
        return f"{era_year_text(era, year)}{d.month}月{d.day}日"
    if style == "short":
        return f"{era.letter}{year}.{d.month}.{d.day}"
    raise ValueError(f"style must be 'long' or 'short', not {style!r}")


def format_date(d: date, lang: str) -> str:
    """``d`` for display: 'ja' gives '令和4年12月5日', 'en' gives '2022-12-05'."""
    if lang == "ja":
        return format_wareki(d)
    if lang == "en":
        return d.isoformat()
    raise ValueError(f"lang must be 'ja' or 'en', not {lang!r}")


# --- parsing -------------------------------------------------------------------------------

_ERA_BY_TOKEN: dict[str, Era] = {}
for _era in ERAS:
    _ERA_BY_TOKEN[_era.name_ja] = _era
    _ERA_BY_TOKEN[_era.letter] = _era
del _era

_ERA = r"(?P<era>昭和|平成|令和|[SHR])"
_ERA_YEAR = r"(?P<ey>元|\d{1,3})"
_YEAR = r"(?P<y>\d{4})"
_MONTH = r"(?P<m>\d{1,2})"
_DAY = r"(?P<d>\d{1,2})"
_SEP = r"(?P<sep>[-/.])"


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.ASCII | re.IGNORECASE) for p in patterns)


# The separators of a numeric form must agree ("2022-12/5" is refused).
_DAY_PATTERNS = _compile(
    rf"{_YEAR}{_SEP}{_MONTH}(?P=sep){_DAY}",
    rf"{_YEAR}\s*年\s*{_MONTH}\s*月\s*{_DAY}\s*日",
    rf"{_ERA}\s*{_ERA_YEAR}\s*年\s*{_MONTH}\s*月\s*{_DAY}\s*日",
    rf"{_ERA}\s*{_ERA_YEAR}{_SEP}{_MONTH}(?P=sep){_DAY}",
)
_MONTH_PATTERNS = _compile(
    rf"{_YEAR}{_SEP}{_MONTH}",
    rf"{_YEAR}\s*年\s*{_MONTH}\s*月",
    rf"{_ERA}\s*{_ERA_YEAR}{_SEP}{_MONTH}\s*月?",
    rf"{_ERA}\s*{_ERA_YEAR}\s*年\s*{_MONTH}\s*月",
)
_FISCAL_YEAR_PATTERNS = _compile(
    rf"{_YEAR}\s*年度",
    rf"FY\s*{_YEAR}",
    rf"{_ERA}\s*{_ERA_YEAR}\s*年度",
)


class _Invalid(Exception):
    """A form was recognised but names no real day (raised inside the parsers only)."""


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        m = pattern.fullmatch(text)
        if m is not None:
            return m
    return None


def _gregorian_year(m: re.Match[str]) -> tuple[Era | None, int]:
    """The era (None for a Gregorian form) and Gregorian year named by a match."""
    groups = m.groupdict()
    if groups.get("era") is None:
        return None, int(groups["y"])
    era = _ERA_BY_TOKEN[groups["era"].upper() if len(groups["era"]) == 1 else groups["era"]]
    year = 1 if groups["ey"] == "元" else int(groups["ey"])
    if year < 1:
        raise _Invalid
    return era, era.start.year + year - 1


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Invalid from None


def _month_end(first: date) -> date:
    """The last day of the month starting on ``first``."""
    if first.month == 12:
        return date(first.year, 12, 31)
    return date(first.year, first.month + 1, 1) - timedelta(days=1)


def _parse_day(text: str) -> date | None:
    m = _match(_DAY_PATTERNS, text)
    if m is None:
        return None
    era, year = _gregorian_year(m)
    d = _make_date(year, int(m["m"]), int(m["d"]))
    if era is not None and not _era_overlaps(era, d, d):
        raise _Invalid
    return d


def _parse_month(text: str) -> date | None:
    m = _match(_MONTH_PATTERNS, text)
    if m is None:
        return None
    era, year = _gregorian_year(m)
    first = _make_date(year, int(m["m"]), 1)
    last = _month_end(first)
    if era is not None and not _era_overlaps(era, first, last):
        raise _Invalid
    return last


def _parse_fiscal_year(text: str) -> date | None:
    m = _match(_FISCAL_YEAR_PATTERNS, text)
    if m is None:
        return None
    era, fy = _gregorian_year(m)
    if not date.min.year <= fy < date.max.year:
        raise _Invalid
    first, last = fiscal_year_range(fy)
    # 平成31年度 and 令和元年度 are both FY2019; 平成32年度 or 昭和64年度 name no real year.
    if era is not None and not _era_overlaps(era, first, last):
        raise _Invalid
    return last


def parse_date(text: str) -> date:
    """Read a date typed by a person.

    Accepts '2022-12-05', '2022/12/5', '2022.12.5', '2022年12月5日', '令和4年12月5日',
    '令和元年5月1日', 'R4.12.5', 'r4.12.5', 'R4/12/5' (full-width characters too, surrounding
    spaces ignored). A wareki date must fall within its era. Raises DateParseError otherwise.
    """
    normalized = _normalize(text)
    try:
        d = _parse_day(normalized)
    except _Invalid:
        d = None
    if d is None:
        raise DateParseError(text)
    return d


def parse_as_of(text: str) -> date:
    """Read an as-of or target date: anything :func:`parse_date` accepts, or a month or year.

    A month ('H30.12月', 'H30年12月', '2018-12', '2018年12月') means its last day; a fiscal
    year ('R4年度', '令和4年度', '2022年度', 'FY2022') means its last day (R4年度 = 2023-03-31).
    Raises DateParseError otherwise.
    """
    normalized = _normalize(text)
    for parser in (_parse_day, _parse_month, _parse_fiscal_year):
        try:
            d = parser(normalized)
        except _Invalid:
            break
        if d is not None:
            return d
    raise DateParseError(text, _AS_OF_HINT)


def months_between(start: date, end: date) -> float:
    """Fractional months from ``start`` to ``end``; negative if ``end`` is before ``start``.

    Whole months are counted with relativedelta from ``start``; the leftover days are divided
    by the length of the month being counted into.
    """
    if end < start:
        return -months_between(end, start)
    delta = relativedelta(end, start)
    whole: int = delta.years * 12 + delta.months
    # Guard the invariant start + whole months <= end < start + (whole + 1) months.
    while _add_months(start, whole + 1) <= end:
        whole += 1
    while whole > 0 and _add_months(start, whole) > end:
        whole -= 1
    anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    return whole + (end - anchor).days / (following - anchor).days


def _add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` months, clipped to the month's last day (Jan 31 + 1 = Feb 28)."""
    result: date = d + relativedelta(months=months)
    return result
