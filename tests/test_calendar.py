"""Tests for crm.calendar: fiscal years, eras, wareki formatting and date parsing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.calendar import (
    ERAS,
    DateParseError,
    Era,
    FiscalPeriod,
    era_of,
    era_year,
    era_year_text,
    fiscal_quarter_of,
    fiscal_quarter_range,
    fiscal_year_name_ja,
    fiscal_year_of,
    fiscal_year_range,
    format_date,
    format_wareki,
    months_between,
    parse_as_of,
    parse_date,
    quarters_between,
)

SHOWA, HEISEI, REIWA = ERAS

PROPERTY = settings(deadline=None, derandomize=True, max_examples=200)
DATES = st.dates(min_value=date(1927, 1, 1), max_value=date(2100, 12, 31))
FISCAL_YEARS = st.integers(min_value=1927, max_value=2100)


# --- eras ----------------------------------------------------------------------------------


def test_eras_oldest_first() -> None:
    assert [e.letter for e in ERAS] == ["S", "H", "R"]
    assert REIWA == Era("令和", "R", "Reiwa", date(2019, 5, 1))
    assert HEISEI.start == date(1989, 1, 8)
    assert SHOWA.start == date(1926, 12, 25)
    assert [e.name_en for e in ERAS] == ["Showa", "Heisei", "Reiwa"]


def test_era_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REIWA.letter = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("d", "era", "year"),
    [
        (date(1926, 12, 25), SHOWA, 1),
        (date(1926, 12, 31), SHOWA, 1),
        (date(1927, 1, 1), SHOWA, 2),
        (date(1989, 1, 7), SHOWA, 64),
        (date(1989, 1, 8), HEISEI, 1),
        (date(1990, 1, 1), HEISEI, 2),
        (date(2019, 4, 30), HEISEI, 31),
        (date(2019, 5, 1), REIWA, 1),
        (date(2020, 1, 1), REIWA, 2),
        (date(2022, 12, 5), REIWA, 4),
    ],
)
def test_era_year(d: date, era: Era, year: int) -> None:
    assert era_of(d) is era
    assert era_year(d) == (era, year)


def test_era_of_before_showa() -> None:
    with pytest.raises(ValueError, match="1926-12-24"):
        era_of(date(1926, 12, 24))
    with pytest.raises(ValueError):
        era_year(date(1900, 1, 1))


def test_era_year_text() -> None:
    assert era_year_text(REIWA, 1) == "令和元年"
    assert era_year_text(REIWA, 4) == "令和4年"
    assert era_year_text(HEISEI, 30) == "平成30年"
    with pytest.raises(ValueError):
        era_year_text(REIWA, 0)


# --- fiscal years and quarters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "fy", "quarter"),
    [
        (date(2022, 3, 31), 2021, 4),
        (date(2022, 4, 1), 2022, 1),
        (date(2022, 6, 30), 2022, 1),
        (date(2022, 7, 1), 2022, 2),
        (date(2022, 9, 30), 2022, 2),
        (date(2022, 10, 1), 2022, 3),
        (date(2022, 12, 31), 2022, 3),
        (date(2023, 1, 1), 2022, 4),
        (date(2023, 3, 31), 2022, 4),
        (date(2023, 4, 1), 2023, 1),
        (date(2020, 2, 29), 2019, 4),
    ],
)
def test_fiscal_year_and_quarter_boundaries(d: date, fy: int, quarter: int) -> None:
    assert fiscal_year_of(d) == fy
    assert fiscal_quarter_of(d) == (fy, quarter)
    assert FiscalPeriod.of(d) == FiscalPeriod(fy, quarter)


def test_fiscal_year_range() -> None:
    assert fiscal_year_range(2022) == (date(2022, 4, 1), date(2023, 3, 31))
    assert fiscal_year_range(2019) == (date(2019, 4, 1), date(2020, 3, 31))


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, date(2022, 4, 1), date(2022, 6, 30)),
        (2, date(2022, 7, 1), date(2022, 9, 30)),
        (3, date(2022, 10, 1), date(2022, 12, 31)),
        (4, date(2023, 1, 1), date(2023, 3, 31)),
    ],
)
def test_fiscal_quarter_range(quarter: int, start: date, end: date) -> None:
    assert fiscal_quarter_range(2022, quarter) == (start, end)


@pytest.mark.parametrize("quarter", [0, 5, -1, True, 2.0, "1"])
def test_fiscal_quarter_range_rejects_bad_quarter(quarter: object) -> None:
    with pytest.raises(ValueError, match="quarter"):
        fiscal_quarter_range(2022, quarter)  # type: ignore[arg-type]


def test_fiscal_year_range_rejects_bad_year() -> None:
    with pytest.raises(ValueError):
        fiscal_year_range(0)
    with pytest.raises(ValueError):
        fiscal_year_range(9999)
    with pytest.raises(TypeError):
        fiscal_year_range("2022")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fy", "name"),
    [
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (1990, "平成2年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2022, "令和4年度"),
    ],
)
def test_fiscal_year_name_ja(fy: int, name: str) -> None:
    assert fiscal_year_name_ja(fy) == name


def test_fiscal_year_name_ja_before_showa() -> None:
    with pytest.raises(ValueError):
        fiscal_year_name_ja(1926)


# --- FiscalPeriod --------------------------------------------------------------------------


def test_fiscal_period_year() -> None:
    fy = FiscalPeriod(2022, None)
    assert fy == FiscalPeriod(2022)
    assert (fy.start, fy.end) == (date(2022, 4, 1), date(2023, 3, 31))
    assert fy.label_ja() == "令和4年度"
    assert fy.label_en() == "FY2022"
    assert fy.label("ja") == "令和4年度"
    assert fy.label("en") == "FY2022"
    assert fy.quarters() == [FiscalPeriod(2022, q) for q in (1, 2, 3, 4)]
    assert fy.next() == FiscalPeriod(2023)
    assert fy.previous() == FiscalPeriod(2021)


def test_fiscal_period_quarter() -> None:
    q3 = FiscalPeriod(2022, 3)
    assert (q3.start, q3.end) == (date(2022, 10, 1), date(2022, 12, 31))
    assert q3.label_ja() == "令和4年度 第3四半期"
    assert q3.label_en() == "FY2022 Q3"
    assert q3.label("ja") == "令和4年度 第3四半期"
    assert q3.label("en") == "FY2022 Q3"
    assert q3.quarters() == [q3]
    assert q3.next() == FiscalPeriod(2022, 4)
    assert q3.previous() == FiscalPeriod(2022, 2)
    assert repr(q3) == "FiscalPeriod(fiscal_year=2022, quarter=3)"


def test_fiscal_period_labels_at_era_change() -> None:
    assert FiscalPeriod(2018, 4).label_ja() == "平成30年度 第4四半期"
    assert FiscalPeriod(2019, 1).label_ja() == "令和元年度 第1四半期"
    assert FiscalPeriod(1988).label_ja() == "昭和63年度"


def test_fiscal_period_wraps_across_years() -> None:
    assert FiscalPeriod(2022, 4).next() == FiscalPeriod(2023, 1)
    assert FiscalPeriod(2023, 1).previous() == FiscalPeriod(2022, 4)
    assert FiscalPeriod(2022, 4).end + timedelta(days=1) == FiscalPeriod(2023, 1).start


def test_fiscal_period_ordering_and_hashing() -> None:
    periods = [FiscalPeriod(2023, 1), FiscalPeriod(2022, 2), FiscalPeriod(2022), FiscalPeriod(2021)]
    assert sorted(periods) == [
        FiscalPeriod(2021),
        FiscalPeriod(2022),
        FiscalPeriod(2022, 2),
        FiscalPeriod(2023, 1),
    ]
    assert FiscalPeriod(2022, 1) < FiscalPeriod(2022, 2) < FiscalPeriod(2022, 4)
    assert len({FiscalPeriod(2022, 1), FiscalPeriod(2022, 1), FiscalPeriod(2022)}) == 2


def test_fiscal_period_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FiscalPeriod(2022, 1).quarter = 2  # type: ignore[misc]


@pytest.mark.parametrize("quarter", [0, 5, -1, True, 1.5])
def test_fiscal_period_rejects_bad_quarter(quarter: object) -> None:
    with pytest.raises(ValueError, match="quarter"):
        FiscalPeriod(2022, quarter)  # type: ignore[arg-type]


def test_fiscal_period_rejects_bad_year() -> None:
    with pytest.raises(ValueError):
        FiscalPeriod(0, 1)
    with pytest.raises(TypeError):
        FiscalPeriod("2022", 1)  # type: ignore[arg-type]


def test_fiscal_period_label_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        FiscalPeriod(2022, 1).label("fr")


def test_quarters_between() -> None:
    assert quarters_between(date(2022, 3, 31), date(2022, 4, 1)) == [
        FiscalPeriod(2021, 4),
        FiscalPeriod(2022, 1),
    ]
    assert quarters_between(date(2022, 6, 30), date(2022, 6, 30)) == [FiscalPeriod(2022, 1)]
    assert quarters_between(date(2022, 4, 1), date(2023, 3, 31)) == FiscalPeriod(2022).quarters()
    assert quarters_between(date(2022, 12, 31), date(2023, 1, 1)) == [
        FiscalPeriod(2022, 3),
        FiscalPeriod(2022, 4),
    ]
    assert len(quarters_between(date(2018, 12, 31), date(2023, 3, 31))) == 18
    assert quarters_between(date(2022, 5, 1), date(2022, 4, 30)) == []


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "long", "short"),
    [
        (date(2022, 12, 5), "令和4年12月5日", "R4.12.5"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (date(2018, 12, 1), "平成30年12月1日", "H30.12.1"),
        (date(2020, 2, 29), "令和2年2月29日", "R2.2.29"),
    ],
)
def test_format_wareki(d: date, long: str, short: str) -> None:
    assert format_wareki(d) == long
    assert format_wareki(d, "long") == long
    assert format_wareki(d, "short") == short


def test_format_wareki_errors() -> None:
    with pytest.raises(ValueError, match="style"):
        format_wareki(date(2022, 12, 5), "medium")
    with pytest.raises(ValueError):
        format_wareki(date(1926, 12, 24))


def test_format_date() -> None:
    assert format_date(date(2022, 12, 5), "ja") == "令和4年12月5日"
    assert format_date(date(2022, 12, 5), "en") == "2022-12-05"
    with pytest.raises(ValueError, match="lang"):
        format_date(date(2022, 12, 5), "de")


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-12-05", date(2022, 12, 5)),
        ("2022/12/5", date(2022, 12, 5)),
        ("2022.12.5", date(2022, 12, 5)),
        ("2022年12月5日", date(2022, 12, 5)),
        ("令和4年12月5日", date(2022, 12, 5)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R4.12.5", date(2022, 12, 5)),
        ("r4.12.5", date(2022, 12, 5)),
        ("R4/12/5", date(2022, 12, 5)),
        ("R4-12-5", date(2022, 12, 5)),
        ("H30.12.1", date(2018, 12, 1)),
        ("h30.12.1", date(2018, 12, 1)),
        ("S64.1.7", date(1989, 1, 7)),
        ("  2022-12-05\n", date(2022, 12, 5)),
        # era boundaries
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        # 29 February
        ("2020-02-29", date(2020, 2, 29)),
        ("R2.2.29", date(2020, 2, 29)),
        ("令和2年2月29日", date(2020, 2, 29)),
        # full width (NFKC)
        ("Ｒ４．１２．５", date(2022, 12, 5)),
        ("２０２２／１２／５", date(2022, 12, 5)),
        ("２０２２－１２－０５", date(2022, 12, 5)),
        ("令和４年１２月５日", date(2022, 12, 5)),
        ("\u3000ｒ４．１２．５\u3000", date(2022, 12, 5)),
        ("㋿4年12月5日", date(2022, 12, 5)),
        ("㍻30年12月1日", date(2018, 12, 1)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected
    assert parse_as_of(text) == expected


INVALID_DATES = [
    "2023-02-29",
    "R5.2.29",
    "2022-13-01",
    "2022-00-10",
    "2022-12-32",
    "0000-01-01",
    "R4.13.1",
    "R0.1.1",
    "平成31年5月1日",
    "H31.5.1",
    "令和1年4月30日",
    "R1.4.30",
    "昭和64年1月8日",
    "平成元年1月7日",
    "昭和元年12月24日",
    "2022-12/5",
    "22-12-05",
    "12/5/2022",
    "X4.12.5",
    "R4.12",
    "garbage",
    "",
    "   ",
    "2022-12-05 extra",
]


@pytest.mark.parametrize("text", INVALID_DATES)
def test_parse_date_errors(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.text == text
    message = str(error)
    assert message == f"{text!r} is not a date (use 2022-12-05, 2022/12/5 or R4.12.5)"
    assert "\n" not in message


def test_parse_date_error_message_example() -> None:
    with pytest.raises(DateParseError, match=r"^'R4\.13\.1' is not a date \(use "):
        parse_date("R4.13.1")


def test_parse_date_rejects_month_and_year_forms() -> None:
    for text in ("H30.12月", "2018-12", "R4年度", "FY2022"):
        with pytest.raises(DateParseError):
            parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H30.12月", date(2018, 12, 31)),
        ("R2.12月", date(2020, 12, 31)),
        ("H30年12月", date(2018, 12, 31)),
        ("平成30年12月", date(2018, 12, 31)),
        ("H30.12", date(2018, 12, 31)),
        ("2018-12", date(2018, 12, 31)),
        ("2018/12", date(2018, 12, 31)),
        ("2018年12月", date(2018, 12, 31)),
        ("R2.2月", date(2020, 2, 29)),
        ("2023-02", date(2023, 2, 28)),
        ("H31.4月", date(2019, 4, 30)),
        ("R1.5月", date(2019, 5, 31)),
        ("R元年5月", date(2019, 5, 31)),
        ("Ｈ３０．１２月", date(2018, 12, 31)),
        ("R4年度", date(2023, 3, 31)),
        ("令和4年度", date(2023, 3, 31)),
        ("2022年度", date(2023, 3, 31)),
        ("FY2022", date(2023, 3, 31)),
        ("fy 2022", date(2023, 3, 31)),
        ("Ｒ４年度", date(2023, 3, 31)),
        ("令和元年度", date(2020, 3, 31)),
        ("平成31年度", date(2020, 3, 31)),
        ("H30年度", date(2019, 3, 31)),
        ("平成元年度", date(1990, 3, 31)),
        ("昭和63年度", date(1989, 3, 31)),
    ],
)
def test_parse_as_of_month_and_year_forms(text: str, expected: date) -> None:
    assert parse_as_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        *INVALID_DATES[:-6],
        "H30.13月",
        "2018-13",
        "R1.4月",
        "H31.5月",
        "R0年度",
        "H32年度",
        "昭和64年度",
        "0000年度",
        "9999年度",
        "FY22",
        "R4年",
        "年度",
        "garbage",
    ],
)
def test_parse_as_of_errors(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_as_of(text)
    assert info.value.text == text
    assert str(info.value).startswith(f"{text!r} is not a date (use ")
    assert "\n" not in str(info.value)


def test_parse_as_of_agrees_with_fiscal_year_names() -> None:
    for fy in (1988, 1989, 2018, 2019, 2020, 2022):
        assert parse_as_of(fiscal_year_name_ja(fy)) == fiscal_year_range(fy)[1]


# --- months_between ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2022, 4, 1), date(2022, 4, 1), 0.0),
        (date(2022, 4, 1), date(2022, 5, 1), 1.0),
        (date(2022, 4, 1), date(2023, 4, 1), 12.0),
        (date(2022, 4, 1), date(2022, 4, 16), 0.5),
        (date(2022, 4, 1), date(2022, 3, 1), -1.0),
        (date(2023, 1, 31), date(2023, 2, 28), 1.0),
        (date(2023, 1, 31), date(2023, 3, 31), 2.0),
        (date(2023, 1, 31), date(2023, 3, 30), 1 + 30 / 31),
        (date(2018, 12, 31), date(2023, 3, 31), 51.0),
    ],
)
def test_months_between(start: date, end: date, months: float) -> None:
    assert months_between(start, end) == pytest.approx(months)


# --- properties ----------------------------------------------------------------------------


@PROPERTY
@given(DATES)
def test_round_trips(d: date) -> None:
    assert parse_date(format_wareki(d, "long")) == d
    assert parse_date(format_wareki(d, "short")) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d


@PROPERTY
@given(DATES)
def test_date_within_its_fiscal_periods(d: date) -> None:
    period = FiscalPeriod.of(d)
    assert period.quarter is not None
    assert period.start <= d <= period.end
    year = FiscalPeriod(period.fiscal_year)
    assert year.start <= period.start <= period.end <= year.end
    # fiscal_year_of agrees with fiscal_year_range, and the year changes just outside it.
    fy = fiscal_year_of(d)
    assert fy == period.fiscal_year
    start, end = fiscal_year_range(fy)
    assert start <= d <= end
    assert fiscal_year_of(start) == fiscal_year_of(end) == fy
    assert fiscal_year_of(start - timedelta(days=1)) == fy - 1
    assert fiscal_year_of(end + timedelta(days=1)) == fy + 1


@PROPERTY
@given(FISCAL_YEARS)
def test_quarters_tile_the_year(fy: int) -> None:
    year = FiscalPeriod(fy)
    quarters = year.quarters()
    assert [q.quarter for q in quarters] == [1, 2, 3, 4]
    assert quarters[0].start == year.start
    assert quarters[-1].end == year.end
    for before, after in zip(quarters, quarters[1:], strict=False):
        assert before.end + timedelta(days=1) == after.start
        assert before.next() == after
        assert after.previous() == before
    assert sum((q.end - q.start).days + 1 for q in quarters) == (year.end - year.start).days + 1
    assert quarters_between(year.start, year.end) == quarters


@PROPERTY
@given(DATES, st.integers(min_value=0, max_value=3000))
def test_quarters_between_covers_range(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    periods = quarters_between(start, end)
    assert periods[0].start <= start <= periods[0].end
    assert periods[-1].start <= end <= periods[-1].end
    assert periods == sorted(periods)
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.next() == after


@PROPERTY
@given(DATES, st.integers(min_value=0, max_value=48))
def test_months_between_whole_months(d: date, n: int) -> None:
    assert months_between(d, d + relativedelta(months=n)) == pytest.approx(n)
    assert months_between(d + relativedelta(months=n), d) == pytest.approx(-n)


@PROPERTY
@given(DATES, DATES, DATES)
def test_months_between_monotonic_and_antisymmetric(a: date, b: date, c: date) -> None:
    assert months_between(a, b) == -months_between(b, a)
    lo, mid, hi = sorted((a, b, c))
    assert months_between(lo, mid) <= months_between(lo, hi)
    # Every month counted is 28 to 31 days long.
    months = months_between(lo, hi)
    assert (hi - lo).days / 31 - 1e-9 <= months <= (hi - lo).days / 28 + 1e-9


@PROPERTY
@given(st.text())
def test_parsers_only_raise_date_parse_error(text: str) -> None:
    for parse in (parse_date, parse_as_of):
        try:
            parse(text)
        except DateParseError as error:
            assert error.text == text
            assert "\n" not in str(error)


@settings(deadline=None, derandomize=True, max_examples=50)
@given(
    st.from_regex(
        r"\A[SHRshr令平昭和成 ]{0,3}[0-9元]{1,5}[-/.年]?[0-9]{0,3}[-/.月]?[0-9]{0,3}[日月度]?\Z",
    )
)
def test_parse_near_misses_only_raise_date_parse_error(text: str) -> None:
    for parse in (parse_date, parse_as_of):
        try:
            parse(text)
        except DateParseError as error:
            assert error.text == text
