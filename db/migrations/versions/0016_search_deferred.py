"""search deferred: a record's search document written once per transaction on PostgreSQL

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 21:20:00.000000

Issue 16: with 0015's index of one- and two-character windows, every write of a search
document cost ~130 GIN keys, and an import wrote each meeting's document once for the
meeting and again for each link row (PostgreSQL import of 10k meetings 2.1x as long). From
here the search triggers on PostgreSQL note the record in `search_<table>_pending` and a
deferred constraint trigger writes each noted record's document once, at commit
(db/schema_sql/search_deferred.py). Nothing changes on SQLite.
"""
from collections.abc import Sequence

from alembic import op

from db.schema_sql import search, search_deferred, search_unchanged

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _replace_functions(functions: dict[str, str]) -> None:
    before, after = search_unchanged.pg_functions(), search_deferred.pg_functions()
    for name in before:
        if before[name] != after[name]:  # all but the records' delete triggers
            op.execute(functions[name].replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    functions = search_deferred.pg_functions()
    for indexed in search.INDEXED:
        op.execute(search_deferred.pg_create_pending(indexed))
        op.execute(functions[search_deferred.flush(indexed)])
        op.execute(search_deferred.pg_create_flush_trigger(indexed))
    _replace_functions(functions)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    # Documents noted and not yet written (none outside a transaction) are written first.
    op.execute('SET CONSTRAINTS ALL IMMEDIATE')
    _replace_functions(search_unchanged.pg_functions())
    for indexed in search.INDEXED:
        op.execute(f'DROP TABLE {search_deferred.pending(indexed)}')
        op.execute(f'DROP FUNCTION {search_deferred.flush(indexed)}()')
