"""Each entity's import: its natural key, the table columns its file columns fill, and how a
row is validated (by the service API's rules) and matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from crm import models as m
from crm.io.importing.cells import _Row
from crm.io.importing.errors import ImportFileError
from crm.io.importing.matching import _Link, _Prepared, _Run, _table_of, _tag_link
from crm.records import entities, services
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS

# --- the entities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _NaturalKey:
    """What tells an entity's records apart: table columns (the targets of the `in_key` links
    follow them), and how a second row with the same key is refused, at `column`."""

    fields: tuple[str, ...]
    column: str
    noun: str
    noun_ja: str
    hint: str
    hint_ja: str
    #: Of active records sharing a key, the one a row updates: the newest, or the oldest.
    newest_wins: bool = False

    def duplicate(self, row: _Row, first: int) -> ImportFileError:
        """The error for `row`, whose key is that of row `first` of the file."""
        return row.error(
            self.column, f"the same {self.noun} as row {first} ({self.hint})",
            ja=f"{first}行目と同じ{self.noun_ja}です ({self.hint_ja})",
        )


class _Importer:
    """How one entity's rows are validated, keyed and matched to the records already there."""

    model: type[m.Tracked]
    key: _NaturalKey
    #: table column -> the file column it comes from (compared and updated if in the file)
    sources: dict[str, str]
    links: tuple[_Link, ...] = ()

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.table = _table_of(self.model)
        self.index = self.existing()

    def existing(self) -> dict[tuple[Any, ...], int]:
        """The natural key of every active record -> its id."""
        table = self.table
        grouped = [self._grouped(link) for link in self.links if link.in_key]
        index: dict[tuple[Any, ...], int] = {}
        for record_id, *key in self.run.connection.execute(
            select(table.c.id, *(table.c[name] for name in self.key.fields))
            .where(table.c.archived_at.is_(None))
            .order_by(table.c.id if self.key.newest_wins else table.c.id.desc())
        ):
            index[(*key, *(targets.get(record_id, ()) for targets in grouped))] = record_id
        return index

    def prepare(self, row: _Row) -> _Prepared:
        """The row validated by the service API's rules; DataError if it breaks one."""
        raise NotImplementedError

    def compared(self, present: frozenset[str]) -> list[str]:
        """The table columns a file with the columns `present` compares and updates."""
        return [f for f, column in self.sources.items() if column in present]

    def updated_links(self, present: frozenset[str]) -> list[_Link]:
        """The links a file with the columns `present` replaces on a changed record."""
        return [link for link in self.links if not link.in_key and link.column in present]

    def match(self, prepared: _Prepared) -> int | None:
        """The id of the record the row updates (the row's own id if it has one, checked
        when compared), None for a new one."""
        if prepared.record_id is not None:
            return prepared.record_id
        return self.index.get(prepared.key)

    def _grouped(self, link: _Link) -> dict[int, tuple[int, ...]]:
        """The active link targets of every active record, sorted."""
        parents = self.table
        owner, target = link.table.c[link.owner], link.table.c[link.target]
        targets: dict[int, list[int]] = {}
        for owner_id, target_id in self.run.connection.execute(
            select(owner, target).join(parents, parents.c.id == owner).where(
                parents.c.archived_at.is_(None), target.in_(link.active_targets())
            )
        ):
            targets.setdefault(owner_id, []).append(target_id)
        return {owner_id: tuple(sorted(ids)) for owner_id, ids in targets.items()}


