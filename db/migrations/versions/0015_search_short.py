"""search short: keys of one or two characters through an index

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 20:15:00.000000

Issue 16 item 6 / issue 14 item 2. A key shorter than a trigram scanned every search
document. From here (db/schema_sql/search_short.py) SQLite looks it up in an fts5vocab table
of each FTS5 index (`search_<table>_terms`), every document ending with two newlines so that
a key at its very end starts a trigram too (the search triggers are re-created and the
documents rewritten); PostgreSQL gets a GIN index over each document's one- and two-character
windows (`search_grams(doc)`).
"""
from collections.abc import Sequence

from alembic import op

from db.schema_sql import search, search_short, search_unchanged

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _replace_triggers(triggers: dict[str, tuple[str, str]]) -> None:
    for name, (_table, statement) in triggers.items():
        op.execute(f'DROP TRIGGER {name}')
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _replace_triggers(search_short.sqlite_installed())
        for indexed in search.INDEXED:
            op.execute(search_short.sqlite_terminate(indexed))
            op.execute(search_short.sqlite_create_terms(indexed))
    else:
        op.execute(search_short.PG_GRAMS_FUNCTION)
        for indexed in search.INDEXED:
            op.execute(search_short.pg_create_grams_index(indexed))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for indexed in search.INDEXED:
            op.execute(f'DROP TABLE {search_short.terms(indexed)}')
            op.execute(search_short.sqlite_unterminate(indexed))
        _replace_triggers(search_unchanged.sqlite_installed())
    else:
        for indexed in search.INDEXED:
            op.execute(f'DROP INDEX {search_short.pg_grams_index(indexed)}')
        op.execute(f'DROP FUNCTION {search_short.PG_GRAMS}(text)')
