"""Importing CSV and Excel files: organizations, contacts, meetings (意見交換), agreements
(データ連携協定), outreach events (周知広報) and KPI measurements.

A CSV file's encoding is detected (UTF-8, UTF-8 with BOM, or Shift_JIS as cp932); an .xlsx
file is opened read-only after checks against XML and zip bombs (crm.spreadsheet limits). The
header is matched to the entity's columns (English names, or the Japanese ones the office's
spreadsheets use) and the rows are streamed: each is validated by the service API's rules
and matched to an existing record by its natural key. An import is read in full first, with
reads only (`read_import`): organizations, staff and tags a file names that do not exist yet
get placeholder ids. Only then does `ImportPlan.write` create them and write the records in
batches with Core inserts, so that a writer holds the database's write lock for the writes
alone (docs/performance.md, "Imports and the write lock").

Re-importing a file adds nothing: a row whose natural key is known updates its record when a
field differs (a column left out of the file leaves that field alone) and is skipped when
nothing does. The first bad row raises ImportFileError naming the file, sheet, row, column
and value, and nothing the file did is kept (the writes run under a savepoint). A dry run
writes under a savepoint that is always rolled back, and counts every refused row instead.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from defusedxml import DefusedXmlException
from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from crm import models as m
from crm import tags
from crm.calendar import DateParseError, parse_date
from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.normalize import normalize_name
from crm.records import entities, services
from crm.records.agreement_history import record_changes
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS, Vocabulary

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "ENTITIES",
    "FORMULA_TRIGGERS",
    "LIST_SEPARATOR",
    "MAX_XLSX_BYTES",
    "MAX_XLSX_CELLS",
    "REQUIRED",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "Progress",
    "import_file",
    "read_csv_text",
    "read_import",
    "unknown_choice",
]

#: The entities a file can hold, in the order a full import must follow.
ENTITIES: tuple[str, ...] = tuple(e.name for e in entities.FILE_ENTITIES)

#: The columns of each entity, in the order an export writes them.
COLUMNS: dict[str, tuple[str, ...]] = {e.name: e.columns for e in entities.FILE_ENTITIES}

#: Columns a file must have, with a value in every row.
REQUIRED: dict[str, frozenset[str]] = {
    e.name: e.required_columns for e in entities.FILE_ENTITIES
}

#: Columns holding dates (an Excel serial number is read as a date there).
DATE_COLUMNS = entities.date_columns()

#: What an export puts between the names of a list; an import also accepts ；and 、.
LIST_SEPARATOR = ";"
#: What separates the names of a list cell; a backslash before one keeps it in the name.
_SEPARATORS = frozenset(";；、")


def split_list(cell: str) -> list[str]:
    """The names in a list cell, split at ; ； or 、 except where a backslash escapes one
    (`A\\;B社` is the one name `A;B社`; `\\\\` is a backslash)."""
    names: list[str] = []
    current: list[str] = []
    characters = iter(cell)
    for character in characters:
        if character == "\\":
            following = next(characters, "")
            if following in _SEPARATORS or following == "\\":
                current.append(following)
            else:
                current.append(character + following)
        elif character in _SEPARATORS:
            names.append("".join(current))
            current = []
        else:
            current.append(character)
    names.append("".join(current))
    return [name.strip() for name in names if name.strip()]


def join_list(names: Iterable[str]) -> str:
    """One list cell of `names`, a backslash before any separator or backslash in a name, so
    that `split_list` gives the names back."""
    return LIST_SEPARATOR.join(
        "".join("\\" + c if c in _SEPARATORS or c == "\\" else c for c in name)
        for name in names
    )

#: First characters that make a spreadsheet read a cell as a formula. An export puts an
#: apostrophe before them (CSV) and an import takes it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

#: Rows written to the database at a time.
BATCH_SIZE = 5000
#: An .xlsx file larger than this is refused (bytes on disk).
MAX_XLSX_BYTES = 50 * 1024 * 1024
#: An .xlsx file whose parts unpack to more than this many times its size is refused.
_MAX_XLSX_RATIO = 100
#: A sheet with more cells than this is refused.
MAX_XLSX_CELLS = 5_000_000

Progress = Callable[[int], None]
"""Called with the number of rows read so far, after each batch and at the end."""

def _fold(header: str) -> str:
    return unicodedata.normalize("NFKC", header).strip().casefold()


# Header aliases: a folded header -> the columns it may mean; the first one the entity has wins
# (名称 is an organization's name but a meeting's title).
_ALIASES: dict[str, tuple[str, ...]] = {
    _fold(alias): columns for alias, columns in entities.header_aliases().items()
}

# Service DataError.field values that are named differently in a file.
_FIELD_COLUMNS = entities.error_columns()


class ImportFileError(DataError):
    """A file that cannot be imported: where (file, row, column as written) and which value.

    `row` is the file's line number, the header being row 1; `row`, `column` and `value` are
    None for errors about the whole file (encoding, header, no rows).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str,
        ja: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, ja=ja, field=field)
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value

    @classmethod
    def at(
        cls,
        file: str,
        row: int,
        column: str | None,
        value: str | None,
        reason: str,
        *,
        ja: str | None = None,
        field: str | None = None,
        sheet: str | None = None,
    ) -> ImportFileError:
        """The error for one cell (or, without `column`, one row)."""
        reason_ja = ja or reason
        where = f"{file}: sheet {sheet!r}, " if sheet else f"{file}: "
        where_ja = f"{file}: シート {sheet!r}、" if sheet else f"{file}: "
        if column is None:
            message = f"{where}row {row}: {reason}"
            message_ja = f"{where_ja}{row}行目: {reason_ja}"
        else:
            message = f"{where}row {row}, column {column!r}: {reason} (value {value!r})"
            message_ja = f"{where_ja}{row}行目、列 {column!r}: {reason_ja} (値 {value!r})"
        return cls(
            message, ja=message_ja, file=file, sheet=sheet, row=row, column=column, value=value,
            field=field,
        )


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do), in records.

    `refused` and `errors` are filled by a dry run only: a real import stops at the first
    refused row. `created_organizations` counts those added by `create_missing`.
    """

    entity: str
    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: tuple[ImportFileError, ...] = ()
    created_organizations: int = 0
    dry_run: bool = False

    def summary(self, lang: str = "en") -> str:
        """One line in `lang`: what was (or would be) added, updated, left unchanged and
        refused."""
        ja = lang == "ja"
        if self.dry_run:
            text = (f"試行のみで、何も変更していません: {self.path} の {self.entity} は追加"
                    f" {self.added} 件、更新 {self.updated} 件、変更なし {self.unchanged} 件、"
                    f"拒否 {self.refused} 件になります" if ja else
                    f"dry run, nothing changed: {self.entity} from {self.path} would add"
                    f" {self.added}, update {self.updated}, leave {self.unchanged} unchanged"
                    f" and refuse {self.refused}")
        elif ja:
            text = f"{self.path} から {self.entity} {self.added} 件を取り込みました"
            if self.updated or self.unchanged:
                text += f"（更新 {self.updated} 件、変更なし {self.unchanged} 件）"
        else:
            text = f"imported {self.added} {self.entity} from {self.path}"
            if self.updated or self.unchanged:
                text += f" ({self.updated} updated, {self.unchanged} unchanged)"
        if self.created_organizations:
            text += (f"、新しい団体 {self.created_organizations} 件" if ja else
                     f"; {self.created_organizations} new organizations")
        return text


# --- reading the file -----------------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
# Bytes Python's cp932 decodes to C1 or private-use characters: never in a real Shift_JIS text.
_NOT_SHIFT_JIS = frozenset("\x80\uf8f0\uf8f1\uf8f2\uf8f3")


def _decode(data: bytes, file: str) -> str:
    candidates = ("utf-8-sig",) if data.startswith(_UTF8_BOM) else ("utf-8", "cp932")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or (encoding == "cp932" and not _NOT_SHIFT_JIS.isdisjoint(text)):
            continue
        return text
    raise ImportFileError(
        f"{file}: cannot read the text: it is neither UTF-8 nor Shift_JIS (cp932);"
        " save it as 'CSV UTF-8'",
        ja=f"{file}: 文字コードが UTF-8 でも Shift_JIS でもないため読めません。"
        "「CSV UTF-8」で保存してください",
        file=file,
    )


def read_csv_text(path: Path) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or Shift_JIS (cp932)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            f"{path}: cannot read the file ({exc.strerror or exc})",
            ja=f"{path}: ファイルを読めません ({exc.strerror or exc})",
            file=str(path),
        ) from exc
    return _decode(data, str(path))


_LONE_CR = re.compile("\r(?!\n)")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, without copying it whole (io.StringIO would hold
    four bytes a character); a text with CR-only line ends goes through io.StringIO."""
    if _LONE_CR.search(text):
        yield from io.StringIO(text, newline="")
        return
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start : end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]


