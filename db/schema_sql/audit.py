"""The audit triggers' SQL, per table, for SQLite and PostgreSQL (docs/auditing.md).

Every audited table records each insert, update and delete into the append-only `audit_log`:
the JSON text of every column, the UTC time as YYYY-MM-DDTHH:MM:SS.fffZ, and the acting user
from `audit_actor` (or 'sql' for a change made by another tool). Migrations 0003 and 0004
create the SQLite triggers, 0005 the PostgreSQL function and triggers. Being their history,
this SQL never changes: a new trigger design goes into new functions and a new migration
(tests/test_schema.py compares the schema the old migrations build with a stored copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from db.schema_sql.search import is_search_table

#: Tables never audited: the log itself, the actor register, Alembic's bookkeeping, and (from
#: 0008) the personal values the log refers to, which are part of the log.
NOT_AUDITED = frozenset({"audit_log", "audit_actor", "alembic_version", "audit_personal_value"})
#: Columns never audited: a record's version is bookkeeping (migration 0012), not content.
NOT_AUDITED_COLUMNS = frozenset({"version"})
ACTIONS = ("insert", "update", "delete")
#: The columns of `audit_log` that sealing (setting `chain_hash`) must leave as they were.
CONTENT_COLUMNS = (
    "id", "table_name", "row_id", "action", "old_values", "new_values", "changed_at",
    "changed_by",
)
_INSERT_LOG = (
    "INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,"
    " changed_at, changed_by)"
)


def audited_tables(bind: sa.Connection) -> list[tuple[str, str, list[str]]]:
    """(table, key column, columns) of every audited table in the database, by name.

    The key, stored as `audit_log.row_id`, is `id`, or for a link table its first key column
    (the parent record). Bookkeeping columns (`NOT_AUDITED_COLUMNS`) are left out.
    """
    inspector = sa.inspect(bind)
    tables = []
    for table in sorted(inspector.get_table_names()):
        if table in NOT_AUDITED or is_search_table(table):
            continue
        columns = [c["name"] for c in inspector.get_columns(table)
                   if c["name"] not in NOT_AUDITED_COLUMNS]
        key = "id" if "id" in columns else inspector.get_pk_constraint(table)[
            "constrained_columns"][0]
        tables.append((table, key, columns))
    return tables


# --- SQLite ---------------------------------------------------------------------------------

SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
# The program names the acting user in audit_actor inside each write transaction and clears
# it before committing; a change made by any other tool finds it empty and is signed 'sql'.
SQLITE_ACTOR = "coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql')"


def _sqlite_json(prefix: str, columns: Sequence[str]) -> str:
    pairs = ", ".join(f"'{c}', {prefix}.\"{c}\"" for c in columns)
    return f"json_object({pairs})"


def sqlite_audit_triggers(table: str, key: str, columns: Sequence[str]) -> list[str]:
    """CREATE TRIGGER statements recording every insert, update and delete on `table`, with
    `key` as the row id and the values as JSON objects of `columns`."""
    values = {
        "insert": ("NULL", _sqlite_json("NEW", columns), "NEW"),
        "update": (_sqlite_json("OLD", columns), _sqlite_json("NEW", columns), "NEW"),
        "delete": (_sqlite_json("OLD", columns), "NULL", "OLD"),
    }
    statements = []
    for action in ACTIONS:
        old, new, row = values[action]
        statements.append(
            f'CREATE TRIGGER audit_{table}_{action} AFTER {action.upper()} ON "{table}"\n'
            "BEGIN\n"
            f"  {_INSERT_LOG}\n"
            f"  VALUES ('{table}', {row}.\"{key}\", '{action}', {old}, {new},"
            f" {SQLITE_NOW}, {SQLITE_ACTOR});\n"
            "END"
        )
    return statements


def sqlite_drop_audit_triggers(table: str) -> list[str]:
    """DROP TRIGGER statements undoing `sqlite_audit_triggers` for `table`."""
    return [f"DROP TRIGGER audit_{table}_{action}" for action in ACTIONS]


def sqlite_existing_rows(table: str, key: str, columns: Sequence[str], by: str) -> str:
    """INSERT … SELECT recording, signed `by`, the rows `table` holds before auditing starts."""
    return (
        f"{_INSERT_LOG}\n"
        f"SELECT '{table}', t.\"{key}\", 'insert', NULL, {_sqlite_json('t', columns)},"
        f" {SQLITE_NOW}, '{by}' FROM \"{table}\" t ORDER BY t.\"{key}\""
    )


def sqlite_rewritten_rows(table: str, key: str, old_table: str, old_columns: Sequence[str],
                          columns: Sequence[str], by: str) -> str:
    """INSERT … SELECT recording, signed `by`, each row of a rebuilt `table` as an update from
    its copy in `old_table` (migration 0006 rebuilds `kpi` on SQLite)."""
    return (
        f"{_INSERT_LOG}\n"
        f"SELECT '{table}', n.\"{key}\", 'update', {_sqlite_json('o', old_columns)},"
        f" {_sqlite_json('n', columns)}, {SQLITE_NOW}, '{by}'\n"
        f"FROM \"{table}\" n JOIN \"{old_table}\" o ON o.\"{key}\" = n.\"{key}\""
        f" ORDER BY n.\"{key}\""
    )


# Sealing is the one update allowed: it sets the hash of the oldest unsealed row, leaving
# every content column as it was. A sealed row never changes again.
_SQLITE_GUARD_UPDATE = f"""
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND length(NEW.chain_hash) = 64
  AND {' AND '.join(f'NEW.{c} IS OLD.{c}' for c in CONTENT_COLUMNS)}
  AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.chain_hash IS NULL AND p.id < OLD.id)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a row can only be sealed, once, in order');
