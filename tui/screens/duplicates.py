"""Likely duplicate organizations (名寄せ): merge a pair, or undo the last merge."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crm.records.dedup import (
    DuplicatePair,
    OrganizationRef,
    find_duplicates,
    merge_organizations,
    unmerge_organizations,
)
from tui.kit.table_screen import TableScreen
from tui.messages import Loaded, WriteDone, WriteFailed
from tui.widgets.dialogs import ConfirmDialog


class DuplicatesScreen(TableScreen):
    """Likely duplicate pairs, highest score first; the older of a pair is kept unless swapped."""

    class PairsLoaded(Loaded[Sequence[DuplicatePair]]):
        """The likely duplicate pairs found."""

    BINDINGS = [
        Binding("m", "merge", "merge"),
        Binding("w", "swap", "swap_kept"),
        Binding("z", "undo", "undo_merge"),
        Binding("f5", "refresh", "refresh"),
        Binding("escape", "back", "back"),
    ]
    table_id = "pairs"
    table_columns = (("score", "score", 6), ("keep", "keep", 30),
                     ("duplicate", "duplicate", 30), ("reason", "reason", 30))

    def __init__(self) -> None:
        super().__init__()
        self.pairs: dict[str, DuplicatePair] = {}
        self.swapped: set[str] = set()
        #: The merge this screen made last, (merge id, kept name, merged name), for `z`.
        self.last_merge: tuple[int, str, str] | None = None
        self._merging: tuple[str, str] | None = None

    def heading(self) -> ComposeResult:
        yield self.section_title(self.t("duplicates_title"))

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Look for likely duplicates again."""
        self.read(find_duplicates, self.PairsLoaded)

    def on_duplicates_screen_pairs_loaded(self, message: DuplicatesScreen.PairsLoaded) -> None:
        self.pairs = {f"{p.first.id}-{p.second.id}": p for p in message.data}
        self.swapped &= set(self.pairs)
        table = self.table
        table.clear()
        with self.app.batch_update():
            for key, pair in self.pairs.items():
                keep, duplicate = self._sides(key)
                table.add_row(Text(f"{pair.score:.2f}", justify="right"), keep.name,
                              duplicate.name, pair.reason_text(self.crm.lang), key=key)
        self.show_status(self.t("pairs_count", count=len(self.pairs)) if self.pairs
                         else self.t("no_duplicates"))

    def _sides(self, key: str) -> tuple[OrganizationRef, OrganizationRef]:
        pair = self.pairs[key]
        return (pair.second, pair.first) if key in self.swapped else (pair.first, pair.second)

    def _selected(self) -> str | None:
        table = self.table
        if not table.row_count:
            self.notify(self.t("no_selection"), severity="warning")
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_swap(self) -> None:
        """Keep the other organization of the selected pair."""
        key = self._selected()
        if key is None:
            return
        self.swapped ^= {key}
        keep, duplicate = self._sides(key)
        table = self.table
        table.update_cell(key, "keep", keep.name)
        table.update_cell(key, "duplicate", duplicate.name)

    def action_merge(self) -> None:
        """Merge the selected pair, once confirmed: the duplicate's records move, it is archived."""
        if not self.crm.writable():
            return
        key = self._selected()
        if key is None:
            return
        keep, duplicate = self._sides(key)
        ctx = self.crm.ctx

        def answered(yes: bool | None) -> None:
            if yes:
                self._merging = (keep.name, duplicate.name)
                self.write(self.t("merged_done"), lambda s: merge_organizations(
                    s, ctx, keep_id=keep.id, duplicate_id=duplicate.id).id)

        question = self.t("confirm_merge", keep=keep.name, duplicate=duplicate.name)
        self.app.push_screen(ConfirmDialog(question, self.t("yes"), self.t("no")), answered)

    def action_undo(self) -> None:
        """Undo the last merge made here, once confirmed."""
        if self.last_merge is None:
            self.notify(self.t("nothing_to_undo"), severity="warning")
            return
        if not self.crm.writable():
            return
        merge_id, keep, duplicate = self.last_merge
        ctx = self.crm.ctx

        def answered(yes: bool | None) -> None:
            if yes:
                self._merging = None
                self.write(self.t("unmerged_done"),
                           lambda s: unmerge_organizations(s, ctx, merge_id).id)

        question = self.t("confirm_unmerge", keep=keep, duplicate=duplicate)
        self.app.push_screen(ConfirmDialog(question, self.t("yes"), self.t("no")), answered)

    def on_write_done(self, message: WriteDone) -> None:
        self.notify(message.notice)
        # A merge leaves something to undo; an undo leaves nothing.
        if self._merging is not None and message.record_id is not None:
            self.last_merge = (message.record_id, *self._merging)
        else:
            self.last_merge = None
        self.action_refresh()

    def on_write_failed(self, message: WriteFailed) -> None:
        self.notify(message.message, severity="error")
