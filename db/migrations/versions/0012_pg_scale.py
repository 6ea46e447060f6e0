"""pg scale: sealing checked once per statement, id guards from the index; row versions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00.000000

Issue 16 (docs/performance.md, docs/auditing.md). On PostgreSQL, importing n rows took time
in n²: the sealing guard walked, for each row sealed, every row sealed before it in the same
transaction (their unsealed versions stay in the partial index until commit), and the id
guards of 0007 scanned the whole of `audit_log` for each row inserted (a cached generic
plan). The row-level sealing guard keeps its per-row checks and a statement-level trigger
checks the order once per statement (db/schema_sql/sealing.py); the id guards answer the
common case from the primary key. What is refused is unchanged.

Every editable record gets `version` (1 for existing rows), bumped by every save, so that a
save over a version changed meanwhile is refused (db/schema_sql/row_versions.py). It is not
audited: SQLite's audit triggers name their columns and stay as they are; PostgreSQL's
record functions (0007's, and 0008's for rows with personal values) are replaced by ones that
leave it out.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.schema_sql import row_versions, sealing, trust

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in row_versions.VERSIONED_TABLES:
        op.add_column(table, sa.Column(row_versions.VERSION_COLUMN, sa.Integer(),
                                       server_default=sa.text('1'), nullable=False))
    if bind.dialect.name == 'postgresql':
        op.execute(row_versions.PG_RECORD_FUNCTION_0012)
        op.execute(row_versions.PG_PERSONAL_RECORD_FUNCTION_0012)
        op.execute(sealing.PG_GUARD_FUNCTION_0012)
        for statement in sealing.pg_no_reuse_functions().values():
            op.execute(statement)
        op.execute(sealing.PG_ORDER_FUNCTION)
        op.execute(sealing.pg_order_trigger())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(f'DROP TRIGGER {sealing.SEALED_IN_ORDER} ON audit_log')
        op.execute(f'DROP FUNCTION {sealing.SEALED_IN_ORDER}()')
        op.execute(trust.PG_GUARD_FUNCTION_0006)
        for statement in trust.pg_functions().values():
            op.execute(statement.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))
        op.execute(trust.PG_RECORD_FUNCTION_0006)
        op.execute(row_versions.PG_PERSONAL_RECORD_FUNCTION_0008)
    for table in reversed(row_versions.VERSIONED_TABLES):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {row_versions.VERSION_COLUMN}')
