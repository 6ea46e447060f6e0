"""The SQL of migration 0008 (docs/auditing.md): contacts' personal values kept beside the
audit chain, in `audit_personal_value`, so that erasing a person leaves the chain whole.

The audit triggers of `contact` write a marker where a personal value is (NULL stays null)
and one `audit_personal_value` row per value (the program seals its salt and digest with the
audit row). Guards keep `audit_personal_value` append-only but for two updates: sealing
(salt and digest set once, the value unchanged) and erasing (value and salt set to NULL, the
digest kept). Being the history of that migration, this SQL never changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from crm.audit import chain
from crm.audit import personal as store
from db.schema_sql.audit import ACTIONS, PG_NOW, SQLITE_ACTOR, SQLITE_NOW
from db.schema_sql.trust import SQLITE_CLAIMED

TABLE = "audit_personal_value"
MARKER = "#personal"
#: The personal columns of each table, as migration 0008 installed them.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "contact": ("name", "kana", "department", "title", "email", "phone", "notes"),
}
_INSERT_LOG = (
    "INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,"
    " changed_at, changed_by, claimed_by)"
)


def _sqlite_json(prefix: str, columns: Sequence[str], personal: Sequence[str]) -> str:
    def value(column: str) -> str:
        if column not in personal:
            return f'{prefix}."{column}"'
        return f"CASE WHEN {prefix}.\"{column}\" IS NULL THEN NULL ELSE '{MARKER}' END"

    pairs = ", ".join(f"'{c}', {value(c)}" for c in columns)
    return f"json_object({pairs})"


def _sqlite_values(prefix: str, side: str, personal: Sequence[str]) -> str:
    rows = " UNION ALL ".join(
        f"SELECT '{side}' AS side, '{c}' AS column_name, {prefix}.\"{c}\" AS value"
        for c in personal)
    return (f"  INSERT INTO {TABLE} (audit_id, side, column_name, value)\n"
            f"  SELECT (SELECT max(id) FROM audit_log), v.side, v.column_name, v.value"
            f" FROM ({rows}) v WHERE v.value IS NOT NULL;\n")


def sqlite_audit_triggers(table: str, key: str, columns: Sequence[str],
                          personal: Sequence[str]) -> list[str]:
    """CREATE TRIGGER statements recording every change of `table` with its `personal`
    columns' values kept beside the log."""
    present = [c for c in personal if c in columns]
    values = {
        "insert": ("NULL", _sqlite_json("NEW", columns, present), "NEW", ("NEW",)),
        "update": (_sqlite_json("OLD", columns, present), _sqlite_json("NEW", columns, present),
                   "NEW", ("OLD", "NEW")),
        "delete": (_sqlite_json("OLD", columns, present), "NULL", "OLD", ("OLD",)),
    }
    statements = []
    for action in ACTIONS:
        old, new, row, sides = values[action]
        kept = "".join(_sqlite_values(prefix, prefix.lower(), present) for prefix in sides)
        statements.append(
            f'CREATE TRIGGER audit_{table}_{action} AFTER {action.upper()} ON "{table}"\n'
            "BEGIN\n"
            f"  {_INSERT_LOG}\n"
            f"  VALUES ('{table}', {row}.\"{key}\", '{action}', {old}, {new},"
            f" {SQLITE_NOW}, {SQLITE_ACTOR}, {SQLITE_CLAIMED});\n"
            f"{kept}"
            "END"
        )
    return statements


_SQLITE_GUARD_UPDATE = f"""
CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
WHEN NOT (
  NEW.id IS OLD.id AND NEW.audit_id IS OLD.audit_id AND NEW.side IS OLD.side
  AND NEW.column_name IS OLD.column_name
  AND ((OLD.digest IS NULL AND NEW.value IS OLD.value AND length(NEW.salt) = 32
        AND length(NEW.digest) = 64)
       OR (OLD.digest IS NOT NULL AND NEW.digest IS OLD.digest AND NEW.value IS NULL
           AND NEW.salt IS NULL))
)
BEGIN
  SELECT RAISE(ABORT, '{TABLE}: a value can only be sealed, once, or erased');
END
"""
_SQLITE_GUARD_DELETE = f"""
CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
BEGIN
  SELECT RAISE(ABORT, '{TABLE}: rows cannot be deleted (erase the value instead)');
END
"""
_SQLITE_GUARD_INSERT = f"""
CREATE TRIGGER {TABLE}_unsealed_insert BEFORE INSERT ON {TABLE}
WHEN NEW.salt IS NOT NULL OR NEW.digest IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.audit_id AND chain_hash IS NULL)
BEGIN
  SELECT RAISE(ABORT, '{TABLE}: values are recorded unsealed, with an unsealed audit row');
END
"""
#: The triggers keeping `audit_personal_value` append-only on SQLite, by name.
SQLITE_GUARDS = {
    f"{TABLE}_no_update": _SQLITE_GUARD_UPDATE,
    f"{TABLE}_no_delete": _SQLITE_GUARD_DELETE,
    f"{TABLE}_unsealed_insert": _SQLITE_GUARD_INSERT,
}


