"""Narrowing a list's free-text search with the trigram index (migration 0011).

Each indexed record has a search document in `search_<table>` holding its searched columns
and linked names (db/schema_sql/search.py). `narrowed` selects the records whose document
may contain one of the search keys; the list then checks the exact conditions on those few
rows only, so the results are those of the plain LIKE search, found without a table scan.

SQLite (FTS5, trigram tokenizer): keys of three or more characters are a MATCH of quoted
phrases, an index lookup; a shorter key (神戸, ドロ: trigrams need three) scans the
documents with LIKE, one narrow table instead of the records and their links. PostgreSQL
(pg_trgm GIN index): LIKE on the document, which the index serves for three or more
characters and the planner scans otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

#: Trigrams: a key shorter than this cannot use the index.
TRIGRAM = 3


class Narrowed(ColumnElement[bool]):
    """`record_id` is one of the records of `index` whose document may contain a key."""

    inherit_cache = False
    _is_implicitly_boolean = True
    type = Boolean()

    def __init__(self, index: str, record_id: ColumnElement[Any], keys: tuple[str, ...]):
        self.index = index
        self.record_id = record_id
        self.keys = keys


def narrowed(index: str, record_id: ColumnElement[Any], keys: tuple[str, ...]
             ) -> ColumnElement[bool]:
    """The records of `index` (a search table) whose document may contain one of `keys`
    (a superset of those that do: check the exact condition too)."""
    return Narrowed(index, record_id, keys)


def _like(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _likes(compiler: SQLCompiler, keys: tuple[str, ...], **kw: Any) -> str:
    return " OR ".join(f"doc LIKE {compiler.process(literal(_like(key)), **kw)} ESCAPE '\\'"
                       for key in keys)


@compiles(Narrowed, "sqlite")
def _sqlite(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    if all(len(key) >= TRIGRAM for key in element.keys):
        phrases = " OR ".join('"' + key.replace('"', '""') + '"' for key in element.keys)
        match = compiler.process(literal(phrases), **kw)
        return (f"{record_id} IN (SELECT rowid FROM {element.index}"
                f" WHERE {element.index} MATCH {match})")
    return (f"{record_id} IN (SELECT rowid FROM {element.index}"
            f" WHERE {_likes(compiler, element.keys, **kw)})")


@compiles(Narrowed)
def _documents_like(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    return (f"{record_id} IN (SELECT id FROM {element.index}"
            f" WHERE {_likes(compiler, element.keys, **kw)})")
