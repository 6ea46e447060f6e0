"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 15:33:06.463997
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem
from sqlmodel.sql.sqltypes import AutoString

from db.schema_sql import kpi_v0001


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The indexes of each table, in the order the tables are created: name, columns, and the
# WHERE of a partial index; the `uq_` ones are unique.
INDEXES: dict[str, list[tuple[str, list[str], str | None]]] = {
    'agreement': [('ix_agreement_concluded_on', ['concluded_on'], None),
                  ('ix_agreement_status', ['status'], None)],
    'kpi': [],
    'meeting': [('ix_meeting_follow_up_on', ['follow_up_on'], None),
                ('ix_meeting_held_on_id', ['held_on', 'id'], None)],
    'organization': [
        ('ix_organization_kana_sort_key', ['kana_sort_key'], None),
        ('ix_organization_kind', ['kind'], None),
        ('ix_organization_normalized_name', ['normalized_name'], None),
        ('uq_organization_corporate_number_active', ['corporate_number'],
         'archived_at IS NULL AND corporate_number IS NOT NULL'),
        ('uq_organization_normalized_name_active', ['normalized_name'], 'archived_at IS NULL'),
    ],
    'outreach_event': [('ix_outreach_event_held_on', ['held_on'], None),
                       ('ix_outreach_event_kind_held_on', ['kind', 'held_on', 'archived_at'], None)],
    'staff': [],
    'agreement_partner': [('ix_agreement_partner_organization_id', ['organization_id'], None)],
    'contact': [('ix_contact_organization_id', ['organization_id'], None)],
    'kpi_measurement': [('ix_kpi_measurement_kpi_id_measured_on', ['kpi_id', 'measured_on'], None)],
    'meeting_organization': [('ix_meeting_organization_organization_id', ['organization_id'], None)],
    'meeting_staff': [('ix_meeting_staff_staff_id', ['staff_id'], None)],
    'outreach_event_staff': [('ix_outreach_event_staff_staff_id', ['staff_id'], None)],
    'meeting_contact': [('ix_meeting_contact_contact_id', ['contact_id'], None)],
}


def _tracked(table: str) -> list[SchemaItem]:
    """The key and the columns every record starts with: creation, last change, archiving."""
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


def _create_table(table: str, *items: SchemaItem) -> None:
    """CREATE TABLE, then its INDEXES."""
    op.create_table(table, *items)
    if not INDEXES[table]:
        return
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, columns, where in INDEXES[table]:
            partial: dict[str, Any] = {}
            if where is not None:
                partial = {'sqlite_where': sa.text(where), 'postgresql_where': sa.text(where)}
            batch_op.create_index(batch_op.f(name), columns, unique=name.startswith('uq_'),
                                  **partial)


def _link_table(table: str, parent: str, other: str) -> None:
    """A table linking a `parent` record (its links deleted with it) to `other` records."""
    keys = {f'{parent}_id': parent, f'{other}_id': other}
    _create_table(
        table,
        *(sa.Column(key, sa.Integer(), nullable=False) for key in keys),
        *(sa.ForeignKeyConstraint([key], [f'{referred}.id'],
                                  name=op.f(f'fk_{table}_{key}_{referred}'),
                                  ondelete='CASCADE' if referred == parent else None)
          for key, referred in sorted(keys.items())),
        sa.PrimaryKeyConstraint(*keys, name=op.f(f'pk_{table}')),
    )


