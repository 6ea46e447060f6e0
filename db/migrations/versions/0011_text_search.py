"""text search: a trigram index over what the lists search

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-02 14:10:00.000000

Issue 14 item 2. Meetings, agreements and outreach events get a search document (their
searched columns and the names, normalized names and kana of their linked organizations and
staff) in `search_meeting`, `search_agreement` and `search_outreach_event`: FTS5 tables with
the trigram tokenizer on SQLite, tables with a pg_trgm GIN index on PostgreSQL (the extension
is created here). Triggers keep the documents in step with every write; the search tables
are derived data, not audited (db/schema_sql/search.py). Existing records are indexed here.
"""
from collections.abc import Sequence

from alembic import op

from db.schema_sql import search

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(search.PG_EXTENSION)
        for statement in search.pg_functions().values():
            op.execute(statement)
    for indexed in search.INDEXED:
        if dialect == 'sqlite':
            op.execute(search.sqlite_create(indexed))
            for _table, statement in search.sqlite_triggers(indexed).values():
                op.execute(statement)
        else:
            for statement in search.pg_create(indexed):
                op.execute(statement)
        op.execute(search.fill(indexed, dialect))
    if dialect == 'postgresql':
        for name, (table, when) in search.pg_triggers().items():
            op.execute(f'CREATE TRIGGER {name} {when} ON {table}'
                       f' FOR EACH ROW EXECUTE FUNCTION {name}()')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in search.sqlite_installed():
            op.execute(f'DROP TRIGGER {name}')
    else:
        for name, (table, _when) in search.pg_triggers().items():
            op.execute(f'DROP TRIGGER {name} ON {table}')
        for name in search.pg_functions():
            op.execute(f'DROP FUNCTION {name}()')
    for indexed in search.INDEXED:
        op.execute(f'DROP TABLE {indexed.index}')
