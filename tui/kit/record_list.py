"""The shape every list screen shares: filters, a paged table, sorting, archive and restore."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from crm.calendar import FiscalPeriod, fiscal_year_of
from crm.records import services
from crm.records.entities import Entity, ListColumn
from crm.records.queries import Choice, ListFilter, staff_choices
from tui.kit.column_layout import fit_columns
from tui.kit.navigation import (
    VIEWABLE,
    AuditTrail,
    RecordForm,
    RecordKind,
    RecordView,
)
from tui.kit.screen import QUIT, CRMScreen, nav_tabs
from tui.messages import Loaded, WriteDone, WriteFailed
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.filter_bar import FilterBar, Options
from tui.widgets.footer import PriorityFooter
from tui.widgets.paged_table import PagedTable
from tui.widgets.title_bar import TitleBar

#: How many fiscal years back the year filter offers.
YEARS_OFFERED = 10


class ListRow(Protocol):
    """A row of a list: anything with an id (and maybe `archived`, `title`)."""

    @property
    def id(self) -> int:
        """The record's id."""
        ...


Row = TypeVar("Row", bound=ListRow)
Row_co = TypeVar("Row_co", covariant=True)
Page = TypeVar("Page")


class PageQuery(Protocol[Row_co]):
    """Reads one page of a list for a filter and a sort."""

    def __call__(self, session: Session, *, filters: ListFilter, order_by: str,
                 descending: bool, offset: int, limit: int) -> Sequence[Row_co]:
        ...


class CountQuery(Protocol):
    """Counts the rows a filter matches."""

    def __call__(self, session: Session, *, filters: ListFilter) -> int:
        ...


@dataclass(frozen=True)
class ListQueries(Generic[Row_co]):
    """The two queries behind a list: a page of rows, and how many rows there are."""

    page: PageQuery[Row_co]
    count: CountQuery


