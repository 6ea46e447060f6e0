"""The triggers (and PostgreSQL functions) the program installs, as their full SQL, by name.

`crm db check` compares each one in the database with these, whitespace normalized: a
trigger with the right name and another body, a disabled one, a missing one and one the
program never installs are all named. This module says what the newest migration leaves
in place; the SQL itself comes from the migrations' modules (db/schema_sql/audit.py for
0003–0005, the migrations for what only they define, e.g. 0010's append-only history;
db/schema_sql/search_deferred.py for the search triggers on PostgreSQL from 0016).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import sqlalchemy as sa

from db.schema_sql import (
    audit,
    personal,
    row_versions,
    sealing,
    search,
    search_deferred,
    search_short,
    trust,
)


@dataclass(frozen=True)
class Trigger:
    """A trigger as installed: the table it is on and its full SQL."""

    table: str
    sql: str


def normalized(sql: str) -> str:
    """`sql` with every run of whitespace made one space."""
    return " ".join(sql.split())


def _migration(name: str) -> ModuleType:
    return importlib.import_module(f"db.migrations.versions.{name}")


def sqlite_triggers(bind: sa.Connection) -> dict[str, Trigger]:
    """Every trigger the program installs on SQLite, for the tables `bind` holds."""
    installed: dict[str, Trigger] = {}
    for table, key, columns in audit.audited_tables(bind):
        kept = personal.PERSONAL_COLUMNS.get(table)
        statements = (trust.sqlite_audit_triggers(table, key, columns) if kept is None
                      else personal.sqlite_audit_triggers(table, key, columns, kept))
        for statement in statements:
            installed[statement.split()[2]] = Trigger(table, statement)
    for name, statement in audit.SQLITE_GUARDS.items():
        installed[name] = Trigger("audit_log", statement)
    installed["audit_log_no_update"] = Trigger("audit_log", trust.SQLITE_GUARD_UPDATE)
    for statement in _migration("0002_issued_report").FROZEN_TRIGGERS:
        installed[statement.split()[2]] = Trigger("issued_report", statement)
    for name, (table, statement) in trust.sqlite_guards().items():
        installed[name] = Trigger(table, statement)
    for name, statement in personal.SQLITE_GUARDS.items():
        installed[name] = Trigger(personal.TABLE, statement)
    history = _migration("0010_agreement_status_history")
    for name, statement in history.SQLITE_GUARDS.items():
        installed[name] = Trigger(history.TABLE, statement)
    for name, (table, statement) in search_short.sqlite_installed().items():
        installed[name] = Trigger(table, statement)
    return installed


def _pg_function(name: str, definition: str, schema: str) -> str:
    body = definition.split("$$")[1]
    return (f"CREATE OR REPLACE FUNCTION {schema}.{name}() RETURNS trigger LANGUAGE plpgsql"
            f" AS $function${body}$function$")


def pg_functions(schema: str) -> dict[str, str]:
    """Every trigger function the program installs on PostgreSQL, as pg_get_functiondef
    prints it (whitespace aside)."""
    frozen = _migration("0005_audit_log_postgresql").PG_FROZEN_FUNCTION
    history = _migration("0010_agreement_status_history")
    return {
        "audit_record": _pg_function("audit_record", row_versions.PG_RECORD_FUNCTION_0012,
                                     schema),
        "audit_log_guard": _pg_function("audit_log_guard", sealing.PG_GUARD_FUNCTION_0012,
                                        schema),
        "issued_report_frozen": _pg_function("issued_report_frozen", frozen, schema),
        "audit_record_personal": _pg_function("audit_record_personal",
                                              row_versions.PG_PERSONAL_RECORD_FUNCTION_0012,
                                              schema),
        f"{personal.TABLE}_guard": _pg_function(f"{personal.TABLE}_guard",
                                                personal.PG_GUARD_FUNCTION, schema),
        history.PG_FUNCTION_NAME: _pg_function(history.PG_FUNCTION_NAME, history.PG_FUNCTION,
                                               schema),
        sealing.SEALED_IN_ORDER: _pg_function(sealing.SEALED_IN_ORDER,
                                              sealing.PG_ORDER_FUNCTION, schema),
    } | {name: _pg_function(name, definition, schema)
         for name, definition in (sealing.pg_no_reuse_functions()
                                  | search_deferred.pg_functions()).items()}


def pg_search(schema: str) -> dict[str, str]:
    """The function and indexes of migration 0015's short-key search on PostgreSQL, by name,
    as pg_get_functiondef and pg_indexes print them (whitespace aside)."""
    body = search_short.PG_GRAMS_FUNCTION.split("$$")[1]
    name = search_short.PG_GRAMS
    found = {name: f"CREATE OR REPLACE FUNCTION {schema}.{name}(doc text) RETURNS text[]"
                   f" LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $function${body}$function$"}
    for indexed in search.INDEXED:
        index = search_short.pg_grams_index(indexed)
        found[index] = (f"CREATE INDEX {index} ON {schema}.{indexed.index}"
                        f" USING gin ({name}(doc))")
    return found


def _pg_trigger(name: str, when: str, table: str, call: str, schema: str) -> Trigger:
    return Trigger(table, f"CREATE TRIGGER {name} {when} ON {schema}.{table} FOR EACH ROW"
                          f" EXECUTE FUNCTION {call}")


def pg_triggers(bind: sa.Connection, schema: str) -> dict[str, Trigger]:
    """Every trigger the program installs on PostgreSQL, as pg_get_triggerdef prints it."""
    installed = {
        f"audit_{table}": _pg_trigger(f"audit_{table}", "AFTER INSERT OR DELETE OR UPDATE",
                                      table, _pg_record_call(table, key), schema)
        for table, key, _columns in audit.audited_tables(bind)
    }
    for name, when in audit.PG_GUARDS.items():
        installed[name] = _pg_trigger(name, when, "audit_log", "audit_log_guard()", schema)
    frozen = _migration("0005_audit_log_postgresql").PG_FROZEN
    for name, when in frozen.items():
        installed[name] = _pg_trigger(name, when, "issued_report", "issued_report_frozen()",
                                      schema)
    for name, (table, when) in (trust.pg_guards() | search.pg_triggers()).items():
        installed[name] = _pg_trigger(name, when, table, f"{name}()", schema)
    for name, when in personal.PG_GUARDS.items():
        installed[name] = _pg_trigger(name, when, personal.TABLE, f"{personal.TABLE}_guard()",
                                      schema)
    history = _migration("0010_agreement_status_history")
    for name, when in history.PG_GUARDS.items():
        installed[name] = _pg_trigger(name, when, history.TABLE,
                                      f"{history.PG_FUNCTION_NAME}()", schema)
    installed[sealing.SEALED_IN_ORDER] = Trigger("audit_log", sealing.pg_order_trigger(schema))
    for indexed in search.INDEXED:
        installed[search_deferred.flush(indexed)] = Trigger(
            search_deferred.pending(indexed),
            search_deferred.pg_create_flush_trigger(indexed, schema))
    return installed


def _pg_record_call(table: str, key: str) -> str:
    kept = personal.PERSONAL_COLUMNS.get(table)
    if kept is None:
        return f"audit_record('{key}')"
    return f"audit_record_personal({', '.join(repr(c) for c in (key, *kept))})"