class _Organizations(_Importer):
    model = m.Organization
    # Names are unique among active organizations: newest_wins does not matter.
    key = _NaturalKey(("normalized_name",), "name", "organization", "団体",
                      "the names match after normalization", "正規化すると同じ名前",
                      newest_wins=True)
    sources = {
        "name": "name", "normalized_name": "name", "kind": "kind", "kana": "kana",
        "kana_sort_key": "kana", "corporate_number": "corporate_number", "address": "address",
        "website": "website", "notes": "notes",
    }

    def existing(self) -> dict[tuple[Any, ...], int]:
        self.numbers_seen: dict[str, int] = {}
        table = self.table
        self.by_number: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for record_id, number, name in self.run.connection.execute(
            select(table.c.id, table.c.corporate_number, table.c.name)
            .where(table.c.archived_at.is_(None))
        ):
            self.names[record_id] = name
            if number:
                self.by_number[number] = record_id
        return super().existing()

    def prepare(self, row: _Row) -> _Prepared:
        fields = services.organization_fields(
            name=row.value("name"), kind=row.code("kind", ORGANIZATION_KINDS),
            kana=row.text("kana"), corporate_number=row.text("corporate_number"),
            address=row.text("address"), website=row.text("website"), notes=row.text("notes"),
        )
        number = fields["corporate_number"]
        if number:
            first = self.numbers_seen.setdefault(number, row.number)
            if first != row.number:
                raise row.error("corporate_number",
                                f"the same corporate number as row {first}",
                                ja=f"{first}行目と同じ法人番号です")
        return _Prepared(row, (fields["normalized_name"],), fields)

    def match(self, prepared: _Prepared) -> int | None:
        by_name = self.index.get(prepared.key)
        number = prepared.fields["corporate_number"]
        by_number = self.by_number.get(number) if number else None
        if prepared.record_id is not None:
            return self._by_id(prepared, prepared.record_id, by_name, by_number)
        if by_name is not None and by_number is not None and by_name != by_number:
            raise prepared.row.error(
                "corporate_number",
                f"corporate number {number} belongs to another organization (id {by_number})",
                ja=f"法人番号 {number} は別の団体 (id {by_number}) のものです",
            )
        if by_name is not None:
            # Same name once legal form, width and spaces are folded: the file spells the
            # organization another way ((株) for 株式会社…). Its official name stays.
            prepared.fields["name"] = self.names[by_name]
            return by_name
        return by_number

    def _by_id(self, prepared: _Prepared, record_id: int, by_name: int | None,
               by_number: int | None) -> int:
        """The row's own organization, renamed if its name changed, unless the name or the
        corporate number is another active organization's."""
        row = prepared.row
        if by_name not in (None, record_id):
            raise row.error("name", f"the name belongs to another organization (id {by_name})",
                            ja=f"この名前は別の団体 (id {by_name}) のものです")
        if by_number not in (None, record_id):
            number = prepared.fields["corporate_number"]
            raise row.error(
                "corporate_number",
                f"corporate number {number} belongs to another organization (id {by_number})",
                ja=f"法人番号 {number} は別の団体 (id {by_number}) のものです",
            )
        if by_name == record_id:
            prepared.fields["name"] = self.names[record_id]  # only spelled another way
        return record_id


class _Contacts(_Importer):
    model = m.Contact
    key = _NaturalKey(("organization_id", "name"), "name", "contact", "連絡先",
                      "same organization and name", "団体と氏名が同じ", newest_wins=True)
    sources = {
        "organization_id": "organization", "name": "name", "kana": "kana",
        "department": "department", "title": "title", "email": "email", "phone": "phone",
        "notes": "notes",
    }

    def prepare(self, row: _Row) -> _Prepared:
        organizations = self.run.organization_ids(row, "organization")
        if len(organizations) != 1:
            raise row.error("organization", "a contact belongs to exactly one organization",
                            ja="連絡先の団体は1つだけです")
        fields = services.contact_fields(
            name=row.value("name"), kana=row.text("kana"), department=row.text("department"),
            title=row.text("title"), email=row.text("email"), phone=row.text("phone"),
            notes=row.text("notes"),
        )
        fields["organization_id"] = organizations[0]
        return _Prepared(row, (organizations[0], fields["name"]), fields)


class _Meetings(_Importer):
    model = m.Meeting
    key = _NaturalKey(("held_on", "title"), "title", "meeting", "意見交換",
                      "same date, title and organizations", "日付・件名・相手先が同じ")
    sources = {
        "held_on": "date", "title": "title", "summary": "summary",
        "next_action": "next_action", "follow_up_on": "follow_up_on",
    }
    links = (
        _Link(_table_of(m.MeetingOrganization), "meeting_id", "organization_id",
              m.Organization, "organizations", in_key=True),
        _Link(_table_of(m.MeetingStaff), "meeting_id", "staff_id", m.Staff, "staff",
              in_key=False),
        _tag_link(entities.MEETINGS),
    )

    def prepare(self, row: _Row) -> _Prepared:
        held_on = self.run.day(row, "date")
        assert held_on is not None  # a required column
        organizations = tuple(sorted(set(self.run.organization_ids(row, "organizations"))))
        staff = self.run.staff_ids(row) if "staff" in self.run.present else []
        fields = services.meeting_fields(
            held_on=held_on, title=row.value("title"), organization_ids=organizations,
            summary=row.text("summary"), next_action=row.text("next_action"),
            follow_up_on=self.run.day(row, "follow_up_on"),
        )
        return _Prepared(
            row, (held_on, fields["title"], organizations), fields,
            {"organizations": organizations, "staff": tuple(staff),
             "tags": self.run.tag_ids(row)},
        )


