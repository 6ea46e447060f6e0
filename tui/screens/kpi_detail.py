"""One KPI for the dashboard's period (Enter on a dashboard row): its definition and rule in
plain words, its figures, the records that counted and those that did not (with why), and
the period's comments (要因分析・課題・今後の方向性), edited here."""

from __future__ import annotations

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static, TextArea

from crm.calendar import FiscalPeriod
from crm.formatting import format_day, format_number, format_rate
from crm.kpi import comments
from crm.kpi.drill_down import KpiDrillDown, drill_down, evidence_page
from crm.kpi.engine import EvidenceRow, KpiFigure
from crm.kpi.not_counted import NotCounted, not_counted
from crm.vocabulary import KPI_STATUS_LABELS
from tui.kit.navigation import RecordView, ViewableKind
from tui.kit.screen import CRMScreen
from tui.messages import Loaded, WriteDone, WriteFailed
from tui.strings import unit_label
from tui.widgets.plain import PlainTable
from tui.widgets.title_bar import TitleBar

#: The record view's kind for each evidence record type.
VIEW_KINDS: dict[str, ViewableKind] = {
    "meeting": "meeting", "agreement": "agreement", "outreach_event": "event"}


class KpiDetailScreen(CRMScreen):
    """A KPI of a plan for a fiscal period, with its evidence and its comment editor."""

    class DrillDownLoaded(Loaded[KpiDrillDown]):
        """The KPI, its figures, comments and first pages of records."""

    class EvidenceLoaded(Loaded[list[EvidenceRow]]):
        """A further page of evidence records."""

    class NotCountedLoaded(Loaded[list[NotCounted]]):
        """A further page of records that did not count."""

    BINDINGS = [
        Binding("ctrl+s", "save", "save"),
        Binding("m", "more", "more_rows"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self, plan: str, code: str, period: FiscalPeriod,
                 figure: KpiFigure | None = None) -> None:
        super().__init__()
        self.plan, self.code, self.period = plan, code, period
        #: The dashboard's figure for the period (saves the engine a second run), if given.
        self.figure = figure
        self.data: KpiDrillDown | None = None
        self.evidence: list[EvidenceRow] = []
        self.skipped: list[NotCounted] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="kpi-detail"):
            yield Static(self.t("loading"), id="kpi-title", markup=False)
            yield Static("", id="kpi-definition", markup=False)
            yield Static("", id="kpi-figures", markup=False)
            yield Label("", id="evidence-title", markup=False)
            yield PlainTable(id="evidence", cursor_type="row", zebra_stripes=True)
            yield Label("", id="not-counted-title", markup=False)
            yield PlainTable(id="not-counted", cursor_type="row", zebra_stripes=True)
            yield Label(self.t("kpi_comments", period=self.period.label(self.crm.lang)),
                        markup=False, classes="kpi-comment-label")
            for field in comments.FIELDS:
                yield Label(comments.field_label(field, self.crm.lang), markup=False)
                yield TextArea(id=f"comment-{field}", read_only=self.crm.read_only,
                               classes="kpi-comment")
        yield Footer()

    def on_mount(self) -> None:
        for table_id in ("evidence", "not-counted"):
            table = self.query_one(f"#{table_id}", DataTable)
            columns = ["date", "record_type", "title", "organizations"]
            if table_id == "not-counted":
                columns.append("why_not_counted")
            for key in columns:
                table.add_column(self.t(key), key=key)
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the KPI and its records again."""
        plan, code, period, figure = self.plan, self.code, self.period, self.figure
        self.read(lambda session: drill_down(session, plan, code, period, figure),
                  self.DrillDownLoaded)

    def on_kpi_detail_screen_drill_down_loaded(self, message: KpiDetailScreen.DrillDownLoaded
                                               ) -> None:
        data = self.data = message.data
        lang, kpi, figure = self.crm.lang, message.data.figure.kpi, message.data.figure
        unit = unit_label(kpi.unit, lang)
        plan_name = data.plan_name[0] if lang == "ja" else data.plan_name[1]
        self.query_one("#kpi-title", Static).update(
            f"{kpi.policy_ref} {kpi.name(lang)} ({kpi.code})  {self.period.label(lang)}")
        self.query_one("#kpi-definition", Static).update(
            f"{self.t('plan')}: {kpi.plan_code} {plan_name}\n"
            f"{self.t('rule')}: {data.rule_text(lang)}")
        target, target_by = kpi.target_at(figure.as_of)
        original = ("" if (target, target_by) == (kpi.target, kpi.target_by) else
                    f"  ({self.t('original_target')}: {format_number(kpi.target)}{unit}"
                    f" {format_day(kpi.target_by, lang)})")
        ja, en = KPI_STATUS_LABELS[figure.status]
        lines = [
            f"{self.t('value')}: {format_number(figure.value)}{unit}   "
            f"{self.t('period_count')}: {format_number(figure.period_count)}"
            + (f"   {self.t('measured_on')}: {format_day(figure.measured_on, lang)}"
               if figure.measured_on else ""),
            # A line of its own: beside the value it wrapped mid-way at 80 columns.
            *([f"{self.t('source')}: {figure.measurement_source}"]
              if figure.measurement_source else []),
            f"{self.t('baseline')}: {format_number(kpi.baseline)}{unit}"
            f" ({format_day(kpi.baseline_as_of, lang)})   {self.t('target')}:"
            f" {format_number(target)}{unit} {format_day(target_by, lang)}{original}",
            f"{self.t('achievement_rate')}: {format_rate(figure.achievement_rate)}   "
            f"{self.t('progress_rate')}: {format_rate(figure.progress_rate)}   "
            f"{self.t('grade')}: {figure.grade or '—'}   "
            f"{self.t('status')}: {ja if lang == 'ja' else en}",
        ]
        self.query_one("#kpi-figures", Static).update("\n".join(lines))
        self.evidence, self.skipped = [], []
        for table_id in ("evidence", "not-counted"):
            self.query_one(f"#{table_id}", DataTable).clear()
        self._add_evidence(data.evidence)
        self._add_not_counted(data.not_counted)
        for field in comments.FIELDS:
            self.query_one(f"#comment-{field}", TextArea).text = data.comments[field] or ""
        self.query_one("#evidence", DataTable).focus()

    def _record_type(self, record_type: str) -> str:
        return self.t(record_type)

    def _add_evidence(self, rows: list[EvidenceRow]) -> None:
        table = self.query_one("#evidence", DataTable)
        for row in rows:
            table.add_row(format_day(row.counted_on, self.crm.lang),
                          self._record_type(row.record_type), row.title, row.organizations,
                          key=f"{len(self.evidence)}")
            self.evidence.append(row)
        total = self.data.evidence_total if self.data else 0
        self.query_one("#evidence-title", Label).update(
            self.t("evidence_rows", shown=len(self.evidence), total=total))

    def _add_not_counted(self, rows: list[NotCounted]) -> None:
        table = self.query_one("#not-counted", DataTable)
        for row in rows:
            table.add_row(format_day(row.counted_on, self.crm.lang),
                          self._record_type(row.record_type), row.title,
                          row.organization or "", row.reason_text(self.crm.lang),
                          key=f"{len(self.skipped)}")
            self.skipped.append(row)
        total = self.data.not_counted_total if self.data else 0
        self.query_one("#not-counted-title", Label).update(
            self.t("not_counted_rows", shown=len(self.skipped), total=total))

    def action_more(self) -> None:
        """The next page of the list with the focus (evidence, or records not counted)."""
        data = self.data
        if data is None:
            return
        figure, period = data.figure, data.period
        if self.focused is self.query_one("#not-counted", DataTable):
            offset = len(self.skipped)
            if offset < data.not_counted_total:
                self.read(lambda session: not_counted(session, figure.kpi, period,
                                                      offset=offset), self.NotCountedLoaded)
        else:
            offset = len(self.evidence)
            if offset < data.evidence_total:
                self.read(lambda session: evidence_page(session, figure, period, offset),
                          self.EvidenceLoaded)

    def on_kpi_detail_screen_evidence_loaded(self, message: KpiDetailScreen.EvidenceLoaded
                                             ) -> None:
        self._add_evidence(message.data)

    def on_kpi_detail_screen_not_counted_loaded(
            self, message: KpiDetailScreen.NotCountedLoaded) -> None:
        self._add_not_counted(message.data)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a record opens it in the read-only record view."""
        index = int(str(event.row_key.value))
        rows = self.evidence if event.data_table.id == "evidence" else self.skipped
        record = rows[index]
        self.crm.open(RecordView(VIEW_KINDS[record.record_type], record.record_id))

    def action_save(self) -> None:
        """Save the three comments for the period (empty clears one)."""
        if self.data is None:
            return
        texts = {field: self.query_one(f"#comment-{field}", TextArea).text
                 for field in comments.FIELDS}
        kpi, period = self.data.figure.kpi, self.period

        def change(session: Session) -> None:
            target = comments.commented_kpi(session, kpi.code, kpi.plan_code)
            for field, value in texts.items():
                comments.set_comment(session, self.crm.ctx, kpi=target, period=period,
                                     field=field, text=value)

        self.write(self.t("comments_saved", period=period.label(self.crm.lang)), change)

    def on_write_done(self, message: WriteDone) -> None:
        self.notify(message.notice)

    def on_write_failed(self, message: WriteFailed) -> None:
        self.notify(message.message, severity="error")
        if message.field in comments.FIELDS:
            self.query_one(f"#comment-{message.field}", TextArea).focus()

    def action_back(self) -> None:
        self.dismiss(None)