# --- PostgreSQL -----------------------------------------------------------------------------

#: The audit function of tables with personal columns: TG_ARGV[0] is the key column, the
#: other arguments the personal columns.
PG_RECORD_FUNCTION = f"""
CREATE FUNCTION audit_record_personal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key_column text := TG_ARGV[0];
  old_row jsonb;
  new_row jsonb;
  old_masked jsonb;
  new_masked jsonb;
  log_id bigint;
  i integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  old_masked := old_row;
  new_masked := new_row;
  FOR i IN 1 .. TG_NARGS - 1 LOOP
    IF old_row ->> TG_ARGV[i] IS NOT NULL THEN
      old_masked := jsonb_set(old_masked, ARRAY[TG_ARGV[i]], to_jsonb('{MARKER}'::text));
    END IF;
    IF new_row ->> TG_ARGV[i] IS NOT NULL THEN
      new_masked := jsonb_set(new_masked, ARRAY[TG_ARGV[i]], to_jsonb('{MARKER}'::text));
    END IF;
  END LOOP;
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at,
                         changed_by, claimed_by)
  VALUES (TG_TABLE_NAME, (coalesce(new_row, old_row) ->> key_column)::bigint, lower(TG_OP),
          old_masked::text, new_masked::text, {PG_NOW}, session_user,
          (SELECT claimed FROM audit_actor WHERE id = 1))
  RETURNING id INTO log_id;
  FOR i IN 1 .. TG_NARGS - 1 LOOP
    IF old_row ->> TG_ARGV[i] IS NOT NULL THEN
      INSERT INTO {TABLE} (audit_id, side, column_name, value)
      VALUES (log_id, 'old', TG_ARGV[i], old_row ->> TG_ARGV[i]);
    END IF;
    IF new_row ->> TG_ARGV[i] IS NOT NULL THEN
      INSERT INTO {TABLE} (audit_id, side, column_name, value)
      VALUES (log_id, 'new', TG_ARGV[i], new_row ->> TG_ARGV[i]);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$
"""

#: The guard of `audit_personal_value`, as on SQLite.
PG_GUARD_FUNCTION = f"""
CREATE FUNCTION {TABLE}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION '{TABLE}: rows cannot be deleted (erase the value instead)'
      USING ERRCODE = 'integrity_constraint_violation';
  ELSIF TG_OP = 'INSERT' THEN
    IF NEW.salt IS NOT NULL OR NEW.digest IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM audit_log WHERE id = NEW.audit_id AND chain_hash IS NULL) THEN
      RAISE EXCEPTION '{TABLE}: values are recorded unsealed, with an unsealed audit row'
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NOT (NEW.id = OLD.id AND NEW.audit_id = OLD.audit_id AND NEW.side = OLD.side
          AND NEW.column_name = OLD.column_name
          AND ((OLD.digest IS NULL AND NEW.value IS NOT DISTINCT FROM OLD.value
                AND length(NEW.salt) = 32 AND length(NEW.digest) = 64)
               OR (OLD.digest IS NOT NULL AND NEW.digest = OLD.digest AND NEW.value IS NULL
                   AND NEW.salt IS NULL))) THEN
    RAISE EXCEPTION '{TABLE}: a value can only be sealed, once, or erased'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
"""
#: The guard triggers on `audit_personal_value`, by name: when each runs the guard.
PG_GUARDS = {
    f"{TABLE}_no_update": "BEFORE UPDATE",
    f"{TABLE}_no_delete": "BEFORE DELETE",
    f"{TABLE}_unsealed_insert": "BEFORE INSERT",
}


def pg_audit_trigger(table: str, key: str, personal: Sequence[str]) -> str:
    """CREATE TRIGGER running `audit_record_personal` on every change of `table`."""
    arguments = ", ".join(f"'{c}'" for c in (key, *personal))
    return (f'CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
            f" FOR EACH ROW EXECUTE FUNCTION audit_record_personal({arguments})")


# --- moving the values of existing rows out (migration 0008) --------------------------------

_SIGNED = "migration 0008"


def _dumps(values: dict[str, Any], dialect: str) -> str:
    # As each backend's trigger writes JSON: SQLite's compact json_object, PostgreSQL's jsonb.
    if dialect == "postgresql":
        return json.dumps(values, ensure_ascii=False)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


