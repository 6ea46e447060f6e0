"""organization merge

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00.000000

`organization_merge` records each merge of a duplicate organization (crm/records/dedup.py) with the
links it moved, so that it can be undone. Audited like every table (migration 0003).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'organization_merge'
COLUMNS = (
    'id', 'kept_id', 'merged_id', 'merged_at', 'merged_by', 'moved_json', 'undone_at',
    'undone_by',
)
ACTIONS = ('insert', 'update', 'delete')
# The audit trigger DDL of migration 0003, for this one table.
SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
SQLITE_ACTOR = "coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql')"


def _sqlite_json(prefix: str) -> str:
    pairs = ', '.join(f"'{c}', {prefix}.\"{c}\"" for c in COLUMNS)
    return f'json_object({pairs})'


def _sqlite_audit_triggers() -> list[str]:
    values = {
        'insert': ('NULL', _sqlite_json('NEW'), 'NEW'),
        'update': (_sqlite_json('OLD'), _sqlite_json('NEW'), 'NEW'),
        'delete': (_sqlite_json('OLD'), 'NULL', 'OLD'),
    }
    statements = []
    for action in ACTIONS:
        old, new, row = values[action]
        statements.append(
            f'CREATE TRIGGER audit_{TABLE}_{action} AFTER {action.upper()} ON "{TABLE}"\n'
            'BEGIN\n'
            '  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,'
            ' changed_at, changed_by)\n'
            f"  VALUES ('{TABLE}', {row}.\"id\", '{action}', {old}, {new},"
            f' {SQLITE_NOW}, {SQLITE_ACTOR});\n'
            'END'
        )
    return statements


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('merged_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('moved_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.CheckConstraint('kept_id <> merged_id', name=op.f('ck_organization_merge_distinct_organizations')),
    sa.ForeignKeyConstraint(['kept_id'], ['organization.id'], name=op.f('fk_organization_merge_kept_id_organization')),
    sa.ForeignKeyConstraint(['merged_id'], ['organization.id'], name=op.f('fk_organization_merge_merged_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_merge'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_merge_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_merge_merged_id'), ['merged_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        for statement in _sqlite_audit_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for action in ACTIONS:
            op.execute(f'DROP TRIGGER audit_{TABLE}_{action}')
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_merge_merged_id'))
        batch_op.drop_index(batch_op.f('ix_organization_merge_kept_id'))

    op.drop_table(TABLE)
