"""One spec per entity: its table, its fields and how they are validated, filed and listed.

Each `Entity` names its model, its `Field`s in the order a file lists them (the model
attribute or service keyword, the file column, the input type and its rules, personal data,
the Japanese headers a file may use), its natural key (README, "Re-importing a file adds
nothing"), the link tables it fills and its list (`ListSpec`: the columns a list shows with
their ja/en labels and sort expressions, the default sort, the search and filter columns).

The service API (crm.records.services), the list queries (crm.records.queries), the merge of
organizations (crm.records.dedup) and the tables at the top of crm.io.importing are derived
from these specs; tests/test_entities.py checks them against the tables of crm.models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from graphlib import TopologicalSorter
from typing import Any, NotRequired, TypedDict

from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from crm import models as m
from crm.errors import DataError
from crm.normalize import kana_sort_key, normalize_name, validate_corporate_number
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS, Vocabulary

__all__ = [
    "ENTITIES",
    "FILE_ENTITIES",
    "AGREEMENTS",
    "CONTACTS",
    "EVENTS",
    "MEASUREMENTS",
    "MEETINGS",
    "ORGANIZATIONS",
    "STAFF",
    "AgreementInput",
    "ContactInput",
    "Entity",
    "EventInput",
    "Field",
    "Input",
    "Link",
    "ListColumn",
    "ListSpec",
    "MeetingInput",
    "NaturalKey",
    "OrganizationInput",
    "Search",
    "by_model",
    "date_columns",
    "error_columns",
    "header_aliases",
    "organization_links",
    "organization_references",
]


class Input(Enum):
    """How a field's value is entered and validated."""

    TEXT = "text"  #: stripped text; `required`, at most `max_length` characters (0: no limit)
    DATE = "date"
    INT = "int"  #: a whole number, 0 or more
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"  #: a code of `vocabulary`, given as code or label
    NAMES = "names"  #: records of another table through a link table (`link`)
    TAGS = "tags"  #: tag names through a link table (`link`); a tag not yet known is created
    REFERENCE = "reference"  #: one record of another table (a foreign key), named in files
    LOOKUP = "lookup"  #: a file column that only helps name a REFERENCE; not stored


@dataclass(frozen=True)
class Link:
    """A link table: rows (`owner`, `target`) tie a record to records of `target_model`."""

    table: type[SQLModel]
    owner: str
    target: str
    target_model: type[m.Organization | m.Staff | m.Contact | m.Tag]

    @property
    def owner_column(self) -> Any:
        """The link table's column holding the record's id."""
        return col(getattr(self.table, self.owner))

    @property
    def target_column(self) -> Any:
        """The link table's column holding the linked record's id."""
        return col(getattr(self.table, self.target))

    @property
    def table_name(self) -> str:
        """The link table's name."""
        return str(self.table.__tablename__)


