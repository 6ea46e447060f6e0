"""issued report

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 16:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Issued reports are frozen: what was printed stays as it was (docs/reports.md).
FROZEN_TRIGGERS = (
    """
CREATE TRIGGER issued_report_no_update BEFORE UPDATE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot change'); END
""",
    """
CREATE TRIGGER issued_report_no_delete BEFORE DELETE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot be deleted'); END
""",
)


def upgrade() -> None:
    op.create_table('issued_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=True),
    sa.Column('lang', AutoString(length=2), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', AutoString(length=100), nullable=False),
    sa.Column('fingerprint', AutoString(length=64), nullable=False),
    sa.Column('pdf_sha256', AutoString(length=64), nullable=False),
    sa.Column('figures_json', AutoString(), nullable=False),
    sa.CheckConstraint("lang IN ('ja', 'en')", name=op.f('ck_issued_report_lang')),
    sa.CheckConstraint('quarter IS NULL OR quarter BETWEEN 1 AND 4', name=op.f('ck_issued_report_quarter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_report'))
    )
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.create_index('ix_issued_report_fiscal_year_quarter', ['fiscal_year', 'quarter'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        for trigger in FROZEN_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_report_fiscal_year_quarter')

    op.drop_table('issued_report')
