"""The open-data export (オープンデータ): outreach events and concluded agreements as CSV for
the city's open-data catalogue.

Each dataset has a fixed, documented column set (README.md, "Open data") with Japanese
headers, ISO dates, codes written as their Japanese names, and no personal data: no staff,
no contacts, no free-text notes or summaries, which may name people. Files are UTF-8 with
BOM and CRLF line ends, cells guarded against formula injection like every export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import select
from sqlmodel import Session, col

from crm import models as m
from crm.io.exporting import (
    PARTNERS,
    ExportOptions,
    RecordQuery,
    cell_text,
    guarded,
    pages,
    selected,
)
from crm.io.importing import unknown_choice
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

def _events(session: Session, city: CityCode, options: ExportOptions) -> Iterator[list[Any]]:
    query = RecordQuery(
        select(col(m.OutreachEvent.held_on), col(m.OutreachEvent.kind),
               col(m.OutreachEvent.title), col(m.OutreachEvent.venue),
               col(m.OutreachEvent.municipality), col(m.OutreachEvent.attendees))
        .order_by(col(m.OutreachEvent.held_on), col(m.OutreachEvent.id)),
        (m.OutreachEvent,), col(m.OutreachEvent.held_on),
    )
    for page in pages(session, selected(query, options)):
        for held_on, kind, title, venue, municipality, attendees in page:
            yield [city.code, city.name, held_on, EVENT_KINDS.label(kind, "ja"), title, venue,
                   municipality, attendees]


def _agreements(session: Session, city: CityCode, options: ExportOptions
                ) -> Iterator[list[Any]]:
    # Concluded agreements: with a conclusion date, not cancelled (a cancelled one is
    # no longer an agreement the city has made public).
    query = RecordQuery(
        select(col(m.Agreement.id), col(m.Agreement.title), col(m.Agreement.concluded_on),
               col(m.Agreement.starts_on), col(m.Agreement.ends_on), col(m.Agreement.status),
               col(m.Agreement.datasets))
        .where(col(m.Agreement.concluded_on).is_not(None), col(m.Agreement.status) != "cancelled")
        .order_by(col(m.Agreement.concluded_on), col(m.Agreement.id)),
        (m.Agreement,), col(m.Agreement.concluded_on),
    )
    rows = session.execute(selected(query, options)).all()
    partners = PARTNERS.names(session, [row.id for row in rows], include_archived=False)
    for row in rows:
        yield [city.code, city.name, row.title, row.concluded_on, row.starts_on, row.ends_on,
               AGREEMENT_STATUSES.label(row.status, "ja"), partners.get(row.id, ""),
               row.datasets]


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
        raise unknown_choice("open-data dataset", dataset, DATASETS,
                             ja=f"オープンデータ {dataset!r} はありません", field="dataset")
    options = ExportOptions(start=start, end=end)
    rows = (_events if dataset == "events" else _agreements)(session, city, options)
    writer = csv.writer(out)
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([guarded(cell_text(value)) for value in row])
        written += 1
    return written
