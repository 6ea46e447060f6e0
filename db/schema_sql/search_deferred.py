"""The text-search documents on PostgreSQL as migration 0016 keeps them: each record's
document written once per transaction, at commit.

Up to 0015 every trigger of 0011/0014 rewrote a record's document at once: an import wrote a
meeting's document for the meeting and again for each of its organization and staff rows,
and from 0015 each write also put ~130 one- and two-character windows into a GIN index
(an import of 10k meetings 2.1x as long). From 0016 those triggers only note the record's
id in `search_<table>_pending` (one row per record and transaction), and a deferred
constraint trigger on that table (`search_<table>_flush`) writes the documents of every
noted record in one statement at commit, leaving an unchanged document alone, then empties
the table. Deleting a record still deletes its document at once. SQLite is unchanged
(db/schema_sql/search_short.py): it has no deferred triggers, and its import never paid this.

This module is the SQL as migration 0016 installs it; a later change needs a new module.
"""

from __future__ import annotations

from db.schema_sql import search, search_unchanged
from db.schema_sql.search import Indexed


def pending(indexed: Indexed) -> str:
    """The name of the table noting the records of `indexed` whose documents are due."""
    return f"{indexed.index}_pending"


def flush(indexed: Indexed) -> str:
    """The name of the deferred trigger (and its function) writing the due documents."""
    return f"{indexed.index}_flush"


def pg_create_pending(indexed: Indexed) -> str:
    """CREATE TABLE of the pending table of `indexed`."""
    return f"CREATE TABLE {pending(indexed)} (id integer PRIMARY KEY)"


def _noted(indexed: Indexed, ids: str) -> str:
    return f"INSERT INTO {pending(indexed)} (id) {ids} ON CONFLICT DO NOTHING;"


def _flush_function(indexed: Indexed) -> str:
    # Fired once per noted row; the first firing writes them all and empties the table, so
    # the others find their own row gone (a primary-key probe) and return. The ids as an
    # array: the records are read through their primary key whatever the pending table's
    # statistics say (a join could scan every meeting for a single save).
    table = pending(indexed)
    return (
        f"CREATE FUNCTION {flush(indexed)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"  IF NOT EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) THEN\n"
        f"    RETURN NULL;\n"
        f"  END IF;\n"
        f"  INSERT INTO {indexed.index} (id, doc)"
        f" SELECT r.id, {search._document(indexed, 'postgresql')}"
        f" FROM {indexed.table} r WHERE r.id = ANY (ARRAY(SELECT id FROM {table}))"
        f" ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc"
        f" WHERE {indexed.index}.doc IS DISTINCT FROM EXCLUDED.doc;\n"
        f"  DELETE FROM {table};\n"
        f"  RETURN NULL;\nEND\n$$")


def pg_functions() -> dict[str, str]:
    """name -> CREATE FUNCTION of every search trigger function on PostgreSQL from 0016."""
    functions = search_unchanged.pg_functions()
    for indexed in search.INDEXED:
        for suffix, _table, _event, ids in search._sources(indexed):
            name = f"{indexed.index}_{suffix}"
            pg_ids = search._pg_ids(ids)
            functions[name] = functions[name].replace(
                search._refresh(indexed, "postgresql", pg_ids), _noted(indexed, pg_ids), 1)
        functions[flush(indexed)] = _flush_function(indexed)
    return functions


#: When the flush triggers fire: at commit, once per noted record.
PG_FLUSH_WHEN = "AFTER INSERT"
PG_FLUSH_DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"


def pg_create_flush_trigger(indexed: Indexed, schema: str | None = None) -> str:
    """CREATE CONSTRAINT TRIGGER of the flush of `indexed`, as pg_get_triggerdef prints it
    (with `schema`)."""
    table = f"{schema}.{pending(indexed)}" if schema else pending(indexed)
    return (f"CREATE CONSTRAINT TRIGGER {flush(indexed)} {PG_FLUSH_WHEN} ON {table}"
            f" {PG_FLUSH_DEFERRED} EXECUTE FUNCTION {flush(indexed)}()")
