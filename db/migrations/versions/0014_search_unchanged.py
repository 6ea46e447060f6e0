"""search unchanged: an update that changes no searched value rewrites no search document

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 18:00:00.000000

The text-search triggers of 0011 rewrote the search documents of every meeting of an
organization whenever the organization was saved, even with its names unchanged (a form
saves every field). From here the update triggers of the searched columns do nothing unless
a searched value changed (db/schema_sql/search_unchanged.py): SQLite's get a WHEN clause,
PostgreSQL's trigger functions return at once. The documents themselves are unchanged.
"""
from collections.abc import Sequence

from alembic import op

from db.schema_sql import search, search_unchanged

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _install(sqlite: dict[str, tuple[str, str]], functions: dict[str, str]) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in search_unchanged.CHANGED:
            op.execute(f'DROP TRIGGER {name}')
            op.execute(sqlite[name][1])
    else:
        for name in search_unchanged.CHANGED:
            op.execute(functions[name].replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))


def upgrade() -> None:
    _install(search_unchanged.sqlite_installed(), search_unchanged.pg_functions())


def downgrade() -> None:
    _install(search.sqlite_installed(), search.pg_functions())