def _records(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each CSV record."""
    reader = csv.reader(_lines(text))
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(
            f"{file}: row {line}: not valid CSV ({exc})",
            ja=f"{file}: {line}行目: CSV として読めません ({exc})",
            file=file,
            row=line,
        ) from exc


def _resolve_header(header: str, entity: str) -> str | None:
    folded = _fold(header)
    english = re.sub(r"[\s\-]+", "_", folded)
    columns = COLUMNS[entity]
    if english in columns:
        return english
    return next((c for c in _ALIASES.get(folded, ()) if c in columns), None)


def _match_header(
    entity: str, header: list[str], line: int, file: str, sheet: str | None
) -> list[str | None]:
    """The column each header cell means (None for a blank header cell)."""
    place = f"{file}: sheet {sheet!r}" if sheet else file
    matched: list[str | None] = []
    seen: dict[str, str] = {}
    for cell in header:
        written = cell.strip()
        if not written:
            matched.append(None)
            continue
        column = _resolve_header(written, entity)
        if column is None:
            expected = ", ".join(COLUMNS[entity])
            raise ImportFileError(
                f"{place}: unknown column {written!r} for {entity} (expected: {expected})",
                ja=f"{place}: 列 {written!r} は {entity} の列ではありません (使える列: {expected})",
                file=file,
                sheet=sheet,
                row=line,
                column=written,
            )
        if column in seen:
            raise ImportFileError(
                f"{place}: columns {seen[column]!r} and {written!r} both mean {column!r}",
                ja=f"{place}: 列 {seen[column]!r} と {written!r} はどちらも {column!r} です",
                file=file,
                sheet=sheet,
                row=line,
                column=written,
                field=column,
            )
        seen[column] = written
        matched.append(column)
    for column in COLUMNS[entity]:
        if column in REQUIRED[entity] and column not in seen:
            found = ", ".join(repr(h.strip()) for h in header if h.strip())
            raise ImportFileError(
                f"{place}: missing column {column!r} (columns found: {found})",
                ja=f"{place}: 列 {column!r} がありません (あった列: {found})",
                file=file,
                sheet=sheet,
                column=column,
                field=column,
            )
    return matched


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


# --- sources: CSV text and Excel sheets -----------------------------------------------------


@dataclass
class _Source:
    """The records of one CSV file or Excel sheet: (row number, cells), header included."""

    file: str
    sheet: str | None
    records: Iterator[tuple[int, Sequence[Any]]]


def _xlsx_error(file: str, reason: str, ja: str) -> ImportFileError:
    return ImportFileError(f"{file}: {reason}", ja=f"{file}: {ja}", file=file)


# A DTD is what entity-expansion ("billion laughs") and external-entity attacks need; no
# part of a genuine .xlsx file declares one.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_SCAN_CHUNK = 1 << 16


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    with archive.open(member) as part:
        tail = b""
        while chunk := part.read(_SCAN_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                return True
            tail = window[-16:]
    return False


def _check_xlsx(path: Path, file: str, max_bytes: int) -> None:
    """Refuse a file too large, not a zip, unpacking too far, or with a DTD in any part."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _xlsx_error(file, f"cannot read the file ({exc.strerror or exc})",
                          f"ファイルを読めません ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise _xlsx_error(
            file, f"the file is {size:,} bytes, more than the limit of {max_bytes:,}",
            f"ファイルが {size:,} バイトで、上限 {max_bytes:,} バイトを超えています",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > max(size, 1 << 20) * _MAX_XLSX_RATIO:
                raise _xlsx_error(
                    file, f"refused: its parts unpack to {unpacked:,} bytes (a zip bomb?)",
                    f"展開後 {unpacked:,} バイトになるため受け付けません (zip 爆弾の疑い)",
                )
            for member in members:
                if member.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, member):
                    raise _xlsx_error(
                        file,
                        f"refused: {member.filename} declares a DTD or entities, which a genuine"
                        " Excel file never does (an XML bomb?)",
                        f"{member.filename} に DTD・実体宣言があるため受け付けません"
                        " (XML 爆弾の疑い)",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise _xlsx_error(file, f"not an Excel .xlsx file ({exc})",
                          f"Excel の .xlsx ファイルではありません ({exc})") from exc


def _unreadable(file: str, exc: BaseException) -> ImportFileError:
    cause = exc.__cause__ or exc
    if isinstance(cause, DefusedXmlException):
        return _xlsx_error(file, f"refused by the XML parser: {cause!r} (an XML bomb?)",
                           f"XML の解析で拒否しました: {cause!r} (XML 爆弾の疑い)")
    reason = str(exc).splitlines()[0]
    return _xlsx_error(file, f"not a readable Excel file ({reason})",
                       f"Excel ファイルとして読めません ({reason})")


def _xlsx_source(path: Path, sheet: str | None, max_bytes: int, max_cells: int) -> _Source:
    """The rows of a sheet (the first one by default), streamed by openpyxl in read-only mode.

    openpyxl parses with defusedxml when it is installed (a dependency of this program), so
    entity expansion is refused twice: by `_check_xlsx` and by the parser.
    """
    from openpyxl import load_workbook  # loaded by the imports that need it only

    file = str(path)
    _check_xlsx(path, file, max_bytes)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (KeyError, ValueError, SyntaxError, OSError, zipfile.BadZipFile) as exc:
        raise _unreadable(file, exc) from exc
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        names = ", ".join(repr(name) for name in workbook.sheetnames)
        workbook.close()
        raise _xlsx_error(file, f"no sheet {sheet!r} (sheets: {names})",
                          f"シート {sheet!r} がありません (シート: {names})")
    # The <dimension> a file declares may be wrong; read every row there is.
    worksheet.reset_dimensions()
    title = worksheet.title

    def records() -> Iterator[tuple[int, Sequence[Any]]]:
        cells = 0
        try:
            for number, values in enumerate(
                worksheet.iter_rows(min_row=1, values_only=True), start=1
            ):
                cells += len(values)
                if cells > max_cells:
                    raise _xlsx_error(
                        file, f"sheet {title!r} has more than {max_cells:,} cells (the limit)",
                        f"シート {title!r} のセル数が上限 {max_cells:,} を超えています",
                    )
                yield number, values
        except (KeyError, ValueError, SyntaxError) as exc:
            raise _unreadable(file, exc) from exc
        finally:
            workbook.close()

    return _Source(file, title, records())


def _open_source(path: Path, sheet: str | None, max_bytes: int, max_cells: int) -> _Source:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_source(path, sheet, max_bytes, max_cells)
    if sheet is not None:
        raise DataError("--sheet applies to Excel (.xlsx) files only",
                        ja="シートの指定は Excel (.xlsx) ファイルでのみ使えます", field="sheet")
    file = str(path)
    return _Source(file, None, _records(read_csv_text(path), file))


def _rows(source: _Source, entity: str) -> Iterator[_Row]:
    """Every data row of `source` as a _Row, its required cells checked."""
    file, sheet = source.file, source.sheet
    columns: list[str | None] = []
    headers: dict[str, str] = {}
    required = [c for c in COLUMNS[entity] if c in REQUIRED[entity]]
    found = 0
    for number, raw in source.records:
        if not columns:
            header = [_cell_text(cell, None).strip() for cell in raw]
            if not any(header):
                continue
            columns = _match_header(entity, header, number, file, sheet)
            headers = {c: h for c, h in zip(columns, header, strict=True) if c is not None}
            continue
        values: dict[str, str] = {}
        blank = True
        for index, cell in enumerate(raw):
            column = columns[index] if index < len(columns) else None
            text = _cell_text(cell, column).strip()
            if not text:
                continue
            blank = False
            if column is None:
                raise ImportFileError.at(
                    file, number, "", text, "a value in a column without a header",
                    ja="見出しのない列に値があります", sheet=sheet,
                )
            values[column] = text
        if blank:
            continue
        row = _Row(file=file, sheet=sheet, entity=entity, number=number, cells=values,
                   headers=headers)
        for column in required:
            if column not in values:
                raise row.error(column, "a value is required", ja="値が必要です")
        found += 1
        yield row
    place = f"{file}: sheet {sheet!r}" if sheet else file
    if not columns:
        raise ImportFileError(
            f"{place}: no rows (the file is empty)", ja=f"{place}: 行がありません (空のファイル)",
            file=file, sheet=sheet,
        )
    if not found:
        raise ImportFileError(
            f"{place}: no rows (only a header)", ja=f"{place}: データ行がありません (見出しのみ)",
            file=file, sheet=sheet,
        )


# --- matching and writing -------------------------------------------------------------------

#: How many refusals a dry run lists (all are counted).
MAX_LISTED_ERRORS = 50


@dataclass
class _Prepared:
    """A validated row: its natural key, its table's columns and its links' targets."""

    row: _Row
    key: tuple[Any, ...]
    fields: dict[str, Any]
    links: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _table_of(model: type[SQLModel]) -> Table:
    """The table a SQLModel class maps (SQLModel does not declare `__table__` for mypy)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class _Link:
    """A link table filled from a list column; `in_key` links are part of the natural key.

    Only links to active targets count: a file never names an archived organization or
    staff member (an export leaves them out), so links to them are kept as they are. Tags
    are never archived.
    """

    table: Table
    owner: str
    target: str
    target_model: type[m.Tracked] | type[m.Tag]
    column: str
    in_key: bool

    def active_targets(self) -> Select[int | None]:
        """A subquery of the ids of the active targets."""
        model = self.target_model
        if not issubclass(model, m.Tracked):
            return select(col(model.id))
        return select(col(model.id)).where(col(model.archived_at).is_(None))


def _tag_link(entity: entities.Entity) -> _Link:
    """The link filled from an entity's `tags` column (a file without it leaves tags alone)."""
    link = entity.link("tags")
    return _Link(_table_of(link.table), link.owner, link.target, m.Tag, "tags", in_key=False)


class _Run:
    """One import: the session, what is resolved once, the pending batch and the counts."""

    def __init__(
        self,
        session: Session,
        ctx: Context,
        *,
        dry_run: bool,
        create_missing: str | None,
    ) -> None:
        self.session = session
        self.ctx = ctx
        self.connection = session.connection()
        self.dry_run = dry_run
        self.create_missing = create_missing
        now = ctx.now()
        self.changed_stamp = {"updated_at": now, "updated_by": ctx.user}
        self.new_stamp = {"created_at": now, "created_by": ctx.user, **self.changed_stamp}
        self.present: frozenset[str] = frozenset()
        self.seen: dict[tuple[Any, ...], int] = {}
        self.new: list[_Prepared] = []
        self.matched: list[tuple[int, _Prepared]] = []
        self.changed: list[tuple[int, _Prepared]] = []
        # What the file names that does not exist yet, by placeholder id (negative): created
        # by `create_named` when the import writes.
        self.new_organizations: dict[int, tuple[str, _Row, str]] = {}
        self.new_staff: dict[int, tuple[str, _Row]] = {}
        self.new_tags: dict[int, str] = {}
        self.read = self.added = self.updated = self.unchanged = self.refused = 0
        self.created_organizations = 0
        self.errors: list[ImportFileError] = []
        self._organization_keys: dict[str, int] | None = None
        self._organizations_by_name: dict[str, int] = {}
        self._staff: dict[str, tuple[int, bool]] | None = None
        self._kpis: dict[tuple[str | None, str], m.Kpi] = {}
        self._kpi_codes_by_name: dict[str, str] | None = None
        self._days: dict[str, date] = {}
        self._tags: dict[str, int] | None = None

    def bind(self, session: Session) -> None:
        """Use `session` from now on (the import is written in another one than it was read)."""
        self.session = session
        self.connection = session.connection()

    def _placeholder(self) -> int:
        return -1 - len(self.new_organizations) - len(self.new_staff) - len(self.new_tags)

    # --- what rows name -------------------------------------------------------------------

    def day(self, row: _Row, column: str) -> date | None:
        """`row.day(column)`, remembered: the same dates recur in a file."""
        raw = row.value(column)
        found = self._days.get(raw)
        if found is None:
            found = row.day(column)
            if found is not None:
                self._days[raw] = found
        return found

    def organization_ids(self, row: _Row, column: str) -> list[int]:
        """The ids of the active organizations a list cell names (created if allowed)."""
        ids = []
        for name in row.names(column):
            found = self._organizations_by_name.get(name)
            if found is None:
                found = self._organization(row, column, name)
                self._organizations_by_name[name] = found
            ids.append(found)
        return ids

    def _organization(self, row: _Row, column: str, name: str) -> int:
        if self._organization_keys is None:
            active = select(col(m.Organization.normalized_name), col(m.Organization.id)).where(
                col(m.Organization.archived_at).is_(None)
            )
            # Ids read back are never None (SQLModel types them Optional for new objects).
            self._organization_keys = cast(
                dict[str, int], dict(self.connection.execute(active).all())
            )
        try:
            key = normalize_name(name)
        except ValueError:
            key = ""
        found = self._organization_keys.get(key)
        if found is not None:
            return found
        if self.create_missing is None:
            raise row.error(
                column,
                f"unknown organization {name!r} (import it under organizations first, or"
                " use --create-missing --kind K)",
                ja=f"団体 {name!r} が登録されていません (先に団体を取り込むか、"
                "--create-missing --kind で作成してください)",
            )
        fields = services.organization_fields(name=name, kind=self.create_missing)
        placeholder = self._placeholder()
        self.new_organizations[placeholder] = (name, row, column)
        self._organization_keys[fields["normalized_name"]] = placeholder
        self.created_organizations += 1
        return placeholder

    def staff_ids(self, row: _Row) -> list[int]:
        """The ids of the staff a row names; a name not yet known is added as new staff."""
        if self._staff is None:
            self._staff = {
                name: (cast(int, staff_id), archived is not None)  # an id read back: not None
                for staff_id, name, archived in self.connection.execute(
                    select(col(m.Staff.id), col(m.Staff.name), col(m.Staff.archived_at))
                )
            }
        ids = []
        for name in row.names("staff"):
            found = self._staff.get(name)
            if found is None:
                services.staff_fields(name=name)
                placeholder = self._placeholder()
                self.new_staff[placeholder] = (name, row)
                found = self._staff[name] = (placeholder, False)
            if found[1]:
                raise row.error("staff", f"staff {name!r} is archived",
                                ja=f"職員 {name} は保管済みです")
            ids.append(found[0])
        return list(dict.fromkeys(ids))

    def tag_ids(self, row: _Row) -> tuple[int, ...]:
        """The ids of the tags a row names, sorted; a tag not yet known gets a placeholder."""
        if "tags" not in self.present:
            return ()
        try:
            names = tags.clean_tags(row.names("tags"))
        except DataError as exc:
            raise row.error("tags", exc.message, ja=exc.ja) from None
        if self._tags is None:
            known = self.connection.execute(select(col(m.Tag.name), col(m.Tag.id)))
            self._tags = cast(dict[str, int], dict(known.all()))  # ids read back: not None
        for name in names:
            if name not in self._tags:
                placeholder = self._placeholder()
                self.new_tags[placeholder] = name
                self._tags[name] = placeholder
        return tuple(sorted({self._tags[name] for name in names}))

    def kpi(self, row: _Row) -> m.Kpi:
        """The active KPI a row names by code or, failing that, by its Japanese or English
        name, in the plan its `plan` cell names (needed where the KPI is in several plans)."""
        written, plan = row.value("kpi"), row.text("plan")
        found = self._kpis.get((plan, written))
        if found is not None:
            return found
        try:
            found = services.kpi_by_code(self.session, written, plan)
        except NotFoundError as exc:
            if exc.field == "plan":
                raise
            if self._kpi_codes_by_name is None:
                active = self.connection.execute(
                    select(col(m.Kpi.code), col(m.Kpi.name_ja), col(m.Kpi.name_en))
                    .where(col(m.Kpi.archived_at).is_(None))
                )
                self._kpi_codes_by_name = {
                    _fold(name): code for code, *names in active for name in names
                }
            code = self._kpi_codes_by_name.get(_fold(written))
            if code is None:
                raise
            found = services.kpi_by_code(self.session, code, plan)
        self._kpis[(plan, written)] = found
        return found

    # --- one row, then the writes ---------------------------------------------------------

    def process(self, importer: _Importer, row: _Row) -> None:
        """Validate and match a row, queueing it for the writes; a refusal is raised (or, in a
        dry run, counted and listed)."""
        self.read += 1
        try:
            prepared = importer.prepare(row)
            first = self.seen.get(prepared.key)
            if first is not None:
                raise importer.key.duplicate(row, first)
            self.seen[prepared.key] = row.number
            target = importer.match(prepared)
        except ImportFileError as exc:
            self._refuse(exc)
            return
        except DataError as exc:
            self._refuse(row.service_error(exc))
            return
        if target is None:
            self.new.append(prepared)
        else:
            self.matched.append((target, prepared))

    def _refuse(self, error: ImportFileError) -> None:
        if not self.dry_run:
            raise error
        self.refused += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)

    def compare(self, importer: _Importer) -> None:
        """Sort the matched rows into changed and unchanged ones (reads only)."""
        for start in range(0, len(self.matched), BATCH_SIZE):
            batch = self.matched[start:start + BATCH_SIZE]
            for same, entry in zip(self._same(importer, batch), batch, strict=True):
                if same:
                    self.unchanged += 1
                else:
                    self.changed.append(entry)

    def _same(self, importer: _Importer, batch: list[tuple[int, _Prepared]]) -> list[bool]:
        """Whether each matched row leaves its record as it is (fields and links in the file)."""
        table = importer.table
        compared = importer.compared(self.present)
        links = importer.updated_links(self.present)
        ids = [record_id for record_id, _ in batch]
        current = {
            row[0]: tuple(row[1:])
            for row in self.connection.execute(
                select(table.c.id, *(table.c[f] for f in compared)).where(table.c.id.in_(ids))
            )
        }
        linked: dict[tuple[str, int], list[int]] = {}
        for link in links:
            owner = link.table.c[link.owner]
            target_column = link.table.c[link.target]
            for record_id, target in self.connection.execute(
                select(owner, target_column).where(
                    owner.in_(ids), target_column.in_(link.active_targets())
                )
            ):
                linked.setdefault((link.column, record_id), []).append(target)
        return [
            current[record_id] == tuple(prepared.fields[f] for f in compared) and all(
                sorted(linked.get((link.column, record_id), []))
                == sorted(prepared.links.get(link.column, ()))
                for link in links
            )
            for record_id, prepared in batch
        ]

    def create_named(self) -> None:
        """Create the organizations, staff and tags the file names that did not exist, and
        put their ids in place of the placeholders."""
        ids: dict[int, int] = {}
        for placeholder, (name, row, _column) in self.new_organizations.items():
            assert self.create_missing is not None  # placeholders are only made then
            try:
                organization = services.create_organization(
                    self.session, self.ctx, name=name, kind=self.create_missing
                )
            except DataError as exc:
                raise row.service_error(exc) from exc
            ids[placeholder] = cast(int, organization.id)  # flushed: has an id
        for placeholder, (name, row) in self.new_staff.items():
            try:
                staff = services.create_staff(self.session, self.ctx, name=name)
            except DataError as exc:
                raise row.service_error(exc) from exc
            ids[placeholder] = cast(int, staff.id)
        names = list(self.new_tags.values())
        ids.update(zip(self.new_tags, tags.tag_ids(self.session, names), strict=True))
        if not ids:
            return
        for prepared in [*self.new, *(p for _, p in self.changed)]:
            if prepared.fields.get("organization_id", 0) in ids:
                prepared.fields["organization_id"] = ids[prepared.fields["organization_id"]]
            prepared.links = {
                column: tuple(ids.get(target, target) for target in targets)
                for column, targets in prepared.links.items()
            }

    def write(self, importer: _Importer) -> None:
        """Insert the new records and update the changed ones, in batches."""
        for start in range(0, len(self.new), BATCH_SIZE):
            batch = self.new[start:start + BATCH_SIZE]
            with self._refused_by_database(batch):
                ids = self._insert(importer, batch)
                if importer.model is m.Agreement:
                    record_changes(self.connection, self.ctx, ids)
        for start in range(0, len(self.changed), BATCH_SIZE):
            changed = self.changed[start:start + BATCH_SIZE]
            with self._refused_by_database([prepared for _, prepared in changed]):
                self._update(importer, changed)
        if importer.model is m.Agreement:
            matched = [record_id for record_id, _ in self.matched]
            for start in range(0, len(matched), BATCH_SIZE):
                record_changes(self.connection, self.ctx, matched[start:start + BATCH_SIZE])

    @contextmanager
    def _refused_by_database(self, batch: list[_Prepared]) -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            first, last = batch[0].row, batch[-1].row
            raise ImportFileError(
                f"{first.file}: rows {first.number}–{last.number}: refused by the database"
                f" ({exc.orig})",
                ja=f"{first.file}: {first.number}–{last.number}行目: データベースが受け付けません"
                f" ({exc.orig})",
                file=first.file, sheet=first.sheet, row=first.number,
            ) from exc

    def _insert(self, importer: _Importer, batch: list[_Prepared]) -> list[int]:
        """Insert `batch`; the new records' ids, in its order."""
        table = importer.table
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = self.connection.execute(
            statement, [prepared.fields | self.new_stamp for prepared in batch]
        ).scalars().all()
        for link in importer.links:
            rows = [
                {link.owner: record_id, link.target: target}
                for record_id, prepared in zip(ids, batch, strict=True)
                for target in prepared.links.get(link.column, ())
            ]
            if rows:
                self.connection.execute(insert(link.table), rows)
        self.added += len(batch)
        return list(ids)

    def _update(self, importer: _Importer, changed: list[tuple[int, _Prepared]]) -> None:
        table = importer.table
        compared = importer.compared(self.present)
        self.connection.execute(
            update(table).where(table.c.id == bindparam("record_id"))
            .values(version=table.c.version + 1),
            [
                {"record_id": record_id, **{f: prepared.fields[f] for f in compared},
                 **self.changed_stamp}
                for record_id, prepared in changed
            ],
        )
        changed_ids = [record_id for record_id, _ in changed]
        for link in importer.updated_links(self.present):
            self.connection.execute(
                delete(link.table).where(
                    link.table.c[link.owner].in_(changed_ids),
                    link.table.c[link.target].in_(link.active_targets()),
                )
            )
            rows = [
                {link.owner: record_id, link.target: target}
                for record_id, prepared in changed
                for target in prepared.links.get(link.column, ())
            ]
            if rows:
                self.connection.execute(insert(link.table), rows)
        self.updated += len(changed)


