"""What the read-only queries take: a plain SQLAlchemy connection (the command line's quick
path, without the ORM or the table models) or an ORM session (the TUI, reports, writes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import Date, Integer, TextualSelect, bindparam, text

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

#: Either; both run `text()` and Core statements with `execute` and `scalars`.
Reader: TypeAlias = "Connection | Session"


def by_ids(sql: str, **dates: type[Date]) -> TextualSelect:
    """`sql` with its `:ids` list of integers expanded (an empty list matches nothing; typed,
    as PostgreSQL checks an empty list's type), the columns named in `dates` read as dates."""
    return text(sql).bindparams(bindparam("ids", expanding=True, type_=Integer)).columns(**dates)
