"""The SQL of migration 0006_trust (docs/auditing.md): guards against REPLACE, UPSERT and id
reuse on `audit_log` and `issued_report`, for SQLite and PostgreSQL.

A row may only be added above every sealed audit row (above every issued report): an
insert naming an id that exists, or one at or below a sealed row, is refused before
SQLite's REPLACE can delete the row it would replace (REPLACE fires no DELETE trigger) and
before an UPSERT reaches its UPDATE. An id below 1 is refused once known (SQLite shows an
unnamed id as -1 to a BEFORE trigger). Being the history of that migration, this SQL never
changes; a later design goes into new names and a new migration.
"""

from __future__ import annotations

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


def pg_functions() -> dict[str, str]:
    """name -> CREATE FUNCTION of every PostgreSQL guard function this migration adds."""
    return {
        f"{table}_no_reuse": f"""
CREATE FUNCTION {table}_no_reuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
