"""trust: guards against REPLACE, UPSERT and id reuse; anchors stored with issued reports

Revision ID: 0006_trust
Revises: 0005
Create Date: 2026-12-02 11:20:00.000000

Issue 12 (docs/auditing.md). `audit_log` and `issued_report` refuse an insert that names an
existing id, or one at or below a sealed audit row / an issued report (SQLite's REPLACE
deletes the row it replaces without firing DELETE triggers; an UPSERT turns into an
update), and ids below 1. Each issued report stores the audit chain head it printed
(`audit_head_id`, `audit_head_hash`; NULL for reports issued before), so that
`crm audit verify` checks every anchor. On SQLite the audit triggers of `issued_report` are
recreated to record the two new columns; PostgreSQL's record every column already.
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, trust

revision: str = '0006_trust'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANCHOR_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    'audit_head_id': sa.Integer(), 'audit_head_hash': sa.String(length=64),
}


def _create_sqlite_audit_triggers(bind: sa.Connection, table: str) -> None:
    for name, key, columns in audit.audited_tables(bind):
        if name == table:
            for statement in audit.sqlite_audit_triggers(name, key, columns):
                op.execute(statement)


def _drop_sqlite_audit_triggers(table: str) -> None:
    for statement in audit.sqlite_drop_audit_triggers(table):
        op.execute(statement)


def upgrade() -> None:
    bind = op.get_bind()
    for name, type_ in ANCHOR_COLUMNS.items():
        op.add_column('issued_report', sa.Column(name, type_, nullable=True))
    if bind.dialect.name == 'sqlite':
        _drop_sqlite_audit_triggers('issued_report')
        _create_sqlite_audit_triggers(bind, 'issued_report')
        for _table, statement in trust.sqlite_guards().values():
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        for statement in trust.pg_functions().values():
            op.execute(statement)
        for name, (table, when) in trust.pg_guards().items():
            op.execute(audit.pg_row_trigger(name, when, table, name))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in trust.sqlite_guards():
            op.execute(f'DROP TRIGGER {name}')
        _drop_sqlite_audit_triggers('issued_report')
    elif bind.dialect.name == 'postgresql':
        for name, (table, _when) in trust.pg_guards().items():
            op.execute(f'DROP TRIGGER {name} ON {table}')
        for name in trust.pg_functions():
            op.execute(f'DROP FUNCTION {name}()')
    for name in reversed(ANCHOR_COLUMNS):
        op.execute(f'ALTER TABLE issued_report DROP COLUMN {name}')
    if bind.dialect.name == 'sqlite':
        _create_sqlite_audit_triggers(bind, 'issued_report')
