"""Paged read queries for the terminal UI: one page of rows at a time, never a whole table.

Every list function is keyword-only after the session, takes a filter, a sort column and an
offset/limit, and returns plain frozen rows detached from the session. What a list filters,
searches and sorts by comes from its entity's spec (crm.records.entities); the names linked to
the records on a page are fetched in one extra query for the page's ids (`linked_names`).
Sorting by the date columns uses their indexes (`ix_meeting_held_on_id`, …); sorting by
another column scans the table. Free text (LIKE '%…%') is narrowed by the trigram index
where the entity has one (crm.records.text_index), else it scans the table; when the text is
common and an index holds the list's order, the first page is taken by walking that index
instead of sorting every match (`_Lister.plan`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlmodel import Session, col

from crm import models as m
from crm.calendar import FiscalPeriod
from crm.context import JAPAN
from crm.records import entities, text_index
from crm.records.entities import Entity, Link
from crm.tags import tags_of

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]
RowT = TypeVar("RowT")

#: How a text search finds its page (`_Lister.plan`): SORT collects every match (through
#: the text index) and sorts them; PROBE walks the index of the list's order and probes each
#: record in the index's set of matches; TEST walks that order and tests each record itself,
#: no further than TEST_ROWS records (then PROBE or SORT finds the page).
SORT, PROBE, TEST = "sort", "probe", "test"
TEST_ROWS = 3_000
#: PostgreSQL does not probe (see `_Lister.plan`): its walks go this many times further
#: before the matches are collected and sorted (a text in 3% of 1M meetings: 835 ms sorted).
UNPROBED_WALK = 3
#: A match collected and sorted costs about as much as probing this many records in a walk.
SORT_COST = 25
#: Newest records whose candidates estimate how common a text is.
SAMPLE_ROWS = 5_000

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
    tag: str | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _key(search: entities.Search, text: str) -> str | None:
    """The form of `text` the column of `search` is matched with (None: it cannot match)."""
    try:
        return search.key(text) if search.key is not None else text
    except ValueError:
        return None


def _keys(text: str, searches: Sequence[entities.Search]) -> tuple[str, ...]:
    """The forms of `text` the columns of `searches` are matched with (each once)."""
    return tuple(dict.fromkeys(key for search in searches if (key := _key(search, text))))


def _search(text: str, searches: Sequence[entities.Search], owner_id: Any,
            index: str | None = None, plan: str = SORT, match: str | None = None
            ) -> ColumnElement[bool]:
    """Rows where one of the columns contains `text` (in that column's form of it); a linked
    record's column matches through an EXISTS over the link table (`owner_id`: the row's id).
    With a text `index`, only the rows it narrows the search to (by `match` if given, see
    text_index.narrowest) are checked, written for the `plan` (TEST: not narrowed, each row
    is tested itself)."""
    own: list[ColumnElement[bool]] = []
    linked: dict[Link, list[ColumnElement[bool]]] = {}
    for search in searches:
        key = _key(search, text)
        if key:
            found = search.column.like(_like(key), escape="\\")
            (own if search.link is None else linked.setdefault(search.link, [])).append(found)
    for link, matches in linked.items():
        names = select(literal(1)).where(
            link.owner_column == owner_id,
            link.target_column == col(link.target_model.id),
            or_(*matches),
        )
        # A walk tests the links of each record it reaches through their index: OFFSET 0
        # keeps PostgreSQL from first hashing every record linked to a match (a 3.3% kana:
        # 1.5M link rows read, 230 ms, for a page 2,600 records deep).
        own.append((names.offset(0) if plan == TEST else names).exists())
    keys = _keys(text, searches)
    if index is None or not keys or plan == TEST:
        return or_(*own)
    narrowing = text_index.narrowed(index, owner_id, keys, walk=plan == PROBE, match=match)
    return and_(narrowing, or_(*own))


def _tagged(entity: Entity, tag: str | None) -> ColumnElement[bool] | None:
    """Records of `entity` carrying the tag named `tag` (None or blank, or an entity without
    tags: no filter)."""
    if not tag or not tag.strip() or not any(f.name == "tags" for f in entity.fields):
        return None
    link = entity.link("tags")
    return exists().where(link.owner_column == col(entity.model.id),
                          link.target_column == col(m.Tag.id), col(m.Tag.name) == tag.strip())


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
    separator: str = "、",
) -> dict[int, str]:
    """The names linked to each owner through `link`, joined by `separator`, in the linked
    entity's reading order (kana first, then name), then id."""
    if not owner_ids:
        return {}
    target = link.target_model
    query = (
        select(link.owner_column, col(target.name))
        .join(target, col(target.id) == link.target_column)
        .where(link.owner_column.in_(owner_ids))
        .order_by(link.owner_column, entities.by_model(target).reading, col(target.id))
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


def _row(row_type: Callable[..., RowT], record: Any, **values: Any) -> RowT:
    """A `row_type` (a dataclass) of `values`, `archived`, and else the record's attributes
    of the same names."""
    given = {"archived": record.archived_at is not None, **values}
    names = [f.name for f in fields(cast("type[DataclassInstance]", row_type))]
    return row_type(**{n: given[n] if n in given else getattr(record, n) for n in names})


def _rows_with_names(
    session: Session, entity: Entity, row_type: Callable[..., RowT], records: Sequence[Any]
) -> list[RowT]:
    """Rows of `records` with, for each link the row has a field for (organizations, staff,
    partners), the names linked to the record."""
    ids = [r.id for r in records]
    shown = {f.name for f in fields(cast("type[DataclassInstance]", row_type))}
    names = {
        f.error_key: linked_names(session, f.link, ids)
        for f in entity.fields
        if f.link is not None and f.error_key in shown
    }
    return [
        _row(row_type, r, **{key: found.get(r.id, "") for key, found in names.items()})
        for r in records
    ]


@dataclass(frozen=True)
class _Lister(Generic[RowT]):
    """One entity's list of `row_type` rows: filtered, searched and sorted as its spec says;
    `base` is the statement before filters (default: the table), `rows` builds a page's rows
    (default: the records with their linked names)."""

    entity: Entity
    row_type: Callable[..., RowT]
    base: Callable[[], Select[*tuple[Any, ...]]] | None = None
    rows: Callable[[Session, Select[Any]], list[RowT]] | None = None

    def rows_of(self, session: Session, query: Select[Any]) -> list[RowT]:
        """The rows of the records `query` selects."""
        if self.rows is not None:
            return self.rows(session, query)
        records = session.scalars(query).all()
        return _rows_with_names(session, self.entity, self.row_type, records)

    @property
    def spec(self) -> entities.ListSpec:
        """The entity's list spec."""
        return self.entity.list_spec

    def query(self, filters: ListFilter, plan: str = SORT, match: str | None = None,
              *, narrowed: bool = True) -> Select[Any]:
        """The records matching `filters`, unordered; the text search written for `plan`
        (and narrowed by `match`, see text_index.narrowest; not narrowed at all without
        `narrowed`)."""
        spec, model, text = self.spec, self.entity.model, filters.text.strip()
        query = self.base() if self.base is not None else select(model)
        return _where(
            query,
            [
                None if filters.include_archived else col(model.archived_at).is_(None),
                spec.kind == filters.kind if filters.kind and spec.kind is not None else None,
                None if spec.period is None else _in_period(spec.period, filters.period),
                _search(text, spec.search, col(model.id),
                        spec.text_index if narrowed else None, plan, match)
                if text else None,
                _linked_to(self.entity, m.Staff, filters.staff_id),
                _linked_to(self.entity, m.Organization, filters.organization_id),
                _tagged(self.entity, filters.tag),
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
        plan: str | None = None,
    ) -> list[RowT]:
        """One page of the records matching `filters`, sorted by `order_by` (a sort key of
        the entity's list spec; default its default sort); a text search found the way
        `plan` says (default: as `plan()` chooses; the rows are the same every way)."""
        match = self.narrowest(session, filters)
        if plan is None:
            plan = self.plan(session, filters, order_by, descending, offset + limit, match)
        elif plan != SORT and not self._walkable(order_by):
            raise ValueError(f"cannot walk the order {order_by!r}: no index holds it")
        if plan == TEST:
            tested = self._tested(session, filters, order_by, descending, offset, limit)
            if tested is not None:
                return tested
            keys = _keys(filters.text.strip(), self.spec.search)
            dialect = session.get_bind().dialect.name
            plan = PROBE if dialect == "sqlite" and text_index.indexed(keys, dialect) else SORT
        scan = bool(filters.text.strip()) and filters.period is None and plan == SORT
        query = self.order(self.query(filters, plan, match), order_by, descending, scan=scan)
        return self.rows_of(session, query.offset(offset).limit(limit))

    def _newest(self, session: Session) -> tuple[int, int]:
        """(the highest id, the highest id below the newest SAMPLE_ROWS records)."""
        records = int(session.scalar(select(func.max(col(self.entity.model.id)))) or 0)
        return records, max(0, records - SAMPLE_ROWS)

    def narrowest(self, session: Session, filters: ListFilter) -> str | None:
        """The text index's query for the text of `filters` (text_index.narrowest), or None
        when the list has no text index, the text a key shorter than a trigram, or on
        PostgreSQL."""
        keys = _keys(filters.text.strip(), self.spec.search)
        if self.spec.text_index is None or not keys:
            return None
        return text_index.narrowest(session, self.spec.text_index, keys,
                                    self._newest(session)[1])

    def plan(self, session: Session, filters: ListFilter, order_by: str | None,
             descending: bool | None, wanted: int, match: str | None = None) -> str:
        """How to find the first `wanted` records of a text search: SORT, PROBE or TEST.

        Walking needs an index holding the list's order (else SORT). A text the index cannot
        look up (text_index.indexed) is tested. Otherwise the text index's
        candidates among the newest SAMPLE_ROWS records say how common the text is: common
        enough that `wanted` matches come within `_test_rows` records (TEST_ROWS; further on
        PostgreSQL), TEST; else PROBE when probing the walk costs less than sorting the
        matches (as many as the sample suggests; SQLite only), else SORT. `match`: the text
        index's query (see `narrowest`)."""
        spec, text = self.spec, filters.text.strip()
        keys = _keys(text, spec.search)
        if not keys or spec.text_index is None or not self._walkable(order_by):
            return SORT
        if not text_index.indexed(keys, session.get_bind().dialect.name):
            return TEST
        records, after = self._newest(session)
        newest = records - after
        found = text_index.candidates(session, spec.text_index, keys, after, match)
        if found * _test_rows(session) >= wanted * newest:
            return TEST
        matches = found * records // max(newest, 1)
        probes = _probes(session)
        return PROBE if probes and matches * matches * SORT_COST >= wanted * records else SORT

    def _tested(self, session: Session, filters: ListFilter, order_by: str | None,
                descending: bool | None, offset: int, limit: int) -> list[RowT] | None:
        """The page, if the first `_test_rows` records in the list's order hold it (each record
        tested for the text); else None."""
        spec, model = self.spec, self.entity.model
        sort = spec.sorts[order_by or spec.default_sort]
        # The bound reads the order's index alone (and the period, a range of it when the
        # list is sorted by its date): the other filters would fetch every record.
        head = _where(select(sort, col(model.id)),
                      [_in_period(spec.period, filters.period) if spec.period is sort else None])
        last = session.execute(self.order(head, order_by, descending, scan=False)
                               .offset(_test_rows(session) - 1).limit(1)).first()
        query = self.order(self.query(filters, TEST), order_by, descending, scan=False)
        if last is not None:
            within = tuple_(sort, col(model.id))
            bound = tuple_(*last)
            down = spec.descending if descending is None else descending
            query = query.where(within >= bound if down else within <= bound)
        rows = self.rows_of(session, query.offset(offset).limit(limit))
        return rows if last is None or len(rows) == limit else None

    def _walkable(self, order_by: str | None) -> bool:
        """Whether an index holds the records in the order `order_by` (then id) sorts them,
        the sort column having no empty values."""
        sort = self.spec.sorts.get(order_by or self.spec.default_sort)
        column = getattr(sort, "expression", sort)
        if (not isinstance(column, Column) or not isinstance(column.table, Table)
                or column.nullable):
            return False
        wanted = [column.key, "id"]
        return any([c.key for c in index.columns][:2] == wanted
                   for index in column.table.indexes)

    def count(self, session: Session, *, filters: ListFilter) -> int:
        """How many records match `filters` (a text in most records: each record tested)."""
        if self._everywhere(session, filters):
            query = self.query(filters, narrowed=False)
        else:
            query = self.query(filters, SORT, self.narrowest(session, filters))
        return _count(session, query.with_only_columns(col(self.entity.model.id)))

    def _everywhere(self, session: Session, filters: ListFilter) -> bool:
        """Whether the text has a key shorter than a trigram that the index finds in more
        than half of the newest records: reading it through the index then costs more than
        testing each record (株 at 1M: SQLite's terms, every occurrence, 3.0 s of CPU against
        0.9 s; PostgreSQL's one- and two-character windows 7.7 s against 2.3 s)."""
        keys = _keys(filters.text.strip(), self.spec.search)
        if (self.spec.text_index is None or not keys
                or all(len(key) >= text_index.TRIGRAM for key in keys)):
            return False
        records, after = self._newest(session)
        return text_index.candidates(session, self.spec.text_index, keys, after) * 2 > (
            records - after)


def _probes(session: Session) -> bool:
    """Whether a walk can probe the text index: SQLite's `+id IN`; PostgreSQL plans the
    narrowing (a semi-join) itself."""
    return session.get_bind().dialect.name == "sqlite"


def _test_rows(session: Session) -> int:
    """How many records a TEST walk tests at most before handing over."""
    return TEST_ROWS if _probes(session) else TEST_ROWS * UNPROBED_WALK


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


_MEETINGS = _Lister(entities.MEETINGS, MeetingRow)
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
        col(m.Meeting.follow_up_on).is_not(None), col(m.Meeting.follow_up_done_on).is_(None)
    )
    if filters.scope == "due":
        query = query.where(col(m.Meeting.follow_up_on) <= week_end(today))
    elif filters.scope == "overdue":
        query = query.where(col(m.Meeting.follow_up_on) < today)
    elif filters.scope == "week":
        query = query.where(
            col(m.Meeting.follow_up_on) >= today, col(m.Meeting.follow_up_on) <= week_end(today)
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
    return _MEETINGS.rows_of(session, query.offset(offset).limit(limit))


def count_follow_ups(session: Session, *, filters: ListFilter, today: date) -> int:
    """How many open follow-ups match `filters` and its scope."""
    return _count(session, _follow_up_query(filters, today).with_only_columns(col(m.Meeting.id)))


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
    ids = [o.id for o in organizations]
    stats: dict[int, tuple[int, date | None]] = {}
    if ids:
        query_stats = (
            select(
                col(m.MeetingOrganization.organization_id),
                func.count(),
                func.max(col(m.Meeting.held_on)),
            )
            .join(m.Meeting, col(m.Meeting.id) == col(m.MeetingOrganization.meeting_id))
            .where(
                col(m.MeetingOrganization.organization_id).in_(ids),
                col(m.Meeting.archived_at).is_(None),
            )
            .group_by(col(m.MeetingOrganization.organization_id))
        )
        stats = {int(o): (int(n), last) for o, n, last in session.execute(query_stats)}
    return [
        _row(OrganizationRow, o, meetings=stats.get(o.id, (0, None))[0],
             last_met_on=stats.get(o.id, (0, None))[1])
        for o in organizations
    ]


# Text matches an organization's name, normalized name and kana.
_ORGANIZATIONS = _Lister(entities.ORGANIZATIONS, OrganizationRow, rows=_organization_rows)
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
    o = session.get(m.Organization, organization_id)
    if o is None or o.id is None:
        return None
    return _row(OrganizationDetail, o)


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
        select(
            col(m.Meeting.id), col(m.Meeting.held_on), col(m.Meeting.title),
            col(m.Meeting.next_action),
        )
        .join(m.MeetingOrganization, col(m.MeetingOrganization.meeting_id) == col(m.Meeting.id))
        .where(
            col(m.MeetingOrganization.organization_id) == organization_id,
            col(m.Meeting.archived_at).is_(None),
        )
        .order_by(col(m.Meeting.held_on).desc(), col(m.Meeting.id).desc())
        .limit(limit)
    )
    rows += [
        HistoryRow(on, "meeting", int(i), title, action or "") for i, on, title, action in meetings
    ]
    agreements = session.scalars(
        select(m.Agreement)
        .join(m.AgreementPartner, col(m.AgreementPartner.agreement_id) == col(m.Agreement.id))
        .where(
            col(m.AgreementPartner.organization_id) == organization_id,
            col(m.Agreement.archived_at).is_(None),
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
        select(m.Contact)
        .where(
            col(m.Contact.organization_id) == organization_id, col(m.Contact.archived_at).is_(None)
        )
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


# The period filters agreements on their conclusion date.
_AGREEMENTS = _Lister(entities.AGREEMENTS, AgreementRow)
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


_EVENTS = _Lister(entities.EVENTS, EventRow)
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
        _row(MeasurementRow, value, kpi_code=k.code, kpi_name_ja=k.name_ja, kpi_name_en=k.name_en,
             unit=k.unit)
        for value, k in session.execute(query)
    ]


# `filters.kind` is a KPI code; text matches the note and the KPI's names.
_MEASUREMENTS = _Lister(
    entities.MEASUREMENTS,
    MeasurementRow,
    base=lambda: select(m.KpiMeasurement, m.Kpi).join(
        m.Kpi, col(m.Kpi.id) == col(m.KpiMeasurement.kpi_id)
    ),
    rows=_measurement_rows,
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
        select(col(m.Staff.id), col(m.Staff.name))
        .where(col(m.Staff.active).is_(True), col(m.Staff.archived_at).is_(None))
        .order_by(func.coalesce(col(m.Staff.kana), col(m.Staff.name)))
    )
    return [Choice(str(i), name, name) for i, name in session.execute(query)]


def measured_kpi_choices(session: Session, *, by_plan: bool = False) -> list[Choice]:
    """Active measured KPIs in reporting order: the value is the KPI code, or with `by_plan`
    "plan/code" (a code may be in two plans; then the label names the plan too)."""
    query = (
        select(col(m.Kpi.code), col(m.Kpi.name_ja), col(m.Kpi.name_en), col(m.Kpi.unit),
               col(m.Plan.code))
        .join(m.Plan, col(m.Plan.id) == col(m.Kpi.plan_id))
        .where(col(m.Kpi.kind) == "measured", col(m.Kpi.archived_at).is_(None),
               col(m.Plan.archived_at).is_(None))
        .order_by(col(m.Kpi.sort_order), col(m.Kpi.id))
    )
    rows = session.execute(query).all()
    if not by_plan:
        return list({code: Choice(code, f"{ja} ({unit})", f"{en} ({unit})")
                     for code, ja, en, unit, _ in rows}.values())
    shared = {code for code, *_ in rows if sum(r[0] == code for r in rows) > 1}
    return [
        Choice(f"{plan}/{code}", f"{ja} ({unit})" + (f" [{plan}]" if code in shared else ""),
               f"{en} ({unit})" + (f" [{plan}]" if code in shared else ""))
        for code, ja, en, unit, plan in rows
    ]


@dataclass(frozen=True)
class OrganizationRef:
    """An organization chosen in a form: its id and name."""

    id: int
    name: str


@dataclass(frozen=True)
class MeetingDetail:
    """A meeting's fields and links, for editing."""
    tags: tuple[str, ...]

    id: int
    held_on: date
    title: str
    summary: str | None
    next_action: str | None
    follow_up_on: date | None
    follow_up_done_on: date | None
    organizations: tuple[OrganizationRef, ...]
    staff: tuple[str, ...]


def _linked(session: Session, link: Link, owner_id: int) -> list[tuple[int, str]]:
    """(id, name) of the records linked to the owner `owner_id` through `link`, by id."""
    target = link.target_model
    query = (
        select(col(target.id), col(target.name))
        .join(link.table, link.target_column == col(target.id))
        .where(link.owner_column == owner_id)
        .order_by(col(target.id))
    )
    return [(int(i), name) for i, name in session.execute(query)]


def _refs(session: Session, link: Link, owner_id: int) -> tuple[OrganizationRef, ...]:
    return tuple(OrganizationRef(*found) for found in _linked(session, link, owner_id))


def _staff(session: Session, link: Link, owner_id: int) -> tuple[str, ...]:
    return tuple(sorted(name for _, name in _linked(session, link, owner_id)))


def meeting_detail(session: Session, meeting_id: int) -> MeetingDetail | None:
    """The meeting with this id, with its organizations and staff names."""
    meeting = session.get(m.Meeting, meeting_id)
    if meeting is None or meeting.id is None:
        return None
    return _row(
        MeetingDetail, meeting,
        organizations=_refs(session, entities.MEETINGS.link("organizations"), meeting.id),
        staff=_staff(session, entities.MEETINGS.link("staff"), meeting.id),
        tags=tuple(tags_of(session, entities.MEETINGS.link("tags"), meeting.id)),
    )


@dataclass(frozen=True)
class AgreementDetail:
    """An agreement's fields and partners, for editing."""
    tags: tuple[str, ...]

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
    a = session.get(m.Agreement, agreement_id)
    if a is None or a.id is None:
        return None
    return _row(AgreementDetail, a,
                partners=_refs(session, entities.AGREEMENTS.link("partners"), a.id),
                tags=tuple(tags_of(session, entities.AGREEMENTS.link("tags"), a.id)))


@dataclass(frozen=True)
class EventDetail:
    """An outreach event's fields and staff names, for editing."""
    tags: tuple[str, ...]

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
    e = session.get(m.OutreachEvent, event_id)
    if e is None or e.id is None:
        return None
    return _row(EventDetail, e, staff=_staff(session, entities.EVENTS.link("staff_ids"), e.id),
                tags=tuple(tags_of(session, entities.EVENTS.link("tags"), e.id)))


# --- names of linked ids (the audit history) ------------------------------------------------

#: A column holding the id of another record -> that record's model.
NAMED_IDS: dict[str, type[m.Organization | m.Staff | m.Contact | m.Plan | m.Kpi | m.Tag]] = {
    "organization_id": m.Organization, "staff_id": m.Staff, "contact_id": m.Contact,
    "plan_id": m.Plan, "kpi_id": m.Kpi, "tag_id": m.Tag,
}


def names_of(session: Session, column: str, ids: Iterable[int], lang: str) -> dict[int, str]:
    """The names (plans and KPIs: in `lang`) of the records `ids` of the column `column`
    points to (one of NAMED_IDS); ids of records that no longer exist are left out."""
    model = NAMED_IDS[column]
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if model is m.Plan or model is m.Kpi:
        name = col(model.name_ja if lang == "ja" else model.name_en)
    else:
        name = col(model.name)  # type: ignore[union-attr]
    rows = session.execute(select(col(model.id), name).where(col(model.id).in_(wanted)))
    return {row[0]: row[1] for row in rows}
