"""Exporting records as CSV or .xlsx files that `crm import` reads back.

The columns are those of crm.io.importing (English headers), dates are ISO, lists of names are
joined with ';' in name order, kinds and statuses are written as their English codes. Exporting
every entity, then importing the files in the order of ENTITIES into an empty database, gives
the same files again, but for the last two columns: each record's id and version, which an
import uses (a row is matched to the record of its id, and refused if that record changed
since) and which name records of this database only: a file for another database is
imported without them. Rows are read from SQL a page at a time.

Personal data is left out unless asked for (`include_personal`): contacts cannot be exported
without it, and meetings are written without their `staff` column (an import of such a file
leaves staff links as they are). A cell that starts like a formula (=, +, -, @, tab,
CR, LF) is neutralized: an apostrophe before it in CSV, a text cell with Excel's quote prefix
in .xlsx; crm.io.importing takes the apostrophe off again.

The pieces of a query (RecordQuery, NameList, selected, pages, cell_text, guarded) serve the
open-data export (crm.io.opendata) too.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Label, Row, Select, select
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import Session, SQLModel, col

from crm import models as m
from crm import tags
from crm.errors import DataError
from crm.io.importing import (
    COLUMNS,
    DATE_COLUMNS,
    ENTITIES,
    FORMULA_TRIGGERS,
    ID_COLUMN,
    VERSION_COLUMN,
    join_list,
    unknown_choice,
)

__all__ = [
    "PAGE_SIZE", "ExportOptions", "export_csv", "export_file", "export_xlsx",
    "open_for_export",
]

#: How many rows are fetched from the database at a time.
PAGE_SIZE = 500

_Page = list[list[str]]


@dataclass(frozen=True)
class ExportOptions:
    """Which records: a date range (inclusive), archived ones, personal data (contacts)."""

    start: date | None = None
    end: date | None = None
    include_archived: bool = False
    include_personal: bool = False


def open_for_export(path: Path) -> TextIO:
    """A text file for `export_csv`: UTF-8 with BOM (so Excel reads Japanese), newline=''."""
    return path.open("w", encoding="utf-8-sig", newline="")


def guarded(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def cell_text(value: Any) -> str:
    """A value as the text of a cell: '' for None, ISO dates, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def pages(
    session: Session, statement: Select[*tuple[Any, ...]]
) -> Iterator[Sequence[Row[*tuple[Any, ...]]]]:
    """The rows of `statement`, PAGE_SIZE at a time, streamed rather than loaded whole."""
    result = session.execute(statement.execution_options(yield_per=PAGE_SIZE))
    yield from result.partitions()


@dataclass(frozen=True)
class NameList:
    """A list column: the names of the organizations, staff or tags a link table joins to a
    record."""

    owner: Mapped[int]
    target: Mapped[int]
    model: type[m.Organization] | type[m.Staff] | type[m.Tag]

    def names(self, session: Session, owner_ids: list[int], include_archived: bool
              ) -> dict[int, str]:
        """The names linked to each owner, joined in name order."""
        model = self.model
        statement = (
            select(self.owner, col(model.name))
            .join(model, col(model.id) == self.target)
            .where(self.owner.in_(owner_ids))
            .order_by(self.owner, col(model.name))
        )
        if not include_archived and issubclass(model, m.Tracked):
            statement = statement.where(col(model.archived_at).is_(None))
        names: defaultdict[int, list[str]] = defaultdict(list)
        for owner_id, name in session.execute(statement):
            names[owner_id].append(name)
        return {owner_id: join_list(found) for owner_id, found in names.items()}


@dataclass(frozen=True)
class RecordQuery:
    """What an entity's export reads: `statement` selects each plain column under its file
    column's name (the record's `id` among them), in the file's row order;
    `active` are the models whose archived rows are left out, `dated_by` what the date
    range applies to (None: the entity is not dated)."""

    statement: Select[*tuple[Any, ...]]
    active: tuple[type[m.Tracked], ...]
    dated_by: SQLCoreOperations[date | None] | None = None
    lists: dict[str, NameList] = field(default_factory=dict)


def _labelled(model: type[SQLModel], *names: str, **renamed: str) -> list[Label[Any]]:
    """The model's attributes `names`, and those `renamed` maps to, labelled by file column."""
    pairs = [(name, name) for name in names] + list(renamed.items())
    return [col(getattr(model, attribute)).label(column) for column, attribute in pairs]


