"""The text-search index of migration 0011: one search document per meeting, agreement and
outreach event, kept in step by triggers.

A record's document is its searched columns and the names (normalized names, kana) of the
organizations and staff linked to it, one per line; the lists search it to narrow their
rows before checking the exact conditions (crm.records.text_index). On SQLite it is an FTS5
table with the trigram tokenizer (`search_<table>`: rowid = the record's id, column `doc`);
on PostgreSQL a table `search_<table>(id, doc)` with a pg_trgm GIN index on `doc`. Neither
is audited nor part of the models: it is derived data, built from the records by
`fill` (the migration does so for existing rows).

This module is the SQL as migration 0011 installs it; a later change needs a new module.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Tables whose name starts with this hold the text-search index (and FTS5's shadow tables).
PREFIX = "search_"


@dataclass(frozen=True)
class Linked:
    """Names of the records a link table ties to the indexed record."""

    link_table: str
    owner: str
    target: str
    target_table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Indexed:
    """A table with a search document: its own searched columns and its linked names."""

    table: str
    columns: tuple[str, ...]
    links: tuple[Linked, ...]

    @property
    def index(self) -> str:
        """The search table's name."""
        return f"{PREFIX}{self.table}"


_ORGANIZATION = ("name", "normalized_name", "kana_sort_key")
_STAFF = ("name", "kana")

INDEXED = (
    Indexed("meeting", ("title", "summary"), (
        Linked("meeting_organization", "meeting_id", "organization_id", "organization",
               _ORGANIZATION),
        Linked("meeting_staff", "meeting_id", "staff_id", "staff", _STAFF),
    )),
    Indexed("agreement", ("title", "datasets", "notes"), (
        Linked("agreement_partner", "agreement_id", "organization_id", "organization",
               _ORGANIZATION),
    )),
    Indexed("outreach_event", ("title", "venue", "municipality"), (
        Linked("outreach_event_staff", "outreach_event_id", "staff_id", "staff", _STAFF),
    )),
)


def is_search_table(name: str) -> bool:
    """Whether the table `name` belongs to the text-search index."""
    return name.startswith(PREFIX)


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Alembic's filter: everything but the search tables, which are not in the models."""
    return not (type_ == "table" and name is not None and is_search_table(name))


# --- the document -----------------------------------------------------------------------------


def _joined(columns: tuple[str, ...], alias: str, newline: str) -> str:
    return f" || {newline} || ".join(f"coalesce({alias}.{c}, '')" for c in columns)


def _document(indexed: Indexed, dialect: str) -> str:
    """SQL for the document of the row `r` of `indexed.table`."""
    newline = "char(10)" if dialect == "sqlite" else "chr(10)"
    parts = [_joined(indexed.columns, "r", newline)]
    for linked in indexed.links:
        names = _joined(linked.columns, "t", newline)
        aggregate = (f"group_concat({names}, {newline})" if dialect == "sqlite"
                     else f"string_agg({names}, {newline})")
        parts.append(
            f"coalesce((SELECT {aggregate} FROM {linked.link_table} l"
            f" JOIN {linked.target_table} t ON t.id = l.{linked.target}"
            f" WHERE l.{linked.owner} = r.id), '')")
    return f" || {newline} || ".join(parts)


def _key(indexed: Indexed, dialect: str) -> str:
    return "rowid" if dialect == "sqlite" else "id"


def _refresh(indexed: Indexed, dialect: str, ids: str) -> str:
    """Statements replacing the documents of the records whose ids `ids` (SQL) selects."""
    key = _key(indexed, dialect)
    return (f"DELETE FROM {indexed.index} WHERE {key} IN ({ids});\n"
            f"  INSERT INTO {indexed.index} ({key}, doc)"
            f" SELECT r.id, {_document(indexed, dialect)} FROM {indexed.table} r"
            f" WHERE r.id IN ({ids});")