class _Agreements(_Importer):
    model = m.Agreement
    key = _NaturalKey(("title",), "title", "agreement", "協定", "same title and partners",
                      "協定名と相手先が同じ")
    sources = {
        "title": "title", "status": "status", "concluded_on": "concluded_on",
        "starts_on": "starts_on", "ends_on": "ends_on", "datasets": "datasets",
        "notes": "notes",
    }
    links = (
        _Link(_table_of(m.AgreementPartner), "agreement_id", "organization_id",
              m.Organization, "partners", in_key=True),
        _tag_link(entities.AGREEMENTS),
    )

    def prepare(self, row: _Row) -> _Prepared:
        status = row.code("status", AGREEMENT_STATUSES) if row.value("status") else "proposed"
        partners = tuple(sorted(set(self.run.organization_ids(row, "partners"))))
        fields = services.agreement_fields(
            title=row.value("title"), partner_ids=partners, status=status,
            concluded_on=self.run.day(row, "concluded_on"),
            starts_on=self.run.day(row, "starts_on"), ends_on=self.run.day(row, "ends_on"),
            datasets=row.text("datasets"), document_ref=None, notes=row.text("notes"),
        )
        del fields["document_ref"]  # not in the file: kept as it is
        return _Prepared(row, (fields["title"], partners), fields,
                         {"partners": partners, "tags": self.run.tag_ids(row)})


class _Events(_Importer):
    model = m.OutreachEvent
    key = _NaturalKey(("held_on", "kind", "title"), "title", "event", "周知広報",
                      "same date, kind and title", "日付・区分・件名が同じ")
    sources = {
        "held_on": "date", "kind": "kind", "title": "title", "venue": "venue",
        "municipality": "municipality", "attendees": "attendees", "notes": "notes",
    }
    links = (_tag_link(entities.EVENTS),)

    def prepare(self, row: _Row) -> _Prepared:
        held_on = self.run.day(row, "date")
        assert held_on is not None  # a required column
        fields = services.event_fields(
            held_on=held_on, kind=row.code("kind", EVENT_KINDS), title=row.value("title"),
            venue=row.text("venue"), municipality=row.text("municipality"),
            attendees=row.integer("attendees"), audience=None, notes=row.text("notes"),
        )
        del fields["audience"]  # not in the file: kept as it is
        return _Prepared(row, (held_on, fields["kind"], fields["title"]), fields,
                         {"tags": self.run.tag_ids(row)})


class _Measurements(_Importer):
    model = m.KpiMeasurement
    # Of two measurements on one day, the last entered counts (docs/schema.md).
    key = _NaturalKey(("kpi_id", "measured_on"), "date", "measurement", "測定値",
                      "same KPI and date", "指標と日付が同じ", newest_wins=True)
    sources = {"kpi_id": "kpi", "measured_on": "date", "value": "value", "note": "note",
               "source": "source"}

    def prepare(self, row: _Row) -> _Prepared:
        kpi = self.run.kpi(row)
        measured_on = self.run.day(row, "date")
        assert measured_on is not None  # a required column
        fields = services.measurement_fields(
            kpi, measured_on=measured_on, value=row.decimal("value"), note=row.text("note"),
            source=row.text("source"),
        )
        fields["entered_by"] = self.run.ctx.user
        return _Prepared(row, (fields["kpi_id"], measured_on), fields)


_IMPORTERS: dict[str, type[_Importer]] = {
    "organizations": _Organizations,
    "contacts": _Contacts,
    "meetings": _Meetings,
    "agreements": _Agreements,
    "events": _Events,
    "measurements": _Measurements,
}
