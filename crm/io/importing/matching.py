"""One import run: what its rows name resolved, each row matched to a record by its id or its
natural key and compared with it (crm.io.importing.writing writes what it found)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, Table, select
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, SQLModel, col

from crm import models as m
from crm import tags
from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.io.importing import limits
from crm.io.importing.cells import _Row
from crm.io.importing.columns import ID_COLUMN, VERSION_COLUMN, _fold
from crm.io.importing.errors import ImportFileError
from crm.normalize import normalize_name
from crm.records import entities, services, versions

if TYPE_CHECKING:
    from crm.io.importing.specs import _Importer


#: How many refusals a dry run lists (all are counted).
MAX_LISTED_ERRORS = 50


@dataclass
class _Prepared:
    """A validated row: its natural key, its table's columns and its links' targets."""

    row: _Row
    key: tuple[Any, ...]
    fields: dict[str, Any]
    links: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: the record's version when the file was exported (None: the file does not say)
    version: int | None = None
    #: the id of the record the row was exported from (None: a new row, or a file made by
    #: hand: matched by natural key)
    record_id: int | None = None


def _table_of(model: type[SQLModel]) -> Table:
    """The table a SQLModel class maps (SQLModel does not declare `__table__` for mypy)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True)
class _Link:
    """A link table filled from a list column; `in_key` links are part of the natural key.

    Only links to active targets count: a file never names an archived organization or
    staff member (an export leaves them out), so links to them are kept as they are. Tags
    are never archived.
    """

    table: Table
    owner: str
    target: str
    target_model: type[m.Tracked] | type[m.Tag]
    column: str
    in_key: bool

    def active_targets(self) -> Select[int | None]:
        """A subquery of the ids of the active targets."""
        model = self.target_model
        if not issubclass(model, m.Tracked):
            return select(col(model.id))
        return select(col(model.id)).where(col(model.archived_at).is_(None))


def _tag_link(entity: entities.Entity) -> _Link:
    """The link filled from an entity's `tags` column (a file without it leaves tags alone)."""
    link = entity.link("tags")
    return _Link(_table_of(link.table), link.owner, link.target, m.Tag, "tags", in_key=False)


