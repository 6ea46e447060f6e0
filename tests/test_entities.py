"""The entity specs (crm.records.entities) against the tables of crm.models.

A table, column, link table or foreign key to organization.id added to the models but not to
a spec (or to one of the explicit sets below, with the reason) fails here.
"""

from __future__ import annotations

import csv
import io
from typing import Any, NotRequired, get_origin, get_type_hints

import pytest
from sqlalchemy import String
from sqlmodel import SQLModel

from crm.errors import DataError
from crm.io import importing
from crm.io.exporting import ExportOptions, export_csv
from crm.records import entities
from crm.records.entities import ENTITIES, FILE_ENTITIES, Entity, Input
from db.session import Database

#: Tables that hold no records a user enters, with who writes them.
SYSTEM_TABLES = {
    "audit_break": "breaks of the audit chain an office acknowledged (crm audit acknowledge)",
    "audit_personal_value": "contacts' personal values the audit log refers to (crm.audit)",
    "contact_erasure": "written by crm.records.erasure when a contact is erased",
    "audit_restatement": "written by migration 0008 (db.schema_sql.personal)",
    "kpi": "KPI definitions: seeded from crm.kpi.catalog, changed as data (docs/schema.md)",
    "issued_report": "written when a report is issued (reports.issued)",
    "audit_log": "written by database triggers (docs/auditing.md)",
    "audit_actor": "set inside each write transaction (crm.audit)",
    "organization_merge": "written by crm.records.dedup when organizations are merged",
    "plan": "plans: defined by plan files (crm.kpi.plans, `crm plan import`; docs/plans.md)",
    "plan_grade": "a plan's grading table, from its plan file (crm.kpi.plans)",
    "kpi_count_filter": "a computed KPI's rule filters, from its plan file (crm.kpi.plans)",
    "kpi_target_revision": "a KPI's target revisions, from its plan file (crm.kpi.plans)",
    "tag": "tag names: created on first use by the `tags` fields, renamed by crm.tags",
    "kpi_comment": "comments per KPI and period (crm.kpi.comments, `crm kpi comment`, the TUI)",
    "agreement_status_change": "agreements' status history, written with every status"
                               " change (crm.records.agreement_history)",
}

#: Columns every tracked record has, set by the services and never entered: its id, who
#: created and last changed it and when, its soft delete and its version (crm.models.Tracked).
SYSTEM_COLUMNS = frozenset({
    "id", "created_at", "created_by", "updated_at", "updated_by", "archived_at", "archived_by",
    "version",
})

#: Foreign keys to organization.id that a merge of organizations does not move.
NOT_MOVED_BY_A_MERGE = {
    ("organization_merge", "kept_id"),  # the merge's own record of what was merged
    ("organization_merge", "merged_id"),
}

#: Each entity's service keywords (crm.records.services), as a TypedDict.
INPUTS: list[tuple[Entity, Any]] = [
    (entities.ORGANIZATIONS, entities.OrganizationInput),
    (entities.CONTACTS, entities.ContactInput),
    (entities.MEETINGS, entities.MeetingInput),
    (entities.AGREEMENTS, entities.AgreementInput),
    (entities.EVENTS, entities.EventInput),
]


def _table(entity: Entity) -> Any:
    return SQLModel.metadata.tables[str(entity.model.__tablename__)]


def test_every_table_is_an_entity_a_link_table_or_a_system_table() -> None:
    known = {str(e.model.__tablename__) for e in ENTITIES}
    known |= {link.table_name for e in ENTITIES for link in e.links}
    assert set(SQLModel.metadata.tables) == known | set(SYSTEM_TABLES)


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_every_column_is_a_field_a_derived_or_a_system_column(entity: Entity) -> None:
    fields = {f.name for f in entity.fields
              if f.input not in (Input.NAMES, Input.TAGS, Input.LOOKUP)}
    assert set(_table(entity).columns.keys()) == fields | set(entity.derived) | SYSTEM_COLUMNS