# --- the entities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _NaturalKey:
    """What tells an entity's records apart: table columns (the targets of the `in_key` links
    follow them), and how a second row with the same key is refused, at `column`."""

    fields: tuple[str, ...]
    column: str
    noun: str
    noun_ja: str
    hint: str
    hint_ja: str
    #: Of active records sharing a key, the one a row updates: the newest, or the oldest.
    newest_wins: bool = False

    def duplicate(self, row: _Row, first: int) -> ImportFileError:
        """The error for `row`, whose key is that of row `first` of the file."""
        return row.error(
            self.column, f"the same {self.noun} as row {first} ({self.hint})",
            ja=f"{first}行目と同じ{self.noun_ja}です ({self.hint_ja})",
        )


class _Importer:
    """How one entity's rows are validated, keyed and matched to the records already there."""

    model: type[m.Tracked]
    key: _NaturalKey
    #: table column -> the file column it comes from (compared and updated if in the file)
    sources: dict[str, str]
    links: tuple[_Link, ...] = ()

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.table = _table_of(self.model)
        self.index = self.existing()

    def existing(self) -> dict[tuple[Any, ...], int]:
        """The natural key of every active record -> its id."""
        table = self.table
        grouped = [self._grouped(link) for link in self.links if link.in_key]
        index: dict[tuple[Any, ...], int] = {}
        for record_id, *key in self.run.connection.execute(
            select(table.c.id, *(table.c[name] for name in self.key.fields))
            .where(table.c.archived_at.is_(None))
            .order_by(table.c.id if self.key.newest_wins else table.c.id.desc())
        ):
            index[(*key, *(targets.get(record_id, ()) for targets in grouped))] = record_id
        return index

    def prepare(self, row: _Row) -> _Prepared:
        """The row validated by the service API's rules; DataError if it breaks one."""
        raise NotImplementedError

    def compared(self, present: frozenset[str]) -> list[str]:
        """The table columns a file with the columns `present` compares and updates."""
        return [f for f, column in self.sources.items() if column in present]

    def updated_links(self, present: frozenset[str]) -> list[_Link]:
        """The links a file with the columns `present` replaces on a changed record."""
        return [link for link in self.links if not link.in_key and link.column in present]

    def match(self, prepared: _Prepared) -> int | None:
        """The id of the record the row updates, None for a new one."""
        return self.index.get(prepared.key)

    def _grouped(self, link: _Link) -> dict[int, tuple[int, ...]]:
        """The active link targets of every active record, sorted."""
        parents = self.table
        owner, target = link.table.c[link.owner], link.table.c[link.target]
        targets: dict[int, list[int]] = {}
        for owner_id, target_id in self.run.connection.execute(
            select(owner, target).join(parents, parents.c.id == owner).where(
                parents.c.archived_at.is_(None), target.in_(link.active_targets())
            )
        ):
            targets.setdefault(owner_id, []).append(target_id)
        return {owner_id: tuple(sorted(ids)) for owner_id, ids in targets.items()}


