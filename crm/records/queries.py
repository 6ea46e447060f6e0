"""Paged read queries for the terminal UI: one page of rows at a time, never a whole table.

Every list function is keyword-only after the session, takes a filter, a sort column and an
offset/limit, and returns plain frozen rows detached from the session. What a list filters,
searches and sorts by comes from its entity's spec (crm.records.entities); the names linked to
the records on a page are fetched in one extra query for the page's ids (`linked_names`).
Sorting by the date columns uses their indexes (`ix_meeting_held_on_id`, …); sorting by
another column or filtering on free text (LIKE '%…%') scans the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

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
from crm.records import entities
from crm.records.entities import Entity, Link

SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]
RowT = TypeVar("RowT")

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


def _search(text: str, searches: Sequence[entities.Search]) -> ColumnElement[bool]:
    """Rows where one of the columns contains `text` (in that column's form of it)."""
    matches = []
    for search in searches:
        try:
            key = search.key(text) if search.key is not None else text
        except ValueError:
            continue
        if key:
            matches.append(search.column.like(_like(key), escape="\\"))
    return or_(*matches)


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


def linked_names(
    session: Session,
    link: Link,
    owner_ids: Sequence[int],
    *,
    separator: str = "、",
    reading: bool = False,
) -> dict[int, str]:
    """The names linked to each owner through `link`, joined by `separator`, in name order
    (with `reading`, in the reading order of the linked entity: kana first)."""
    if not owner_ids:
        return {}
    target = link.target_model
    order = entities.by_model(target).reading if reading else col(target.name)
    query = (
        select(link.owner_column, col(target.name))
        .join(target, col(target.id) == link.target_column)
        .where(link.owner_column.in_(owner_ids))
        .order_by(link.owner_column, order, col(target.id))
    )
    names: dict[int, list[str]] = {}
    for owner_id, name in session.execute(query):
        names.setdefault(int(owner_id), []).append(name)
    return {owner: separator.join(values) for owner, values in names.items()}


def _linked_to(entity: Entity, target: type[Any], target_id: int | None
               ) -> ColumnElement[bool] | None:
    """Records of `entity` linked to the `target` record with this id (None: no filter)."""
    if target_id is None:
        return None
    for link in entity.links:
        if link.target_model is target:
            return exists().where(
                link.owner_column == col(entity.model.id), link.target_column == target_id
            )
    return None


@dataclass(frozen=True)
class _Lister(Generic[RowT]):
    """One entity's list: filtered, searched and sorted as its spec says, rows built by `rows`
    from a page's statement; `base` is the statement before filters (default: the table)."""

    entity: Entity
    rows: Callable[[Session, Select[Any]], list[RowT]]
    base: Callable[[], Select[*tuple[Any, ...]]] | None = None

    @property
    def spec(self) -> entities.ListSpec:
        """The entity's list spec."""
        assert self.entity.list is not None
        return self.entity.list

    def query(self, filters: ListFilter) -> Select[Any]:
        """The records matching `filters`, unordered."""
        spec, model, text = self.spec, self.entity.model, filters.text.strip()
        query = self.base() if self.base is not None else select(model)
        return _where(
            query,
            [
                None if filters.include_archived else col(model.archived_at).is_(None),
                spec.kind == filters.kind if filters.kind and spec.kind is not None else None,
                None if spec.period is None else _in_period(spec.period, filters.period),
                _search(text, spec.search) if text else None,
                _linked_to(self.entity, Staff, filters.staff_id),
                _linked_to(self.entity, Organization, filters.organization_id),
            ],
        )

    def order(
        self, query: SelectT, order_by: str | None, descending: bool | None, *, scan: bool
    ) -> SelectT:
        """`query` sorted by the sort key `order_by` (default: the spec's), then id."""
        spec = self.spec
        return _order(
            query, spec.sorts, order_by or spec.default_sort,
            spec.descending if descending is None else descending,
            col(self.entity.model.id), scan=scan,
        )

    def page(
        self,
        session: Session,
        *,
        filters: ListFilter,
        order_by: str | None = None,
        descending: bool | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[RowT]:
        """One page of the records matching `filters`, sorted by `order_by` (a sort key of
        the entity's list spec; default its default sort)."""
        scan = bool(filters.text.strip()) and filters.period is None
        query = self.order(self.query(filters), order_by, descending, scan=scan)
        return self.rows(session, query.offset(offset).limit(limit))

    def count(self, session: Session, *, filters: ListFilter) -> int:
        """How many records match `filters`."""
        return _count(session, self.query(filters).with_only_columns(col(self.entity.model.id)))


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


def _meeting_rows(session: Session, meetings: Sequence[Meeting]) -> list[MeetingRow]:
    ids = [m.id for m in meetings if m.id is not None]
    organizations = linked_names(session, entities.MEETINGS.link("organizations"), ids,
                                 reading=True)
    staff = linked_names(session, entities.MEETINGS.link("staff"), ids)
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


_MEETINGS = _Lister(
    entities.MEETINGS, lambda session, query: _meeting_rows(session, session.scalars(query).all())
)
meeting_page = _MEETINGS.page
count_meetings = _MEETINGS.count


# --- follow-ups -----------------------------------------------------------------------------

#: Follow-up scopes: overdue or due this week, overdue only, due this week only, all open.
FOLLOW_UP_SCOPES = ("due", "overdue", "week", "open")


def week_end(today: date) -> date:
    """The Sunday that ends the (Monday-first) week containing `today`."""
    return today + timedelta(days=6 - today.weekday())


def _follow_up_query(filters: ListFilter, today: date) -> Select[Any]:
    query = _MEETINGS.query(filters).where(
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
    query = _MEETINGS.order(_follow_up_query(filters, today), order_by, descending, scan=False)
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


def _organization_rows(session: Session, query: Select[Any]) -> list[OrganizationRow]:
    organizations = session.scalars(query).all()
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


# Text matches an organization's name, normalized name and kana.
_ORGANIZATIONS = _Lister(entities.ORGANIZATIONS, _organization_rows)
organization_page = _ORGANIZATIONS.page
count_organizations = _ORGANIZATIONS.count


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


def _agreement_rows(session: Session, query: Select[Any]) -> list[AgreementRow]:
    agreements = session.scalars(query).all()
    ids = [a.id for a in agreements if a.id is not None]
    partners = linked_names(session, entities.AGREEMENTS.link("partners"), ids, reading=True)
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


# The period filters agreements on their conclusion date.
_AGREEMENTS = _Lister(entities.AGREEMENTS, _agreement_rows)
agreement_page = _AGREEMENTS.page
count_agreements = _AGREEMENTS.count


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


def _event_rows(session: Session, query: Select[Any]) -> list[EventRow]:
    events = session.scalars(query).all()
    ids = [e.id for e in events if e.id is not None]
    staff = linked_names(session, entities.EVENTS.link("staff_ids"), ids)
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


_EVENTS = _Lister(entities.EVENTS, _event_rows)
event_page = _EVENTS.page
count_events = _EVENTS.count


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


def _measurement_rows(session: Session, query: Select[Any]) -> list[MeasurementRow]:
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
        for m, k in session.execute(query)
    ]


# `filters.kind` is a KPI code; text matches the note and the KPI's names.
_MEASUREMENTS = _Lister(
    entities.MEASUREMENTS,
    _measurement_rows,
    lambda: select(KpiMeasurement, Kpi).join(Kpi, col(Kpi.id) == col(KpiMeasurement.kpi_id)),
)
measurement_page = _MEASUREMENTS.page
count_measurements = _MEASUREMENTS.count


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
