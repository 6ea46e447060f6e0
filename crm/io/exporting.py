"""Exporting records as CSV or .xlsx files that `crm import` reads back.

The columns are those of crm.io.importing (English headers), dates are ISO, lists of names are
joined with ';' in name order, kinds and statuses are written as their English codes. Exporting
every entity, then importing the files in the order of ENTITIES into an empty database, gives
the same files again. Rows are read from SQL a page at a time.

Personal data is left out unless asked for (`include_personal`): contacts cannot be exported
without it, and meetings are written without their `staff` column (an import of such a file
leaves staff links as they are). A cell that starts like a formula (=, +, -, @, tab,
CR, LF) is neutralized: an apostrophe before it in CSV, a text cell with Excel's quote prefix
in .xlsx; crm.io.importing takes the apostrophe off again.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session

from crm.errors import DataError
from crm.io.importing import COLUMNS, DATE_COLUMNS, ENTITIES, FORMULA_TRIGGERS, LIST_SEPARATOR
from crm.models import (
    Agreement,
    AgreementPartner,
    Contact,
    Kpi,
    KpiMeasurement,
    Meeting,
    MeetingOrganization,
    MeetingStaff,
    Organization,
    OutreachEvent,
    Staff,
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


def _guard(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _pages(session: Session, statement: Select[Any]) -> Iterator[Sequence[Any]]:
    """The rows of `statement`, PAGE_SIZE at a time, streamed rather than loaded whole."""
    result = session.execute(statement.execution_options(yield_per=PAGE_SIZE))
    yield from result.partitions()


def _selected(
    statement: Select[Any], options: ExportOptions, *models: Any, dated_by: Any = None
) -> Select[Any]:
    """`statement` limited to the options' date range (on `dated_by`) and, unless archived
    records are wanted, to the active rows of `models`."""
    if dated_by is not None and options.start is not None:
        statement = statement.where(dated_by >= options.start)
    if dated_by is not None and options.end is not None:
        statement = statement.where(dated_by <= options.end)
    if not options.include_archived:
        statement = statement.where(*(model.archived_at.is_(None) for model in models))
    return statement


def _names(
    session: Session,
    owner: InstrumentedAttribute[int],
    target: InstrumentedAttribute[int],
    model: type[Organization] | type[Staff],
    owner_ids: list[int],
    include_archived: bool,
) -> dict[int, str]:
    """The names linked to each owner, joined in name order."""
    statement = (
        select(owner, model.name)
        .join(model, model.id == target)
        .where(owner.in_(owner_ids))
        .order_by(owner, model.name)
    )
    if not include_archived:
        statement = statement.where(model.archived_at.is_(None))
    names: defaultdict[int, list[str]] = defaultdict(list)
    for owner_id, name in session.execute(statement):
        names[owner_id].append(name)
    return {owner_id: LIST_SEPARATOR.join(found) for owner_id, found in names.items()}


def _organizations(
    session: Session, options: ExportOptions
) -> Iterator[_Page]:
    # Organizations are not dated: start and end do not apply.
    statement = select(
        Organization.name,
        Organization.kind,
        Organization.kana,
        Organization.corporate_number,
        Organization.address,
        Organization.website,
        Organization.notes,
    ).order_by(
        Organization.kana_sort_key.is_(None),
        Organization.kana_sort_key,
        Organization.name,
        Organization.id,
    )
    statement = _selected(statement, options, Organization)
    for page in _pages(session, statement):
        yield [[_cell(value) for value in row] for row in page]


def _contacts(session: Session, options: ExportOptions) -> Iterator[_Page]:
    # Contacts are not dated; they are personal data (export_csv refuses them otherwise).
    statement = select(
        Organization.name,
        Contact.name,
        Contact.kana,
        Contact.department,
        Contact.title,
        Contact.email,
        Contact.phone,
        Contact.notes,
    ).join(Organization, Organization.id == Contact.organization_id).order_by(
        Organization.name, Contact.name, Contact.id
    )
    statement = _selected(statement, options, Contact)
    for page in _pages(session, statement):
        yield [[_cell(value) for value in row] for row in page]


def _meetings(
    session: Session, options: ExportOptions
) -> Iterator[_Page]:
    statement = select(
        Meeting.id,
        Meeting.held_on,
        Meeting.title,
        Meeting.summary,
        Meeting.next_action,
        Meeting.follow_up_on,
    ).order_by(Meeting.held_on, Meeting.id)
    statement = _selected(statement, options, Meeting, dated_by=Meeting.held_on)
    for page in _pages(session, statement):
        ids = [row.id for row in page]
        organizations = _names(
            session, MeetingOrganization.meeting_id, MeetingOrganization.organization_id,
            Organization, ids, options.include_archived,
        )
        staff = _names(
            session, MeetingStaff.meeting_id, MeetingStaff.staff_id, Staff, ids,
            options.include_archived,
        ) if options.include_personal else None
        yield [
            [
                _cell(row.held_on),
                row.title,
                organizations.get(row.id, ""),
                *([] if staff is None else [staff.get(row.id, "")]),
                _cell(row.summary),
                _cell(row.next_action),
                _cell(row.follow_up_on),
            ]
            for row in page
        ]


def _agreements(
    session: Session, options: ExportOptions
) -> Iterator[_Page]:
    # Dated by conclusion: with a range, agreements not yet concluded are left out.
    statement = select(
        Agreement.id,
        Agreement.title,
        Agreement.status,
        Agreement.concluded_on,
        Agreement.starts_on,
        Agreement.ends_on,
        Agreement.datasets,
        Agreement.notes,
    ).order_by(Agreement.id)
    statement = _selected(statement, options, Agreement, dated_by=Agreement.concluded_on)
    for page in _pages(session, statement):
        partners = _names(
            session, AgreementPartner.agreement_id, AgreementPartner.organization_id,
            Organization, [row.id for row in page], options.include_archived,
        )
        yield [
            [
                row.title,
                partners.get(row.id, ""),
                row.status,
                _cell(row.concluded_on),
                _cell(row.starts_on),
                _cell(row.ends_on),
                _cell(row.datasets),
                _cell(row.notes),
            ]
            for row in page
        ]


def _events(
    session: Session, options: ExportOptions
) -> Iterator[_Page]:
    statement = select(
        OutreachEvent.held_on,
        OutreachEvent.kind,
        OutreachEvent.title,
        OutreachEvent.venue,
        OutreachEvent.municipality,
        OutreachEvent.attendees,
        OutreachEvent.notes,
    ).order_by(OutreachEvent.held_on, OutreachEvent.id)
    statement = _selected(statement, options, OutreachEvent, dated_by=OutreachEvent.held_on)
    for page in _pages(session, statement):
        yield [[_cell(value) for value in row] for row in page]


def _measurements(
    session: Session, options: ExportOptions
) -> Iterator[_Page]:
    statement = (
        select(Kpi.code, KpiMeasurement.measured_on, KpiMeasurement.value, KpiMeasurement.note)
        .join(Kpi, Kpi.id == KpiMeasurement.kpi_id)
        .order_by(Kpi.sort_order, Kpi.code, KpiMeasurement.measured_on, KpiMeasurement.id)
    )
    statement = _selected(statement, options, KpiMeasurement, Kpi,
                          dated_by=KpiMeasurement.measured_on)
    for page in _pages(session, statement):
        yield [[_cell(value) for value in row] for row in page]


_EXPORTERS: dict[str, Callable[[Session, ExportOptions], Iterator[_Page]]] = {
    "organizations": _organizations,
    "contacts": _contacts,
    "meetings": _meetings,
    "agreements": _agreements,
    "events": _events,
    "measurements": _measurements,
}


def columns(entity: str, options: ExportOptions) -> tuple[str, ...]:
    """The columns written for `entity`: meetings name their staff only with personal data."""
    if entity == "meetings" and not options.include_personal:
        return tuple(c for c in COLUMNS[entity] if c != "staff")
    return COLUMNS[entity]


def _exporter(entity: str, options: ExportOptions) -> Callable[
    [Session, ExportOptions], Iterator[_Page]
]:
    exporter = _EXPORTERS.get(entity)
    if exporter is None:
        raise DataError(
            f"unknown entity {entity!r}; use one of: {', '.join(ENTITIES)}",
            ja=f"{entity!r} は書き出せません。次のいずれか: {', '.join(ENTITIES)}",
            field="entity",
        )
    if entity == "contacts" and not options.include_personal:
        raise DataError(
            "contacts are personal data: add --include-personal to export them",
            ja="連絡先は個人情報です。書き出すには --include-personal を付けてください",
            field="entity",
        )
    return exporter


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
    exporter = _exporter(entity, options)
    writer = csv.writer(out)
    writer.writerow(columns(entity, options))
    written = 0
    for page in exporter(session, options):
        writer.writerows([[_guard(cell) for cell in row] for row in page])
        written += len(page)
    return written


def _typed(column: str, text: str) -> Any:
    """A cell as Excel should hold it: dates and numbers typed, text as text."""
    if not text:
        return None
    if column in DATE_COLUMNS:
        return date.fromisoformat(text)
    if column == "attendees":
        return int(text)
    if column == "value":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def export_xlsx(
    session: Session, entity: str, path: Path, options: ExportOptions | None = None
) -> int:
    """Write `entity` to a new .xlsx file at `path` (one sheet named after it); returns the
    number of records. Same rows and options as `export_csv`."""
    from openpyxl import Workbook  # loaded by the exports that need it only
    from openpyxl.cell import WriteOnlyCell

    options = options or ExportOptions()
    exporter = _exporter(entity, options)
    names = columns(entity, options)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(entity)
    sheet.append(list(names))
    written = 0
    for page in exporter(session, options):
        for row in page:
            cells: list[Any] = []
            for column, text in zip(names, row, strict=True):
                value = _typed(column, text)
                if isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    value = cell
                elif isinstance(value, str):
                    # A text cell, never a formula; the quote prefix is Excel's own guard.
                    cell = WriteOnlyCell(sheet, value=value)
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
