"""Paged read queries for the terminal UI: one page of rows at a time, never a whole table.

Every list function is keyword-only after the session, takes a filter, a sort column and an
offset/limit, and returns plain frozen rows detached from the session. The names of the
organizations (or staff) on a page are fetched in one extra query for the page's ids.
Sorting by the date columns uses their indexes (`ix_meeting_held_on_id`, …); sorting by
another column or filtering on free text (LIKE '%…%') scans the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlmodel import Session, col

from crm.calendar import FiscalPeriod
from crm.context import JAPAN
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
    OutreachEventStaff,
    Staff,
)
from crm.normalize import kana_sort_key, normalize_name

SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]

# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """What a list screen narrows its rows to; unset fields do not filter.

    `kind` is the organization kind, agreement status, event kind or KPI code depending on the
    list; `scope` is the follow-up scope (one of FOLLOW_UP_SCOPES).
    """

    text: str = ""
    period: FiscalPeriod | None = None
    kind: str | None = None
    staff_id: int | None = None
    organization_id: int | None = None
    include_archived: bool = False
    scope: str = "open"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_match(text: str, *columns: Any) -> ColumnElement[bool]:
    pattern = _like(text.strip())
    return or_(*(column.like(pattern, escape="\\") for column in columns))


def _in_period(column: Any, period: FiscalPeriod | None) -> ColumnElement[bool] | None:
    if period is None:
        return None
    return and_(column >= period.start, column <= period.end)


def _where(query: SelectT, conditions: Iterable[ColumnElement[bool] | None]) -> SelectT:
    present = [c for c in conditions if c is not None]
    return query.where(*present) if present else query


def _order(
    query: SelectT,
    columns: dict[str, Any],
    order_by: str,
    descending: bool,
    id_column: Any,
    *,
    scan: bool = False,
) -> SelectT:
    """Order by a known column, then id. With `scan`, the sort column is wrapped so that
    SQLite reads the table in order and sorts the matches, instead of walking the date index
    and fetching every row at random to test a LIKE that few rows pass."""
    if order_by not in columns:
        raise ValueError(f"cannot sort by {order_by!r}; choose one of {sorted(columns)}")
    column = columns[order_by]
    if scan:
        column = func.coalesce(column, column)
    if descending:
        ordered = column.desc()
        # Empty values sort as SQLite sorts them (first ascending, last descending) on
        # every backend; NOT NULL columns keep a plain ORDER BY that can walk an index.
        ordered = ordered.nulls_last() if _nullable(column) else ordered
        return query.order_by(ordered, id_column.desc())
    ordered = column.asc()
    ordered = ordered.nulls_first() if _nullable(column) else ordered
    return query.order_by(ordered, id_column.asc())


def _nullable(column: Any) -> bool:
    return bool(getattr(getattr(column, "expression", column), "nullable", True))


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _organization_names(
    session: Session, link_owner: Any, link_org: Any, owner_ids: Sequence[int]
) -> dict[int, str]:
    if not owner_ids:
        return {}
    query = (
        select(link_owner, col(Organization.name))
        .join(Organization, col(Organization.id) == link_org)
        .where(link_owner.in_(owner_ids))
        .order_by(
            link_owner, func.coalesce(col(Organization.kana_sort_key), col(Organization.name))
        )
    )
    names: dict[int, list[str]] = {}
    for owner_id, name in session.execute(query):
        names.setdefault(int(owner_id), []).append(name)
    return {owner: "、".join(values) for owner, values in names.items()}


def _staff_names(
    session: Session, link_owner: Any, link_staff: Any, owner_ids: Sequence[int]
) -> dict[int, str]:
    if not owner_ids:
        return {}
    query = (
        select(link_owner, col(Staff.name))
        .join(Staff, col(Staff.id) == link_staff)
        .where(link_owner.in_(owner_ids))
        .order_by(link_owner, col(Staff.name))
    )
    names: dict[int, list[str]] = {}
    for owner_id, name in session.execute(query):
        names.setdefault(int(owner_id), []).append(name)
    return {owner: "、".join(values) for owner, values in names.items()}


# --- meetings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    """One meeting in a list."""

    id: int
    held_on: date
    title: str
    organizations: str
    staff: str
    next_action: str | None
    follow_up_on: date | None
    follow_up_done_on: date | None
    archived: bool


_FIRST_ORGANIZATION = (
    select(func.min(col(Organization.name)))
    .join(MeetingOrganization, col(MeetingOrganization.organization_id) == col(Organization.id))
    .where(col(MeetingOrganization.meeting_id) == col(Meeting.id))
    .scalar_subquery()
)

MEETING_SORTS: dict[str, Any] = {
    "held_on": col(Meeting.held_on),
    "title": col(Meeting.title),
    "organizations": _FIRST_ORGANIZATION,
    "follow_up_on": col(Meeting.follow_up_on),
    "next_action": col(Meeting.next_action),
}


def _meeting_query(filters: ListFilter) -> Select[Any]:
    query = select(Meeting)
    return _where(
        query,
        [
            None if filters.include_archived else col(Meeting.archived_at).is_(None),
            _in_period(col(Meeting.held_on), filters.period),
            _text_match(filters.text, col(Meeting.title), col(Meeting.summary))
            if filters.text.strip()
            else None,
            exists().where(
                col(MeetingStaff.meeting_id) == col(Meeting.id),
                col(MeetingStaff.staff_id) == filters.staff_id,
            )
            if filters.staff_id is not None
            else None,
            exists().where(
                col(MeetingOrganization.meeting_id) == col(Meeting.id),
                col(MeetingOrganization.organization_id) == filters.organization_id,
            )
            if filters.organization_id is not None
            else None,
        ],
    )


def _meeting_rows(session: Session, meetings: Sequence[Meeting]) -> list[MeetingRow]:
    ids = [m.id for m in meetings if m.id is not None]
    organizations = _organization_names(
        session, col(MeetingOrganization.meeting_id), col(MeetingOrganization.organization_id), ids
    )
    staff = _staff_names(session, col(MeetingStaff.meeting_id), col(MeetingStaff.staff_id), ids)
    return [
        MeetingRow(
            id=m.id,
            held_on=m.held_on,
            title=m.title,
            organizations=organizations.get(m.id, ""),
            staff=staff.get(m.id, ""),
            next_action=m.next_action,
            follow_up_on=m.follow_up_on,
            follow_up_done_on=m.follow_up_done_on,
            archived=m.archived_at is not None,
        )
        for m in meetings
        if m.id is not None
    ]


def meeting_page(
    session: Session,
    *,
    filters: ListFilter,
    order_by: str = "held_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[MeetingRow]:
    """One page of meetings matching `filters`, sorted by `order_by` (a MEETING_SORTS key)."""
    query = _order(
        _meeting_query(filters),
        MEETING_SORTS,
        order_by,
        descending,
        col(Meeting.id),
        scan=bool(filters.text.strip()) and filters.period is None,
    )
    meetings = session.scalars(query.offset(offset).limit(limit)).all()
    return _meeting_rows(session, meetings)


def count_meetings(session: Session, *, filters: ListFilter) -> int:
    """How many meetings match `filters`."""
    return _count(session, _meeting_query(filters).with_only_columns(col(Meeting.id)))


# --- follow-ups -----------------------------------------------------------------------------

#: Follow-up scopes: overdue or due this week, overdue only, due this week only, all open.
FOLLOW_UP_SCOPES = ("due", "overdue", "week", "open")


def week_end(today: date) -> date:
    """The Sunday that ends the (Monday-first) week containing `today`."""
    return today + timedelta(days=6 - today.weekday())


def _follow_up_query(filters: ListFilter, today: date) -> Select[Any]:
    query = _meeting_query(filters).where(
        col(Meeting.follow_up_on).is_not(None), col(Meeting.follow_up_done_on).is_(None)
    )
    if filters.scope == "due":
        query = query.where(col(Meeting.follow_up_on) <= week_end(today))
    elif filters.scope == "overdue":
        query = query.where(col(Meeting.follow_up_on) < today)
    elif filters.scope == "week":
        query = query.where(
            col(Meeting.follow_up_on) >= today, col(Meeting.follow_up_on) <= week_end(today)
        )
    elif filters.scope != "open":
        raise ValueError(f"unknown follow-up scope {filters.scope!r}")
    return query


def follow_up_page(
    session: Session,
    *,
    filters: ListFilter,
    today: date,
    order_by: str = "follow_up_on",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[MeetingRow]:
    """Meetings with an open follow-up in `filters.scope`, relative to `today`."""
    query = _order(
        _follow_up_query(filters, today), MEETING_SORTS, order_by, descending, col(Meeting.id)
    )
    return _meeting_rows(session, session.scalars(query.offset(offset).limit(limit)).all())


def count_follow_ups(session: Session, *, filters: ListFilter, today: date) -> int:
    """How many open follow-ups match `filters` and its scope."""
    return _count(session, _follow_up_query(filters, today).with_only_columns(col(Meeting.id)))


# --- organizations --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationRow:
    """One organization in a list, with how many active meetings it had and the last one."""

    id: int
    name: str
    kana: str | None
    kind: str
    corporate_number: str | None
    meetings: int
    last_met_on: date | None
    archived: bool


ORGANIZATION_SORTS: dict[str, Any] = {
    "name": func.coalesce(col(Organization.kana_sort_key), col(Organization.normalized_name)),
    "kana": col(Organization.kana_sort_key),
    "kind": col(Organization.kind),
    "corporate_number": col(Organization.corporate_number),
    "id": col(Organization.id),
}


def _organization_query(filters: ListFilter) -> Select[Any]:
    text = filters.text.strip()
    conditions: list[ColumnElement[bool] | None] = [
        None if filters.include_archived else col(Organization.archived_at).is_(None),
        col(Organization.kind) == filters.kind if filters.kind else None,
    ]
    if text:
        columns: list[Any] = [col(Organization.name)]
        keys: list[tuple[Any, str]] = []
        try:
            keys.append((col(Organization.normalized_name), normalize_name(text)))
        except ValueError:
            pass
        keys.append((col(Organization.kana_sort_key), kana_sort_key(text)))
        matches = [_text_match(text, *columns)] + [
            column.like(_like(key), escape="\\") for column, key in keys if key
        ]
        conditions.append(or_(*matches))
    return _where(select(Organization), conditions)


def organization_page(
    session: Session,
    *,
    filters: ListFilter,
    order_by: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[OrganizationRow]:
    """One page of organizations; text matches name, normalized name and kana."""
    query = _order(
        _organization_query(filters), ORGANIZATION_SORTS, order_by, descending, col(Organization.id)
    )
    organizations = session.scalars(query.offset(offset).limit(limit)).all()
    ids = [o.id for o in organizations if o.id is not None]
    stats: dict[int, tuple[int, date | None]] = {}
    if ids:
        query_stats = (
            select(
                col(MeetingOrganization.organization_id),
                func.count(),
                func.max(col(Meeting.held_on)),
            )
            .join(Meeting, col(Meeting.id) == col(MeetingOrganization.meeting_id))
            .where(
                col(MeetingOrganization.organization_id).in_(ids),
                col(Meeting.archived_at).is_(None),
            )
            .group_by(col(MeetingOrganization.organization_id))
        )
        stats = {int(o): (int(n), last) for o, n, last in session.execute(query_stats)}
    return [
        OrganizationRow(
            id=o.id,
            name=o.name,
            kana=o.kana,
            kind=o.kind,
            corporate_number=o.corporate_number,
            meetings=stats.get(o.id, (0, None))[0],
            last_met_on=stats.get(o.id, (0, None))[1],
            archived=o.archived_at is not None,
        )
        for o in organizations
        if o.id is not None
    ]


def count_organizations(session: Session, *, filters: ListFilter) -> int:
    """How many organizations match `filters`."""
    return _count(session, _organization_query(filters).with_only_columns(col(Organization.id)))


@dataclass(frozen=True)
class OrganizationDetail:
    """An organization's own fields."""

    id: int
    name: str
    kana: str | None
    kind: str
    corporate_number: str | None
    address: str | None
    website: str | None
    notes: str | None
    archived: bool