class _Organizations(_Importer):
    model = m.Organization
    # Names are unique among active organizations: newest_wins does not matter.
    key = _NaturalKey(("normalized_name",), "name", "organization", "団体",
                      "the names match after normalization", "正規化すると同じ名前",
                      newest_wins=True)
    sources = {
        "name": "name", "normalized_name": "name", "kind": "kind", "kana": "kana",
        "kana_sort_key": "kana", "corporate_number": "corporate_number", "address": "address",
        "website": "website", "notes": "notes",
    }

    def existing(self) -> dict[tuple[Any, ...], int]:
        self.numbers_seen: dict[str, int] = {}
        table = self.table
        self.by_number: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for record_id, number, name in self.run.connection.execute(
            select(table.c.id, table.c.corporate_number, table.c.name)
            .where(table.c.archived_at.is_(None))
        ):
            self.names[record_id] = name
            if number:
                self.by_number[number] = record_id
        return super().existing()

    def prepare(self, row: _Row) -> _Prepared:
        fields = services.organization_fields(
            name=row.value("name"), kind=row.code("kind", ORGANIZATION_KINDS),
            kana=row.text("kana"), corporate_number=row.text("corporate_number"),
            address=row.text("address"), website=row.text("website"), notes=row.text("notes"),
        )
        number = fields["corporate_number"]
        if number:
            first = self.numbers_seen.setdefault(number, row.number)
            if first != row.number:
                raise row.error("corporate_number",
                                f"the same corporate number as row {first}",
                                ja=f"{first}行目と同じ法人番号です")
        return _Prepared(row, (fields["normalized_name"],), fields)

    def match(self, prepared: _Prepared) -> int | None:
        by_name = self.index.get(prepared.key)
        number = prepared.fields["corporate_number"]
        by_number = self.by_number.get(number) if number else None
        if by_name is not None and by_number is not None and by_name != by_number:
            raise prepared.row.error(
                "corporate_number",
                f"corporate number {number} belongs to another organization (id {by_number})",
                ja=f"法人番号 {number} は別の団体 (id {by_number}) のものです",
            )
        if by_name is not None:
            # Same name once legal form, width and spaces are folded: the file spells the
            # organization another way ((株) for 株式会社…). Its official name stays.
            prepared.fields["name"] = self.names[by_name]
            return by_name
        return by_number


