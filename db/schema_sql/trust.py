"""The SQL of migration 0007 (docs/auditing.md): guards against REPLACE, UPSERT and id
reuse on `audit_log` and `issued_report`, and who made a change, for SQLite and PostgreSQL.

A row may only be added above every sealed audit row (above every issued report): an
insert naming an id that exists, or one at or below a sealed row, is refused before
SQLite's REPLACE can delete the row it would replace (REPLACE fires no DELETE trigger) and
before an UPSERT reaches its UPDATE. An id below 1 is refused once known (SQLite shows an
unnamed id as -1 to a BEFORE trigger).

Who: `changed_by` is who the database knows — PostgreSQL's `session_user` (the login), on
SQLite the OS login the program writes into `audit_actor.actor` ('sql' for another tool) —
and `claimed_by` the name the program acts for (CRM_USER), from `audit_actor.claimed`,
NULL for a change made by another tool. The audit triggers of every table and the
`audit_log` update guard are replaced to write and keep `claimed_by`.

Being the history of that migration, this SQL never changes; a later design goes into new
names and a new migration (a new audited table takes `sqlite_audit_triggers` from here).
"""

from __future__ import annotations

from collections.abc import Sequence

from db.schema_sql.audit import (
    ACTIONS,
    CONTENT_COLUMNS,
    PG_GUARD_FUNCTION,
    PG_NOW,
    PG_RECORD_FUNCTION,
    SQLITE_ACTOR,
    SQLITE_NOW,
)

_INSERT_LOG = (
    "INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,"
    " changed_at, changed_by, claimed_by)"
)
SQLITE_CLAIMED = "(SELECT claimed FROM audit_actor WHERE id = 1)"
#: The columns of `audit_log` that sealing must leave as they were, from 0007 on.
CONTENT_COLUMNS_0006 = (*CONTENT_COLUMNS, "claimed_by")


def _sqlite_json(prefix: str, columns: Sequence[str]) -> str:
    pairs = ", ".join(f"'{c}', {prefix}.\"{c}\"" for c in columns)
    return f"json_object({pairs})"


def sqlite_audit_triggers(table: str, key: str, columns: Sequence[str]) -> list[str]:
    """CREATE TRIGGER statements recording every insert, update and delete on `table`, with
    who: the OS login (or 'sql') and the name the program acts for."""
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
            f" {SQLITE_NOW}, {SQLITE_ACTOR}, {SQLITE_CLAIMED});\n"
            "END"
        )
    return statements


SQLITE_GUARD_UPDATE = f"""
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND length(NEW.chain_hash) = 64
  AND {' AND '.join(f'NEW.{c} IS OLD.{c}' for c in CONTENT_COLUMNS_0006)}
  AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.chain_hash IS NULL AND p.id < OLD.id)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a row can only be sealed, once, in order');
END
"""

PG_RECORD_FUNCTION_0006 = f"""
CREATE OR REPLACE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_column text := TG_ARGV[0];
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at,
                         changed_by, claimed_by)
  VALUES (TG_TABLE_NAME, (coalesce(new_row, old_row) ->> key_column)::bigint, lower(TG_OP),
          old_row::text, new_row::text, {PG_NOW}, session_user,
          (SELECT claimed FROM audit_actor WHERE id = 1));
  RETURN NULL;
END
$$
"""


def _pg_unchanged(columns: Sequence[str]) -> str:
    return " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in columns)


def _or_replace(definition: str) -> str:
    return definition.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


#: 0005's guard, keeping `claimed_by` as it was too.
PG_GUARD_FUNCTION_0006 = _or_replace(PG_GUARD_FUNCTION).replace(
    _pg_unchanged(CONTENT_COLUMNS), _pg_unchanged(CONTENT_COLUMNS_0006))
#: What 0007's downgrade puts back.
PG_FUNCTIONS_0005 = (_or_replace(PG_RECORD_FUNCTION), _or_replace(PG_GUARD_FUNCTION))

#: The tables guarded, with the condition under which a row's id counts as taken.
_TAKEN = {
    "audit_log": "chain_hash IS NOT NULL OR id = NEW.id",
    "issued_report": "true",
}
_REFUSAL = {
    "audit_log": "audit_log is append-only: a row cannot take an existing id or one at or"
                 " below a sealed row",
    "issued_report": "issued reports are frozen: a report cannot take an existing id or one"
                     " below an issued report",
}


def sqlite_guards() -> dict[str, tuple[str, str]]:
    """name -> (table, CREATE TRIGGER) of every SQLite guard this migration adds."""
    guards = {}
    for table, taken in _TAKEN.items():
        guards[f"{table}_no_reuse"] = (table, f"""
CREATE TRIGGER {table}_no_reuse BEFORE INSERT ON {table}
WHEN NEW.id <> -1 AND EXISTS (SELECT 1 FROM {table} WHERE id >= NEW.id AND ({taken}))
BEGIN
  SELECT RAISE(ABORT, '{_REFUSAL[table]}');
END
""")
        guards[f"{table}_positive_id"] = (table, f"""
CREATE TRIGGER {table}_positive_id AFTER INSERT ON {table}
WHEN NEW.id < 1
BEGIN
  SELECT RAISE(ABORT, '{table} ids start at 1');
END
""")
    return guards


#: On PostgreSQL an audit row can only come from an audit trigger (the guard then runs one
#: trigger deep inside it): a row inserted by hand, with any author and time, is refused.
_PG_BY_TRIGGER = {
    "audit_log": """
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit_log rows are written by the audit triggers only'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;""",
    "issued_report": "",
}


def pg_functions() -> dict[str, str]:
    """name -> CREATE FUNCTION of every PostgreSQL guard function this migration adds."""
    return {
        f"{table}_no_reuse": f"""
CREATE FUNCTION {table}_no_reuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_PG_BY_TRIGGER[table]}
  IF NEW.id < 1 OR EXISTS (SELECT 1 FROM {table} WHERE id >= NEW.id AND ({taken})) THEN
    RAISE EXCEPTION '{_REFUSAL[table]}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
"""
        for table, taken in _TAKEN.items()
    }


def pg_guards() -> dict[str, tuple[str, str]]:
    """name -> (table, when) of every PostgreSQL guard trigger; each runs `<name>()`."""
    return {f"{table}_no_reuse": (table, "BEFORE INSERT") for table in _TAKEN}
