"""kpi_comment: comments per KPI and fiscal year or quarter (要因分析, 課題, 今後の方向性)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 14:00:00.000000

Issue 13 item 1 (docs/schema.md, docs/reports.md). One row per KPI, fiscal year, quarter
(NULL for the whole year) and field; audited like every table (the triggers of 0007 on
SQLite, `audit_record` on PostgreSQL), so `crm db check` finds them as it expects.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, trust

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('id', 'kpi_id', 'fiscal_year', 'quarter', 'field', 'text', 'created_at',
           'created_by', 'updated_at', 'updated_by')


def upgrade() -> None:
    op.create_table(
        'kpi_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kpi_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=10), nullable=False),
        sa.Column('text', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=False),
        sa.CheckConstraint('quarter IS NULL OR quarter BETWEEN 1 AND 4',
                           name=op.f('ck_kpi_comment_quarter')),
        sa.CheckConstraint("field IN ('analysis', 'issues', 'next')",
                           name=op.f('ck_kpi_comment_field')),
        sa.CheckConstraint('length(text) > 0', name=op.f('ck_kpi_comment_text_not_empty')),
        sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_comment_kpi_id_kpi'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_comment')),
        sa.UniqueConstraint('kpi_id', 'fiscal_year', 'quarter', 'field',
                            name='uq_kpi_comment_kpi_id_fiscal_year_quarter_field'),
    )
    op.create_index(op.f('ix_kpi_comment_kpi_id'), 'kpi_comment', ['kpi_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in trust.sqlite_audit_triggers('kpi_comment', 'id', COLUMNS):
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute(audit.pg_audit_trigger('kpi_comment', 'id'))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in audit.sqlite_drop_audit_triggers('kpi_comment'):
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_kpi_comment ON kpi_comment')
    op.drop_index(op.f('ix_kpi_comment_kpi_id'), table_name='kpi_comment')
    op.drop_table('kpi_comment')
