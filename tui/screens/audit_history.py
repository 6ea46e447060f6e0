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
from crm.records.queries import NAMED_IDS, names_of
from crm.vocabulary import Vocabulary
from tui.kit.table_screen import TableScreen
from tui.messages import Loaded
from tui.strings import STRINGS, text
from tui.widgets.dialogs import TextDialog

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


#: Linked ids resolved to names: column -> id -> name.
Names = dict[str, dict[int, str]]


def change_list(entry: AuditEntry, *, personal: bool, lang: str,
                names: Names | None = None) -> list[str]:
    """The fields an entry changed, each 'field: old → new' (inserts and deletes list
    values): codes as their labels, linked ids as names, timestamps in Japan time."""
    old, new = entry.values(personal=personal)
    vocabularies = _vocabularies(entry.table_name)
    names = names or {}

    def value(field: str, value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, int) and value in names.get(field, {}):
            return names[field][value]
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
    return parts


def changes(entry: AuditEntry, *, personal: bool, lang: str, names: Names | None = None
            ) -> str:
    """The fields an entry changed on one line, '; '-separated (see `change_list`)."""
    return "; ".join(change_list(entry, personal=personal, lang=lang, names=names))


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


def linked_names(session: Session, entries: Sequence[AuditEntry], *, personal: bool,
                 lang: str) -> Names:
    """The names of the records the entries' id columns point to (contacts only with
    `personal`: a contact's name is personal data)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for values in entry.values(personal=personal):
            for column, value in (values or {}).items():
                if column in NAMED_IDS and isinstance(value, int) and (
                        personal or column != "contact_id"):
                    wanted.setdefault(column, set()).add(value)
    return {column: names_of(session, column, ids, lang) for column, ids in wanted.items()}


def read_history(session: Session, records: Sequence[tuple[str, int]], limit: int, *,
                 personal: bool, lang: str) -> tuple[list[AuditEntry], Names]:
    """`record_history` and the names its linked ids stand for."""
    entries = record_history(session, records, limit)
    return entries, linked_names(session, entries, personal=personal, lang=lang)


class AuditHistoryScreen(TableScreen):
    """The latest LIMIT audit entries of one record (and any records shown with it)."""

    class EntriesLoaded(Loaded[tuple[list[AuditEntry], Names]]):
        """The audit entries read, newest first, and the names of their linked ids."""

    BINDINGS = [Binding("escape", "back", "back"), Binding("enter", "whole", "whole_value")]
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
        self.names: Names = {}

    def heading(self) -> ComposeResult:
        yield self.section_title(self.t("audit_title", title=self.record_title))

    def on_mount(self) -> None:
        records, limit = self.records, self.LIMIT
        personal, lang = self.crm.personal, self.crm.lang
        self.read(lambda session: read_history(session, records, limit, personal=personal,
                                               lang=lang), self.EntriesLoaded)

    def on_audit_history_screen_entries_loaded(
        self, message: AuditHistoryScreen.EntriesLoaded
    ) -> None:
        self.entries, self.names = message.data
        personal, lang, names = self.crm.personal, self.crm.lang, self.names
        table = self.table
        with self.app.batch_update():
            for entry in self.entries:
                table.add_row(japan_time(entry.changed_at), who(entry, lang),
                              f"{table_label(entry.table_name, lang)} {entry.row_id}",
                              self.t(f"audit_{entry.action}"),
                              changes(entry, personal=personal, lang=lang, names=names),
                              key=str(entry.id))
        status = self.t("audit_count", count=len(self.entries))
        if len(self.entries) == self.LIMIT:
            status += "  ·  " + self.t("audit_limited", limit=self.LIMIT)
        self.show_status(status)


    def on_data_table_row_selected(self) -> None:
        self.action_whole()

    def action_whole(self) -> None:
        """Show the entry under the cursor whole: every change on a line of its own."""
        key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key.value
        entry = next((e for e in self.entries if str(e.id) == key), None)
        if entry is None:
            return
        lang = self.crm.lang
        title = (f"{japan_time(entry.changed_at)}  {entry.changed_by}  "
                 f"{table_label(entry.table_name, lang)} {entry.row_id}  "
                 f"{self.t(f'audit_{entry.action}')}")
        body = "\n".join(change_list(entry, personal=self.crm.personal, lang=lang,
                                     names=self.names)) or "—"
        self.app.push_screen(TextDialog(title, body, self.t("close")))
