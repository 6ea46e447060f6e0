"""Narrowing a list's free-text search with the trigram index (migration 0011).

Each indexed record has a search document in `search_<table>` holding its searched columns
and linked names (db/schema_sql/search.py). `narrowed` selects the records whose document
may contain one of the search keys; the list then checks the exact conditions on those few
rows only, so the results are those of the plain LIKE search, found without a table scan.

SQLite (FTS5, trigram tokenizer): keys of three or more characters are a MATCH of quoted
phrases, an index lookup; a shorter key (神戸, ドロ) is a range of the index's terms read from
its fts5vocab table (`search_<table>_terms`, migration 0015: every trigram that starts with
the key, each document ending with two newlines), unless the key holds a cased character
other than ASCII (the tokenizer folds it, LIKE does not): then the documents are scanned with
LIKE, one narrow table instead of the records and their links. PostgreSQL: LIKE on the
document, which the pg_trgm GIN index serves for three or more characters; a shorter key is
one of the document's one- and two-character windows (`search_grams(doc)`, its own GIN
index, migration 0015).

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
#: PostgreSQL's function of a document's one- and two-character windows, which a GIN index
#: holds (db/schema_sql/search_short.py, migration 0015; crm/ does not import db/).
GRAMS = "search_grams"
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


def indexed(keys: tuple[str, ...], dialect: str) -> bool:
    """Whether the index of `dialect` can look up every one of `keys`: three characters or
    more always; a shorter key on PostgreSQL always, on SQLite unless it holds a cased
    character other than ASCII (see `_foldable`)."""
    return all(len(key) >= TRIGRAM or dialect != "sqlite" or _foldable(key) for key in keys)


def _trigrams(keys: tuple[str, ...]) -> bool:
    return all(len(key) >= TRIGRAM for key in keys)


def _foldable(key: str) -> bool:
    # The trigram tokenizer folds case by Unicode, LIKE by ASCII only: the index's terms are
    # a superset of LIKE's matches only for keys without another cased character.
    return all(ch.isascii() or ch.lower() == ch == ch.upper() for ch in key)


def candidates(session: Session, index: str, keys: tuple[str, ...], after: int,
               match: str | None = None) -> int:
    """How many records of `index` with an id above `after` may hold one of `keys` (on
    SQLite through `match` if given): the index's matches for keys of TRIGRAM or more
    characters on SQLite, else the documents of that range of ids read with LIKE."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite and _trigrams(keys):
        return _count_after(session, index, match or _phrases(keys), after)
    likes = " OR ".join(f"doc LIKE :k{i} ESCAPE '\\'" for i in range(len(keys)))
    params: dict[str, Any] = {f"k{i}": _like(key) for i, key in enumerate(keys)}
    if sqlite:
        sql = f"SELECT count(*) FROM {index} WHERE rowid > :after AND ({likes})"
    else:
        # OFFSET 0 keeps the range a subquery: the planner would otherwise read the trigram
        # index's whole posting lists for a common key instead of these few documents.
        sql = (f"SELECT count(*) FROM (SELECT doc FROM {index} WHERE id > :after OFFSET 0) d"
               f" WHERE {likes}")
    return int(session.scalar(text(sql), {**params, "after": after}) or 0)


def narrowest(session: Session, index: str, keys: tuple[str, ...], after: int) -> str | None:
    """On SQLite, an FTS5 query finding every record whose document contains one of `keys`
    (if all are of TRIGRAM or more characters, else None), each key looked up by its two
    trigrams rarest among the records with an id above `after`: a phrase costs as much as
    its commonest trigram (株式会社 is in most documents), and the exact check follows
    anyway. None on PostgreSQL, whose index weighs its trigrams itself."""
    if session.get_bind().dialect.name != "sqlite" or not _trigrams(keys):
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


def _term_range(key: str) -> tuple[str, str] | None:
    """The range of the index's terms (trigrams) that start with `key` as the tokenizer
    folds it: [key, the key with its last character the next one); None past Unicode."""
    folded = key.translate(_ASCII_LOWER)
    last = ord(folded[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are no characters: the next one is U+E000
        last = 0xE000
    return None if last > 0x10FFFF else (folded, folded[:-1] + chr(last))


@compiles(Narrowed, "sqlite")
def _sqlite(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    keys, index = element.keys, element.index
    long = tuple(key for key in keys if len(key) >= TRIGRAM)
    ranges = [_term_range(key) for key in _distinct(keys) if len(key) < TRIGRAM]
    if not indexed(keys, "sqlite") or None in ranges:
        return (f"{record_id} IN (SELECT rowid FROM {index}"
                f" WHERE {_likes(compiler, keys, **kw)})")
    selects = [f"SELECT doc FROM {index}_terms WHERE term >= {compiler.process(literal(low), **kw)}"
               f" AND term < {compiler.process(literal(high), **kw)}"
               for low, high in filter(None, ranges)]
    if long:
        match = compiler.process(literal(element.fts_query or _phrases(long)), **kw)
        selects.append(f"SELECT rowid FROM {index} WHERE {index} MATCH {match}")
    # `+`: not a lookup by id, so that a walk keeps its order's index.
    record_id = f"+{record_id}" if element.walk else record_id
    return f"{record_id} IN ({' UNION ALL '.join(selects)})"


@compiles(Narrowed)
def _postgresql(element: Narrowed, compiler: SQLCompiler, **kw: Any) -> str:
    record_id = compiler.process(element.record_id, **kw)
    long = tuple(key for key in element.keys if len(key) >= TRIGRAM)
    short = [key for key in element.keys if len(key) < TRIGRAM]
    found = [_likes(compiler, long, **kw)] if long else []
    if short:
        grams = ", ".join(compiler.process(literal(key), **kw) for key in short)
        found.append(f"{GRAMS}(doc) && ARRAY[{grams}]::text[]")
    return f"{record_id} IN (SELECT id FROM {element.index} WHERE {' OR '.join(found)})"