#: An agreement's partners.
PARTNERS = NameList(col(m.AgreementPartner.agreement_id), col(m.AgreementPartner.organization_id),
                    m.Organization)


def _tags(entity: str) -> NameList:
    """The tags of an entity's records."""
    link = tags.LINKS[entity]
    return NameList(link.owner_column, link.target_column, m.Tag)


_QUERIES: dict[str, RecordQuery] = {
    # Organizations and contacts are not dated: start and end do not apply. Contacts are
    # personal data (export_csv refuses them otherwise).
    "organizations": RecordQuery(
        select(*_labelled(m.Organization, "id", "name", "kind", "kana", "corporate_number",
                          "address", "website", "notes", "version"))
        .order_by(col(m.Organization.kana_sort_key).is_(None), col(m.Organization.kana_sort_key),
                  col(m.Organization.name), col(m.Organization.id)),
        (m.Organization,),
    ),
    "contacts": RecordQuery(
        select(*_labelled(m.Organization, organization="name"),
               *_labelled(m.Contact, "id", "name", "kana", "department", "title", "email",
                          "phone", "notes", "version"))
        .join(m.Organization, col(m.Organization.id) == col(m.Contact.organization_id))
        .order_by(col(m.Organization.name), col(m.Contact.name), col(m.Contact.id)),
        (m.Contact,),
    ),
    "meetings": RecordQuery(
        select(*_labelled(m.Meeting, "id", "title", "summary", "next_action", "follow_up_on",
                          "version", date="held_on"))
        .order_by(col(m.Meeting.held_on), col(m.Meeting.id)),
        (m.Meeting,),
        col(m.Meeting.held_on),
        {
            "organizations": NameList(col(m.MeetingOrganization.meeting_id),
                                       col(m.MeetingOrganization.organization_id),
                                       m.Organization),
            "staff": NameList(col(m.MeetingStaff.meeting_id), col(m.MeetingStaff.staff_id),
                               m.Staff),
            "tags": _tags("meetings"),
        },
    ),
    # Dated by conclusion: with a range, agreements not yet concluded are left out.
    "agreements": RecordQuery(
        select(*_labelled(m.Agreement, "id", "title", "status", "concluded_on", "starts_on",
                          "ends_on", "datasets", "notes", "version"))
        .order_by(col(m.Agreement.id)),
        (m.Agreement,),
        col(m.Agreement.concluded_on),
        {"partners": PARTNERS, "tags": _tags("agreements")},
    ),
    "events": RecordQuery(
        select(*_labelled(m.OutreachEvent, "id", "kind", "title", "venue", "municipality",
                          "attendees", "notes", "version", date="held_on"))
        .order_by(col(m.OutreachEvent.held_on), col(m.OutreachEvent.id)),
        (m.OutreachEvent,),
        col(m.OutreachEvent.held_on),
        {"tags": _tags("events")},
    ),
    "measurements": RecordQuery(
        select(*_labelled(m.Kpi, kpi="code"), *_labelled(m.Plan, plan="code"),
               *_labelled(m.KpiMeasurement, "id", "value", "note", "source", "version",
                          date="measured_on"))
        .join(m.Kpi, col(m.Kpi.id) == col(m.KpiMeasurement.kpi_id))
        .join(m.Plan, col(m.Plan.id) == col(m.Kpi.plan_id))
        .order_by(col(m.Plan.code), col(m.Kpi.sort_order), col(m.Kpi.code),
                  col(m.KpiMeasurement.measured_on), col(m.KpiMeasurement.id)),
        (m.KpiMeasurement, m.Kpi),
        col(m.KpiMeasurement.measured_on),
    ),
}


def selected(query: RecordQuery, options: ExportOptions) -> Select[*tuple[Any, ...]]:
    """The query's statement limited to the options' date range and, unless archived
    records are wanted, to the active rows of its models."""
    statement, dated_by = query.statement, query.dated_by
    if dated_by is not None and options.start is not None:
        statement = statement.where(dated_by >= options.start)
    if dated_by is not None and options.end is not None:
        statement = statement.where(dated_by <= options.end)
    if not options.include_archived:
        statement = statement.where(
            *(col(model.archived_at).is_(None) for model in query.active)
        )
    return statement


