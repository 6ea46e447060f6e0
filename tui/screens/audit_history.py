"""A record's audit history (監査証跡): who changed what and when, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding

from crm.audit.chain import AuditEntry, history
from crm.context import JAPAN
from crm.records import entities
from crm.vocabulary import Vocabulary
from tui.kit.table_screen import TableScreen
from tui.messages import Loaded
from tui.strings import STRINGS, text

#: Fields not listed: the when and who columns show the stamps; the others are derived.
UNLISTED = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by",
                      "normalized_name", "kana_sort_key"})


def japan_time(stamp: str) -> str:
    """A stored UTC timestamp as Japan time to the minute, e.g. '2023-04-01 12:00'."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAPAN).strftime("%Y-%m-%d %H:%M")


def table_label(table: str, lang: str) -> str:
    """What kind of record a table holds, in `lang` (its name if it has no label)."""
    key = f"table_{table}"
    return text(key, lang) if key in STRINGS else table


def field_label(table: str, field: str, lang: str) -> str:
    """A column's label in `lang` (a contact's name is 氏名, an organization's 名称)."""
    for key in (f"{table}_{field}", field):
        if key in STRINGS:
            return text(key, lang)
    return field


def _vocabularies(table: str) -> dict[str, Vocabulary]:
    """The vocabulary of each coded field of the entity stored in `table`."""
    entity = next((e for e in entities.ENTITIES if e.model.__tablename__ == table), None)
    fields = entity.fields if entity is not None else ()
    return {f.name: f.vocabulary for f in fields if f.vocabulary is not None}


def changes(entry: AuditEntry, *, personal: bool, lang: str) -> str:
    """The fields an entry changed, 'field: old → new' (inserts and deletes list values):
    codes as their labels, timestamps in Japan time."""
    old, new = entry.values(personal=personal)
    vocabularies = _vocabularies(entry.table_name)

    def value(field: str, value: object) -> str:
        if value is None:
            return "—"
        if field in vocabularies:
            return vocabularies[field].label(str(value), lang)
        if field.endswith("_at") and isinstance(value, str):
            return japan_time(value)
        return str(value)

    def label(field: str) -> str:
        return field_label(entry.table_name, field, lang)

    if entry.action == "update":
        parts = [f"{label(k)}: {value(k, old.get(k))} → {value(k, v)}" for k, v in new.items()
                 if k not in UNLISTED and old.get(k) != v]
    else:
        parts = [f"{label(k)}: {value(k, v)}" for k, v in (new or old).items()
                 if k not in UNLISTED and v is not None]
    return "; ".join(parts)


def who(entry: AuditEntry, lang: str) -> str:
    """Who made a change: the login, and beside it the name the program acted for, as
    `crm audit log` shows it ("login (as name)")."""
    if entry.claimed_by is None:
        return entry.changed_by
    return text("audit_who_as", lang, login=entry.changed_by, name=entry.claimed_by)


def record_history(
    session: Session, records: Sequence[tuple[str, int]], limit: int
) -> list[AuditEntry]:
    """The newest `limit` entries of `records` (table, id) and their link rows, newest first."""
    entries = [e for table, row_id in records
               for e in history(session, table=table, row_id=row_id, limit=limit)]
    return sorted(entries, key=lambda e: e.id, reverse=True)[:limit]


class AuditHistoryScreen(TableScreen):
    """The latest LIMIT audit entries of one record (and any records shown with it)."""

    class EntriesLoaded(Loaded[list[AuditEntry]]):
        """The audit entries read, newest first."""

    BINDINGS = [Binding("escape", "back", "back")]
    table_id = "audit"
    table_columns = (("when", "audit_when", 16), ("who", "audit_who", 12),
                     ("record", "record_type", 20), ("action", "audit_action", 6),
                     ("changes", "audit_changes", 60))

    #: At most this many entries are read: a busy record's log is never loaded whole.
    LIMIT: ClassVar[int] = 200

    def __init__(self, title: str, records: Sequence[tuple[str, int]]) -> None:
        super().__init__()
        self.record_title = title
        self.records = list(records)
        self.entries: list[AuditEntry] = []

    def heading(self) -> ComposeResult:
        yield self.section_title(self.t("audit_title", title=self.record_title))

    def on_mount(self) -> None:
        records, limit = self.records, self.LIMIT
        self.read(lambda session: record_history(session, records, limit), self.EntriesLoaded)

    def on_audit_history_screen_entries_loaded(
        self, message: AuditHistoryScreen.EntriesLoaded
    ) -> None:
        self.entries = message.data
        personal, lang = self.crm.personal, self.crm.lang
        table = self.table
        with self.app.batch_update():
            for entry in self.entries:
                table.add_row(japan_time(entry.changed_at), who(entry, lang),
                              f"{table_label(entry.table_name, lang)} {entry.row_id}",
                              self.t(f"audit_{entry.action}"),
                              changes(entry, personal=personal, lang=lang),
                              key=str(entry.id))
        status = self.t("audit_count", count=len(self.entries))
        if len(self.entries) == self.LIMIT:
            status += "  ·  " + self.t("audit_limited", limit=self.LIMIT)
        self.show_status(status)

