"""audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:00:00.000000

An append-only `audit_log` written by triggers on every table (docs/auditing.md), so that a
change made outside the program (the sqlite3 shell) is recorded too. The program seals each
row into a SHA-256 chain (`chain_hash`) at its next write (crm/audit/chain.py); the triggers on
`audit_log` refuse any update but that sealing, and every delete.

Rows that exist when this migration runs are recorded once as inserts by `migration 0003`,
so that replaying the log gives every table's content.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables never audited: the log itself, the actor register, and Alembic's bookkeeping.
NOT_AUDITED = frozenset({'audit_log', 'audit_actor', 'alembic_version'})
ACTIONS = ('insert', 'update', 'delete')
CONTENT_COLUMNS = (
    'id', 'table_name', 'row_id', 'action', 'old_values', 'new_values', 'changed_at',
    'changed_by',
)


# --- SQLite trigger DDL (a PostgreSQL twin goes beside it, under its own dialect guard) ------

SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
# The program names the acting user in audit_actor inside each write transaction and clears
# it before committing; a change made by any other tool finds it empty and is signed 'sql'.
SQLITE_ACTOR = "coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql')"


def _sqlite_json(prefix: str, columns: Sequence[str]) -> str:
    pairs = ', '.join(f"'{c}', {prefix}.\"{c}\"" for c in columns)
    return f'json_object({pairs})'


def sqlite_audit_triggers(table: str, key: str, columns: Sequence[str]) -> list[str]:
    """CREATE TRIGGER statements recording every insert, update and delete on `table`.

    `key` is the column stored as `audit_log.row_id`: `id`, or for a link table its first
    key column (the parent record). Values are JSON objects of every column.
    """
    values = {
        'insert': ('NULL', _sqlite_json('NEW', columns), 'NEW'),
        'update': (_sqlite_json('OLD', columns), _sqlite_json('NEW', columns), 'NEW'),
        'delete': (_sqlite_json('OLD', columns), 'NULL', 'OLD'),
    }
    statements = []
    for action in ACTIONS:
        old, new, row = values[action]
        statements.append(
            f'CREATE TRIGGER audit_{table}_{action} AFTER {action.upper()} ON "{table}"\n'
            'BEGIN\n'
            '  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,'
            ' changed_at, changed_by)\n'
            f"  VALUES ('{table}', {row}.\"{key}\", '{action}', {old}, {new},"
            f' {SQLITE_NOW}, {SQLITE_ACTOR});\n'
            'END'
        )
    return statements


def sqlite_existing_rows(table: str, key: str, columns: Sequence[str]) -> str:
    """INSERT … SELECT recording the rows `table` holds before auditing starts."""
    return (
        'INSERT INTO audit_log (table_name, row_id, action, old_values, new_values,'
        ' changed_at, changed_by)\n'
        f"SELECT '{table}', t.\"{key}\", 'insert', NULL, {_sqlite_json('t', columns)},"
        f" {SQLITE_NOW}, 'migration 0003' FROM \"{table}\" t ORDER BY t.\"{key}\""
    )


# Sealing is the one update allowed: it sets the hash of the oldest unsealed row, leaving
# every content column as it was. A sealed row never changes again.
SQLITE_GUARD_UPDATE = f"""
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND length(NEW.chain_hash) = 64
  AND {' AND '.join(f'NEW.{c} IS OLD.{c}' for c in CONTENT_COLUMNS)}
  AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.chain_hash IS NULL AND p.id < OLD.id)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a row can only be sealed, once, in order');
END
"""
SQLITE_GUARD_DELETE = """
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END
"""
SQLITE_GUARD_INSERT = """
CREATE TRIGGER audit_log_unsealed_insert BEFORE INSERT ON audit_log
WHEN NEW.chain_hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_log rows are recorded unsealed and sealed by the program');
END
"""
SQLITE_GUARDS = {
    'audit_log_no_update': SQLITE_GUARD_UPDATE,
    'audit_log_no_delete': SQLITE_GUARD_DELETE,
    'audit_log_unsealed_insert': SQLITE_GUARD_INSERT,
}


def _audited_tables(bind: sa.Connection) -> list[tuple[str, str, list[str]]]:
    """(table, key column, columns) of every table at this revision that is audited."""
    inspector = sa.inspect(bind)
    tables = []
    for table in sorted(inspector.get_table_names()):
        if table in NOT_AUDITED:
            continue
        columns = [c['name'] for c in inspector.get_columns(table)]
        key = 'id' if 'id' in columns else inspector.get_pk_constraint(table)[
            'constrained_columns'][0]
        tables.append((table, key, columns))
    return tables


def upgrade() -> None:
    op.create_table('audit_actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_actor_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_actor'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('old_values', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('new_values', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('chain_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.CheckConstraint("action IN ('insert', 'update', 'delete')", name=op.f('ck_audit_log_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index('ix_audit_log_table_name_row_id', ['table_name', 'row_id'], unique=False)
        batch_op.create_index('ix_audit_log_unsealed', ['id'], unique=False, sqlite_where=sa.text('chain_hash IS NULL'), postgresql_where=sa.text('chain_hash IS NULL'))

    op.execute("INSERT INTO audit_actor (id, actor) VALUES (1, NULL)")
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for table, key, columns in _audited_tables(bind):
            op.execute(sqlite_existing_rows(table, key, columns))
            for statement in sqlite_audit_triggers(table, key, columns):
                op.execute(statement)
        for statement in SQLITE_GUARDS.values():
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in SQLITE_GUARDS:
            op.execute(f'DROP TRIGGER {name}')
        for table, _key, _columns in _audited_tables(bind):
            for action in ACTIONS:
                op.execute(f'DROP TRIGGER audit_{table}_{action}')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_unsealed', sqlite_where=sa.text('chain_hash IS NULL'), postgresql_where=sa.text('chain_hash IS NULL'))
        batch_op.drop_index('ix_audit_log_table_name_row_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_changed_at'))

    op.drop_table('audit_log')
    op.drop_table('audit_actor')
