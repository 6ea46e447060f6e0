"""The triggers (and PostgreSQL functions) the program installs, as their full SQL, by name.

`crm db check` compares each one in the database with these, whitespace normalized: a
trigger with the right name and another body, a disabled one, a missing one and one the
program never installs are all named. This module says what the newest migration leaves
in place; the SQL itself comes from the migrations' modules (db/schema_sql/audit.py for
0003–0005, the migrations for what only they define).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import sqlalchemy as sa

from db.schema_sql import audit, row_versions, sealing, trust


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
        for statement in trust.sqlite_audit_triggers(table, key, columns):
            installed[statement.split()[2]] = Trigger(table, statement)
    for name, statement in audit.SQLITE_GUARDS.items():
        installed[name] = Trigger("audit_log", statement)
    installed["audit_log_no_update"] = Trigger("audit_log", trust.SQLITE_GUARD_UPDATE)
    for statement in _migration("0002_issued_report").FROZEN_TRIGGERS:
        installed[statement.split()[2]] = Trigger("issued_report", statement)
    for name, (table, statement) in trust.sqlite_guards().items():
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
    return {
        "audit_record": _pg_function("audit_record", row_versions.PG_RECORD_FUNCTION_0012,
                                     schema),
        "audit_log_guard": _pg_function("audit_log_guard", sealing.PG_GUARD_FUNCTION_0012,
                                        schema),
        "issued_report_frozen": _pg_function("issued_report_frozen", frozen, schema),
        sealing.SEALED_IN_ORDER: _pg_function(sealing.SEALED_IN_ORDER,
                                              sealing.PG_ORDER_FUNCTION, schema),
    } | {name: _pg_function(name, definition, schema)
         for name, definition in sealing.pg_no_reuse_functions().items()}


def _pg_trigger(name: str, when: str, table: str, call: str, schema: str) -> Trigger:
    return Trigger(table, f"CREATE TRIGGER {name} {when} ON {schema}.{table} FOR EACH ROW"
                          f" EXECUTE FUNCTION {call}")


def pg_triggers(bind: sa.Connection, schema: str) -> dict[str, Trigger]:
    """Every trigger the program installs on PostgreSQL, as pg_get_triggerdef prints it."""
    installed = {
        f"audit_{table}": _pg_trigger(f"audit_{table}", "AFTER INSERT OR DELETE OR UPDATE",
                                      table, f"audit_record('{key}')", schema)
        for table, key, _columns in audit.audited_tables(bind)
    }
    for name, when in audit.PG_GUARDS.items():
        installed[name] = _pg_trigger(name, when, "audit_log", "audit_log_guard()", schema)
    frozen = _migration("0005_audit_log_postgresql").PG_FROZEN
    for name, when in frozen.items():
        installed[name] = _pg_trigger(name, when, "issued_report", "issued_report_frozen()",
                                      schema)
    for name, (table, when) in trust.pg_guards().items():
        installed[name] = _pg_trigger(name, when, table, f"{name}()", schema)
    installed[sealing.SEALED_IN_ORDER] = Trigger("audit_log", sealing.pg_order_trigger(schema))
    return installed