class _Run:
    """One import: the session, what is resolved once, the pending batch and the counts."""

    def __init__(
        self,
        session: Session,
        ctx: Context,
        *,
        dry_run: bool,
        create_missing: str | None,
    ) -> None:
        self.session = session
        self.ctx = ctx
        self.connection = session.connection()
        self.dry_run = dry_run
        self.create_missing = create_missing
        now = ctx.now()
        self.changed_stamp = {"updated_at": now, "updated_by": ctx.user}
        self.new_stamp = {"created_at": now, "created_by": ctx.user, **self.changed_stamp}
        self.present: frozenset[str] = frozenset()
        self.seen: dict[tuple[Any, ...], int] = {}
        #: the row that matched each record so far
        self.targets: dict[int, int] = {}
        self.new: list[_Prepared] = []
        self.matched: list[tuple[int, _Prepared]] = []
        self.changed: list[tuple[int, _Prepared]] = []
        # What the file names that does not exist yet, by placeholder id (negative): created
        # by `create_named` when the import writes.
        self.new_organizations: dict[int, tuple[str, _Row, str]] = {}
        self.new_staff: dict[int, tuple[str, _Row]] = {}
        self.new_tags: dict[int, str] = {}
        self.read = self.added = self.updated = self.unchanged = self.refused = 0
        self.created_organizations = 0
        self.errors: list[ImportFileError] = []
        self._organization_keys: dict[str, int] | None = None
        self._organizations_by_name: dict[str, int] = {}
        self._staff: dict[str, tuple[int, bool]] | None = None
        self._kpis: dict[tuple[str | None, str], m.Kpi] = {}
        self._kpi_codes_by_name: dict[str, str] | None = None
        self._days: dict[str, date] = {}
        self._tags: dict[str, int] | None = None

    def bind(self, session: Session) -> None:
        """Use `session` from now on (the import is written in another one than it was read)."""
        self.session = session
        self.connection = session.connection()

    def _placeholder(self) -> int:
        return -1 - len(self.new_organizations) - len(self.new_staff) - len(self.new_tags)

    # --- what rows name -------------------------------------------------------------------

    def day(self, row: _Row, column: str) -> date | None:
        """`row.day(column)`, remembered: the same dates recur in a file."""
        raw = row.value(column)
        found = self._days.get(raw)
        if found is None:
            found = row.day(column)
            if found is not None:
                self._days[raw] = found
        return found

    def organization_ids(self, row: _Row, column: str) -> list[int]:
        """The ids of the active organizations a list cell names (created if allowed)."""
        ids = []
        for name in row.names(column):
            found = self._organizations_by_name.get(name)
            if found is None:
                found = self._organization(row, column, name)
                self._organizations_by_name[name] = found
            ids.append(found)
        return ids

    def _organization(self, row: _Row, column: str, name: str) -> int:
        if self._organization_keys is None:
            active = select(col(m.Organization.normalized_name), col(m.Organization.id)).where(
                col(m.Organization.archived_at).is_(None)
            )
            # Ids read back are never None (SQLModel types them Optional for new objects).
            self._organization_keys = cast(
                dict[str, int], dict(self.connection.execute(active).all())
            )
        try:
            key = normalize_name(name)
        except ValueError:
            key = ""
        found = self._organization_keys.get(key)
        if found is not None:
            return found
        if self.create_missing is None:
            raise row.error(
                column,
                f"unknown organization {name!r} (import it under organizations first, or"
                " use --create-missing --kind K)",
                ja=f"団体 {name!r} が登録されていません (先に団体を取り込むか、"
                "--create-missing --kind で作成してください)",
            )
        fields = services.organization_fields(name=name, kind=self.create_missing)
        placeholder = self._placeholder()
        self.new_organizations[placeholder] = (name, row, column)
        self._organization_keys[fields["normalized_name"]] = placeholder
        self.created_organizations += 1
        return placeholder

    def staff_ids(self, row: _Row) -> list[int]:
        """The ids of the staff a row names; a name not yet known is added as new staff."""
        if self._staff is None:
            self._staff = {
                name: (cast(int, staff_id), archived is not None)  # an id read back: not None
                for staff_id, name, archived in self.connection.execute(
                    select(col(m.Staff.id), col(m.Staff.name), col(m.Staff.archived_at))
                )
            }
        ids = []
        for name in row.names("staff"):
            found = self._staff.get(name)
            if found is None:
                services.staff_fields(name=name)
                placeholder = self._placeholder()
                self.new_staff[placeholder] = (name, row)
                found = self._staff[name] = (placeholder, False)
            if found[1]:
                raise row.error("staff", f"staff {name!r} is archived",
                                ja=f"職員 {name} は保管済みです")
            ids.append(found[0])
        return list(dict.fromkeys(ids))

    def tag_ids(self, row: _Row) -> tuple[int, ...]:
        """The ids of the tags a row names, sorted; a tag not yet known gets a placeholder."""
        if "tags" not in self.present:
            return ()
        try:
            names = tags.clean_tags(row.names("tags"))
        except DataError as exc:
            raise row.error("tags", exc.message, ja=exc.ja) from None
        if self._tags is None:
            known = self.connection.execute(select(col(m.Tag.name), col(m.Tag.id)))
            self._tags = cast(dict[str, int], dict(known.all()))  # ids read back: not None
        for name in names:
            if name not in self._tags:
                placeholder = self._placeholder()
                self.new_tags[placeholder] = name
                self._tags[name] = placeholder
        return tuple(sorted({self._tags[name] for name in names}))

    def kpi(self, row: _Row) -> m.Kpi:
        """The active KPI a row names by code or, failing that, by its Japanese or English
        name, in the plan its `plan` cell names (needed where the KPI is in several plans)."""
        written, plan = row.value("kpi"), row.text("plan")
        found = self._kpis.get((plan, written))
        if found is not None:
            return found
        try:
            found = services.kpi_by_code(self.session, written, plan)
        except NotFoundError as exc:
            if exc.field == "plan":
                raise
            if self._kpi_codes_by_name is None:
                active = self.connection.execute(
                    select(col(m.Kpi.code), col(m.Kpi.name_ja), col(m.Kpi.name_en))
                    .where(col(m.Kpi.archived_at).is_(None))
                )
                self._kpi_codes_by_name = {
                    _fold(name): code for code, *names in active for name in names
                }
            code = self._kpi_codes_by_name.get(_fold(written))
            if code is None:
                raise
            found = services.kpi_by_code(self.session, code, plan)
        self._kpis[(plan, written)] = found
        return found

    # --- one row, then the writes ---------------------------------------------------------

    def process(self, importer: _Importer, row: _Row) -> None:
        """Validate and match a row, queueing it for the writes; a refusal is raised (or, in a
        dry run, counted and listed)."""
        self.read += 1
        try:
            prepared = importer.prepare(row)
            prepared.version = row.integer(VERSION_COLUMN)
            prepared.record_id = row.integer(ID_COLUMN)
            first = self.seen.get(prepared.key)
            if first is not None:
                raise importer.key.duplicate(row, first)
            self.seen[prepared.key] = row.number
            target = importer.match(prepared)
            if target is not None:
                first = self.targets.setdefault(target, row.number)
                if first != row.number:
                    raise self._twice(importer, prepared, target, first)
        except ImportFileError as exc:
            self._refuse(exc)
            return
        except DataError as exc:
            self._refuse(row.service_error(exc))
            return
        if target is None:
            self.new.append(prepared)
        else:
            self.matched.append((target, prepared))

    def _refuse(self, error: ImportFileError) -> None:
        if not self.dry_run:
            raise error
        self.refused += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)

    def compare(self, importer: _Importer) -> None:
        """Sort the matched rows into changed and unchanged ones (reads only); refuse a row
        whose id names no record, or an archived one it would change."""
        for start in range(0, len(self.matched), limits.BATCH_SIZE):
            batch = self.matched[start:start + limits.BATCH_SIZE]
            now: dict[int, int] = {}
            archived: set[int] = set()
            for same, entry in zip(self._same(importer, batch, now, archived), batch,
                                   strict=True):
                record_id, prepared = entry
                if record_id not in now:
                    self._refuse(self._unknown(importer, prepared))
                elif prepared.version not in (None, now[record_id]):
                    self._refuse(self._moved(importer, entry, now[record_id]))
                elif same:
                    self.unchanged += 1
                elif record_id in archived:
                    self._refuse(self._archived(importer, prepared))
                else:
                    self.changed.append(entry)

    def _twice(self, importer: _Importer, prepared: _Prepared, record_id: int, first: int
               ) -> ImportFileError:
        """The refusal of a second row for the record row `first` already matched."""
        noun, noun_ja = versions.nouns(importer.model)
        column = ID_COLUMN if prepared.record_id is not None else importer.key.column
        return prepared.row.error(
            column, f"the same {noun} (id {record_id}) as row {first}",
            ja=f"{first}行目と同じ{noun_ja} (id {record_id}) です",
        )

    def _unknown(self, importer: _Importer, prepared: _Prepared) -> ImportFileError:
        """The refusal of a row whose id names no record of this database."""
        noun, noun_ja = versions.nouns(importer.model)
        return prepared.row.error(
            ID_COLUMN,
            f"no {noun} has this id in this database (ids come from its exports; leave the"
            " cell empty for a new record); nothing was imported",
            ja=f"この id の{noun_ja}はこのデータベースにありません (id はこのデータベースの"
               "書き出しが付けたものです。新しい記録は空欄にしてください)。何も取り込んで"
               "いません",
        )

    def _archived(self, importer: _Importer, prepared: _Prepared) -> ImportFileError:
        """The refusal of a row that would change an archived record."""
        noun, noun_ja = versions.nouns(importer.model)
        return prepared.row.error(
            ID_COLUMN,
            f"this {noun} is archived: restore it before changing it; nothing was imported",
            ja=f"この{noun_ja}は保管済みです。変更するには先に元に戻してください。何も取り込んで"
               "いません",
        )

    def _moved(self, importer: _Importer, entry: tuple[int, _Prepared], current: int
               ) -> ImportFileError:
        """The refusal of a row whose record changed after the file was exported."""
        record_id, prepared = entry
        noun, noun_ja = versions.nouns(importer.model)
        (who, when), (who_ja, when_ja) = versions.last_changed(
            self.session, importer.model, record_id)
        return prepared.row.error(
            VERSION_COLUMN,
            f"{noun} {record_id} was changed by {who} at {when} after this file was exported"
            f" (version {prepared.version}, now {current}); nothing was imported: export it"
            " again and make your change there",
            ja=f"{noun_ja} (id {record_id}) はこのファイルの書き出し後に {who_ja} が {when_ja}"
               f" に変更しました(版 {prepared.version} → {current})。何も取り込んでいません:"
               " 書き出し直してから変更してください",
        )

    def _same(self, importer: _Importer, batch: list[tuple[int, _Prepared]],
              now: dict[int, int], archived: set[int]) -> list[bool]:
        """Whether each matched row leaves its record as it is (fields and links in the file);
        puts each record's version in `now` (none for an id that names no record) and the
        archived ones in `archived`."""
        table = importer.table
        compared = importer.compared(self.present)
        links = importer.updated_links(self.present)
        ids = [record_id for record_id, _ in batch]
        current: dict[int, tuple[Any, ...]] = {}
        for record_id, version, archived_at, *values in self.connection.execute(
            select(table.c.id, table.c.version, table.c.archived_at,
                   *(table.c[f] for f in compared))
            .where(table.c.id.in_(ids))
        ):
            current[record_id] = tuple(values)
            now[record_id] = version
            if archived_at is not None:
                archived.add(record_id)
        linked: dict[tuple[str, int], list[int]] = {}
        for link in links:
            owner = link.table.c[link.owner]
            target_column = link.table.c[link.target]
            for record_id, target in self.connection.execute(
                select(owner, target_column).where(
                    owner.in_(ids), target_column.in_(link.active_targets())
                )
            ):
                linked.setdefault((link.column, record_id), []).append(target)
        return [
            record_id in current
            and current[record_id] == tuple(prepared.fields[f] for f in compared) and all(
                sorted(linked.get((link.column, record_id), []))
                == sorted(prepared.links.get(link.column, ()))
                for link in links
            )
            for record_id, prepared in batch
        ]