def upgrade() -> None:
    _create_table('agreement',
    *_tracked('agreement'),
    sa.Column('title', AutoString(length=300), nullable=False),
    sa.Column('status', AutoString(length=20), nullable=False),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('datasets', AutoString(), nullable=True),
    sa.Column('document_ref', AutoString(length=300), nullable=True),
    sa.Column('notes', AutoString(), nullable=True),
    sa.CheckConstraint("(status IN ('proposed', 'negotiating') AND concluded_on IS NULL) OR (status IN ('concluded', 'ended') AND concluded_on IS NOT NULL) OR status = 'cancelled'", name=op.f('ck_agreement_concluded_on_matches_status')),
    sa.CheckConstraint("status IN ('proposed', 'negotiating', 'concluded', 'ended', 'cancelled')", name=op.f('ck_agreement_status')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_agreement_term')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_agreement_title_not_empty'))
    )
    _create_table('kpi',
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
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['rule_matches_kind'], name=op.f('ck_kpi_rule_matches_kind')),
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['kind'], name=op.f('ck_kpi_kind')),
    sa.CheckConstraint(kpi_v0001.KPI_CHECKS['rule'], name=op.f('ck_kpi_rule')),
    sa.CheckConstraint('target_by > baseline_as_of', name=op.f('ck_kpi_target_after_baseline')),
    sa.UniqueConstraint('code', name=op.f('uq_kpi_code'))
    )
    _create_table('meeting',
    *_tracked('meeting'),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', AutoString(length=300), nullable=False),
    sa.Column('summary', AutoString(), nullable=True),
    sa.Column('next_action', AutoString(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_done_on', sa.Date(), nullable=True),
    sa.CheckConstraint('follow_up_on IS NULL OR follow_up_on >= held_on', name=op.f('ck_meeting_follow_up_after_meeting')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_meeting_title_not_empty'))
    )
    _create_table('organization',
    *_tracked('organization'),
    sa.Column('name', AutoString(length=200), nullable=False),
    sa.Column('normalized_name', AutoString(), nullable=False),
    sa.Column('kana', AutoString(length=200), nullable=True),
    sa.Column('kana_sort_key', AutoString(), nullable=True),
    sa.Column('kind', AutoString(length=30), nullable=False),
    sa.Column('corporate_number', AutoString(length=13), nullable=True),
    sa.Column('address', AutoString(length=300), nullable=True),
    sa.Column('website', AutoString(length=300), nullable=True),
    sa.Column('notes', AutoString(), nullable=True),
    sa.CheckConstraint("kind IN ('company', 'university', 'research_institute', 'government_agency', 'municipality', 'npo', 'other')", name=op.f('ck_organization_kind')),
    sa.CheckConstraint('corporate_number IS NULL OR length(corporate_number) = 13', name=op.f('ck_organization_corporate_number')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_organization_name_not_empty'))
    )
    _create_table('outreach_event',
    *_tracked('outreach_event'),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', AutoString(length=20), nullable=False),
    sa.Column('title', AutoString(length=300), nullable=False),
    sa.Column('venue', AutoString(length=300), nullable=True),
    sa.Column('municipality', AutoString(length=100), nullable=True),
    sa.Column('attendees', sa.Integer(), nullable=True),
    sa.Column('audience', AutoString(length=300), nullable=True),
    sa.Column('notes', AutoString(), nullable=True),
    sa.CheckConstraint("kind IN ('in_city', 'out_of_city', 'lecture')", name=op.f('ck_outreach_event_kind')),
    sa.CheckConstraint('attendees IS NULL OR attendees >= 0', name=op.f('ck_outreach_event_attendees')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_outreach_event_title_not_empty'))
    )
    _create_table('staff',
    *_tracked('staff'),
    sa.Column('name', AutoString(length=100), nullable=False),
    sa.Column('kana', AutoString(length=100), nullable=True),
    sa.Column('section', AutoString(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.UniqueConstraint('name', name=op.f('uq_staff_name'))
    )
    _link_table('agreement_partner', 'agreement', 'organization')
    _create_table('contact',
    *_tracked('contact'),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', AutoString(length=100), nullable=False),
    sa.Column('kana', AutoString(length=100), nullable=True),
    sa.Column('department', AutoString(length=200), nullable=True),
    sa.Column('title', AutoString(length=100), nullable=True),
    sa.Column('email', AutoString(length=200), nullable=True),
    sa.Column('phone', AutoString(length=50), nullable=True),
    sa.Column('notes', AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_contact_organization_id_organization'))
    )
    _create_table('kpi_measurement',
    *_tracked('kpi_measurement'),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', AutoString(), nullable=True),
    sa.Column('entered_by', AutoString(length=100), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_measurement_kpi_id_kpi'))
    )
    _link_table('meeting_organization', 'meeting', 'organization')
    _link_table('meeting_staff', 'meeting', 'staff')
    _link_table('outreach_event_staff', 'outreach_event', 'staff')
    _link_table('meeting_contact', 'meeting', 'contact')
    for view in kpi_v0001.VIEWS.values():
        op.execute(view)


def downgrade() -> None:
    for name in reversed(kpi_v0001.VIEWS):
        op.execute(f"DROP VIEW {name}")
    for table, indexes in reversed(INDEXES.items()):
        if indexes:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, _columns, _where in reversed(indexes):
                    batch_op.drop_index(batch_op.f(name))
        op.drop_table(table)
