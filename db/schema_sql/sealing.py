"""The SQL of migration 0012's sealing guard on PostgreSQL (docs/auditing.md).

Until 0012 the row-level guard checked, for every row sealed, that no unsealed row lay below
it. Within one transaction each sealed row leaves its unsealed version behind in the
partial index `ix_audit_log_unsealed` until the transaction ends, so that check walked every
row sealed before it: n²/2 index entries for n rows, hours for a 100,000-row import.

From 0012 the row-level guard keeps what is local to a row (only `chain_hash` may be set,
once, to 64 characters; every content column as it was) and a statement-level trigger checks
the order once per statement, over the rows the statement sealed: no unsealed row may remain
below the highest of them. The program seals a batch of rows in one statement
(crm.audit.chain.seal), so the walk is once per batch. The guarantee is unchanged: a row can
only be sealed, once, in order.

The id guards of 0007 (`audit_log_no_reuse`, `issued_report_no_reuse`) asked for any row at
or above the new id; PL/pgSQL's cached generic plan answered that with a sequential scan of
the whole table for every row inserted. From 0012 they first compare the new id with the
highest id (an index lookup) and look further only when it is not above it.

Being the history of that migration, this SQL never changes.
"""

from __future__ import annotations

from db.schema_sql import trust
from db.schema_sql.trust import PG_GUARD_FUNCTION_0006

_REFUSAL = "audit_log is append-only: a row can only be sealed, once, in order"
_ORDER_CHECK = """
          AND NOT EXISTS (SELECT 1 FROM audit_log p
                          WHERE p.chain_hash IS NULL AND p.id < OLD.id)"""

#: The row-level guard from 0012: 0007's, without the order check (the statement's now).
PG_GUARD_FUNCTION_0012 = PG_GUARD_FUNCTION_0006.replace(_ORDER_CHECK, "")

SEALED_IN_ORDER = "audit_log_sealed_in_order"
#: The statement-level check of the order in which rows are sealed.
PG_ORDER_FUNCTION = f"""
CREATE FUNCTION {SEALED_IN_ORDER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_log p
             WHERE p.chain_hash IS NULL AND p.id < (SELECT max(s.id) FROM sealed s)) THEN
    RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END
$$
"""
#: When the order check runs: after every UPDATE statement on `audit_log`, over its rows.
PG_ORDER_WHEN = "AFTER UPDATE"
PG_ORDER_REFERENCING = "REFERENCING NEW TABLE AS sealed"


def pg_order_trigger(schema: str | None = None) -> str:
    """CREATE TRIGGER of the order check, as pg_get_triggerdef prints it (with `schema`)."""
    table = f"{schema}.audit_log" if schema else "audit_log"
    return (f"CREATE TRIGGER {SEALED_IN_ORDER} {PG_ORDER_WHEN} ON {table}"
            f" {PG_ORDER_REFERENCING} FOR EACH STATEMENT EXECUTE FUNCTION {SEALED_IN_ORDER}()")


def _fast_no_reuse(table: str, definition: str) -> str:
    old = f"OR EXISTS (SELECT 1 FROM {table} WHERE id >= NEW.id AND"
    new = (f"OR (NEW.id <= (SELECT max(m.id) FROM {table} m)\n"
           f"                    AND EXISTS (SELECT 1 FROM {table} WHERE id >= NEW.id AND")
    return definition.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1).replace(
        old, new).replace(")) THEN", "))) THEN", 1)


def pg_no_reuse_functions() -> dict[str, str]:
    """name -> CREATE OR REPLACE FUNCTION of 0007's id guards as 0012 makes them: the same
    refusals, with the common case (an id above every row) answered from the index."""
    return {name: _fast_no_reuse(name.removesuffix("_no_reuse"), definition)
            for name, definition in trust.pg_functions().items()}
