"""plans, target revisions, the rule language and tags

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:00:00.000000

Every KPI now belongs to a `plan` (docs/plans.md); KPI codes are unique within a plan. A KPI
keeps its original target and gains `kpi_target_revision` rows, an achievement `formula` and
a `direction`; a plan has a grading table (`plan_grade`). Computed KPIs count by the rule
language: `count_source`, `count_measure` and the rows of `kpi_count_filter`, replacing
`rule_param`. Meetings, agreements and events take tags (`tag` and three link tables).

The KPIs of an existing database become plan `ict-policy-2018` with their rules rewritten
as filters (events: their kind; agreements: partner kinds; companies: first-time
organizations of kind company), so every figure stays as it was. The views are recreated
from db/schema_sql/kpi_v0006.py. On SQLite the `kpi` table is rebuilt (its unique code and
CHECK constraints change) with foreign keys deferred; the rows it holds are recorded in the
audit log as updates. Changes are signed `migration 0006`; the new tables are audited.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from db.schema_sql import audit, kpi_v0001, kpi_v0006


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = 'migration 0006'
PLAN = {
    'code': 'ict-policy-2018',
    'name_ja': '情報通信技術基盤等の利活用に関する推進方針',
    'name_en': 'ICT promotion policy',
    'first_fiscal_year': 2018,
    'last_fiscal_year': 2022,
}
GRADES = (('A', 100.0), ('B', 80.0), ('C', 50.0))
# How the three rules of 0001 read in the rule language: (source, measure) by rule, and the
# filters by (rule, rule_param).
COUNT = {'events': ('events', 'records'), 'agreements': ('agreements', 'records'),
         'companies': ('meetings', 'first_time_organizations')}
NOT_COMPANY = ('university', 'research_institute', 'government_agency', 'municipality', 'npo',
               'other')
FILTERS = {
    ('agreements', 'private'): [('organization_kind', 'company')],
    ('agreements', 'external'): [('organization_kind', kind) for kind in NOT_COMPANY],
    ('companies', None): [('organization_kind', 'company')],
}

NEW_TABLES = ('plan', 'plan_grade', 'kpi_count_filter', 'kpi_target_revision', 'tag',
              'meeting_tag', 'agreement_tag', 'outreach_event_tag')
KPI_COLUMNS = (
    'id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'archived_at', 'archived_by',
    'plan_id', 'code', 'basic_policy', 'policy_ref', 'name_ja', 'name_en', 'unit', 'kind', 'rule',
    'count_source', 'count_measure', 'baseline', 'baseline_as_of', 'baseline_label', 'target',
    'target_by', 'target_label', 'formula', 'direction', 'sort_order', 'notes',
)
OLD_KPI_COLUMNS = (
    'id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'archived_at', 'archived_by',
    'code', 'basic_policy', 'policy_ref', 'name_ja', 'name_en', 'unit', 'kind', 'rule',
    'rule_param', 'baseline', 'baseline_as_of', 'baseline_label', 'target', 'target_by',
    'target_label', 'sort_order', 'notes',
)
NEW_CHECKS = ('count_matches_rule', 'formula', 'direction')
CHANGED_CHECKS = ('rule', 'rule_matches_kind')


def _tracked(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', AutoString(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', AutoString(length=100), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('archived_by', AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def _kpi_table() -> None:
    """The `kpi` table as 0006 defines it (SQLite rebuilds it)."""
    op.create_table('kpi',
    *_tracked('kpi'),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', AutoString(length=60), nullable=False),
    sa.Column('basic_policy', sa.Integer(), nullable=False),
    sa.Column('policy_ref', AutoString(length=20), nullable=False),
    sa.Column('name_ja', AutoString(length=200), nullable=False),
    sa.Column('name_en', AutoString(length=200), nullable=False),
    sa.Column('unit', AutoString(length=20), nullable=False),
    sa.Column('kind', AutoString(length=10), nullable=False),
    sa.Column('rule', AutoString(length=20), nullable=False),
    sa.Column('count_source', AutoString(length=20), nullable=True),
    sa.Column('count_measure', AutoString(length=30), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('baseline_as_of', sa.Date(), nullable=False),
    sa.Column('baseline_label', AutoString(length=100), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('target_by', sa.Date(), nullable=False),
    sa.Column('target_label', AutoString(length=100), nullable=True),
    sa.Column('formula', AutoString(length=10), server_default='ratio', nullable=False),
    sa.Column('direction', AutoString(length=10), server_default='higher', nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('notes', AutoString(), nullable=True),
    *(sa.CheckConstraint(sql, name=op.f(f'ck_kpi_{name}'))
      for name, sql in kpi_v0006.KPI_CHECKS.items()),
    sa.CheckConstraint('target_by > baseline_as_of', name=op.f('ck_kpi_target_after_baseline')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_kpi_plan_id_plan')),
    sa.UniqueConstraint('plan_id', 'code', name='uq_kpi_plan_id_code'),
    )
    op.create_index(op.f('ix_kpi_plan_id'), 'kpi', ['plan_id'], unique=False)


def _new_tables() -> None:
    op.create_table('plan',
    *_tracked('plan'),
    sa.Column('code', AutoString(length=60), nullable=False),
    sa.Column('name_ja', AutoString(length=200), nullable=False),
    sa.Column('name_en', AutoString(length=200), nullable=False),
    sa.Column('first_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('last_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('notes', AutoString(), nullable=True),
    sa.CheckConstraint('last_fiscal_year >= first_fiscal_year', name=op.f('ck_plan_years')),
    sa.UniqueConstraint('code', name=op.f('uq_plan_code')),
    )
    op.create_table('plan_grade',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('grade', AutoString(length=3), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_grade_plan_id_plan'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'grade', name=op.f('pk_plan_grade')),
    )
    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', AutoString(length=50), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_tag_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_name')),
    )
    for table, parent in (('meeting_tag', 'meeting'), ('agreement_tag', 'agreement'),
                          ('outreach_event_tag', 'outreach_event')):
        op.create_table(table,
        sa.Column(f'{parent}_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([f'{parent}_id'], [f'{parent}.id'],
                                name=op.f(f'fk_{table}_{parent}_id_{parent}'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f(f'fk_{table}_tag_id_tag')),
        sa.PrimaryKeyConstraint(f'{parent}_id', 'tag_id', name=op.f(f'pk_{table}')),
        )
        op.create_index(op.f(f'ix_{table}_tag_id'), table, ['tag_id'], unique=False)


def _kpi_tables() -> None:
    """The tables that refer to `kpi` (created after SQLite rebuilt it)."""
    op.create_table('kpi_count_filter',
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('filter', AutoString(length=20), nullable=False),
    sa.Column('value', AutoString(length=50), nullable=False),
    sa.CheckConstraint(kpi_v0006.FILTER_CHECK, name=op.f('ck_kpi_count_filter_filter')),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_count_filter_kpi_id_kpi'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kpi_id', 'filter', 'value', name=op.f('pk_kpi_count_filter')),
    )
    op.create_table('kpi_target_revision',
    *_tracked('kpi_target_revision'),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('revised_on', sa.Date(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('target_by', sa.Date(), nullable=False),
    sa.Column('reason', AutoString(length=500), nullable=False),
    sa.CheckConstraint('target_by > revised_on',
                       name=op.f('ck_kpi_target_revision_target_after_revision')),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'],
                            name=op.f('fk_kpi_target_revision_kpi_id_kpi')),
    sa.UniqueConstraint('kpi_id', 'revised_on', name='uq_kpi_target_revision_kpi_id_revised_on'),
    )
    op.create_index(op.f('ix_kpi_target_revision_kpi_id'), 'kpi_target_revision', ['kpi_id'],
                    unique=False)


def _audit(bind: sa.Connection, tables: Sequence[str]) -> None:
    """Audit triggers on `tables`, as on every other table."""
    for table, key, columns in audit.audited_tables(bind):
        if table not in tables:
            continue
        if bind.dialect.name == 'sqlite':
            for statement in audit.sqlite_audit_triggers(table, key, columns):
                op.execute(statement)
        else:
            op.execute(audit.pg_audit_trigger(table, key))


def _new_plan(bind: sa.Connection) -> int | None:
    """The plan the existing KPIs join, with the default grading; None without KPIs."""
    if not bind.execute(sa.text('SELECT count(*) FROM kpi')).scalar():
        return None
    now = bind.execute(sa.text('SELECT min(created_at) FROM kpi')).scalar()
    bind.execute(sa.text(
        'INSERT INTO plan (created_at, created_by, updated_at, updated_by, code, name_ja,'
        ' name_en, first_fiscal_year, last_fiscal_year)'
        ' VALUES (:now, :by, :now, :by, :code, :name_ja, :name_en, :first_fiscal_year,'
        ' :last_fiscal_year)'), {'now': now, 'by': ACTOR, **PLAN})
    plan_id = int(bind.execute(sa.text('SELECT id FROM plan WHERE code = :code'),
                               {'code': PLAN['code']}).scalar_one())
    for grade, threshold in GRADES:
        bind.execute(sa.text('INSERT INTO plan_grade (plan_id, grade, threshold)'
                             ' VALUES (:plan, :grade, :threshold)'),
                     {'plan': plan_id, 'grade': grade, 'threshold': threshold})
    return plan_id


def _count(column: int) -> str:
    """CASE branches giving the source (0) or measure (1) of each former rule."""
    return ' '.join(f"WHEN '{r}' THEN '{pair[column]}'" for r, pair in COUNT.items())


def _filters(bind: sa.Connection, old_table: str) -> None:
    """The filter rows of each KPI's former rule, from `old_table`'s rule and rule_param."""
    rows = bind.execute(sa.text(
        f"SELECT id, rule, rule_param FROM {old_table} WHERE rule IN ('events', 'agreements',"
        " 'companies') ORDER BY id")).all()
    for kpi_id, rule, param in rows:
        pairs = [('event_kind', param)] if rule == 'events' else FILTERS[(rule, param)]
        for name, value in pairs:
            bind.execute(sa.text('INSERT INTO kpi_count_filter (kpi_id, filter, value)'
                                 ' VALUES (:kpi, :filter, :value)'),
                         {'kpi': kpi_id, 'filter': name, 'value': value})


def _sqlite_rebuild_kpi(bind: sa.Connection, plan_id: int | None) -> None:
    """Rebuild `kpi` at the 0006 definition, keeping its rows and ids; the tables referring
    to it find every id again before the deferred foreign keys are checked at commit."""
    op.execute('PRAGMA defer_foreign_keys = ON')
    for statement in audit.sqlite_drop_audit_triggers('kpi'):
        op.execute(statement)
    op.execute('CREATE TABLE _kpi_0005 AS SELECT * FROM kpi')
    op.execute('DROP TABLE kpi')
    _kpi_table()
    copied = [c for c in KPI_COLUMNS if c in OLD_KPI_COLUMNS]
    op.execute(
        f"INSERT INTO kpi ({', '.join(copied)}, plan_id, count_source, count_measure)"
        f" SELECT {', '.join(copied)}, {plan_id if plan_id is not None else 'NULL'},"
        f" CASE rule {_count(0)} END, CASE rule {_count(1)} END"
        " FROM _kpi_0005 ORDER BY id")
    for statement in audit.sqlite_audit_triggers('kpi', 'id', KPI_COLUMNS):
        op.execute(statement)
    op.execute(audit.sqlite_rewritten_rows('kpi', 'id', '_kpi_0005', OLD_KPI_COLUMNS,
                                           KPI_COLUMNS, ACTOR))


def _postgresql_alter_kpi(bind: sa.Connection, plan_id: int | None) -> None:
    """Alter `kpi` in place to the 0006 definition; its audit trigger records the updates."""
    op.add_column('kpi', sa.Column('plan_id', sa.Integer(), nullable=True))
    op.add_column('kpi', sa.Column('count_source', AutoString(length=20), nullable=True))
    op.add_column('kpi', sa.Column('count_measure', AutoString(length=30), nullable=True))
    op.add_column('kpi', sa.Column('formula', AutoString(length=10), server_default='ratio',
                                   nullable=False))
    op.add_column('kpi', sa.Column('direction', AutoString(length=10), server_default='higher',
                                   nullable=False))
    op.execute(
        f"UPDATE kpi SET plan_id = {plan_id if plan_id is not None else 'NULL'},"
        f" count_source = CASE rule {_count(0)} END,"
        f" count_measure = CASE rule {_count(1)} END")
    op.alter_column('kpi', 'plan_id', nullable=False)
    op.drop_constraint(op.f('uq_kpi_code'), 'kpi', type_='unique')
    for name in CHANGED_CHECKS:
        op.drop_constraint(op.f(f'ck_kpi_{name}'), 'kpi', type_='check')
    for name in (*CHANGED_CHECKS, *NEW_CHECKS):
        op.create_check_constraint(op.f(f'ck_kpi_{name}'), 'kpi', kpi_v0006.KPI_CHECKS[name])
    op.create_foreign_key(op.f('fk_kpi_plan_id_plan'), 'kpi', 'plan', ['plan_id'], ['id'])
    op.create_unique_constraint('uq_kpi_plan_id_code', 'kpi', ['plan_id', 'code'])
    op.create_index(op.f('ix_kpi_plan_id'), 'kpi', ['plan_id'], unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    op.execute(f"UPDATE audit_actor SET actor = '{ACTOR}' WHERE id = 1")
    for name in reversed(kpi_v0001.VIEWS):
        op.execute(f'DROP VIEW {name}')
    _new_tables()
    _audit(bind, ('plan', 'plan_grade', 'tag', 'meeting_tag', 'agreement_tag',
                  'outreach_event_tag'))
    plan_id = _new_plan(bind)
    if sqlite:
        _sqlite_rebuild_kpi(bind, plan_id)
    else:
        _postgresql_alter_kpi(bind, plan_id)
    _kpi_tables()
    _audit(bind, ('kpi_count_filter', 'kpi_target_revision'))
    _filters(bind, '_kpi_0005' if sqlite else 'kpi')
    if sqlite:
        op.execute('DROP TABLE _kpi_0005')
    else:
        op.drop_column('kpi', 'rule_param')
    for view in kpi_v0006.VIEWS.values():
        op.execute(view)
    op.execute('UPDATE audit_actor SET actor = NULL WHERE id = 1')


def _old_kpi_table() -> None:
    """The `kpi` table as 0001 defined it."""
    op.create_table('kpi',
    *_tracked('kpi'),
    sa.Column('code', AutoString(length=60), nullable=False),
    sa.Column('basic_policy', sa.Integer(), nullable=False),
    sa.Column('policy_ref', AutoString(length=20), nullable=False),
    sa.Column('name_ja', AutoString(length=200), nullable=False),
    sa.Column('name_en', AutoString(length=200), nullable=False),
    sa.Column('unit', AutoString(length=20), nullable=False),
    sa.Column('kind', AutoString(length=10), nullable=False),
    sa.Column('rule', AutoString(length=20), nullable=False),
    sa.Column('rule_param', AutoString(length=30), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('baseline_as_of', sa.Date(), nullable=False),
    sa.Column('baseline_label', AutoString(length=100), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('target_by', sa.Date(), nullable=False),
    sa.Column('target_label', AutoString(length=100), nullable=True),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('notes', AutoString(), nullable=True),
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['rule_matches_kind'],
                       name=op.f('ck_kpi_rule_matches_kind')),
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['kind'], name=op.f('ck_kpi_kind')),
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['rule'], name=op.f('ck_kpi_rule')),
    sa.CheckConstraint('target_by > baseline_as_of', name=op.f('ck_kpi_target_after_baseline')),
    sa.UniqueConstraint('code', name=op.f('uq_kpi_code'))
    )


# The former rule_param of each KPI, from its rule and filters.
_RULE_PARAM = (
    "CASE WHEN rule = 'events' THEN (SELECT min(f.value) FROM kpi_count_filter f"
    " WHERE f.kpi_id = kpi.id AND f.filter = 'event_kind')"
    " WHEN rule = 'agreements' THEN CASE WHEN EXISTS (SELECT 1 FROM kpi_count_filter f"
    " WHERE f.kpi_id = kpi.id AND f.filter = 'organization_kind' AND f.value = 'company')"
    " THEN 'private' ELSE 'external' END END"
)


def downgrade() -> None:
    """Back to 0005: possible while every KPI is of one plan and counts by a rule 0001 knew."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if bind.execute(sa.text(
            "SELECT count(*) FROM kpi WHERE rule NOT IN ('events', 'agreements', 'companies',"
            " 'level', 'annual', 'milestone')")).scalar() or (
            bind.execute(sa.text('SELECT count(*) FROM plan')).scalar() or 0) > 1:
        raise RuntimeError('0006 cannot be undone: KPIs of several plans or new rules exist')
    op.execute(f"UPDATE audit_actor SET actor = '{ACTOR}' WHERE id = 1")
    for name in reversed(kpi_v0006.VIEWS):
        op.execute(f'DROP VIEW {name}')
    old_columns = [c for c in OLD_KPI_COLUMNS if c != 'rule_param']
    if sqlite:
        op.execute('PRAGMA defer_foreign_keys = ON')
        op.execute(f'CREATE TABLE _kpi_0006 AS SELECT *, {_RULE_PARAM} AS rule_param FROM kpi')
    else:
        op.add_column('kpi', sa.Column('rule_param', AutoString(length=30), nullable=True))
        op.execute(f'UPDATE kpi SET rule_param = {_RULE_PARAM}')
    for table in ('kpi_count_filter', 'kpi_target_revision', 'outreach_event_tag',
                  'agreement_tag', 'meeting_tag', 'tag', 'plan_grade'):
        op.drop_table(table)
    if sqlite:
        for statement in audit.sqlite_drop_audit_triggers('kpi'):
            op.execute(statement)
        op.execute('DROP TABLE kpi')
        _old_kpi_table()
        op.execute(f"INSERT INTO kpi ({', '.join(old_columns)}, rule_param)"
                   f" SELECT {', '.join(old_columns)}, rule_param FROM _kpi_0006 ORDER BY id")
        op.execute('DROP TABLE _kpi_0006')
        for statement in audit.sqlite_audit_triggers('kpi', 'id', OLD_KPI_COLUMNS):
            op.execute(statement)
        for statement in audit.sqlite_drop_audit_triggers('plan'):
            op.execute(statement)
    else:
        op.drop_index(op.f('ix_kpi_plan_id'), 'kpi')
        op.drop_constraint('uq_kpi_plan_id_code', 'kpi', type_='unique')
        op.drop_constraint(op.f('fk_kpi_plan_id_plan'), 'kpi', type_='foreignkey')
        for name in (*CHANGED_CHECKS, *NEW_CHECKS):
            op.drop_constraint(op.f(f'ck_kpi_{name}'), 'kpi', type_='check')
        for name in CHANGED_CHECKS:
            op.create_check_constraint(op.f(f'ck_kpi_{name}'), 'kpi', kpi_v0001.KPI_CHECKS[name])
        op.create_unique_constraint(op.f('uq_kpi_code'), 'kpi', ['code'])
        for column in ('plan_id', 'count_source', 'count_measure', 'formula', 'direction'):
            op.drop_column('kpi', column)
    op.drop_table('plan')
    for view in kpi_v0001.VIEWS.values():
        op.execute(view)
    op.execute('UPDATE audit_actor SET actor = NULL WHERE id = 1')
