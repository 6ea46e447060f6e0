"""personal values out of the audit chain, contact erasure

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:00:00.000000

Issue 12 item 5 (docs/auditing.md). A contact's personal values no longer enter the hashed
content of `audit_log`: the row holds a marker, the value goes to `audit_personal_value` with
a random salt, and the chain covers sha256(salt || value), so `crm contacts erase` can destroy
the value (recorded in the audited `contact_erasure`) and the chain still verifies.

Existing rows are restated (db.schema_sql.personal.restate): their values move out, sealed
rows keep their seals, and each is recorded in the audited `audit_restatement` (the seal, the
hash of the new content, whether the old content still matched): a new chain segment, nothing
re-sealed. Changes are signed `migration 0008`. Downgrading puts kept values back (erased
ones stay the marker); rows sealed since no longer verify.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, personal, trust

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ('contact_erasure', 'audit_restatement')
SIGNED = "UPDATE audit_actor SET actor = 'migration 0008', claimed = 'migration 0008' WHERE id = 1"


def _create_tables() -> None:
    op.create_table(
        'audit_personal_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('side', sa.String(length=3), nullable=False),
        sa.Column('column_name', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(), nullable=True),
        sa.Column('salt', sa.String(length=32), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=True),
        sa.CheckConstraint("side IN ('old', 'new')", name=op.f('ck_audit_personal_value_side')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_personal_value')),
        sa.UniqueConstraint('audit_id', 'side', 'column_name',
                            name='uq_audit_personal_value_cell'),
    )
    op.create_index(op.f('ix_audit_personal_value_audit_id'), 'audit_personal_value',
                    ['audit_id'], unique=False)
    op.create_table(
        'contact_erasure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(), nullable=False),
        sa.Column('values_erased', sa.Integer(), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('erased_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'],
                                name=op.f('fk_contact_erasure_contact_id_contact')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_erasure')),
    )
    op.create_index(op.f('ix_contact_erasure_contact_id'), 'contact_erasure', ['contact_id'],
                    unique=False)
    op.create_table(
        'audit_restatement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('sealed_hash', sa.String(length=64), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('matched', sa.Boolean(), nullable=False),
        sa.Column('restated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_restatement')),
    )
    op.create_index(op.f('ix_audit_restatement_audit_id'), 'audit_restatement', ['audit_id'],
                    unique=True)


def _personal_tables(bind: sa.Connection) -> list[tuple[str, str, list[str]]]:
    return [t for t in audit.audited_tables(bind) if t[0] in personal.PERSONAL_COLUMNS]


def upgrade() -> None:
    bind = op.get_bind()
    _create_tables()
    if bind.dialect.name == 'sqlite':
        for table, key, columns in audit.audited_tables(bind):
            if table in NEW_TABLES:
                for statement in trust.sqlite_audit_triggers(table, key, columns):
                    op.execute(statement)
        for table, key, columns in _personal_tables(bind):
            for statement in audit.sqlite_drop_audit_triggers(table):
                op.execute(statement)
            for statement in personal.sqlite_audit_triggers(
                    table, key, columns, personal.PERSONAL_COLUMNS[table]):
                op.execute(statement)
        op.execute('DROP TRIGGER audit_log_no_update')
    elif bind.dialect.name == 'postgresql':
        for table in NEW_TABLES:
            op.execute(audit.pg_audit_trigger(table, 'id'))
        op.execute(personal.PG_RECORD_FUNCTION)
        op.execute(personal.PG_GUARD_FUNCTION)
        for table, key, _columns in _personal_tables(bind):
            op.execute(f'DROP TRIGGER audit_{table} ON "{table}"')
            op.execute(personal.pg_audit_trigger(table, key, personal.PERSONAL_COLUMNS[table]))
        op.execute('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update')
    op.execute(SIGNED)
    personal.restate(bind)
    op.execute('UPDATE audit_actor SET actor = NULL, claimed = NULL WHERE id = 1')
    if bind.dialect.name == 'sqlite':
        op.execute(trust.SQLITE_GUARD_UPDATE)
        for statement in personal.SQLITE_GUARDS.values():
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update')
        for name, when in personal.PG_GUARDS.items():
            op.execute(audit.pg_row_trigger(name, when, personal.TABLE,
                                            f'{personal.TABLE}_guard'))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in personal.SQLITE_GUARDS:
            op.execute(f'DROP TRIGGER {name}')
        op.execute('DROP TRIGGER audit_log_no_update')
        for table, key, columns in _personal_tables(bind):
            for statement in audit.sqlite_drop_audit_triggers(table):
                op.execute(statement)
            for statement in trust.sqlite_audit_triggers(table, key, columns):
                op.execute(statement)
        for table in NEW_TABLES:
            for statement in audit.sqlite_drop_audit_triggers(table):
                op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        for name in personal.PG_GUARDS:
            op.execute(f'DROP TRIGGER {name} ON {personal.TABLE}')
        for table, key, _columns in _personal_tables(bind):
            op.execute(f'DROP TRIGGER audit_{table} ON "{table}"')
            op.execute(audit.pg_audit_trigger(table, key))
        for table in NEW_TABLES:
            op.execute(f'DROP TRIGGER audit_{table} ON {table}')
        op.execute('DROP FUNCTION audit_record_personal()')
        op.execute(f'DROP FUNCTION {personal.TABLE}_guard()')
        op.execute('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update')
    personal.put_back(bind)
    if bind.dialect.name == 'sqlite':
        op.execute(trust.SQLITE_GUARD_UPDATE)
    elif bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update')
    for table in ('audit_restatement', 'contact_erasure', 'audit_personal_value'):
        op.drop_table(table)  # with its indexes
