"""The text-search index of migration 0015: keys of one or two characters looked up too.

A trigram index serves keys of three characters or more. From 0015:

- SQLite: every occurrence of a 1-2 character key that two more characters follow starts a
  trigram of the FTS5 index, so an `fts5vocab` table of type `instance` over each search
  table (`search_<table>_terms`: term, doc, col, offset) read with a range of terms finds the
  documents holding the key from the index. For the occurrences at the very end of a
  document, every document now ends with TERMINATOR (two newlines): the search triggers of
  0014 are re-created with it and the existing documents rewritten.
- PostgreSQL: a GIN index `ix_search_<table>_grams` over `search_grams(doc)`, the
  one- and two-character windows of the document (an IMMUTABLE SQL function); a short key is
  one of them (`search_grams(doc) && ARRAY[…]`). The documents and triggers are 0014's.

This module is the SQL as migration 0015 installs it; a later change needs a new module.
"""

from __future__ import annotations

from db.schema_sql import search, search_unchanged
from db.schema_sql.search import Indexed

#: What ends every document on SQLite (two characters: a one-character key at the end of a
#: document then starts a trigram too).
TERMINATOR = "char(10) || char(10)"


# --- SQLite -----------------------------------------------------------------------------------


def terms(indexed: Indexed) -> str:
    """The name of the fts5vocab table listing every trigram occurrence of `indexed`."""
    return f"{indexed.index}_terms"


def sqlite_create_terms(indexed: Indexed) -> str:
    """CREATE VIRTUAL TABLE of the fts5vocab table of `indexed`'s search table."""
    return (f"CREATE VIRTUAL TABLE {terms(indexed)}"
            f" USING fts5vocab({indexed.index}, instance)")


def _terminated(statement: str) -> str:
    """A search trigger of 0014 writing each document with TERMINATOR at its end."""
    for indexed in search.INDEXED:
        document = search._document(indexed, "sqlite")
        statement = statement.replace(f"SELECT r.id, {document} FROM",
                                      f"SELECT r.id, {document} || {TERMINATOR} FROM")
    return statement


def sqlite_installed() -> dict[str, tuple[str, str]]:
    """name -> (table, CREATE TRIGGER) of every search trigger on SQLite from 0015."""
    return {name: (table, _terminated(statement))
            for name, (table, statement) in search_unchanged.sqlite_installed().items()}


def fill(indexed: Indexed, dialect: str) -> str:
    """Fill the empty search table of `indexed` with the documents of every record."""
    statement = search.fill(indexed, dialect)
    return _terminated(statement) if dialect == "sqlite" else statement


def sqlite_terminate(indexed: Indexed) -> str:
    """End every existing document of `indexed` with TERMINATOR."""
    return f"UPDATE {indexed.index} SET doc = doc || {TERMINATOR}"


def sqlite_unterminate(indexed: Indexed) -> str:
    """Take TERMINATOR off every document of `indexed` (the downgrade)."""
    return f"UPDATE {indexed.index} SET doc = substr(doc, 1, length(doc) - 2)"


# --- PostgreSQL -------------------------------------------------------------------------------

#: The function whose values the short-key index holds.
PG_GRAMS = "search_grams"

#: The characters, then each pair of neighbours (GIN drops the repeated ones itself; a
#: DISTINCT here, or substr at every position, made a write four times as costly).
PG_GRAMS_FUNCTION = f"""CREATE FUNCTION {PG_GRAMS}(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT c || ARRAY(SELECT c[i] || c[i + 1] FROM generate_series(1, cardinality(c) - 1) AS i)
  FROM string_to_array(doc, NULL) AS c
$$"""


def pg_grams_index(indexed: Indexed) -> str:
    """The name of the GIN index over the one- and two-character windows of `indexed`."""
    return f"ix_{indexed.index}_grams"


def pg_create_grams_index(indexed: Indexed) -> str:
    """CREATE INDEX of the short-key index of `indexed`'s search table."""
    return (f"CREATE INDEX {pg_grams_index(indexed)} ON {indexed.index}"
            f" USING gin ({PG_GRAMS}(doc))")
