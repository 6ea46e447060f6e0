"""What a refused file or row says: where (file, sheet, row, column) and which value."""

from __future__ import annotations

from collections.abc import Iterable

from crm.errors import DataError


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


def unknown_choice(
    noun: str, name: str, choices: Iterable[str], *, ja: str, field: str
) -> DataError:
    """The error for a `name` that is none of `choices` (an entity, a dataset); `ja` is the
    Japanese sentence saying so, before the list of choices."""
    listed = ", ".join(choices)
    return DataError(f"unknown {noun} {name!r}; use one of: {listed}",
                     ja=f"{ja}。次のいずれか: {listed}", field=field)
