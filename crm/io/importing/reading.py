"""A file's rows: the CSV text or Excel sheet opened, its header matched to the entity's
columns, each data row's required cells checked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from crm.errors import DataError
from crm.io.importing.cells import _cell_text, _Row
from crm.io.importing.columns import _ALIASES, COLUMNS, REQUIRED, _fold
from crm.io.importing.csv_text import _records, read_csv_text
from crm.io.importing.errors import ImportFileError
from crm.io.importing.xlsx import _Source, _xlsx_source


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
