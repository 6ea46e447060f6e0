"""Reading a CSV file: its encoding detected, its records with the line each starts on."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from crm.io.importing.errors import ImportFileError

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
