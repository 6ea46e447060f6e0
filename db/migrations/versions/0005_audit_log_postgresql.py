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

from alembic import op

from db.schema_sql import audit

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute(audit.PG_RECORD_FUNCTION)
    op.execute(audit.PG_GUARD_FUNCTION)
    for table, key, _columns in audit.audited_tables(bind):
        op.execute(audit.pg_existing_rows(table, key, 'migration 0005'))
        op.execute(audit.pg_audit_trigger(table, key))
    for name, when in audit.PG_GUARDS.items():
        op.execute(audit.pg_row_trigger(name, when, 'audit_log', 'audit_log_guard'))
    op.execute(PG_FROZEN_FUNCTION)
    for name, when in PG_FROZEN.items():
        op.execute(audit.pg_row_trigger(name, when, 'issued_report', 'issued_report_frozen'))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    for name in PG_FROZEN:
        op.execute(f'DROP TRIGGER {name} ON issued_report')
    op.execute('DROP FUNCTION issued_report_frozen()')
    for name in audit.PG_GUARDS:
        op.execute(f'DROP TRIGGER {name} ON audit_log')
    for table, _key, _columns in audit.audited_tables(bind):
        op.execute(f'DROP TRIGGER audit_{table} ON "{table}"')
    op.execute('DROP FUNCTION audit_log_guard()')
    op.execute('DROP FUNCTION audit_record()')
