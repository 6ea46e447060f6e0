"""Reading an Excel sheet, after the checks against zip and XML bombs."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException

from crm.io.importing.errors import ImportFileError

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
#: An .xlsx file whose parts unpack to more than this many times its size is refused.
_MAX_XLSX_RATIO = 100


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
