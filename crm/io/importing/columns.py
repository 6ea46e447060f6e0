"""The columns of import and export files: which each entity has, the headers a file may
name them by, and how a list cell holds names."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from crm.records import entities

#: The entities a file can hold, in the order a full import must follow.
ENTITIES: tuple[str, ...] = tuple(e.name for e in entities.FILE_ENTITIES)

#: The column an export writes each record's id in: an import updates the record a row
#: names by id, whatever its natural key now says (a row without one is matched by key).
ID_COLUMN = "id"

#: The column an export writes each record's version in: an import refuses a row whose record
#: changed since (optimistic concurrency, crm.records.versions).
VERSION_COLUMN = "version"

#: The columns of each entity, in the order an export writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    e.name: (*e.columns, ID_COLUMN, VERSION_COLUMN) for e in entities.FILE_ENTITIES
}

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


def _fold(header: str) -> str:
    return unicodedata.normalize("NFKC", header).strip().casefold()


# Header aliases: a folded header -> the columns it may mean; the first one the entity has wins
# (名称 is an organization's name but a meeting's title).
_ALIASES: dict[str, tuple[str, ...]] = {
    _fold(alias): columns for alias, columns in entities.header_aliases().items()
} | {_fold("版"): (VERSION_COLUMN,)}

# Service DataError.field values that are named differently in a file.
_FIELD_COLUMNS = entities.error_columns()