class _Contacts(_Importer):
    model = m.Contact
    key = _NaturalKey(("organization_id", "name"), "name", "contact", "連絡先",
                      "same organization and name", "団体と氏名が同じ", newest_wins=True)
    sources = {
        "organization_id": "organization", "name": "name", "kana": "kana",
        "department": "department", "title": "title", "email": "email", "phone": "phone",
        "notes": "notes",
    }

    def prepare(self, row: _Row) -> _Prepared:
        organizations = self.run.organization_ids(row, "organization")
        if len(organizations) != 1:
            raise row.error("organization", "a contact belongs to exactly one organization",
                            ja="連絡先の団体は1つだけです")
        fields = services.contact_fields(
            name=row.value("name"), kana=row.text("kana"), department=row.text("department"),
            title=row.text("title"), email=row.text("email"), phone=row.text("phone"),
            notes=row.text("notes"),
        )
        fields["organization_id"] = organizations[0]
        return _Prepared(row, (organizations[0], fields["name"]), fields)


class _Meetings(_Importer):
    model = m.Meeting
    key = _NaturalKey(("held_on", "title"), "title", "meeting", "意見交換",
                      "same date, title and organizations", "日付・件名・相手先が同じ")
    sources = {
        "held_on": "date", "title": "title", "summary": "summary",
        "next_action": "next_action", "follow_up_on": "follow_up_on",
    }
    links = (
        _Link(_table_of(m.MeetingOrganization), "meeting_id", "organization_id",
              m.Organization, "organizations", in_key=True),
        _Link(_table_of(m.MeetingStaff), "meeting_id", "staff_id", m.Staff, "staff",
              in_key=False),
        _tag_link(entities.MEETINGS),
    )

    def prepare(self, row: _Row) -> _Prepared:
        held_on = self.run.day(row, "date")
        assert held_on is not None  # a required column
        organizations = tuple(sorted(set(self.run.organization_ids(row, "organizations"))))
        staff = self.run.staff_ids(row) if "staff" in self.run.present else []
        fields = services.meeting_fields(
            held_on=held_on, title=row.value("title"), organization_ids=organizations,
            summary=row.text("summary"), next_action=row.text("next_action"),
            follow_up_on=self.run.day(row, "follow_up_on"),
        )
        return _Prepared(
            row, (held_on, fields["title"], organizations), fields,
            {"organizations": organizations, "staff": tuple(staff),
             "tags": self.run.tag_ids(row)},
        )