END
"""
_SQLITE_GUARD_DELETE = """
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END
"""
_SQLITE_GUARD_INSERT = """
CREATE TRIGGER audit_log_unsealed_insert BEFORE INSERT ON audit_log
WHEN NEW.chain_hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_log rows are recorded unsealed and sealed by the program');
END
"""
#: The triggers keeping `audit_log` append-only on SQLite, by name.
SQLITE_GUARDS = {
    "audit_log_no_update": _SQLITE_GUARD_UPDATE,
    "audit_log_no_delete": _SQLITE_GUARD_DELETE,
    "audit_log_unsealed_insert": _SQLITE_GUARD_INSERT,
}


# --- PostgreSQL -----------------------------------------------------------------------------

PG_NOW = """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""

#: The one function every table's audit trigger runs; its argument names the key column.
PG_RECORD_FUNCTION = f"""
CREATE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_column text := TG_ARGV[0];
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at,
                         changed_by)
  VALUES (TG_TABLE_NAME, (coalesce(new_row, old_row) ->> key_column)::bigint, lower(TG_OP),
          old_row::text, new_row::text, {PG_NOW},
          coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
  RETURN NULL;
END
$$
"""

#: The guard keeping `audit_log` append-only: sealing is the one update allowed, as on SQLite.
PG_GUARD_FUNCTION = f"""
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_log is append-only: rows cannot be deleted'
      USING ERRCODE = 'integrity_constraint_violation';
  ELSIF TG_OP = 'INSERT' THEN
    IF NEW.chain_hash IS NOT NULL THEN
      RAISE EXCEPTION 'audit_log rows are recorded unsealed and sealed by the program'
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NOT (OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL
          AND length(NEW.chain_hash) = 64
          AND {' AND '.join(f'NEW.{c} IS NOT DISTINCT FROM OLD.{c}' for c in CONTENT_COLUMNS)}
          AND NOT EXISTS (SELECT 1 FROM audit_log p
                          WHERE p.chain_hash IS NULL AND p.id < OLD.id)) THEN
    RAISE EXCEPTION 'audit_log is append-only: a row can only be sealed, once, in order'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
"""
#: The guard triggers on `audit_log`, by name: when each runs `audit_log_guard()`.
PG_GUARDS = {
    "audit_log_no_update": "BEFORE UPDATE",
    "audit_log_no_delete": "BEFORE DELETE",
    "audit_log_unsealed_insert": "BEFORE INSERT",
}


def pg_existing_rows(table: str, key: str, by: str) -> str:
    """INSERT … SELECT recording, signed `by`, the rows `table` holds before auditing starts."""
    return (
        f"{_INSERT_LOG}"
        f" SELECT '{table}', t.\"{key}\", 'insert', NULL, to_jsonb(t)::text, {PG_NOW},"
        f" '{by}' FROM \"{table}\" t ORDER BY t.\"{key}\""
    )


def pg_audit_trigger(table: str, key: str) -> str:
    """CREATE TRIGGER running `audit_record` on every change of `table`, keyed by `key`."""
    return (
        f'CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
        f" FOR EACH ROW EXECUTE FUNCTION audit_record('{key}')"
    )


def pg_row_trigger(name: str, when: str, table: str, function: str) -> str:
    """CREATE TRIGGER `name` running `function()` `when` ('BEFORE UPDATE', …) on `table`."""
    return f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
