"""What a period's KPI report lists beside the KPI figures, read in SQL (no presentation).

The period's activity counted by month and by organization kind, organizations met for the
first time, agreements (データ連携協定) concluded, started or ended, follow-ups still open at
the period's end, the register of agreements in force on a date, and, read page by page for
`--detail`, every meeting (意見交換) and outreach event (周知広報) or lecture (出前講座) held.
Archived records never appear. Each list is ordered by date, then id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, TextClause, bindparam, text
from sqlmodel import Session

from crm.records.entities import AGREEMENTS, MEETINGS, Link
from crm.records.queries import linked_names
from crm.reporting.fingerprint import REGISTER_FROM


@dataclass(frozen=True)
class MeetingLine:
    """A meeting with the names of the organizations and staff who took part."""

    id: int
    held_on: date
    title: str
    organizations: str
    staff: str
    next_action: str | None
    follow_up_on: date | None


@dataclass(frozen=True)
class FirstContact:
    """An organization met for the first time, and the meeting that was."""

    organization_id: int
    name: str
    kind: str
    first_on: date
    meeting_id: int


@dataclass(frozen=True)
class MonthActivity:
    """What happened in one calendar month: meetings held, agreements concluded, outreach
    events (周知広報) in and out of the city, and lectures (出前講座) held."""

    month: date
    meetings: int = 0
    agreements: int = 0
    in_city: int = 0
    out_of_city: int = 0
    lectures: int = 0


@dataclass(frozen=True)
class KindActivity:
    """Meetings held with organizations of one kind, and how many organizations that was."""

    kind: str
    meetings: int
    organizations: int


@dataclass(frozen=True)
class AgreementLine:
    """An agreement with its partners' names."""

    id: int
    title: str
    status: str
    partners: str
    concluded_on: date | None
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True)
class EventLine:
    """An outreach event or lecture."""

    id: int
    held_on: date
    kind: str
    title: str
    venue: str | None
    municipality: str | None
    attendees: int | None


#: How many records a detail list reads at a time.
PAGE_ROWS = 2000


def _names(session: Session, link: Link, ids: list[int]) -> dict[int, str]:
    """'; '-joined names per owner id, in reading order (kana first)."""
    return linked_names(session, link, ids, separator="; ")


def _meeting_lines(session: Session, where: str, dates: dict[str, date],
                   others: dict[str, Any] | None = None) -> list[MeetingLine]:
    query = text(
        "SELECT id, held_on, title, next_action, follow_up_on FROM meeting"
        f" WHERE archived_at IS NULL AND {where}"
    ).bindparams(*(bindparam(k, type_=Date) for k in dates))
    rows = session.execute(
        query.columns(held_on=Date, follow_up_on=Date), dates | (others or {})
    ).all()
    ids = [int(r.id) for r in rows]
    organizations = _names(session, MEETINGS.link("organizations"), ids)
    staff = _names(session, MEETINGS.link("staff"), ids)
    return [
        MeetingLine(
            id=int(r.id), held_on=r.held_on, title=r.title,
            organizations=organizations.get(int(r.id), ""), staff=staff.get(int(r.id), ""),
            next_action=r.next_action, follow_up_on=r.follow_up_on,
        )
        for r in rows
    ]


def meeting_pages(session: Session, start: date, end: date,
                  size: int = PAGE_ROWS) -> Iterator[list[MeetingLine]]:
    """Meetings held in [start, end], `size` at a time (read page by page, by date and id)."""
    after: tuple[date, int] = (start, 0)
    while True:
        page = _meeting_lines(
            session,
            "held_on >= :day AND held_on <= :end"
            " AND (held_on > :day OR id > :after_id)"
            f" ORDER BY held_on, id LIMIT {int(size)}",
            {"end": end, "day": after[0]}, {"after_id": after[1]},
        )
        if not page:
            return
        yield page
        after = (page[-1].held_on, page[-1].id)


def open_follow_ups(session: Session, on: date) -> list[MeetingLine]:
    """Meetings held by `on` whose follow-up was not done by `on`, oldest due first."""
    lines = _meeting_lines(
        session,
        "held_on <= :on AND follow_up_on IS NOT NULL"
        " AND (follow_up_done_on IS NULL OR follow_up_done_on > :on) ORDER BY held_on, id",
        {"on": on},
    )
    return sorted(lines, key=lambda m: (m.follow_up_on or m.held_on, m.id))


