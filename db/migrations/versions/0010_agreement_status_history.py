"""agreement status history: `agreement_status_change`, filled from the audit log

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 14:10:00.000000

Issue 13 item 6 (docs/schema.md). Each row holds an agreement's status and dates as they
were from `effective_on`, so that the register of a report shows the status each agreement
had on the period's last day. The table is audited and append-only (no update, no delete).
Existing agreements get their history by replaying their rows in the audit log, by the rules
of crm.records.agreement_history as they stand at this migration (copied here: a migration
never changes), then from their own row where the log has nothing or ends elsewhere.
Rows written here are signed `migration 0010`.
"""
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

from db.schema_sql import audit, trust

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = 'migration 0010'
TABLE = 'agreement_status_change'
COLUMNS = ('id', 'agreement_id', 'status', 'effective_on', 'concluded_on', 'starts_on',
           'ends_on', 'recorded_at', 'recorded_by')
STATUSES = ('proposed', 'negotiating', 'concluded', 'ended', 'cancelled')
_JAPAN = timezone(timedelta(hours=9))
_REFUSAL = f'{TABLE} is append-only: a status change is corrected by a later one'

#: SQLite guards keeping the history append-only, by name.
SQLITE_GUARDS = {
    f'{TABLE}_no_update': f"""
CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
BEGIN
  SELECT RAISE(ABORT, '{_REFUSAL}');
END
""",
    f'{TABLE}_no_delete': f"""
CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
BEGIN
  SELECT RAISE(ABORT, '{_REFUSAL}');
END
""",
}
#: The PostgreSQL function both guard triggers run.
PG_FUNCTION_NAME = f'{TABLE}_append_only'
PG_FUNCTION = f"""
CREATE FUNCTION {PG_FUNCTION_NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
#: The PostgreSQL guard triggers on the history, by name: when each runs.
PG_GUARDS = {f'{TABLE}_no_update': 'BEFORE UPDATE', f'{TABLE}_no_delete': 'BEFORE DELETE'}

_STATE = ('status', 'concluded_on', 'starts_on', 'ends_on')
State = tuple[str, date | None, date | None, date | None]


def _changes(previous: State | None, current: State, today: date) -> list[tuple[str, date]]:
    """(status, effective_on) rows for a move from `previous` to `current` (the rules of
    crm.records.agreement_history.changes_for at this migration)."""
    if previous == current:
        return []
    status, concluded_on, starts_on, ends_on = current
    if status == 'concluded' and concluded_on is not None:
        return [('concluded', concluded_on)]
    if status not in ('ended', 'cancelled'):
        return [(status, today)]
    rows = []
    already = (previous is not None and previous[0] == 'concluded'
               and previous[1:3] == (concluded_on, starts_on))
    if concluded_on is not None and not already:
        rows.append(('concluded', concluded_on))
    if status == 'ended' and ends_on is not None:
        rows.append(('ended', ends_on + timedelta(days=1)))
    else:
        rows.append((status, today))
    return rows


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace('Z', '+00:00')).astimezone(UTC)


def _state(values: dict[str, Any]) -> State:
    return (values['status'], _day(values['concluded_on']), _day(values['starts_on']),
            _day(values['ends_on']))


def _history(bind: sa.Connection) -> list[dict[str, Any]]:
    """The rows replaying each agreement's audit log, then its current row."""
    rows: list[dict[str, Any]] = []
    last: dict[int, State] = {}

    def add(agreement_id: int, state: State, at: datetime, by: str) -> None:
        for status, effective_on in _changes(last.get(agreement_id), state,
                                             at.astimezone(_JAPAN).date()):
            rows.append({'agreement_id': agreement_id, 'status': status,
                         'effective_on': effective_on, 'concluded_on': state[1],
                         'starts_on': state[2], 'ends_on': state[3], 'recorded_at': at,
                         'recorded_by': by})
        last[agreement_id] = state

    logged = bind.execute(sa.text(
        "SELECT row_id, new_values, changed_at, coalesce(claimed_by, changed_by)"
        " FROM audit_log WHERE table_name = 'agreement' AND action IN ('insert', 'update')"
        " ORDER BY id"))
    for row_id, new_values, changed_at, by in logged:
        values = json.loads(new_values)
        if all(key in values for key in _STATE):
            add(int(row_id), _state(values), _moment(changed_at), by)
    current = bind.execute(sa.text(
        'SELECT id, status, concluded_on, starts_on, ends_on, updated_at, updated_by'
        ' FROM agreement ORDER BY id'))
    for agreement_id, *values, updated_at, updated_by in current:
        add(int(agreement_id), _state(dict(zip(_STATE, values, strict=True))),
            _moment(updated_at), updated_by)
    return rows


def _create_table() -> sa.Table:
    return op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('concluded_on', sa.Date(), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})",
                           name=op.f(f'ck_{TABLE}_status')),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f(f'fk_{TABLE}_agreement_id_agreement')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
    )


def upgrade() -> None:
    bind = op.get_bind()
    table = _create_table()
    op.create_index(f'ix_{TABLE}_agreement_effective', TABLE, ['agreement_id', 'effective_on'],
                    unique=False)
    if bind.dialect.name == 'sqlite':
        for statement in trust.sqlite_audit_triggers(TABLE, 'id', COLUMNS):
            op.execute(statement)
        for statement in SQLITE_GUARDS.values():
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute(audit.pg_audit_trigger(TABLE, 'id'))
        op.execute(PG_FUNCTION)
        for name, when in PG_GUARDS.items():
            op.execute(audit.pg_row_trigger(name, when, TABLE, PG_FUNCTION_NAME))
    op.execute(f"UPDATE audit_actor SET claimed = '{ACTOR}' WHERE id = 1")
    rows = _history(bind)
    if rows:
        op.bulk_insert(table, rows)
    op.execute('UPDATE audit_actor SET claimed = NULL WHERE id = 1')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for name in PG_GUARDS:
            op.execute(f'DROP TRIGGER {name} ON {TABLE}')
        op.execute(f'DROP FUNCTION {PG_FUNCTION_NAME}()')
        op.execute(f'DROP TRIGGER audit_{TABLE} ON {TABLE}')
    op.drop_index(f'ix_{TABLE}_agreement_effective', table_name=TABLE)
    op.drop_table(TABLE)