@dataclass(frozen=True)
class Field:
    """One input of an entity: a model attribute, or for `NAMES` the service keyword (ids)
    and for `TAGS` the service keyword (tag names).

    `key` is the name a service's DataError gives the field (defaults to `name`); `column` is
    the import/export column (None: not in files); `aliases` are other headers a file may use;
    `check` turns a text's stripped, non-empty value into the stored one (ValueError or
    DataError if it cannot); `default` is the value of an input left out.
    """

    name: str
    input: Input
    ja: str
    en: str
    column: str | None = None
    required: bool = False
    max_length: int = 0
    vocabulary: Vocabulary | None = None
    link: Link | None = None
    references: type[m.Tracked] | None = None
    personal: bool = False
    aliases: tuple[str, ...] = ()
    key: str = ""
    check: Callable[[str], str] | None = None
    default: Any = None

    @property
    def error_key(self) -> str:
        """The field a DataError about this field names."""
        return self.key or self.name

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header a file may name this field by besides its column: its Japanese label
        (the one the forms and the exports' users see) and its aliases."""
        if self.column is None:
            return ()
        return tuple(dict.fromkeys((self.ja, *self.aliases)))


@dataclass(frozen=True)
class NaturalKey:
    """The file columns a re-imported row is matched by, and how to say so in an error."""

    columns: tuple[str, ...]
    en: str
    ja: str


@dataclass(frozen=True)
class ListColumn:
    """A column of a list screen: the row attribute it shows, which is also its sort key."""

    key: str
    ja: str
    en: str
    width: int
    sort: Any = None  #: the SQL expression it sorts by; None: not sortable
    flex: bool = False

    @property
    def sortable(self) -> bool:
        """Whether the list can be sorted by this column."""
        return self.sort is not None

    def label(self, lang: str) -> str:
        """The column's header in `lang`."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Search:
    """A column a list's free-text search matches, after `key` turns the text into its form
    there (a text that has no such form is not matched there). With `link`, the column is
    one of the linked records' (a record matches if one of its linked records does)."""

    column: Any
    key: Callable[[str], str] | None = None
    link: Link | None = None


@dataclass(frozen=True)
class ListSpec:
    """What a list of the entity shows and how it is sorted, searched and filtered.

    `kind` is the column `ListFilter.kind` filters on; `period` the date `ListFilter.period`
    filters on; `extra_sorts` sort keys that are not shown as a column; `text_index` the
    search table (migration 0011) that narrows a free-text search before its exact check.
    """

    columns: tuple[ListColumn, ...]
    default_sort: str
    descending: bool
    search: tuple[Search, ...] = ()
    kind: Any = None
    period: Any = None
    extra_sorts: dict[str, Any] = field(default_factory=dict)
    text_index: str | None = None

    @property
    def sorts(self) -> dict[str, Any]:
        """Sort key -> SQL expression, for every sortable column and the extra sorts."""
        return {c.key: c.sort for c in self.columns if c.sort is not None} | self.extra_sorts


@dataclass(frozen=True)
class Entity:
    """One kind of record: its table, fields, natural key, links and list."""

    name: str  #: as the CLI, imports and exports name it ("meetings")
    model: type[m.Tracked]
    noun: str
    noun_ja: str
    fields: tuple[Field, ...]
    natural_key: NaturalKey | None = None  #: None: not in import/export files
    listing: ListSpec | None = None
    #: columns a service sets from other fields or on its own (e.g. normalized_name)
    derived: tuple[str, ...] = ()
    #: the reading order of records named in a list ("name order" in lists and reports)
    reading: Any = None

    @property
    def list_spec(self) -> ListSpec:
        """The list spec of an entity that is listed; ValueError for one that is not."""
        if self.listing is None:
            raise ValueError(f"{self.name} are not listed")
        return self.listing

    @property
    def columns(self) -> tuple[str, ...]:
        """The import/export columns, in the order an export writes them."""
        return tuple(f.column for f in self.fields if f.column)

    @property
    def required_columns(self) -> frozenset[str]:
        """The columns a file must have, with a value in every row."""
        return frozenset(f.column for f in self.fields if f.column and f.required)

    @property
    def links(self) -> tuple[Link, ...]:
        """The link tables the entity's service fills."""
        return tuple(f.link for f in self.fields if f.link is not None)

    def field(self, name: str) -> Field:
        """The field with this name (or this column)."""
        for f in self.fields:
            if name in (f.name, f.column):
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def link(self, column: str) -> Link:
        """The link table behind the `NAMES` field with this name or column."""
        found = self.field(column).link
        if found is None:
            raise KeyError(f"{self.name}.{column} is not a list of linked records")
        return found

    def value_fields(self) -> tuple[Field, ...]:
        """The fields stored in the entity's own table and validated without the database."""
        return tuple(
            f for f in self.fields
            if f.input not in (Input.NAMES, Input.TAGS, Input.REFERENCE, Input.LOOKUP)
        )


# --- what the services take (one TypedDict per entity: the typed keywords of its functions) ---


class OrganizationInput(TypedDict):
    """The keywords of `create_organization` and `organization_fields`."""

    name: str
    kind: str
    kana: NotRequired[str | None]
    corporate_number: NotRequired[str | None]
    address: NotRequired[str | None]
    website: NotRequired[str | None]
    notes: NotRequired[str | None]


class ContactInput(TypedDict):
    """The keywords of `add_contact` (but its organization) and `contact_fields`."""

    name: str
    kana: NotRequired[str | None]
    department: NotRequired[str | None]
    title: NotRequired[str | None]
    email: NotRequired[str | None]
    phone: NotRequired[str | None]
    notes: NotRequired[str | None]


class MeetingInput(TypedDict):
    """The keywords of `log_meeting`, `update_meeting` and `meeting_fields`."""

    held_on: date
    title: str
    organization_ids: Sequence[int]
    staff_ids: NotRequired[Sequence[int]]
    contact_ids: NotRequired[Sequence[int]]
    summary: NotRequired[str | None]
    next_action: NotRequired[str | None]
    follow_up_on: NotRequired[date | None]
    tags: NotRequired[Sequence[str]]


class AgreementInput(TypedDict):
    """The keywords of `create_agreement`, `update_agreement` and `agreement_fields`."""

    title: str
    partner_ids: Sequence[int]
    status: NotRequired[str]
    concluded_on: NotRequired[date | None]
    starts_on: NotRequired[date | None]
    ends_on: NotRequired[date | None]
    datasets: NotRequired[str | None]
    document_ref: NotRequired[str | None]
    notes: NotRequired[str | None]
    tags: NotRequired[Sequence[str]]


class EventInput(TypedDict):
    """The keywords of `log_event`, `update_event` and `event_fields`."""

    held_on: date
    kind: str
    title: str
    venue: NotRequired[str | None]
    municipality: NotRequired[str | None]
    attendees: NotRequired[int | None]
    audience: NotRequired[str | None]
    notes: NotRequired[str | None]
    tags: NotRequired[Sequence[str]]
    staff_ids: NotRequired[Sequence[int]]


# --- building blocks ------------------------------------------------------------------------


def _email(text: str) -> str:
    if "@" not in text:
        raise DataError(
            f"email {text!r} is not an e-mail address",
            ja=f"メールアドレスが正しくありません: {text}",
            field="email",
        )
    return text



def _text(name: str, ja: str, en: str, max_length: int = 0, **more: Any) -> Field:
    return Field(name, Input.TEXT, ja, en, column=more.pop("column", name),
                 max_length=max_length, **more)


def _shown(model: type[SQLModel], key: str, ja: str, en: str, width: int) -> ListColumn:
    """A list column showing and sorting by the model attribute `key`."""
    return ListColumn(key, ja, en, width, col(getattr(model, key)))


def _columns(
    model: type[m.Tracked], fields: tuple[Field, ...], *shown: tuple[Any, ...] | ListColumn
) -> tuple[ListColumn, ...]:
    """List columns: a ListColumn as it is, or (field name or column, width[, flex]) for a
    field's column, labelled like the field and sorted by it (a list of names: the first)."""
    columns = []
    for item in shown:
        if isinstance(item, ListColumn):
            columns.append(item)
            continue
        key, width, *flex = item
        f = next(f for f in fields if key in (f.name, f.column))
        sort = _first_name(f.link, model) if f.link else col(getattr(model, f.name))
        columns.append(ListColumn(key, f.ja, f.en, width, sort, bool(flex)))
    return tuple(columns)


def _searched(model: type[m.Tracked], *names: str) -> tuple[Search, ...]:
    """A free-text search of these attributes of `model`."""
    return tuple(Search(col(getattr(model, name))) for name in names)


def _linked_searched(link: Link) -> tuple[Search, ...]:
    """A free-text search of the names (and kana) of the records linked through `link`."""
    if link.target_model is m.Organization:
        return tuple(replace(search, link=link) for search in _ORGANIZATION_SEARCH)
    target = link.target_model
    kana = getattr(target, "kana", None)  # staff have kana; tags do not
    return (Search(col(target.name), link=link),
            *((Search(col(kana), link=link),) if kana is not None else ()))


def _first_name(link: Link, owner: type[m.Tracked]) -> Any:
    """The first (lowest) name linked to an `owner` record: a sort key for a list of names."""
    target = link.target_model
    return (
        select(func.min(col(target.name)))
        .join(link.table, link.target_column == col(target.id))
        .where(link.owner_column == col(owner.id))
        .scalar_subquery()
    )


_NAME = ("名称", "団体名", "組織名", "氏名")
_TITLE = ("名称", "役職", "件名", "タイトル", "協定名")
_KIND = ("種別", "区分", "種類")
_KANA = ("ふりがな", "フリガナ", "よみ", "よみがな")
_NOTES = ("備考", "メモ")
_DATE = ("日付", "開催日", "実施日", "測定日", "held_on", "measured_on")

_MEETING_ORGANIZATIONS = Link(m.MeetingOrganization, "meeting_id", "organization_id",
                              m.Organization)
_MEETING_STAFF = Link(m.MeetingStaff, "meeting_id", "staff_id", m.Staff)
_MEETING_CONTACTS = Link(m.MeetingContact, "meeting_id", "contact_id", m.Contact)
_AGREEMENT_PARTNERS = Link(m.AgreementPartner, "agreement_id", "organization_id", m.Organization)
_EVENT_STAFF = Link(m.OutreachEventStaff, "outreach_event_id", "staff_id", m.Staff)
_MEETING_TAGS = Link(m.MeetingTag, "meeting_id", "tag_id", m.Tag)
_AGREEMENT_TAGS = Link(m.AgreementTag, "agreement_id", "tag_id", m.Tag)
_EVENT_TAGS = Link(m.OutreachEventTag, "outreach_event_id", "tag_id", m.Tag)


def _tags(link: Link) -> Field:
    """The `tags` field of a taggable entity (a list cell of tag names, crm.tags)."""
    return Field("tags", Input.TAGS, "タグ", "Tags", column="tags", link=link)


# --- the entities ---------------------------------------------------------------------------

#: Text matches an organization's name, normalized name and kana.
_ORGANIZATION_SEARCH = (
    Search(col(m.Organization.name)),
    Search(col(m.Organization.normalized_name), normalize_name),
    Search(col(m.Organization.kana_sort_key), kana_sort_key),
)

_ORGANIZATION_FIELDS: tuple[Field, ...] = (
    _text("name", "名称", "Name", 200, required=True, aliases=_NAME),
    Field("kind", Input.CHOICE, "種別", "Kind", column="kind", required=True,
          vocabulary=ORGANIZATION_KINDS, aliases=_KIND),
    _text("kana", "よみがな", "Kana", 200, aliases=_KANA),
    _text("corporate_number", "法人番号", "Corporate no.", aliases=("法人番号",),
          check=validate_corporate_number),
    _text("address", "所在地", "Address", 300, aliases=("所在地", "住所")),
    _text("website", "ウェブサイト", "Website", 300,
          aliases=("ウェブサイト", "ホームページ", "URL")),
    _text("notes", "備考", "Notes", aliases=_NOTES),
)

ORGANIZATIONS = Entity(
    "organizations",
    m.Organization,
    "organization",
    "団体",
    _ORGANIZATION_FIELDS,
    NaturalKey(("name",), "the names match after normalization", "正規化すると同じ名前"),
    ListSpec(
        _columns(
            m.Organization,
            _ORGANIZATION_FIELDS,
            ListColumn("name", "名称", "Name", 30,
                       func.coalesce(col(m.Organization.kana_sort_key),
                                     col(m.Organization.normalized_name)), flex=True),
            ListColumn("kana", "よみがな", "Kana", 20, col(m.Organization.kana_sort_key)),
            ("kind", 14),
            ("corporate_number", 13),
            ListColumn("meetings", "意見交換", "Meetings", 8),
            ListColumn("last_met_on", "最終", "Last met", 10),
        ),
        default_sort="name",
        descending=False,
        search=_ORGANIZATION_SEARCH,
        kind=col(m.Organization.kind),
        extra_sorts={"id": col(m.Organization.id)},
    ),
    derived=("normalized_name", "kana_sort_key"),
    reading=func.coalesce(col(m.Organization.kana_sort_key), col(m.Organization.name)),
)

CONTACTS = Entity(
    "contacts",
    m.Contact,
    "contact",
    "連絡先",
    (
        Field("organization_id", Input.REFERENCE, "団体", "Organization",
              column="organization", required=True, references=m.Organization,
              aliases=("団体名", "組織名", "相手先", "団体"), key="organization"),
        _text("name", "氏名", "Name", 100, required=True, personal=True,
              aliases=("名称", "氏名")),
        _text("kana", "よみがな", "Kana", 100, personal=True, aliases=_KANA),
        _text("department", "部署", "Department", 200, personal=True,
              aliases=("部署", "所属")),
        _text("title", "役職", "Title", 100, personal=True, aliases=_TITLE[1:]),
        _text("email", "メールアドレス", "E-mail", 200, personal=True,
              aliases=("メール", "メールアドレス"), check=_email),
        _text("phone", "電話番号", "Phone", 50, personal=True, aliases=("電話", "電話番号")),
        _text("notes", "備考", "Notes", personal=True, aliases=_NOTES),
    ),
    NaturalKey(("organization", "name"), "same organization and name", "団体と氏名が同じ"),
)

STAFF = Entity(
    "staff",
    m.Staff,
    "staff",
    "職員",
    (
        _text("name", "氏名", "Name", 100, required=True, column=None, key="staff"),
        _text("kana", "よみがな", "Kana", 100, column=None),
        _text("section", "所属", "Section", 200, column=None),
        Field("active", Input.BOOL, "在籍", "Active", default=True),
    ),
    reading=func.coalesce(col(m.Staff.kana), col(m.Staff.name)),
)

_MEETING_FIELDS: tuple[Field, ...] = (
    Field("held_on", Input.DATE, "日付", "Date", column="date", required=True,
          aliases=_DATE),
    _text("title", "件名", "Title", 300, required=True, aliases=_TITLE),
    Field("organization_ids", Input.NAMES, "相手先", "Organizations",
          column="organizations", required=True, link=_MEETING_ORGANIZATIONS,
          aliases=("相手先", "団体"), key="organizations"),
    Field("staff_ids", Input.NAMES, "担当職員", "Staff", column="staff",
          link=_MEETING_STAFF, personal=True, aliases=("担当", "担当者", "職員"), key="staff"),
    _text("summary", "概要", "Summary", aliases=("概要", "内容", *_NOTES)),
    _text("next_action", "次の対応", "Next action", aliases=("次のアクション", "対応")),
    Field("follow_up_on", Input.DATE, "フォローアップ日", "Follow-up",
          column="follow_up_on", aliases=("フォローアップ日", "次回期限")),
    _tags(_MEETING_TAGS),
    Field("contact_ids", Input.NAMES, "連絡先", "Contacts", link=_MEETING_CONTACTS,
          personal=True, key="contacts"),
)

MEETINGS = Entity(
    "meetings",
    m.Meeting,
    "meeting",
    "意見交換",
    _MEETING_FIELDS,
    NaturalKey(("date", "title", "organizations"), "same date, title and organizations",
               "日付・件名・相手先が同じ"),
    ListSpec(
        _columns(
            m.Meeting,
            _MEETING_FIELDS,
            ("held_on", 10),
            ("title", 24, True),
            ("organizations", 20, True),
            ("next_action", 14),
            _shown(m.Meeting, "follow_up_on", "期日", "Due", 10),
        ),
        default_sort="held_on",
        descending=True,
        search=(*_searched(m.Meeting, "title", "summary"),
                *_linked_searched(_MEETING_ORGANIZATIONS), *_linked_searched(_MEETING_STAFF)),
        text_index="search_meeting",
        period=col(m.Meeting.held_on),
    ),
    derived=("follow_up_done_on",),  # set by services.complete_follow_up
)

_AGREEMENT_FIELDS: tuple[Field, ...] = (
    _text("title", "件名", "Title", 300, required=True, aliases=_TITLE),
    Field("partner_ids", Input.NAMES, "相手先", "Partners", column="partners",
          required=True, link=_AGREEMENT_PARTNERS, aliases=("相手先", "相手方", "締結先"),
          key="partners"),
    Field("status", Input.CHOICE, "状況", "Status", column="status",
          vocabulary=AGREEMENT_STATUSES, aliases=("状況", "ステータス"), default="proposed"),
    Field("concluded_on", Input.DATE, "締結日", "Concluded", column="concluded_on",
          aliases=("締結日",)),
    Field("starts_on", Input.DATE, "開始日", "Starts", column="starts_on",
          aliases=("開始日",)),
    Field("ends_on", Input.DATE, "終了日", "Ends", column="ends_on", aliases=("終了日",)),
    _text("datasets", "対象データ", "Datasets", aliases=("対象データ",)),
    _text("document_ref", "協定書", "Document", 300, column=None),
    _text("notes", "備考", "Notes", aliases=_NOTES),
    _tags(_AGREEMENT_TAGS),
)

AGREEMENTS = Entity(
    "agreements",
    m.Agreement,
    "agreement",
    "協定",
    _AGREEMENT_FIELDS,
    NaturalKey(("title", "partners"), "same title and partners", "協定名と相手先が同じ"),
    ListSpec(
        _columns(
            m.Agreement,
            _AGREEMENT_FIELDS,
            ("concluded_on", 10),
            ("title", 30, True),
            ("partners", 26),
            ("status", 8),
            ("starts_on", 10),
            ("ends_on", 10),
        ),
        default_sort="concluded_on",
        descending=True,
        search=(*_searched(m.Agreement, "title", "datasets", "notes"),
                *_linked_searched(_AGREEMENT_PARTNERS)),
        text_index="search_agreement",
        kind=col(m.Agreement.status),
        period=col(m.Agreement.concluded_on),
    ),
)

_EVENT_FIELDS: tuple[Field, ...] = (
    Field("held_on", Input.DATE, "日付", "Date", column="date", required=True,
          aliases=_DATE),
    Field("kind", Input.CHOICE, "種別", "Kind", column="kind", required=True,
          vocabulary=EVENT_KINDS, aliases=_KIND),
    _text("title", "件名", "Title", 300, required=True, aliases=_TITLE),
    _text("venue", "会場", "Venue", 300, aliases=("会場",)),
    _text("municipality", "市町", "Municipality", 100, aliases=("市町村", "開催地")),
    Field("attendees", Input.INT, "参加者数", "Attendees", column="attendees",
          aliases=("参加者数",)),
    _text("audience", "対象者", "Audience", 300, column=None),
    _text("notes", "備考", "Notes", aliases=_NOTES),
    _tags(_EVENT_TAGS),
    Field("staff_ids", Input.NAMES, "担当職員", "Staff", link=_EVENT_STAFF,
          personal=True, key="staff"),
)

EVENTS = Entity(
    "events",
    m.OutreachEvent,
    "event",
    "周知広報",
    _EVENT_FIELDS,
    NaturalKey(("date", "kind", "title"), "same date, kind and title", "日付・区分・件名が同じ"),
    ListSpec(
        _columns(
            m.OutreachEvent,
            _EVENT_FIELDS,
            ("held_on", 10),
            ("kind", 12),
            ("title", 30, True),
            ("venue", 18),
            ("municipality", 8),
            ("attendees", 8),
        ),
        default_sort="held_on",
        descending=True,
        search=(*_searched(m.OutreachEvent, "title", "venue", "municipality"),
                *_linked_searched(_EVENT_STAFF)),
        text_index="search_outreach_event",
        kind=col(m.OutreachEvent.kind),
        period=col(m.OutreachEvent.held_on),
    ),
)

_MEASUREMENT_FIELDS: tuple[Field, ...] = (
    Field("kpi_id", Input.REFERENCE, "KPI", "KPI", column="kpi", required=True,
          references=m.Kpi, aliases=("指標", "kpi_code"), key="kpi_code"),
    # Needed where the KPI code is in more than one plan (services.kpi_by_code).
    Field("plan", Input.LOOKUP, "計画", "Plan", column="plan", aliases=("計画コード",)),
    Field("measured_on", Input.DATE, "測定日", "Measured on", column="date",
          required=True, aliases=_DATE),
    Field("value", Input.FLOAT, "値", "Value", column="value", required=True,
          aliases=("値", "数値")),
    _text("note", "備考", "Note", aliases=_NOTES),
    _text("source", "出典", "Source", max_length=200, aliases=("出典", "情報源", "データ出典")),
)

MEASUREMENTS = Entity(
    "measurements",
    m.KpiMeasurement,
    "measurement",
    "測定値",
    _MEASUREMENT_FIELDS,
    NaturalKey(("kpi", "date"), "same KPI and date", "指標と日付が同じ"),
    ListSpec(
        _columns(
            m.KpiMeasurement,
            _MEASUREMENT_FIELDS,
            ("measured_on", 10),
            ListColumn("kpi", "KPI", "KPI", 34, col(m.Kpi.sort_order), flex=True),
            ("value", 12),
            ("note", 24),
            _shown(m.KpiMeasurement, "entered_by", "入力者", "Entered by", 10),
        ),
        default_sort="measured_on",
        descending=True,
        search=_searched(m.KpiMeasurement, "note") + _searched(m.Kpi, "name_ja", "name_en"),
        kind=col(m.Kpi.code),
        period=col(m.KpiMeasurement.measured_on),
    ),
    derived=("entered_by",),  # the user who entered it, set by the service
)

#: Every entity, in the order a full import must follow.
ENTITIES: tuple[Entity, ...] = (
    ORGANIZATIONS, CONTACTS, STAFF, MEETINGS, AGREEMENTS, EVENTS, MEASUREMENTS,
)
#: The entities import and export files hold, in the order a full import must follow.
FILE_ENTITIES: tuple[Entity, ...] = tuple(e for e in ENTITIES if e.natural_key is not None)


def by_model(model: type[SQLModel]) -> Entity:
    """The entity whose table is `model`'s."""
    for entity in ENTITIES:
        if entity.model is model:
            return entity
    raise KeyError(model.__name__)


def organization_links() -> tuple[Link, ...]:
    """The link tables that tie records to organizations: what a merge of two moves."""
    return tuple(
        link for e in ENTITIES for link in e.links if link.target_model is m.Organization
    )


def organization_references() -> tuple[tuple[type[m.Tracked], str], ...]:
    """(model, attribute) of every record that belongs to one organization (a foreign key)."""
    return tuple(
        (e.model, f.name)
        for e in ENTITIES
        for f in e.fields
        if f.input is Input.REFERENCE and f.references is m.Organization
    )


def header_aliases() -> dict[str, tuple[str, ...]]:
    """Each header alias -> the file columns it names, ordered so that, of these columns, the
    first an entity has is the one its spec gives the alias to (団体名 is a contact's
    organization but an organization's name)."""
    first: dict[str, dict[str, set[str]]] = {}  # alias -> column -> columns to come before it
    for e in FILE_ENTITIES:
        for f in e.fields:
            for alias in f.headers:
                first.setdefault(alias, {}).setdefault(str(f.column), set())
    for e in FILE_ENTITIES:
        for f in e.fields:
            for alias in f.headers:
                for other, before in first[alias].items():
                    if other != f.column and other in e.columns:
                        before.add(str(f.column))
    return {
        alias: tuple(TopologicalSorter(graph).static_order()) for alias, graph in first.items()
    }


def date_columns() -> frozenset[str]:
    """The file columns holding dates."""
    return frozenset(
        f.column for e in FILE_ENTITIES for f in e.fields if f.column and f.input is Input.DATE
    )


def error_columns() -> dict[str, str]:
    """The field a service's DataError names -> its file column, where the two differ."""
    return {
        f.error_key: f.column
        for e in FILE_ENTITIES
        for f in e.fields
        if f.column and f.error_key != f.column
    }