_BATCH = 5000
_UPDATE = "UPDATE audit_log SET old_values = :old, new_values = :new WHERE id = :id"
_KEEP = (f"INSERT INTO {TABLE} (audit_id, side, column_name, value, salt, digest)"
         " VALUES (:audit_id, :side, :column_name, :value, :salt, :digest)")
_RESTATE = ("INSERT INTO audit_restatement (audit_id, sealed_hash, content_hash, matched,"
            " restated_at) VALUES (:id, :sealed, :content, :matched, :at)")
_PREVIOUS = ("SELECT a.id, (SELECT p.chain_hash FROM audit_log p WHERE p.id < a.id AND"
             " p.chain_hash IS NOT NULL ORDER BY p.id DESC LIMIT 1) FROM audit_log a"
             " WHERE a.table_name = :t AND a.chain_hash IS NOT NULL")


def restate(bind: sa.Connection) -> int:
    """Move the personal values out of every existing audit row of a table with personal
    columns; returns how many rows were restated.

    A sealed row keeps its seal; an `audit_restatement` row (audited, so sealed at the head:
    a new chain segment) records the seal, the hash of the new content and whether the old
    content still matched the seal. Unsealed rows are sealed later like any other.
    """
    dialect = bind.dialect.name
    restated = 0
    now = datetime.now(UTC)
    for table, personal in PERSONAL_COLUMNS.items():
        previous_of: dict[int, str | None] = dict(
            bind.execute(sa.text(_PREVIOUS), {"t": table}).all())
        entries = list(chain._entries(bind, "WHERE table_name = :t ORDER BY id", {"t": table}))
        for start in range(0, len(entries), _BATCH):
            updates, kept, restatements = [], [], []
            for entry in entries[start:start + _BATCH]:
                texts, cells = _moved_out(entry, personal, dialect)
                if not cells:
                    continue
                updates.append({"id": entry.id, **texts})
                kept += cells
                if entry.chain_hash is None:
                    continue  # sealed later, with its values, like any new row
                for cell in cells:
                    cell["salt"] = store.new_salt()
                    cell["digest"] = store.digest(cell["salt"], cell["value"])
                digests = tuple(sorted((c["side"], c["column_name"], c["digest"])
                                       for c in cells))
                content = replace(entry, old_values=texts["old"], new_values=texts["new"],
                                  digests=digests).canonical().encode("utf-8", "surrogateescape")
                previous = previous_of.get(entry.id) or chain.GENESIS
                restatements.append({
                    "id": entry.id, "sealed": entry.chain_hash, "at": now,
                    "content": hashlib.sha256(content).hexdigest(),
                    "matched": chain.chain_hash(previous, entry.canonical()) == entry.chain_hash})
            for statement, rows in ((_UPDATE, updates), (_KEEP, kept),
                                    (_RESTATE, restatements)):
                if rows:
                    bind.execute(sa.text(statement), rows)
            restated += len(restatements)
    return restated


def _moved_out(entry: chain.AuditEntry, personal: Sequence[str], dialect: str
               ) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """The row's JSON texts with the marker in place of each personal value, and the values."""
    texts: dict[str, str | None] = {}
    cells: list[dict[str, Any]] = []
    for side, raw in (("old", entry.old_values), ("new", entry.new_values)):
        values = json.loads(raw) if raw else None
        if values is None:
            texts[side] = raw
            continue
        for column in personal:
            if values.get(column) is not None:
                cells.append({"audit_id": entry.id, "side": side, "column_name": column,
                              "value": str(values[column]), "salt": None, "digest": None})
                values[column] = MARKER
        texts[side] = _dumps(values, dialect)
    return texts, cells


def put_back(bind: sa.Connection) -> None:
    """Undo `restate` for downgrading: each kept value back into its audit row's JSON (an
    erased one stays the marker). Rows sealed since 0008 no longer verify afterwards."""
    dialect = bind.dialect.name
    rows = bind.execute(sa.text(
        f"SELECT p.audit_id, p.side, p.column_name, p.value, a.old_values, a.new_values"
        f" FROM {TABLE} p JOIN audit_log a ON a.id = p.audit_id ORDER BY p.audit_id")).all()
    by_row: dict[int, dict[str, Any]] = {}
    for audit_id, side, column, value, old, new in rows:
        texts = by_row.setdefault(audit_id, {
            "old": json.loads(old) if old else None, "new": json.loads(new) if new else None})
        if texts[side] is not None and value is not None:
            texts[side][column] = value
    for audit_id, texts in by_row.items():
        bind.execute(sa.text(
            "UPDATE audit_log SET old_values = :old, new_values = :new WHERE id = :id"), {
            "id": audit_id,
            "old": None if texts["old"] is None else _dumps(texts["old"], dialect),
            "new": None if texts["new"] is None else _dumps(texts["new"], dialect)})
