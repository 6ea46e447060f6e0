"""audit triggers for PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:50:00.000000

The PostgreSQL twin of the SQLite audit triggers of 0003 and 0004 (docs/auditing.md): one
PL/pgSQL function records every insert, update and delete of every table into `audit_log`
with the same columns and formats (JSON text of every column, UTC time as
YYYY-MM-DDTHH:MM:SS.fffZ, the actor from `audit_actor` or 'sql'), and guard triggers keep
`audit_log` append-only except for sealing. It also gives `issued_report` the frozen-row
triggers 0002 gave it on SQLite. On SQLite this migration does nothing.

Rows that exist when it runs are recorded once as inserts by `migration 0005`, as 0003 did
for SQLite.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_AUDITED = frozenset({'audit_log', 'audit_actor', 'alembic_version'})
CONTENT_COLUMNS = (
    'id', 'table_name', 'row_id', 'action', 'old_values', 'new_values', 'changed_at',
    'changed_by',
)
PG_NOW = """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""

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

# Sealing is the one update allowed, as on SQLite (0003).
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
# Issued reports are frozen (0002 did this for SQLite).
PG_FROZEN_FUNCTION = """
CREATE FUNCTION issued_report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'issued reports are frozen: issued_report rows cannot %',
    CASE TG_OP WHEN 'DELETE' THEN 'be deleted' ELSE 'change' END
    USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
PG_FROZEN = {'issued_report_no_update': 'BEFORE UPDATE', 'issued_report_no_delete': 'BEFORE DELETE'}
PG_GUARDS = {
    'audit_log_no_update': 'BEFORE UPDATE',
    'audit_log_no_delete': 'BEFORE DELETE',
    'audit_log_unsealed_insert': 'BEFORE INSERT',
}


def _audited_tables(bind: sa.Connection) -> list[tuple[str, str]]:
    """(table, key column) of every audited table at this revision."""
    inspector = sa.inspect(bind)
    tables = []
    for table in sorted(inspector.get_table_names()):
        if table in NOT_AUDITED:
            continue
        columns = [c['name'] for c in inspector.get_columns(table)]
        key = 'id' if 'id' in columns else inspector.get_pk_constraint(table)[
            'constrained_columns'][0]
        tables.append((table, key))
    return tables


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute(PG_RECORD_FUNCTION)
    op.execute(PG_GUARD_FUNCTION)
    for table, key in _audited_tables(bind):
        op.execute(
            'INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,'
            ' changed_at, changed_by)'
            f" SELECT '{table}', t.\"{key}\", 'insert', NULL, to_jsonb(t)::text, {PG_NOW},"
            f" 'migration 0005' FROM \"{table}\" t ORDER BY t.\"{key}\""
        )
        op.execute(
            f'CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
            f" FOR EACH ROW EXECUTE FUNCTION audit_record('{key}')"
        )
    for name, when in PG_GUARDS.items():
        op.execute(
            f'CREATE TRIGGER {name} {when} ON audit_log'
            ' FOR EACH ROW EXECUTE FUNCTION audit_log_guard()'
        )
    op.execute(PG_FROZEN_FUNCTION)
    for name, when in PG_FROZEN.items():
        op.execute(
            f'CREATE TRIGGER {name} {when} ON issued_report'
            ' FOR EACH ROW EXECUTE FUNCTION issued_report_frozen()'
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    for name in PG_FROZEN:
        op.execute(f'DROP TRIGGER {name} ON issued_report')
    op.execute('DROP FUNCTION issued_report_frozen()')
    for name in PG_GUARDS:
        op.execute(f'DROP TRIGGER {name} ON audit_log')
    for table, _key in _audited_tables(bind):
        op.execute(f'DROP TRIGGER audit_{table} ON "{table}"')
    op.execute('DROP FUNCTION audit_log_guard()')
    op.execute('DROP FUNCTION audit_record()')