def organization_detail(session: Session, organization_id: int) -> OrganizationDetail | None:
    """The organization with this id, or None."""
    o = session.get(Organization, organization_id)
    if o is None or o.id is None:
        return None
    return OrganizationDetail(
        id=o.id,
        name=o.name,
        kana=o.kana,
        kind=o.kind,
        corporate_number=o.corporate_number,
        address=o.address,
        website=o.website,
        notes=o.notes,
        archived=o.archived_at is not None,
    )


@dataclass(frozen=True)
class HistoryRow:
    """One entry in an organization's history: a meeting, an agreement or a contact."""

    on: date | None
    record_type: str
    record_id: int
    title: str
    detail: str


def organization_history(
    session: Session, *, organization_id: int, limit: int = 500
) -> list[HistoryRow]:
    """An organization's meetings, agreements and contacts, newest first (active ones only).

    Agreements are dated by conclusion, else start of term, else entry; contacts by entry.
    Outreach events are not linked to organizations in the schema, so they do not appear.
    """
    rows: list[HistoryRow] = []
    meetings = session.execute(
        select(col(Meeting.id), col(Meeting.held_on), col(Meeting.title), col(Meeting.next_action))
        .join(MeetingOrganization, col(MeetingOrganization.meeting_id) == col(Meeting.id))
        .where(
            col(MeetingOrganization.organization_id) == organization_id,
            col(Meeting.archived_at).is_(None),
        )
        .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())
        .limit(limit)
    )
    rows += [
        HistoryRow(on, "meeting", int(i), title, action or "") for i, on, title, action in meetings
    ]
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementPartner, col(AgreementPartner.agreement_id) == col(Agreement.id))
        .where(
            col(AgreementPartner.organization_id) == organization_id,
            col(Agreement.archived_at).is_(None),
        )
        .limit(limit)
    ).all()
    rows += [
        HistoryRow(
            a.concluded_on or a.starts_on or a.created_at.astimezone(JAPAN).date(),
            "agreement",
            int(a.id or 0),
            a.title,
            a.status,
        )
        for a in agreements
    ]
    contacts = session.scalars(
        select(Contact)
        .where(col(Contact.organization_id) == organization_id, col(Contact.archived_at).is_(None))
        .limit(limit)
    ).all()
    rows += [
        HistoryRow(
            c.created_at.astimezone(JAPAN).date(),
            "contact",
            int(c.id or 0),
            c.name,
            " ".join(part for part in (c.department, c.title, c.email, c.phone) if part),
        )
        for c in contacts
    ]
    rows.sort(key=lambda r: (r.on or date.min, r.record_type, r.record_id), reverse=True)
    return rows[:limit]


