"""What a period's KPI report lists beside the KPI figures, read in SQL (no presentation).

Meetings (意見交換) held, companies met for the first time, agreements (データ連携協定)
concluded, started or ended, outreach events (周知広報) and lectures (出前講座) held, follow-ups
still open at the period's end, and the register of agreements in force on a date. Archived
records never appear. Each list is ordered by date, then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    """A private company met for the first time, and the meeting that was."""

    organization_id: int
    name: str
    first_on: date
    meeting_id: int


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


def _names(session: Session, link: Link, ids: list[int]) -> dict[int, str]:
    """'; '-joined names per owner id, in reading order (kana first)."""
    return linked_names(session, link, ids, separator="; ")


def _meeting_lines(session: Session, where: str, params: dict[str, Any]) -> list[MeetingLine]:
    query = text(
        "SELECT id, held_on, title, next_action, follow_up_on FROM meeting"
        f" WHERE archived_at IS NULL AND {where} ORDER BY held_on, id"
    ).bindparams(*(bindparam(k, type_=Date) for k in params))
    rows = session.execute(
        query.columns(held_on=Date, follow_up_on=Date), params
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


def meetings_held(session: Session, start: date, end: date) -> list[MeetingLine]:
    """Meetings held in [start, end]."""
    return _meeting_lines(session, "held_on >= :start AND held_on <= :end",
                          {"start": start, "end": end})


def open_follow_ups(session: Session, on: date) -> list[MeetingLine]:
    """Meetings held by `on` whose follow-up was not done by `on`, oldest due first."""
    lines = _meeting_lines(
        session,
        "held_on <= :on AND follow_up_on IS NOT NULL"
        " AND (follow_up_done_on IS NULL OR follow_up_done_on > :on)",
        {"on": on},
    )
    return sorted(lines, key=lambda m: (m.follow_up_on or m.held_on, m.id))


def first_time_companies(session: Session, start: date, end: date) -> list[FirstContact]:
    """Private companies whose first (active) meeting was held in [start, end]."""
    query = text(
        "SELECT o.id, o.name, f.first_on, MIN(m.id) AS meeting_id FROM ("
        " SELECT mo.organization_id, MIN(m1.held_on) AS first_on"
        " FROM meeting_organization mo JOIN meeting m1 ON m1.id = mo.meeting_id"
        " WHERE m1.archived_at IS NULL GROUP BY mo.organization_id"
        ") f"
        " JOIN organization o ON o.id = f.organization_id"
        " JOIN meeting_organization mo2 ON mo2.organization_id = o.id"
        " JOIN meeting m ON m.id = mo2.meeting_id AND m.held_on = f.first_on"
        "  AND m.archived_at IS NULL"
        " WHERE o.archived_at IS NULL AND o.kind = 'company'"
        "  AND f.first_on >= :start AND f.first_on <= :end"
        " GROUP BY o.id, o.name, f.first_on ORDER BY f.first_on, o.id"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    rows = session.execute(query.columns(first_on=Date), {"start": start, "end": end})
    return [FirstContact(int(r[0]), r[1], r[2], int(r[3])) for r in rows]


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


def events_held(session: Session, start: date, end: date) -> list[EventLine]:
    """Outreach events and lectures held in [start, end]."""
    query = text(
        "SELECT id, held_on, kind, title, venue, municipality, attendees FROM outreach_event"
        " WHERE archived_at IS NULL AND held_on >= :start AND held_on <= :end"
        " ORDER BY held_on, id"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
    rows = session.execute(query.columns(held_on=Date), {"start": start, "end": end})
    return [
        EventLine(int(r.id), r.held_on, r.kind, r.title, r.venue, r.municipality,
                  None if r.attendees is None else int(r.attendees))
        for r in rows
    ]


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
