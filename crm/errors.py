"""Errors a user can cause and fix, as opposed to bugs.

The CLI prints them as one line and exits 1; the TUI shows them at the field they name.
"""

from __future__ import annotations


class CRMError(Exception):
    """Base of the errors the program reports to a user without a traceback: a message in
    English and (where given) Japanese."""

    def __init__(self, message: str, *, ja: str | None = None):
        super().__init__(message)
        self.message = message
        self.ja = ja or message

    def text(self, lang: str) -> str:
        """The message in `lang` ('ja' or 'en')."""
        return self.ja if lang == "ja" else self.message


class DataError(CRMError):
    """Bad or conflicting data: a message in English and Japanese, and the field it concerns."""

    def __init__(self, message: str, *, ja: str | None = None, field: str | None = None):
        super().__init__(message, ja=ja)
        self.field = field


class NotFoundError(DataError):
    """A record named by id or name does not exist (or is archived where that matters)."""


class ConflictError(DataError):
    """A save over a version of a record that someone else changed meanwhile (nothing was
    saved); `version` is the record's version now."""

    def __init__(self, message: str, *, ja: str, version: int):
        super().__init__(message, ja=ja, field="version")  # crm.records.versions.FIELD
        self.version = version


class ReadOnlyError(CRMError):
    """A write was attempted on a database opened read-only."""