def test_every_foreign_key_to_an_organization_is_moved_by_a_merge() -> None:
    moved = {(link.table_name, link.target) for link in entities.organization_links()}
    moved |= {
        (str(model.__tablename__), attribute)
        for model, attribute in entities.organization_references()
    }
    found = {
        (table.name, key.parent.name)
        for table in SQLModel.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == "organization"
    }
    assert found == moved | NOT_MOVED_BY_A_MERGE


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_links_and_references_follow_the_foreign_keys(entity: Entity) -> None:
    for link in entity.links:
        table = SQLModel.metadata.tables[link.table_name]
        assert {key.column.table.name for key in table.c[link.owner].foreign_keys} == {
            _table(entity).name
        }
        assert {key.column.table.name for key in table.c[link.target].foreign_keys} == {
            link.target_model.__tablename__
        }
    for field in entity.fields:
        if field.input is Input.REFERENCE:
            assert field.references is not None
            keys = _table(entity).c[field.name].foreign_keys
            assert {key.column.table.name for key in keys} == {field.references.__tablename__}


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_field_rules_follow_the_columns(entity: Entity) -> None:
    table = _table(entity)
    for field in entity.fields:
        if field.input in (Input.NAMES, Input.TAGS, Input.LOOKUP):
            continue
        column = table.c[field.name]
        if not column.nullable:
            assert field.required or field.default is not None, field.name
        if field.input is Input.TEXT and isinstance(column.type, String) and column.type.length:
            # a text with its own check (the corporate number's 13 digits) may be written longer
            assert field.max_length == column.type.length or field.check is not None, field.name


@pytest.mark.parametrize(("entity", "typed"), INPUTS, ids=lambda x: getattr(x, "name", ""))
def test_service_keywords_are_the_spec_fields(entity: Entity, typed: Any) -> None:
    inputs = [f for f in entity.fields if f.input is not Input.REFERENCE]
    hints = get_type_hints(typed, include_extras=True)
    assert set(hints) == {f.name for f in inputs}
    required = {name for name, hint in hints.items() if get_origin(hint) is not NotRequired}
    assert required == {f.name for f in inputs if f.required}


@pytest.mark.parametrize("entity", FILE_ENTITIES, ids=lambda e: e.name)
def test_a_natural_key_is_made_of_required_columns(entity: Entity) -> None:
    assert entity.natural_key is not None
    assert set(entity.natural_key.columns) <= entity.required_columns


@pytest.mark.parametrize("entity", FILE_ENTITIES, ids=lambda e: e.name)
def test_a_header_names_one_column_of_an_entity(entity: Entity) -> None:
    seen: dict[str, str] = {}
    for field in entity.fields:
        for alias in field.headers:
            folded = importing._fold(alias)
            assert seen.setdefault(folded, str(field.column)) == field.column, alias
            assert folded not in entity.columns or folded == field.column, alias


def test_the_import_tables_resolve_each_alias_to_its_field() -> None:
    for entity in FILE_ENTITIES:
        for field in entity.fields:
            for alias in field.headers:
                columns = importing._ALIASES[importing._fold(alias)]
                assert next(c for c in columns if c in entity.columns) == field.column


@pytest.mark.parametrize("entity", [e for e in ENTITIES if e.listing], ids=lambda e: e.name)
def test_a_list_sorts_by_default_on_a_sortable_column(entity: Entity) -> None:
    assert entity.listing is not None
    assert entity.listing.default_sort in entity.listing.sorts
    assert len({c.key for c in entity.listing.columns}) == len(entity.listing.columns)


@pytest.mark.parametrize("entity", FILE_ENTITIES, ids=lambda e: e.name)
def test_an_export_without_personal_data_has_no_personal_column(
    database: Database, entity: Entity
) -> None:
    personal = {f.column for f in entity.fields if f.column and f.personal}
    for include_personal in (False, True):
        out = io.StringIO()
        options = ExportOptions(include_personal=include_personal)
        with database.reading() as session:
            try:
                export_csv(session, entity.name, out, options)
            except DataError:
                assert personal and not include_personal  # refused whole (contacts)
                continue
        header = tuple(next(csv.reader(io.StringIO(out.getvalue()))))
        expected = entity.columns if include_personal else tuple(
            c for c in entity.columns if c not in personal
        )
        assert header == (*expected, importing.ID_COLUMN, importing.VERSION_COLUMN)


def test_every_file_entity_has_an_importer_and_an_export() -> None:
    """A new entity with a natural key is importable and exportable, or this fails."""
    from crm.io import exporting

    named = {e.name for e in FILE_ENTITIES}
    assert set(importing._IMPORTERS) == named
    assert set(exporting._QUERIES) == named


def test_every_listed_entity_has_a_list_screen() -> None:
    """A new listed entity gets a list screen in the TUI's registry, or this fails."""
    from tui.app import MAIN_SCREENS
    from tui.kit.record_list import RecordListScreen

    shown = {screen.entity.name for screen in MAIN_SCREENS.values()
             if issubclass(screen, RecordListScreen)}
    assert shown == {e.name for e in ENTITIES if e.listing is not None}