def _sources(indexed: Indexed) -> list[tuple[str, str, str, str]]:
    """(name suffix, table, event, ids of the records to refresh as SQL over NEW/OLD) of
    every change that alters a document, as SQLite triggers name them."""
    columns = ", ".join(indexed.columns)
    sources = [
        ("insert", indexed.table, "INSERT", "NEW.id"),
        ("update", indexed.table, f"UPDATE OF {columns}", "NEW.id"),
    ]
    for linked in indexed.links:
        link = linked.link_table
        sources += [
            (f"{link}_insert", link, "INSERT", f"NEW.{linked.owner}"),
            (f"{link}_delete", link, "DELETE", f"OLD.{linked.owner}"),
            (f"{link}_update", link, "UPDATE",
             f"SELECT NEW.{linked.owner} UNION SELECT OLD.{linked.owner}"),
            (f"{linked.target_table}_update", linked.target_table,
             f"UPDATE OF {', '.join(linked.columns)}",
             f"SELECT {linked.owner} FROM {link} WHERE {linked.target} = NEW.id"),
        ]
    return sources


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_create(indexed: Indexed) -> str:
    """CREATE VIRTUAL TABLE of the FTS5 trigram search table of `indexed`."""
    return f"CREATE VIRTUAL TABLE {indexed.index} USING fts5(doc, tokenize = 'trigram')"


def sqlite_triggers(indexed: Indexed) -> dict[str, tuple[str, str]]:
    """name -> (table, CREATE TRIGGER) of every trigger keeping `indexed`'s documents."""
    triggers = {
        f"{indexed.index}_delete": (indexed.table, (
            f"CREATE TRIGGER {indexed.index}_delete AFTER DELETE ON {indexed.table}\n"
            f"BEGIN\n  DELETE FROM {indexed.index} WHERE rowid = OLD.id;\nEND")),
    }
    for suffix, table, event, ids in _sources(indexed):
        name = f"{indexed.index}_{suffix}"
        triggers[name] = (table, (
            f"CREATE TRIGGER {name} AFTER {event} ON {table}\n"
            f"BEGIN\n  {_refresh(indexed, 'sqlite', ids)}\nEND"))
    return triggers


def sqlite_installed() -> dict[str, tuple[str, str]]:
    """name -> (table, CREATE TRIGGER) of every search trigger on SQLite."""
    return {name: trigger for indexed in INDEXED
            for name, trigger in sqlite_triggers(indexed).items()}


# --- PostgreSQL -------------------------------------------------------------------------------

PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def pg_create(indexed: Indexed) -> list[str]:
    """The search table of `indexed` and its trigram index."""
    return [
        f"CREATE TABLE {indexed.index} (id integer PRIMARY KEY, doc text NOT NULL)",
        f"CREATE INDEX ix_{indexed.index}_doc ON {indexed.index} USING gin (doc gin_trgm_ops)",
    ]


def _pg_ids(ids: str) -> str:
    # A plpgsql row trigger sees NEW/OLD as records; the SQL below is the SQLite sources'.
    return ids if ids.startswith("SELECT") else f"SELECT {ids}"


def pg_functions() -> dict[str, str]:
    """name -> CREATE FUNCTION of every trigger function keeping the documents."""
    functions = {}
    for indexed in INDEXED:
        for suffix, _table, _event, ids in _sources(indexed):
            name = f"{indexed.index}_{suffix}"
            functions[name] = (
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {_refresh(indexed, 'postgresql', _pg_ids(ids))}\n"
                f"  RETURN NULL;\nEND\n$$")
        name = f"{indexed.index}_delete"
        functions[name] = (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  DELETE FROM {indexed.index} WHERE id = OLD.id;\n"
            f"  RETURN NULL;\nEND\n$$")
    return functions


def pg_triggers() -> dict[str, tuple[str, str]]:
    """name -> (table, when) of every search trigger; each runs `<name>()`."""
    triggers = {}
    for indexed in INDEXED:
        triggers[f"{indexed.index}_delete"] = (indexed.table, "AFTER DELETE")
        for suffix, table, event, _ids in _sources(indexed):
            triggers[f"{indexed.index}_{suffix}"] = (table, f"AFTER {event}")
    return triggers


# --- both -------------------------------------------------------------------------------------


def fill(indexed: Indexed, dialect: str) -> str:
    """Fill the empty search table of `indexed` with the documents of every record."""
    key = _key(indexed, dialect)
    return (f"INSERT INTO {indexed.index} ({key}, doc)"
            f" SELECT r.id, {_document(indexed, dialect)} FROM {indexed.table} r")