class _Agreements(_Importer):
    model = m.Agreement
    key = _NaturalKey(("title",), "title", "agreement", "協定", "same title and partners",
                      "協定名と相手先が同じ")
    sources = {
        "title": "title", "status": "status", "concluded_on": "concluded_on",
        "starts_on": "starts_on", "ends_on": "ends_on", "datasets": "datasets",
        "notes": "notes",
    }
    links = (
        _Link(_table_of(m.AgreementPartner), "agreement_id", "organization_id",
              m.Organization, "partners", in_key=True),
        _tag_link(entities.AGREEMENTS),
    )

    def prepare(self, row: _Row) -> _Prepared:
        status = row.code("status", AGREEMENT_STATUSES) if row.value("status") else "proposed"
        partners = tuple(sorted(set(self.run.organization_ids(row, "partners"))))
        fields = services.agreement_fields(
            title=row.value("title"), partner_ids=partners, status=status,
            concluded_on=self.run.day(row, "concluded_on"),
            starts_on=self.run.day(row, "starts_on"), ends_on=self.run.day(row, "ends_on"),
            datasets=row.text("datasets"), document_ref=None, notes=row.text("notes"),
        )
        del fields["document_ref"]  # not in the file: kept as it is
        return _Prepared(row, (fields["title"], partners), fields,
                         {"partners": partners, "tags": self.run.tag_ids(row)})


