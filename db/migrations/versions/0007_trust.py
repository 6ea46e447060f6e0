"""trust: guards against REPLACE, UPSERT and id reuse; anchors stored with issued reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:20:00.000000

Issue 12 (docs/auditing.md). `audit_log` and `issued_report` refuse an insert that names an
existing id, or one at or below a sealed audit row / an issued report (SQLite's REPLACE
deletes the row it replaces without firing DELETE triggers; an UPSERT turns into an
update), and ids below 1. Each issued report stores the audit chain head it printed
(`audit_head_id`, `audit_head_hash`; NULL for reports issued before), so that
`crm audit verify` checks every anchor. Who made a change: `audit_log.claimed_by` (the name
the program acts for, from the new `audit_actor.claimed`) beside `changed_by`, which becomes
PostgreSQL's `session_user` / on SQLite the OS login; every audit trigger (SQLite) and the
record and guard functions (PostgreSQL) are replaced to write and keep it. Existing rows
keep their values (`claimed_by` NULL) and their seals. The new audited table `audit_break`
keeps the breaks the office has acknowledged (`crm audit acknowledge`).
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, trust

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANCHOR_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    'audit_head_id': sa.Integer(), 'audit_head_hash': sa.String(length=64),
}


def _sqlite_audit_triggers(bind: sa.Connection, new: bool) -> None:
    """Replace every table's audit triggers by 0006's (`new`) or by 0003's."""
    for table, key, columns in audit.audited_tables(bind):
        for statement in audit.sqlite_drop_audit_triggers(table):
            op.execute(statement)
        generate = trust.sqlite_audit_triggers if new else audit.sqlite_audit_triggers
        for statement in generate(table, key, columns):
            op.execute(statement)


AUDIT_BREAK_COLUMNS = ('id', 'row_id', 'problem', 'reason', 'acknowledged_at', 'acknowledged_by')


def _create_audit_break() -> None:
    op.create_table(
        'audit_break',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('problem', sa.String(), nullable=False),
        sa.Column('reason', sa.String(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acknowledged_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_break')),
    )
    op.create_index(op.f('ix_audit_break_row_id'), 'audit_break', ['row_id'], unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    for name, type_ in ANCHOR_COLUMNS.items():
        op.add_column('issued_report', sa.Column(name, type_, nullable=True))
    op.add_column('audit_log', sa.Column('claimed_by', sa.String(length=100), nullable=True))
    op.add_column('audit_actor', sa.Column('claimed', sa.String(length=100), nullable=True))
    if bind.dialect.name == 'sqlite':
        _sqlite_audit_triggers(bind, new=True)
    _create_audit_break()
    if bind.dialect.name == 'sqlite':
        for statement in trust.sqlite_audit_triggers('audit_break', 'id', AUDIT_BREAK_COLUMNS):
            op.execute(statement)
        op.execute('DROP TRIGGER audit_log_no_update')
        op.execute(trust.SQLITE_GUARD_UPDATE)
        for _table, statement in trust.sqlite_guards().values():
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute(trust.PG_RECORD_FUNCTION_0006)
        op.execute(trust.PG_GUARD_FUNCTION_0006)
        for statement in trust.pg_functions().values():
            op.execute(statement)
        for name, (table, when) in trust.pg_guards().items():
            op.execute(audit.pg_row_trigger(name, when, table, name))
        op.execute(audit.pg_audit_trigger('audit_break', 'id'))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in trust.sqlite_guards():
            op.execute(f'DROP TRIGGER {name}')
        op.execute('DROP TRIGGER audit_log_no_update')
        for table, _key, _columns in audit.audited_tables(bind):
            for statement in audit.sqlite_drop_audit_triggers(table):
                op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        for name, (table, _when) in trust.pg_guards().items():
            op.execute(f'DROP TRIGGER {name} ON {table}')
        for name in trust.pg_functions():
            op.execute(f'DROP FUNCTION {name}()')
        for statement in trust.PG_FUNCTIONS_0005:
            op.execute(statement)
    if bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_audit_break ON audit_break')
    op.drop_index(op.f('ix_audit_break_row_id'), table_name='audit_break')
    op.drop_table('audit_break')
    op.execute('ALTER TABLE audit_actor DROP COLUMN claimed')
    op.execute('ALTER TABLE audit_log DROP COLUMN claimed_by')
    for name in reversed(ANCHOR_COLUMNS):
        op.execute(f'ALTER TABLE issued_report DROP COLUMN {name}')
    if bind.dialect.name == 'sqlite':
        op.execute(audit.SQLITE_GUARDS['audit_log_no_update'])
        for table, key, columns in audit.audited_tables(bind):
            for statement in audit.sqlite_audit_triggers(table, key, columns):
                op.execute(statement)
