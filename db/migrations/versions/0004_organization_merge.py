"""organization merge

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00.000000

`organization_merge` records each merge of a duplicate organization (crm/records/dedup.py) with the
links it moved, so that it can be undone. Audited like every table (migration 0003).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from db.schema_sql import audit


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'organization_merge'
COLUMNS = (
    'id', 'kept_id', 'merged_id', 'merged_at', 'merged_by', 'moved_json', 'undone_at',
    'undone_by',
)


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('merged_by', AutoString(length=100), nullable=False),
    sa.Column('moved_json', AutoString(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', AutoString(length=100), nullable=True),
    sa.CheckConstraint('kept_id <> merged_id', name=op.f('ck_organization_merge_distinct_organizations')),
    sa.ForeignKeyConstraint(['kept_id'], ['organization.id'], name=op.f('fk_organization_merge_kept_id_organization')),
    sa.ForeignKeyConstraint(['merged_id'], ['organization.id'], name=op.f('fk_organization_merge_merged_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_merge'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_merge_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_merge_merged_id'), ['merged_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        for statement in audit.sqlite_audit_triggers(TABLE, 'id', COLUMNS):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in audit.sqlite_drop_audit_triggers(TABLE):
            op.execute(statement)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_merge_merged_id'))
        batch_op.drop_index(batch_op.f('ix_organization_merge_kept_id'))

    op.drop_table(TABLE)