def _rows(session: Session, entity: str, options: ExportOptions) -> Iterator[_Page]:
    """The cells of `entity`'s records, in the order of `columns(entity, options)`, a page
    at a time."""
    query = _QUERIES[entity]
    names = columns(entity, options)
    for page in pages(session, selected(query, options)):
        ids = [row.id for row in page] if query.lists else []
        lists = {
            column: name_list.names(session, ids, options.include_archived)
            for column, name_list in query.lists.items() if column in names
        }
        yield [
            [
                lists[column].get(row.id, "") if column in lists
                else cell_text(row._mapping[column])
                for column in names
            ]
            for row in page
        ]


def columns(entity: str, options: ExportOptions) -> tuple[str, ...]:
    """The columns written for `entity`: meetings name their staff only with personal data."""
    if entity == "meetings" and not options.include_personal:
        return tuple(c for c in COLUMNS[entity] if c != "staff")
    return COLUMNS[entity]


def _check(entity: str, options: ExportOptions) -> None:
    """Refuse an unknown entity, and contacts without `include_personal`."""
    if entity not in _QUERIES:
        raise unknown_choice("entity", entity, ENTITIES, ja=f"{entity!r} は書き出せません",
                             field="entity")
    if entity == "contacts" and not options.include_personal:
        raise DataError(
            "contacts are personal data: add --include-personal to export them",
            ja="連絡先は個人情報です。書き出すには --include-personal を付けてください",
            field="entity",
        )


def export_csv(
    session: Session, entity: str, out: TextIO, options: ExportOptions | None = None
) -> int:
    """Write `entity` as CSV with a header row to `out`; returns the number of records.

    `options.start`/`end` (inclusive) filter meetings and events by date held, measurements
    by date measured and agreements by conclusion date; organizations and contacts are not
    dated. Archived records (and links to archived organizations or staff) are left out
    unless `include_archived`; personal data unless `include_personal`.
    """
    options = options or ExportOptions()
    _check(entity, options)
    writer = csv.writer(out)
    writer.writerow(columns(entity, options))
    written = 0
    for page in _rows(session, entity, options):
        writer.writerows([[guarded(cell) for cell in row] for row in page])
        written += len(page)
    return written


def _typed(column: str, text: str) -> Any:
    """A cell as Excel should hold it: dates and numbers typed, text as text."""
    if not text:
        return None
    if column in DATE_COLUMNS:
        return date.fromisoformat(text)
    if column in ("attendees", ID_COLUMN, VERSION_COLUMN):
        return int(text)
    if column == "value":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def export_xlsx(
    session: Session, entity: str, path: Path, options: ExportOptions | None = None
) -> int:
    """Write `entity` to a new .xlsx file at `path` (one sheet named after it); returns the
    number of records. Same rows and options as `export_csv`.

    A worksheet cannot hold control characters (other than tab and line breaks): each one a
    value carries is written as U+FFFD; the CSV export keeps them as they are.
    """
    from openpyxl import Workbook  # loaded by the exports that need it only
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    options = options or ExportOptions()
    _check(entity, options)
    names = columns(entity, options)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(entity)
    sheet.append(list(names))
    written = 0
    for page in _rows(session, entity, options):
        for row in page:
            cells: list[Any] = []
            for column, text in zip(names, row, strict=True):
                value = _typed(column, text)
                if isinstance(value, date):
                    cell = WriteOnlyCell(sheet)
                    cell.value = value  # (the stub of WriteOnlyCell's `value` leaves out date)
                    cell.number_format = "yyyy-mm-dd"
                    value = cell
                elif isinstance(value, str):
                    # A text cell, never a formula; the quote prefix is Excel's own guard.
                    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
                    cell.data_type = "s"
                    cell.quotePrefix = value.startswith(FORMULA_TRIGGERS)
                    value = cell
                cells.append(value)
            sheet.append(cells)
        written += len(page)
    workbook.save(path)
    return written


def export_file(
    session: Session, entity: str, path: Path, options: ExportOptions | None = None
) -> int:
    """Export `entity` to `path`: .xlsx by its suffix, else CSV in UTF-8 with BOM."""
    if path.suffix.lower() == ".xlsx":
        return export_xlsx(session, entity, path, options)
    with open_for_export(path) as out:
        return export_csv(session, entity, out, options)