class _Events(_Importer):
    model = m.OutreachEvent
    key = _NaturalKey(("held_on", "kind", "title"), "title", "event", "周知広報",
                      "same date, kind and title", "日付・区分・件名が同じ")
    sources = {
        "held_on": "date", "kind": "kind", "title": "title", "venue": "venue",
        "municipality": "municipality", "attendees": "attendees", "notes": "notes",
    }
    links = (_tag_link(entities.EVENTS),)

    def prepare(self, row: _Row) -> _Prepared:
        held_on = self.run.day(row, "date")
        assert held_on is not None  # a required column
        fields = services.event_fields(
            held_on=held_on, kind=row.code("kind", EVENT_KINDS), title=row.value("title"),
            venue=row.text("venue"), municipality=row.text("municipality"),
            attendees=row.integer("attendees"), audience=None, notes=row.text("notes"),
        )
        del fields["audience"]  # not in the file: kept as it is
        return _Prepared(row, (held_on, fields["kind"], fields["title"]), fields,
                         {"tags": self.run.tag_ids(row)})


class _Measurements(_Importer):
    model = m.KpiMeasurement
    # Of two measurements on one day, the last entered counts (docs/schema.md).
    key = _NaturalKey(("kpi_id", "measured_on"), "date", "measurement", "測定値",
                      "same KPI and date", "指標と日付が同じ", newest_wins=True)
    sources = {"kpi_id": "kpi", "measured_on": "date", "value": "value", "note": "note",
               "source": "source"}

    def prepare(self, row: _Row) -> _Prepared:
        kpi = self.run.kpi(row)
        measured_on = self.run.day(row, "date")
        assert measured_on is not None  # a required column
        fields = services.measurement_fields(
            kpi, measured_on=measured_on, value=row.decimal("value"), note=row.text("note"),
            source=row.text("source"),
        )
        fields["entered_by"] = self.run.ctx.user
        return _Prepared(row, (fields["kpi_id"], measured_on), fields)