def first_time_organizations(session: Session, start: date, end: date) -> list[FirstContact]:
    """Organizations whose first (active) meeting was held in [start, end]."""
    query = text(
        "SELECT o.id, o.name, o.kind, f.first_on, MIN(m.id) AS meeting_id FROM ("
        " SELECT mo.organization_id, MIN(m1.held_on) AS first_on"
        " FROM meeting_organization mo JOIN meeting m1 ON m1.id = mo.meeting_id"
        " WHERE m1.archived_at IS NULL GROUP BY mo.organization_id"
        ") f"
        " JOIN organization o ON o.id = f.organization_id"
        " JOIN meeting_organization mo2 ON mo2.organization_id = o.id"
        " JOIN meeting m ON m.id = mo2.meeting_id AND m.held_on = f.first_on"
        "  AND m.archived_at IS NULL"
        " WHERE o.archived_at IS NULL AND f.first_on >= :start AND f.first_on <= :end"
        " GROUP BY o.id, o.name, o.kind, f.first_on ORDER BY f.first_on, o.id"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    rows = session.execute(query.columns(first_on=Date), {"start": start, "end": end})
    return [FirstContact(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]


def _per_day(session: Session, sql: str, start: date, end: date) -> list[tuple[str, date, int]]:
    query = text(sql).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    return [(str(r[0]), r[1], int(r[2]))
            for r in session.execute(query.columns(day=Date), {"start": start, "end": end})]


def activity_by_month(session: Session, start: date, end: date) -> list[MonthActivity]:
    """Each calendar month of [start, end] with its counts (counted per day in SQL)."""
    counts: dict[tuple[date, str], int] = {}
    for sql in (
        "SELECT 'meetings', held_on AS day, COUNT(*) FROM meeting WHERE archived_at IS NULL"
        " AND held_on >= :start AND held_on <= :end GROUP BY held_on",
        "SELECT 'agreements', concluded_on AS day, COUNT(*) FROM agreement"
        " WHERE archived_at IS NULL AND concluded_on >= :start AND concluded_on <= :end"
        " GROUP BY concluded_on",
        "SELECT kind, held_on AS day, COUNT(*) FROM outreach_event WHERE archived_at IS NULL"
        " AND held_on >= :start AND held_on <= :end GROUP BY kind, held_on",
    ):
        for what, day, n in _per_day(session, sql, start, end):
            key = (day.replace(day=1), "lectures" if what == "lecture" else what)
            counts[key] = counts.get(key, 0) + n
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(MonthActivity(month, **{
            field: counts.get((month, field), 0)
            for field in ("meetings", "agreements", "in_city", "out_of_city", "lectures")
        }))
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def activity_by_organization_kind(session: Session, start: date,
                                  end: date) -> list[KindActivity]:
    """Per organization kind, the meetings held in [start, end] with one (or more)
    organizations of that kind, and how many such organizations took part; by kind code."""
    query = text(
        "SELECT o.kind, COUNT(DISTINCT m.id), COUNT(DISTINCT o.id) FROM meeting m"
        " JOIN meeting_organization mo ON mo.meeting_id = m.id"
        " JOIN organization o ON o.id = mo.organization_id"
        " WHERE m.archived_at IS NULL AND m.held_on >= :start AND m.held_on <= :end"
        " GROUP BY o.kind"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    rows = session.execute(query, {"start": start, "end": end})
    return sorted((KindActivity(str(r[0]), int(r[1]), int(r[2])) for r in rows),
                  key=lambda k: k.kind)


def _agreement_lines(session: Session, query: TextClause,
                     params: dict[str, Any]) -> list[AgreementLine]:
    """Agreements from `query` (id, title, status, concluded_on, starts_on, ends_on)."""
    rows = session.execute(
        query.bindparams(*(bindparam(k, type_=Date) for k in params))
        .columns(concluded_on=Date, starts_on=Date, ends_on=Date), params
    ).all()
    partners = _names(session, AGREEMENTS.link("partners"), [int(r.id) for r in rows])
    return [
        AgreementLine(
            id=int(r.id), title=r.title, status=r.status, partners=partners.get(int(r.id), ""),
            concluded_on=r.concluded_on, starts_on=r.starts_on, ends_on=r.ends_on,
        )
        for r in rows
    ]


def agreements_changed(session: Session, start: date, end: date) -> list[AgreementLine]:
    """Agreements concluded, started or ended (by their dates) in [start, end]."""
    return _agreement_lines(
        session,
        text(
            "SELECT id, title, status, concluded_on, starts_on, ends_on FROM agreement"
            " WHERE archived_at IS NULL"
            " AND ((concluded_on >= :start AND concluded_on <= :end)"
            " OR (starts_on >= :start AND starts_on <= :end)"
            " OR (ends_on >= :start AND ends_on <= :end))"
            " ORDER BY COALESCE(concluded_on, starts_on, ends_on), id"
        ),
        {"start": start, "end": end},
    )


def agreements_in_force(session: Session, on: date) -> list[AgreementLine]:
    """The register on `on`: agreements in force that day by their status history, each with
    the status and dates it had then (crm.records.agreement_history)."""
    return _agreement_lines(
        session,
        text(
            "SELECT a.id, a.title, c.status, c.concluded_on, c.starts_on, c.ends_on"
            + REGISTER_FROM
            + " ORDER BY COALESCE(c.concluded_on, c.starts_on, c.ends_on), a.id"
        ),
        {"end": on},
    )


def event_pages(session: Session, start: date, end: date,
                size: int = PAGE_ROWS) -> Iterator[list[EventLine]]:
    """Outreach events and lectures held in [start, end], `size` at a time (by date, id)."""
    query = text(
        "SELECT id, held_on, kind, title, venue, municipality, attendees FROM outreach_event"
        " WHERE archived_at IS NULL AND held_on >= :day AND held_on <= :end"
        " AND (held_on > :day OR id > :after_id)"
        f" ORDER BY held_on, id LIMIT {int(size)}"
    ).bindparams(bindparam("end", type_=Date), bindparam("day", type_=Date)).columns(
        held_on=Date)
    day, after_id = start, 0
    while True:
        page = [
            EventLine(int(r.id), r.held_on, r.kind, r.title, r.venue, r.municipality,
                      None if r.attendees is None else int(r.attendees))
            for r in session.execute(query, {"end": end, "day": day, "after_id": after_id})
        ]
        if not page:
            return
        yield page
        day, after_id = page[-1].held_on, page[-1].id


#: Evidence record types; each is also the name of its table.
_RECORD_TABLES = ("meeting", "agreement", "outreach_event")


def record_titles(
    session: Session, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The titles of records named by (record type, id), archived or not."""
    titles: dict[tuple[str, int], str] = {}
    for table in _RECORD_TABLES:
        ids = sorted({record_id for kind, record_id in keys if kind == table})
        if not ids:
            continue
        query = text(f"SELECT id, title FROM {table} WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        for record_id, title in session.execute(query, {"ids": ids}):
            titles[(table, int(record_id))] = title
    return titles
