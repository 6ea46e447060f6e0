"""kpi_measurement.source, issued_report.no_personal

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:00:00.000000

Issue 13 (docs/schema.md, docs/reports.md). A measured value is printed with its date and
now its source (`source`, optional, e.g. 「庁内アンケート」); an issued report records whether
it was built with --no-personal (`no_personal`, NULL for reports issued before). Both tables
are audited: on SQLite their audit triggers name their columns, so they are re-created with
the new one (PostgreSQL's `audit_record` records the whole row and needs nothing).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, trust

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables given a column.
TABLES = ('kpi_measurement', 'issued_report')


def _audit_triggers(create: bool) -> None:
    """SQLite: drop the audit triggers of `TABLES`, or create them over the columns the
    tables hold now."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    columns = {table: (key, names) for table, key, names in audit.audited_tables(op.get_bind())}
    for table in TABLES:
        key, names = columns[table]
        statements = (trust.sqlite_audit_triggers(table, key, names) if create
                      else audit.sqlite_drop_audit_triggers(table))
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    _audit_triggers(create=False)
    op.add_column('kpi_measurement', sa.Column('source', sa.String(length=200), nullable=True))
    op.add_column('issued_report', sa.Column('no_personal', sa.Boolean(), nullable=True))
    _audit_triggers(create=True)


def downgrade() -> None:
    _audit_triggers(create=False)  # SQLite drops no column a trigger names
    op.execute('ALTER TABLE issued_report DROP COLUMN no_personal')
    op.execute('ALTER TABLE kpi_measurement DROP COLUMN source')
    _audit_triggers(create=True)