def unknown_choice(
    noun: str, name: str, choices: Iterable[str], *, ja: str, field: str
) -> DataError:
    """The error for a `name` that is none of `choices` (an entity, a dataset); `ja` is the
    Japanese sentence saying so, before the list of choices."""
    listed = ", ".join(choices)
    return DataError(f"unknown {noun} {name!r}; use one of: {listed}",
                     ja=f"{ja}。次のいずれか: {listed}", field=field)


_IMPORTERS: dict[str, type[_Importer]] = {
    "organizations": _Organizations,
    "contacts": _Contacts,
    "meetings": _Meetings,
    "agreements": _Agreements,
    "events": _Events,
    "measurements": _Measurements,
}


def _last_change(session: Session) -> int | None:
    """The id of the newest audit row: every change to the records writes one (docs/schema.md),
    so while it stays the same, nothing a read import relies on has changed."""
    return session.execute(select(func.max(col(m.AuditLog.id)))).scalar()


@dataclass
class ImportPlan:
    """A file read, validated and matched, not written yet (`read_import`)."""

    entity: str
    path: Path
    dry_run: bool
    _run: _Run
    _importer: _Importer
    _last_change: int | None

    def still_current(self, session: Session) -> bool:
        """Whether nothing was changed in the database since the file was read."""
        return _last_change(session) == self._last_change

    def write(self, session: Session) -> ImportResult:
        """Create what the file names that is missing, then insert and update its records, in
        the caller's transaction (never committed; a dry run's writes are rolled back, and so
        is everything on error)."""
        run = self._run
        savepoint = session.begin_nested()
        try:
            # The connection is taken inside the savepoint, so every write is undone with it.
            run.bind(session)
            run.create_named()
            run.write(self._importer)
        except BaseException:
            savepoint.rollback()
            raise
        if self.dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        return ImportResult(
            entity=self.entity, path=self.path, added=run.added, updated=run.updated,
            unchanged=run.unchanged, refused=run.refused, errors=tuple(run.errors),
            created_organizations=run.created_organizations, dry_run=self.dry_run,
        )


def read_import(
    session: Session,
    ctx: Context,
    entity: str,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    create_missing: str | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_XLSX_BYTES,
    max_cells: int = MAX_XLSX_CELLS,
) -> ImportPlan:
    """Read, validate and match every row of a CSV or .xlsx file as records of `entity`, with
    reads only (no write lock is taken); `ImportPlan.write` writes them.

    `create_missing` is the organization kind for organizations a row names that do not
    exist (refused otherwise). The first bad row raises ImportFileError (an unknown entity or
    option: DataError); a dry run counts refused rows instead.
    """
    importer_class = _IMPORTERS.get(entity)
    if importer_class is None:
        raise unknown_choice("entity", entity, ENTITIES, ja=f"{entity!r} は取り込めません",
                             field="entity")
    kind = ORGANIZATION_KINDS.parse(create_missing) if create_missing else None
    source = _open_source(path, sheet, max_bytes, max_cells)
    last_change = _last_change(session)
    run = _Run(session, ctx, dry_run=dry_run, create_missing=kind)
    importer = importer_class(run)
    for row in _rows(source, entity):
        if not run.present:
            run.present = frozenset(row.headers)
        run.process(importer, row)
        if progress is not None and run.read % BATCH_SIZE == 0:
            progress(run.read)
    run.compare(importer)
    if progress is not None:
        progress(run.read)
    return ImportPlan(entity, path, dry_run, run, importer, last_change)


def import_file(
    session: Session,
    ctx: Context,
    entity: str,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    create_missing: str | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_XLSX_BYTES,
    max_cells: int = MAX_XLSX_CELLS,
) -> ImportResult:
    """Import every row of a CSV or .xlsx file as records of `entity`, or none of them, read
    and written in the caller's transaction (`read_import` then `ImportPlan.write`).

    Rows matching a record by natural key update it (or are skipped if nothing changed).
    Never commits; on error it raises ImportFileError (an unknown entity or option:
    DataError) with what the file did already rolled back. A dry run rolls back in any case
    and counts refused rows.
    """
    plan = read_import(
        session, ctx, entity, path, sheet=sheet, dry_run=dry_run,
        create_missing=create_missing, progress=progress, max_bytes=max_bytes,
        max_cells=max_cells,
    )
    return plan.write(session)
