"""The open-data export (オープンデータ): outreach events and concluded agreements as CSV for
the city's open-data catalogue.

Each dataset has a fixed, documented column set (README.md, "Open data") with Japanese
headers, ISO dates, codes written as their Japanese names, and no personal data: no staff,
no contacts, no free-text notes or summaries, which may name people. Files are UTF-8 with
BOM and CRLF line ends, cells guarded against formula injection like every export.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import Select, select
from sqlmodel import Session

from crm.errors import DataError
from crm.io.importing import FORMULA_TRIGGERS, LIST_SEPARATOR
from crm.models import Agreement, AgreementPartner, Organization, OutreachEvent
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS

__all__ = ["DATASETS", "CityCode", "KAKOGAWA", "export_opendata"]


@dataclass(frozen=True)
class CityCode:
    """The publishing local government: its 全国地方公共団体コード (6 digits) and name."""

    code: str
    name: str


KAKOGAWA = CityCode("282103", "加古川市")

#: Dataset name -> its columns, in order.
DATASETS: dict[str, tuple[str, ...]] = {
    "events": (
        "全国地方公共団体コード", "地方公共団体名", "開催日", "区分", "名称", "会場",
        "開催市町村", "参加者数",
    ),
    "agreements": (
        "全国地方公共団体コード", "地方公共団体名", "協定名", "締結日", "開始日", "終了日",
        "状況", "協定先", "対象データ",
    ),
}

PAGE_SIZE = 500


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _dated(statement: Select[Any], column: Any, start: date | None, end: date | None
           ) -> Select[Any]:
    if start is not None:
        statement = statement.where(column >= start)
    if end is not None:
        statement = statement.where(column <= end)
    return statement


def _events(session: Session, city: CityCode, start: date | None, end: date | None
            ) -> Iterator[list[Any]]:
    statement = _dated(
        select(OutreachEvent.held_on, OutreachEvent.kind, OutreachEvent.title,
               OutreachEvent.venue, OutreachEvent.municipality, OutreachEvent.attendees)
        .where(OutreachEvent.archived_at.is_(None))
        .order_by(OutreachEvent.held_on, OutreachEvent.id),
        OutreachEvent.held_on, start, end,
    )
    for held_on, kind, title, venue, municipality, attendees in session.execute(
        statement.execution_options(yield_per=PAGE_SIZE)
    ):
        yield [city.code, city.name, held_on, EVENT_KINDS.label(kind, "ja"), title, venue,
               municipality, attendees]


def _agreements(session: Session, city: CityCode, start: date | None, end: date | None
                ) -> Iterator[list[Any]]:
    # Concluded agreements: with a conclusion date, not cancelled (a cancelled one is
    # no longer an agreement the city has made public).
    statement = _dated(
        select(Agreement.id, Agreement.title, Agreement.concluded_on, Agreement.starts_on,
               Agreement.ends_on, Agreement.status, Agreement.datasets)
        .where(Agreement.archived_at.is_(None), Agreement.concluded_on.is_not(None),
               Agreement.status != "cancelled")
        .order_by(Agreement.concluded_on, Agreement.id),
        Agreement.concluded_on, start, end,
    )
    rows = session.execute(statement).all()
    partners: defaultdict[int, list[str]] = defaultdict(list)
    for agreement_id, name in session.execute(
        select(AgreementPartner.agreement_id, Organization.name)
        .join(Organization, Organization.id == AgreementPartner.organization_id)
        .where(AgreementPartner.agreement_id.in_([row.id for row in rows]),
               Organization.archived_at.is_(None))
        .order_by(AgreementPartner.agreement_id, Organization.name)
    ):
        partners[agreement_id].append(name)
    for row in rows:
        yield [city.code, city.name, row.title, row.concluded_on, row.starts_on, row.ends_on,
               AGREEMENT_STATUSES.label(row.status, "ja"),
               LIST_SEPARATOR.join(partners[row.id]), row.datasets]


def export_opendata(
    session: Session,
    dataset: str,
    out: TextIO,
    *,
    start: date | None = None,
    end: date | None = None,
    city: CityCode = KAKOGAWA,
) -> int:
    """Write an open-data dataset (`events` or `agreements`) as CSV to `out`; returns the
    number of rows. `start`/`end` (inclusive) filter by date held or concluded."""
    columns = DATASETS.get(dataset)
    if columns is None:
        raise DataError(
            f"unknown open-data dataset {dataset!r}; use one of: {', '.join(DATASETS)}",
            ja=f"オープンデータ {dataset!r} はありません。次のいずれか: {', '.join(DATASETS)}",
            field="dataset",
        )
    rows = (_events if dataset == "events" else _agreements)(session, city, start, end)
    writer = csv.writer(out)
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        written += 1
    return written
