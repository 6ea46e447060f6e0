"""The text-search triggers as migration 0014 leaves them: an update that changes no searched
value rewrites no document.

Migration 0011 (db/schema_sql/search.py) refreshed a record's search document on every UPDATE
naming a searched column, and an organization's or staff member's on every UPDATE naming one
of their names, even when the value stayed the same. A form saves every field, so editing an
organization's address rewrote the documents of all its meetings (292 meetings: 1.06 s; with
this check 7 ms). From 0014 those triggers do nothing unless a searched value differs:
on SQLite a WHEN clause on the trigger, on PostgreSQL a first test in the trigger function.
The other triggers (inserts, deletes, link rows) are 0011's, unchanged.

This module is the SQL as migration 0014 installs it; a later change needs a new module.
"""

from __future__ import annotations

from db.schema_sql import search


def _updates() -> dict[str, tuple[str, ...]]:
    """name -> searched columns of every trigger that refreshes documents on an UPDATE of
    searched values (the record's own, or a linked organization's or staff member's)."""
    updates: dict[str, tuple[str, ...]] = {}
    for indexed in search.INDEXED:
        updates[f"{indexed.index}_update"] = indexed.columns
        for linked in indexed.links:
            updates[f"{indexed.index}_{linked.target_table}_update"] = linked.columns
    return updates


#: name -> searched columns of the triggers 0014 changes.
CHANGED = _updates()


def sqlite_changed(name: str, statement: str) -> str:
    """0011's CREATE TRIGGER `statement` of `name` with 0014's WHEN clause."""
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in CHANGED[name])
    return statement.replace("\nBEGIN\n", f"\nWHEN {changed}\nBEGIN\n", 1)


def sqlite_installed() -> dict[str, tuple[str, str]]:
    """name -> (table, CREATE TRIGGER) of every search trigger on SQLite from 0014."""
    return {name: (table, sqlite_changed(name, statement) if name in CHANGED else statement)
            for name, (table, statement) in search.sqlite_installed().items()}


def pg_changed(name: str, definition: str) -> str:
    """0011's CREATE FUNCTION `definition` of `name`, returning at once when no searched
    value changed."""
    same = " AND ".join(f"OLD.{column} IS NOT DISTINCT FROM NEW.{column}"
                        for column in CHANGED[name])
    return definition.replace("$$\nBEGIN\n", f"$$\nBEGIN\n  IF {same} THEN\n"
                              "    RETURN NULL;\n  END IF;\n", 1)


def pg_functions() -> dict[str, str]:
    """name -> CREATE FUNCTION of every search trigger function on PostgreSQL from 0014."""
    return {name: pg_changed(name, definition) if name in CHANGED else definition
            for name, definition in search.pg_functions().items()}
