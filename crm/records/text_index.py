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

A list may instead walk the index of its order and probe each record in the set of matches
(`walk`): on SQLite the narrowing is then written `+id IN (…)`, so that the planner keeps the
order's index rather than looking the matches up by id and sorting them all. `candidates`
counts the index's matches among the newest records: the cheap estimate a list chooses
its way by. On SQLite `narrowest` looks each key up by its rarest trigrams rather than as a
phrase, whose cost is that of its commonest trigram.
"""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import Boolean, literal, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

#: Trigrams: a key shorter than this cannot use the index.
TRIGRAM = 3
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class Narrowed(ColumnElement[bool]):
    """`record_id` is one of the records of `index` whose document may contain a key."""

    inherit_cache = False
    _is_implicitly_boolean = True
    type = Boolean()

    def __init__(self, index: str, record_id: ColumnElement[Any], keys: tuple[str, ...],
                 walk: bool, match: str | None):
        self.index = index
        self.record_id = record_id
        self.keys = keys
        self.walk = walk
        self.fts_query = match


def narrowed(index: str, record_id: ColumnElement[Any], keys: tuple[str, ...], *,
             walk: bool = False, match: str | None = None) -> ColumnElement[bool]:
    """The records of `index` (a search table) whose document may contain one of `keys`
    (a superset of those that do: check the exact condition too). With `walk`, written for
    a query that walks its order's index and probes the matches; `match`: the FTS5 query
    `narrowest` chose for the keys (default: each key as a phrase)."""
    return Narrowed(index, record_id, keys, walk, match)


def indexed(keys: tuple[str, ...]) -> bool:
    """Whether the index can look up every one of `keys` (none shorter than a trigram)."""
    return all(len(key) >= TRIGRAM for key in keys)


def candidates(session: Session, index: str, keys: tuple[str, ...], after: int,
               match: str | None = None) -> int:
    """How many records of `index` with an id above `after` the index finds for `keys` (all
    of TRIGRAM or more characters; on SQLite through `match` if given): an index lookup
    over that range of ids only."""
    if session.get_bind().dialect.name == "sqlite":
        return _count_after(session, index, match or _phrases(keys), after)
    likes = " OR ".join(f"doc LIKE :k{i} ESCAPE '\\'" for i in range(len(keys)))
    # OFFSET 0 keeps the range a subquery: the planner would otherwise read the trigram
    # index's whole posting lists for a common key instead of these few documents.
    sql = (f"SELECT count(*) FROM (SELECT doc FROM {index} WHERE id > :after OFFSET 0) d"
           f" WHERE {likes}")
    params: dict[str, Any] = {f"k{i}": _like(key) for i, key in enumerate(keys)}
    return int(session.scalar(text(sql), {**params, "after": after}) or 0)


def narrowest(session: Session, index: str, keys: tuple[str, ...], after: int) -> str | None:
    """On SQLite, an FTS5 query finding every record whose document contains one of `keys`
    (all of TRIGRAM or more characters), each key looked up by its two trigrams rarest
    among the records with an id above `after`: a phrase costs as much as its commonest
    trigram (株式会社 is in most documents), and the exact check follows anyway. None on
    PostgreSQL, whose index weighs its trigrams itself."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    terms = []
    for key in _distinct(keys):
        grams = list(dict.fromkeys(key[i:i + TRIGRAM] for i in range(len(key) - TRIGRAM + 1)))
        if len(grams) <= 2:
            terms.append(_quoted(key))
            continue
        counts = {gram: _count_after(session, index, _quoted(gram), after) for gram in grams}
        rarest = sorted(grams, key=counts.__getitem__)[:2]
        terms.append("(" + " AND ".join(_quoted(gram) for gram in rarest) + ")")
    return " OR ".join(terms)


def _count_after(session: Session, index: str, match: str, after: int) -> int:
    sql = f"SELECT count(*) FROM {index} WHERE {index} MATCH :m AND rowid > :after"
    return int(session.scalar(text(sql), {"m": match, "after": after}) or 0)


def _quoted(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _distinct(keys: tuple[str, ...]) -> list[str]:
    # The trigram tokenizer folds case: keys that differ in ASCII case only are one.
    return list({key.translate(_ASCII_LOWER): key for key in keys}.values())


def _phrases(keys: tuple[str, ...]) -> str:
    return " OR ".join(_quoted(key) for key in _distinct(keys))


def _like(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _likes(compiler: SQLCompiler, keys: tuple[str, ...], **kw: Any) -> str:
    return " OR ".join(f"doc LIKE {compiler.process(literal(_like(key)), **kw)} ESCAPE '\\'"
                       for key in keys)


@compiles(Narrowed, "sqlite")
def _sqlite(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    if indexed(element.keys):
        match = compiler.process(literal(element.fts_query or _phrases(element.keys)), **kw)
        # `+`: not a lookup by id, so that a walk keeps its order's index.
        record_id = f"+{record_id}" if element.walk else record_id
        return (f"{record_id} IN (SELECT rowid FROM {element.index}"
                f" WHERE {element.index} MATCH {match})")
    return (f"{record_id} IN (SELECT rowid FROM {element.index}"
            f" WHERE {_likes(compiler, element.keys, **kw)})")


@compiles(Narrowed)
def _documents_like(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    return (f"{record_id} IN (SELECT id FROM {element.index}"
            f" WHERE {_likes(compiler, element.keys, **kw)})")