# --- agreements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    """One agreement in a list."""

    id: int
    title: str
    partners: str
    status: str
    concluded_on: date | None
    starts_on: date | None
    ends_on: date | None
    archived: bool


AGREEMENT_SORTS: dict[str, Any] = {
    "concluded_on": col(Agreement.concluded_on),
    "title": col(Agreement.title),
    "status": col(Agreement.status),
    "starts_on": col(Agreement.starts_on),
    "ends_on": col(Agreement.ends_on),
    "partners": (
        select(func.min(col(Organization.name)))
        .join(AgreementPartner, col(AgreementPartner.organization_id) == col(Organization.id))
        .where(col(AgreementPartner.agreement_id) == col(Agreement.id))
        .scalar_subquery()
    ),
}


def _agreement_query(filters: ListFilter) -> Select[Any]:
    return _where(
        select(Agreement),
        [
            None if filters.include_archived else col(Agreement.archived_at).is_(None),
            col(Agreement.status) == filters.kind if filters.kind else None,
            _in_period(col(Agreement.concluded_on), filters.period),
            _text_match(
                filters.text, col(Agreement.title), col(Agreement.datasets), col(Agreement.notes)
            )
            if filters.text.strip()
            else None,
            exists().where(
                col(AgreementPartner.agreement_id) == col(Agreement.id),
                col(AgreementPartner.organization_id) == filters.organization_id,
            )
            if filters.organization_id is not None
            else None,
        ],
    )


