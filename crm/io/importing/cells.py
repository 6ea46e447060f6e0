"""One data row of a file: its cells read as text, dates, numbers, codes and lists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from crm.calendar import DateParseError, parse_date
from crm.errors import DataError
from crm.io.importing.columns import (
    _FIELD_COLUMNS,
    COLUMNS,
    DATE_COLUMNS,
    FORMULA_TRIGGERS,
    split_list,
)
from crm.io.importing.errors import ImportFileError
from crm.vocabulary import Vocabulary

# --- one row --------------------------------------------------------------------------------

# Excel writes a date cell saved as CSV as "2022/12/5 0:00".
_TRAILING_MIDNIGHT = re.compile(r"\s+0?0:00(:00)?$")
_INTEGER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)")
_DECIMAL = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)")


@dataclass
class _Row:
    """One data row: its cells by column, and where it is in the file."""

    file: str
    sheet: str | None
    entity: str
    number: int
    cells: dict[str, str]
    headers: dict[str, str]

    def value(self, column: str) -> str:
        """The cell as written (stripped); '' when empty or absent."""
        return self.cells.get(column, "")

    def text(self, column: str) -> str | None:
        """The cell, None when empty."""
        return self.value(column) or None

    def error(self, column: str | None, reason: str, *, ja: str | None = None) -> ImportFileError:
        """An error at this row and `column` (named as in the file), or at the whole row."""
        if column is None:
            return ImportFileError.at(self.file, self.number, None, None, reason, ja=ja,
                                      sheet=self.sheet)
        return ImportFileError.at(
            self.file, self.number, self.headers.get(column, column), self.value(column), reason,
            ja=ja, field=column, sheet=self.sheet,
        )

    def day(self, column: str) -> date | None:
        """The cell as a date in any form crm.calendar reads; None when empty."""
        raw = self.value(column)
        if not raw:
            return None
        try:
            return _read_date(raw)
        except DateParseError:
            raise self.error(
                column, "not a date (use 2022-12-05, 2022/12/5, R4.12.5 or 令和4年12月5日)",
                ja="日付として読めません (2022-12-05, 2022/12/5, R4.12.5, 令和4年12月5日 の形で)",
            ) from None

    def integer(self, column: str) -> int | None:
        """The cell as a whole number (full-width digits, 1,234 accepted); None when empty."""
        raw = _numeric(self.value(column))
        if not raw:
            return None
        if not _INTEGER.fullmatch(raw):
            raise self.error(column, "not a whole number", ja="整数ではありません")
        return int(raw.replace(",", ""))

    def decimal(self, column: str) -> float:
        """The cell as a number (full-width digits, 1,234.5 accepted)."""
        raw = _numeric(self.value(column))
        if not _DECIMAL.fullmatch(raw):
            raise self.error(column, "not a number", ja="数値ではありません")
        return float(raw.replace(",", ""))

    def code(self, column: str, vocabulary: Vocabulary) -> str:
        """The vocabulary code the cell names by code or Japanese or English label."""
        try:
            return vocabulary.parse(self.value(column))
        except DataError as exc:
            raise self.error(column, exc.message, ja=exc.ja) from None

    def names(self, column: str) -> list[str]:
        """The names in a list cell (see `split_list`)."""
        return split_list(self.value(column))

    def service_error(self, exc: DataError) -> ImportFileError:
        """A service's DataError, placed at the column its field names."""
        column = _FIELD_COLUMNS.get(exc.field or "", exc.field)
        if column not in COLUMNS[self.entity]:
            column = None
        return self.error(column, exc.message, ja=exc.ja)


# An Excel serial day number: 1 is 1900-01-01, and Excel's phantom 1900-02-29 is day 60.
_SERIAL = re.compile("[0-9]{1,7}")
_EXCEL_EPOCH = date(1899, 12, 30)
_ISO_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _read_date(raw: str) -> date:
    """A date written as ISO, Japanese, wareki or an Excel serial day number."""
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise DateParseError(raw) from None
    text = _TRAILING_MIDNIGHT.sub("", unicodedata.normalize("NFKC", raw))
    if _SERIAL.fullmatch(text) and 61 <= int(text) <= 2958465:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    return parse_date(text)


def _numeric(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).replace("\u2212", "-")
    return "".join(text.split())



def _unguard(text: str) -> str:
    """A cell without the apostrophe an export put before a formula-like value."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _cell_text(value: Any, column: str | None) -> str:
    """A CSV cell or an Excel cell value as text; Excel dates become ISO dates."""
    if type(value) is str:
        return _unguard(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        if column in DATE_COLUMNS or value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if column in DATE_COLUMNS:
            return str(int(value))  # a serial day with a time of day
        return str(int(value)) if value.is_integer() else repr(value)
    return _unguard(str(value))
