"""audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:00:00.000000

An append-only `audit_log` written by triggers on every table (docs/auditing.md), so that a
change made outside the program (the sqlite3 shell) is recorded too. The program seals each
row into a SHA-256 chain (`chain_hash`) at its next write (crm/audit/chain.py); the triggers on
`audit_log` refuse any update but that sealing, and every delete.

Rows that exist when this migration runs are recorded once as inserts by `migration 0003`,
so that replaying the log gives every table's content.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from db.schema_sql import audit


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table('audit_actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', AutoString(length=100), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_actor_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_actor'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', AutoString(length=60), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('action', AutoString(length=6), nullable=False),
    sa.Column('old_values', AutoString(), nullable=True),
    sa.Column('new_values', AutoString(), nullable=True),
    sa.Column('changed_at', AutoString(length=24), nullable=False),
    sa.Column('changed_by', AutoString(length=100), nullable=False),
    sa.Column('chain_hash', AutoString(length=64), nullable=True),
    sa.CheckConstraint("action IN ('insert', 'update', 'delete')", name=op.f('ck_audit_log_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index('ix_audit_log_table_name_row_id', ['table_name', 'row_id'], unique=False)
        batch_op.create_index('ix_audit_log_unsealed', ['id'], unique=False, sqlite_where=sa.text('chain_hash IS NULL'), postgresql_where=sa.text('chain_hash IS NULL'))

    op.execute("INSERT INTO audit_actor (id, actor) VALUES (1, NULL)")
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for table, key, columns in audit.audited_tables(bind):
            op.execute(audit.sqlite_existing_rows(table, key, columns, 'migration 0003'))
            for statement in audit.sqlite_audit_triggers(table, key, columns):
                op.execute(statement)
        for statement in audit.SQLITE_GUARDS.values():
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in audit.SQLITE_GUARDS:
            op.execute(f'DROP TRIGGER {name}')
        for table, _key, _columns in audit.audited_tables(bind):
            for statement in audit.sqlite_drop_audit_triggers(table):
                op.execute(statement)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_unsealed', sqlite_where=sa.text('chain_hash IS NULL'), postgresql_where=sa.text('chain_hash IS NULL'))
        batch_op.drop_index('ix_audit_log_table_name_row_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_changed_at'))

    op.drop_table('audit_log')
    op.drop_table('audit_actor')