def agreement_page(
    session: Session,
    *,
    filters: ListFilter,
    order_by: str = "concluded_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[AgreementRow]:
    """One page of agreements; the period filters on the conclusion date."""
    query = _order(
        _agreement_query(filters), AGREEMENT_SORTS, order_by, descending, col(Agreement.id)
    )
    agreements = session.scalars(query.offset(offset).limit(limit)).all()
    ids = [a.id for a in agreements if a.id is not None]
    partners = _organization_names(
        session, col(AgreementPartner.agreement_id), col(AgreementPartner.organization_id), ids
    )
    return [
        AgreementRow(
            id=a.id,
            title=a.title,
            partners=partners.get(a.id, ""),
            status=a.status,
            concluded_on=a.concluded_on,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            archived=a.archived_at is not None,
        )
        for a in agreements
        if a.id is not None
    ]


def count_agreements(session: Session, *, filters: ListFilter) -> int:
    """How many agreements match `filters`."""
    return _count(session, _agreement_query(filters).with_only_columns(col(Agreement.id)))


# --- outreach events ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """One outreach event or lecture in a list."""

    id: int
    held_on: date
    kind: str
    title: str
    venue: str | None
    municipality: str | None
    attendees: int | None
    staff: str
    archived: bool


EVENT_SORTS: dict[str, Any] = {
    "held_on": col(OutreachEvent.held_on),
    "kind": col(OutreachEvent.kind),
    "title": col(OutreachEvent.title),
    "venue": col(OutreachEvent.venue),
    "municipality": col(OutreachEvent.municipality),
    "attendees": col(OutreachEvent.attendees),
}


def _event_query(filters: ListFilter) -> Select[Any]:
    return _where(
        select(OutreachEvent),
        [
            None if filters.include_archived else col(OutreachEvent.archived_at).is_(None),
            col(OutreachEvent.kind) == filters.kind if filters.kind else None,
            _in_period(col(OutreachEvent.held_on), filters.period),
            _text_match(
                filters.text,
                col(OutreachEvent.title),
                col(OutreachEvent.venue),
                col(OutreachEvent.municipality),
            )
            if filters.text.strip()
            else None,
            exists().where(
                col(OutreachEventStaff.outreach_event_id) == col(OutreachEvent.id),
                col(OutreachEventStaff.staff_id) == filters.staff_id,
            )
            if filters.staff_id is not None
            else None,
        ],
    )


def event_page(
    session: Session,
    *,
    filters: ListFilter,
    order_by: str = "held_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[EventRow]:
    """One page of outreach events and lectures."""
    query = _order(_event_query(filters), EVENT_SORTS, order_by, descending, col(OutreachEvent.id))
    events = session.scalars(query.offset(offset).limit(limit)).all()
    ids = [e.id for e in events if e.id is not None]
    staff = _staff_names(
        session, col(OutreachEventStaff.outreach_event_id), col(OutreachEventStaff.staff_id), ids
    )
    return [
        EventRow(
            id=e.id,
            held_on=e.held_on,
            kind=e.kind,
            title=e.title,
            venue=e.venue,
            municipality=e.municipality,
            attendees=e.attendees,
            staff=staff.get(e.id, ""),
            archived=e.archived_at is not None,
        )
        for e in events
        if e.id is not None
    ]


def count_events(session: Session, *, filters: ListFilter) -> int:
    """How many events match `filters`."""
    return _count(session, _event_query(filters).with_only_columns(col(OutreachEvent.id)))


# --- measurements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    """One entered KPI measurement in a list."""

    id: int
    measured_on: date
    kpi_code: str
    kpi_name_ja: str
    kpi_name_en: str
    unit: str
    value: float
    note: str | None
    entered_by: str
    archived: bool


MEASUREMENT_SORTS: dict[str, Any] = {
    "measured_on": col(KpiMeasurement.measured_on),
    "kpi": col(Kpi.sort_order),
    "value": col(KpiMeasurement.value),
    "note": col(KpiMeasurement.note),
    "entered_by": col(KpiMeasurement.entered_by),
}


def _measurement_query(filters: ListFilter) -> Select[KpiMeasurement, Kpi]:
    query = select(KpiMeasurement, Kpi).join(Kpi, col(Kpi.id) == col(KpiMeasurement.kpi_id))
    return _where(
        query,
        [
            None if filters.include_archived else col(KpiMeasurement.archived_at).is_(None),
            col(Kpi.code) == filters.kind if filters.kind else None,
            _in_period(col(KpiMeasurement.measured_on), filters.period),
            _text_match(filters.text, col(KpiMeasurement.note), col(Kpi.name_ja), col(Kpi.name_en))
            if filters.text.strip()
            else None,
        ],
    )


def measurement_page(
    session: Session,
    *,
    filters: ListFilter,
    order_by: str = "measured_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[MeasurementRow]:
    """One page of KPI measurements; `filters.kind` is a KPI code."""
    query = _order(
        _measurement_query(filters), MEASUREMENT_SORTS, order_by, descending, col(KpiMeasurement.id)
    )
    return [
        MeasurementRow(
            id=m.id or 0,
            measured_on=m.measured_on,
            kpi_code=k.code,
            kpi_name_ja=k.name_ja,
            kpi_name_en=k.name_en,
            unit=k.unit,
            value=m.value,
            note=m.note,
            entered_by=m.entered_by,
            archived=m.archived_at is not None,
        )
        for m, k in session.execute(query.offset(offset).limit(limit))
    ]


def count_measurements(session: Session, *, filters: ListFilter) -> int:
    """How many measurements match `filters`."""
    return _count(session, _measurement_query(filters).with_only_columns(col(KpiMeasurement.id)))


# --- choices and single records for forms ---------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A value a form or filter offers: id or code, with labels."""

    value: str
    ja: str
    en: str

    def label(self, lang: str) -> str:
        """The label in `lang`."""
        return self.ja if lang == "ja" else self.en


def staff_choices(session: Session) -> list[Choice]:
    """Active staff, by name (the value is the staff id as text)."""
    query = (
        select(col(Staff.id), col(Staff.name))
        .where(col(Staff.active).is_(True), col(Staff.archived_at).is_(None))
        .order_by(func.coalesce(col(Staff.kana), col(Staff.name)))
    )
    return [Choice(str(i), name, name) for i, name in session.execute(query)]


def measured_kpi_choices(session: Session) -> list[Choice]:
    """Active measured KPIs in reporting order (the value is the KPI code)."""
    query = (
        select(col(Kpi.code), col(Kpi.name_ja), col(Kpi.name_en), col(Kpi.unit))
        .where(col(Kpi.kind) == "measured", col(Kpi.archived_at).is_(None))
        .order_by(col(Kpi.sort_order), col(Kpi.id))
    )
    return [
        Choice(code, f"{ja} ({unit})", f"{en} ({unit})")
        for code, ja, en, unit in session.execute(query)
    ]


@dataclass(frozen=True)
class OrganizationRef:
    """An organization chosen in a form: its id and name."""

    id: int
    name: str


@dataclass(frozen=True)
class MeetingDetail:
    """A meeting's fields and links, for editing."""

    id: int
    held_on: date
    title: str
    summary: str | None
    next_action: str | None
    follow_up_on: date | None
    organizations: tuple[OrganizationRef, ...]
    staff: tuple[str, ...]


def _refs(
    session: Session, link_owner: Any, link_org: Any, owner_id: int
) -> tuple[OrganizationRef, ...]:
    query = (
        select(col(Organization.id), col(Organization.name))
        .join_from(Organization, link_org.table, col(Organization.id) == link_org)
        .where(link_owner == owner_id)
        .order_by(col(Organization.id))
    )
    return tuple(OrganizationRef(int(i), name) for i, name in session.execute(query))


def meeting_detail(session: Session, meeting_id: int) -> MeetingDetail | None:
    """The meeting with this id, with its organizations and staff names."""
    m = session.get(Meeting, meeting_id)
    if m is None or m.id is None:
        return None
    staff = session.scalars(
        select(col(Staff.name))
        .join(MeetingStaff, col(MeetingStaff.staff_id) == col(Staff.id))
        .where(col(MeetingStaff.meeting_id) == m.id)
        .order_by(col(Staff.name))
    ).all()
    return MeetingDetail(
        id=m.id,
        held_on=m.held_on,
        title=m.title,
        summary=m.summary,
        next_action=m.next_action,
        follow_up_on=m.follow_up_on,
        organizations=_refs(
            session,
            col(MeetingOrganization.meeting_id),
            col(MeetingOrganization.organization_id),
            m.id,
        ),
        staff=tuple(staff),
    )


@dataclass(frozen=True)
class AgreementDetail:
    """An agreement's fields and partners, for editing."""

    id: int
    title: str
    status: str
    concluded_on: date | None
    starts_on: date | None
    ends_on: date | None
    datasets: str | None
    notes: str | None
    partners: tuple[OrganizationRef, ...]


def agreement_detail(session: Session, agreement_id: int) -> AgreementDetail | None:
    """The agreement with this id, with its partners."""
    a = session.get(Agreement, agreement_id)
    if a is None or a.id is None:
        return None
    return AgreementDetail(
        id=a.id,
        title=a.title,
        status=a.status,
        concluded_on=a.concluded_on,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        datasets=a.datasets,
        notes=a.notes,
        partners=_refs(
            session, col(AgreementPartner.agreement_id), col(AgreementPartner.organization_id), a.id
        ),
    )


@dataclass(frozen=True)
class EventDetail:
    """An outreach event's fields and staff names, for editing."""

    id: int
    held_on: date
    kind: str
    title: str
    venue: str | None
    municipality: str | None
    attendees: int | None
    notes: str | None
    staff: tuple[str, ...]


def event_detail(session: Session, event_id: int) -> EventDetail | None:
    """The outreach event with this id, with its staff names."""
    e = session.get(OutreachEvent, event_id)
    if e is None or e.id is None:
        return None
    staff = session.scalars(
        select(col(Staff.name))
        .join(OutreachEventStaff, col(OutreachEventStaff.staff_id) == col(Staff.id))
        .where(col(OutreachEventStaff.outreach_event_id) == e.id)
        .order_by(col(Staff.name))
    ).all()
    return EventDetail(
        id=e.id,
        held_on=e.held_on,
        kind=e.kind,
        title=e.title,
        venue=e.venue,
        municipality=e.municipality,
        attendees=e.attendees,
        notes=e.notes,
        staff=tuple(staff),
    )