class RecordListScreen(CRMScreen, Generic[Row]):
    """A list of records read a page at a time from the service layer."""

    class PageLoaded(Message, Generic[Page]):
        """A page of rows; `generation` tells a stale page from the current one."""

        def __init__(self, generation: int, offset: int, rows: Sequence[Page],
                     has_more: bool) -> None:
            super().__init__()
            self.generation = generation
            self.offset = offset
            self.rows = rows
            self.has_more = has_more

    class CountLoaded(Message):
        """How many rows the list's filter matches."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class StaffLoaded(Loaded[Sequence[Choice]]):
        """The staff the staff filter offers."""

    BINDINGS = [
        Binding("n", "new", "new"),
        Binding("e", "edit", "edit"),
        Binding("slash", "search", "search", key_display="/"),
        Binding("d", "archive", "archive"),
        Binding("x", "toggle_archived", "show_archived"),
        Binding("s", "sort", "sort"),
        Binding("r", "reverse", "reverse"),
        Binding("escape", "back", "back"),
        QUIT,
    ]

    section: ClassVar[str]
    #: The queries the list reads its pages and its count with.
    queries: ListQueries[Row]
    #: The kind of record listed, whose form `n` and `e` open.
    kind: ClassVar[RecordKind]
    #: The entity listed (crm.records.entities): its table, columns, sorts and default order.
    entity: ClassVar[Entity]
    #: A default order other than the listing's, as (sort key, descending).
    order: ClassVar[tuple[str, bool] | None] = None
    uses_staff: ClassVar[bool] = False
    #: Whether the records carry tags (the filter bar then filters by one).
    uses_tags: ClassVar[bool] = False
    PAGE_SIZE: ClassVar[int] = 100

    @property
    def columns(self) -> tuple[ListColumn, ...]:
        """The list's columns, in display order."""
        return self.entity.list_spec.columns

    def __init__(self) -> None:
        super().__init__()
        self.filters = ListFilter()
        listing = self.entity.list_spec
        self.order_by, self.descending = self.order or (listing.default_sort, listing.descending)
        self.rows: dict[str, Row] = {}
        self.total: int | None = None
        self.has_more = False
        self.fetching = False
        self._generation = 0
        self._widths: list[int] = []
        #: The generation of a refresh that keeps the rows shown unless its first page differs.
        self._quiet_generation = -1

    # --- what each list defines ----------------------------------------------------------

    def filter_bar(self) -> FilterBar:
        """The filter controls of this list."""
        raise NotImplementedError

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[Row]:
        """One page of rows for the current filter and sort."""
        return self.queries.page(session, filters=self.filters, order_by=self.order_by,
                                 descending=self.descending, offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        """How many rows the current filter matches."""
        return self.queries.count(session, filters=self.filters)

    def cells(self, row: Row) -> tuple[Any, ...]:
        """The cells of one row, in column order."""
        raise NotImplementedError

    def row_title(self, row: Row) -> str:
        """How the confirmation dialog names a row."""
        return str(getattr(row, "title", row.id))

    # --- shared parts --------------------------------------------------------------------

    def year_options(self) -> Options:
        """The fiscal years the year filter offers, newest first."""
        newest = fiscal_year_of(self.crm.ctx.today())
        return [(FiscalPeriod(fy).label(self.crm.lang), str(fy))
                for fy in range(newest, newest - YEARS_OFFERED, -1)]

    def quarter_options(self) -> Options:
        """The four quarters, for the quarter filter."""
        return [(FiscalPeriod(2020, q).label(self.crm.lang).split()[-1], str(q))
                for q in (1, 2, 3, 4)]

    def period_filter_bar(self, kinds: Options | None = None, kind_prompt: str = "") -> FilterBar:
        """Filters by text, fiscal year and quarter, `kinds` if given, staff and tag if used."""
        return FilterBar(
            placeholder=self.t("search_placeholder"), years=self.year_options(),
            quarters=self.quarter_options(), year_prompt=self.t("fiscal_year"),
            quarter_prompt=self.t("quarter"), kinds=kinds, kind_prompt=kind_prompt,
            staff_prompt=self.t("staff") if self.uses_staff else None,
            tag_prompt=self.t("tag_filter") if self.uses_tags else None,
        )

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield from nav_tabs(self, self.section)
        yield self.filter_bar()
        yield PagedTable(id="records")
        yield Static("", id="list-status")
        yield PriorityFooter()

    def column_widths(self, width: int) -> list[int]:
        """Column widths for a screen `width` cells wide, sized to the loaded rows."""
        headers = [column.label(self.crm.lang) for column in self.columns]
        return fit_columns(self.columns, headers,
                           (self.cells(row) for row in self.rows.values()), width)

    def _lay_out(self) -> bool:
        """Size the columns to the screen and the rows; whether the table was rebuilt."""
        widths = self.column_widths(self.size.width)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.query_one(PagedTable)
        row = table.cursor_row
        table.clear(columns=True)
        for column, width in zip(self.columns, widths, strict=True):
            table.add_column(column.label(self.crm.lang), width=width, key=column.key)
        self._add_rows(list(self.rows.values()))
        table.move_cursor(row=row)
        return True

    def on_resize(self) -> None:
        self._lay_out()

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        if self.uses_staff:
            self.read(staff_choices, self.StaffLoaded)
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown again (a switch of screens, a form closed): read the first page again in the
        background and redraw only if it changed, so that switching screens stays fast. The
        queries start after the screen is painted."""
        self.call_after_refresh(self._refresh_rows)

    def _refresh_rows(self) -> None:
        if not self.rows or self.fetching or len(self.rows) > self.PAGE_SIZE:
            self.reload()
            return
        self._generation += 1
        self._quiet_generation = self._generation
        self._load_page(self._generation, 0)
        self._load_count(self._generation)

    def reload(self) -> None:
        """Read the list again from the first page."""
        self._generation += 1
        self.query_one(PagedTable).clear()
        self.rows = {}
        self.total = None
        self.has_more = False
        self.fetching = True
        self._show_status()
        self._load_page(self._generation, 0)
        self._load_count(self._generation)

    @work(thread=True, group="page", exclusive=True)
    def _load_page(self, generation: int, offset: int) -> None:
        with self.crm.database.reading() as session:
            rows = self.fetch(session, offset, self.PAGE_SIZE)
        self.post_message(
            self.PageLoaded(generation, offset, rows, len(rows) == self.PAGE_SIZE))

    @work(thread=True, group="count", exclusive=True)
    def _load_count(self, generation: int) -> None:
        with self.crm.database.reading() as session:
            total = self.fetch_count(session)
        self.post_message(self.CountLoaded(generation, total))

    def on_record_list_screen_page_loaded(
        self, message: RecordListScreen.PageLoaded[Row]
    ) -> None:
        if message.generation != self._generation:
            return
        if message.generation == self._quiet_generation and message.offset == 0:
            if self._unchanged(message.rows):
                self.rows = {str(row.id): row for row in message.rows}
                self.has_more = message.has_more
                self._show_status()
                return
            self.query_one(PagedTable).clear()
            self.rows = {}
        fresh = [row for row in message.rows if str(row.id) not in self.rows]
        self.rows.update((str(row.id), row) for row in fresh)
        # The first page sizes the columns; later pages keep them (no jumps while scrolling).
        if message.offset != 0 or not self._lay_out():
            self._add_rows(fresh)
        self.has_more = message.has_more
        self.fetching = False
        self._show_status()

    def _unchanged(self, rows: Sequence[Row]) -> bool:
        """True if `rows` show exactly as the rows shown now."""
        def shown(rows: Sequence[Row]) -> list[tuple[object, ...]]:
            return [(str(r.id), getattr(r, "archived", False), *self.cells(r)) for r in rows]
        return shown(rows) == shown(list(self.rows.values()))

    def _add_rows(self, rows: Sequence[Row]) -> None:
        table = self.query_one(PagedTable)
        if not table.columns:
            return
        with self.app.batch_update():
            for row in rows:
                cells = self.cells(row)
                if getattr(row, "archived", False):
                    cells = tuple(Text(f"{c}", style="dim strike") for c in cells)
                table.add_row(*cells, key=str(row.id))

    def on_record_list_screen_count_loaded(self, message: RecordListScreen.CountLoaded) -> None:
        if message.generation == self._generation:
            self.total = message.total
            self._show_status()

    @on(PagedTable.NearEnd)
    def _next_page(self) -> None:
        # Checked again here: the cursor may have moved since the message was posted.
        if self.has_more and not self.fetching and self.query_one(PagedTable).near_end():
            self.fetching = True
            self._load_page(self._generation, len(self.rows))

    def _show_status(self) -> None:
        column = next(c for c in self.columns if c.key == self.order_by)
        direction = self.t("descending" if self.descending else "ascending")
        parts = [
            self.t("loading") if self.fetching and not self.rows else self.t(
                "rows_count", shown=len(self.rows),
                total=self.total if self.total is not None else len(self.rows)),
            self.t("sorted_by", column=column.label(self.crm.lang), direction=direction),
        ]
        if self.filters.include_archived:
            parts.append(self.t("show_archived"))
        self.query_one("#list-status", Static).update("  ·  ".join(parts))

    def on_record_list_screen_staff_loaded(self, message: RecordListScreen.StaffLoaded) -> None:
        self.query_one(FilterBar).set_staff(
            [(c.label(self.crm.lang), c.value) for c in message.data])

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        self.filters = replace(message.filters, include_archived=self.filters.include_archived)
        self.reload()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        column = next((c for c in self.columns if c.key == key), None)
        if column is None or not column.sortable:
            return
        if key == self.order_by:
            self.descending = not self.descending
        else:
            self.order_by = key or self.entity.list_spec.default_sort
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def selected_row(self) -> Row | None:
        """The record under the cursor, or None (with a notice) when there is none."""
        key = self.query_one(PagedTable).selected_key()
        if key is None or key not in self.rows:
            self.notify(self.t("no_selection"), severity="warning")
            return None
        return self.rows[key]

    # --- actions -------------------------------------------------------------------------

    def action_new(self) -> None:
        if self.crm.writable():
            self.crm.open(RecordForm(self.kind))

    def action_edit(self) -> None:
        row = self.selected_row()
        if row is not None and self.crm.writable():
            self.crm.open(RecordForm(self.kind, row.id))

    def action_open(self) -> None:
        """Enter on a row: edit it, or show it to a read-only user (lists with a detail
        screen show that instead)."""
        if not self.crm.read_only:
            self.action_edit()
            return
        row = self.selected_row()
        if row is not None and self.kind in VIEWABLE:
            self.crm.open(RecordView(self.kind, row.id))
        elif row is not None:
            self.crm.writable()  # says why it cannot be opened

    def action_history(self) -> None:
        """Show the audit history of the record under the cursor."""
        row = self.selected_row()
        if row is not None:
            self.crm.open(AuditTrail(
                self.row_title(row), ((str(self.entity.model.__tablename__), int(row.id)),)))

    def action_search(self) -> None:
        self.query_one(FilterBar).focus_text()

    def action_back(self) -> None:
        if self.focused is not self.query_one(PagedTable):
            self.query_one(PagedTable).focus()
        else:
            self.crm.action_go("dashboard")

    def action_sort(self) -> None:
        sortable = [c.key for c in self.columns if c.sortable]
        self.order_by = sortable[(sortable.index(self.order_by) + 1) % len(sortable)]
        self.reload()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_toggle_archived(self) -> None:
        self.filters = replace(self.filters, include_archived=not self.filters.include_archived)
        self.reload()

    def action_archive(self) -> None:
        row = self.selected_row()
        if row is None or not self.crm.writable():
            return
        restoring = bool(getattr(row, "archived", False))
        question = self.t("confirm_restore" if restoring else "confirm_archive",
                          title=self.row_title(row))
        model, ctx, record_id = self.entity.model, self.crm.ctx, int(row.id)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if restoring:
                self.write(self.t("restored_done"),
                           lambda s: services.restore(s, ctx, model, record_id).id)
            else:
                self.write(self.t("archived_done"),
                           lambda s: services.archive(s, ctx, model, record_id).id)

        self.app.push_screen(ConfirmDialog(question, self.t("yes"), self.t("no")), answered)

    def on_write_done(self, message: WriteDone) -> None:
        self.notify(message.notice)
        self.reload()

    def on_write_failed(self, message: WriteFailed) -> None:
        self.notify(message.message, severity="error")
