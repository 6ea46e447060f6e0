"""What the read-only queries take: a plain SQLAlchemy connection (the command line's quick
path, without the ORM or the table models) or an ORM session (the TUI, reports, writes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

#: Either; both run `text()` and Core statements with `execute` and `scalars`.
Reader: TypeAlias = "Connection | Session"
