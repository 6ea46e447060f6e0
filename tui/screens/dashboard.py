"""The home screen: every KPI at a glance for a fiscal quarter or year, with its trend.

The first paint shows the title and a "loading" line only; the tabs, the footer with the
keys, the selectors and the table are mounted right after it, then the figures are read.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Select, Static

from crm.calendar import FiscalPeriod, fiscal_year_of
from crm.errors import CRMError
from crm.formatting import format_number
from crm.kpi.engine import ALL_PLANS, KpiFigure, compute_for_periods, select_plans
from crm.kpi.plans import PlanSummary, list_plans
from crm.vocabulary import KPI_STATUS_LABELS
from tui.kit.navigation import KpiDetail, PlanList
from tui.kit.screen import QUIT, CRMScreen, nav_tabs
from tui.messages import Loaded
from tui.strings import text, unit_label
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.footer import PriorityFooter
from tui.widgets.plain import PlainTable, literal
from tui.widgets.title_bar import TitleBar

#: Quarters shown in the trend column.
TREND_QUARTERS = 6
#: Below this width the dashboard drops the policy and in-period columns and narrows the bar.
NARROW = 110
SPARKS = "▁▂▃▄▅▆▇█"
WHOLE_YEAR = "year"
#: The plan selector's values besides the plan codes: the plans in force, or every plan.
IN_FORCE = "in-force"
EVERY_PLAN = "all"


@dataclass(frozen=True)
class Trend:
    """Each KPI's value at the end of the TREND_QUARTERS quarters ending with `period`."""

    period: FiscalPeriod
    quarters: list[FiscalPeriod]
    values: dict[str, list[float | None]]


def trend_quarters(period: FiscalPeriod) -> list[FiscalPeriod]:
    """The TREND_QUARTERS quarters ending with the last quarter of `period`."""
    quarters = [period.quarters()[-1]]
    while len(quarters) < TREND_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    return quarters


def row_keys(figures: Sequence[KpiFigure]) -> list[str]:
    """Each figure's row key: its KPI code, prefixed with its plan where two plans share it."""
    shared = Counter(f.code for f in figures)
    return [f.code if shared[f.code] == 1 else f"{f.kpi.plan_code}/{f.code}" for f in figures]


def dashboard_figures(session: Session, period: FiscalPeriod,
                      plans: Sequence[str] | None = ALL_PLANS) -> tuple[list[KpiFigure], Trend]:
    """The period's figures (of `plans` only, if given) and their trend, keyed by row key,
    from one engine call (one scan of the records)."""
    quarters = trend_quarters(period)
    by_period = compute_for_periods(session, [period, *quarters], plans)
    values: dict[str, list[float | None]] = {k: [] for k in row_keys(by_period[period])}
    for quarter in quarters:
        for key, figure in zip(row_keys(by_period[quarter]), by_period[quarter], strict=True):
            values[key].append(figure.value)
    return by_period[period], Trend(period, quarters, values)


def chosen_figures(session: Session, period: FiscalPeriod,
                   plan: str) -> tuple[list[KpiFigure], Trend]:
    """The dashboard's figures for the plan selector's value (IN_FORCE, EVERY_PLAN or a code)."""
    chosen = select_plans(session, None if plan == IN_FORCE else plan, period.fiscal_year)
    return dashboard_figures(session, period, chosen)


def progress_bar(rate: float | None, cells: int) -> str:
    """A bar of `cells` cells for a percentage (clamped to 0–100), then the percentage."""
    if rate is None:
        return " " * cells + "     —"
    share = max(0.0, min(100.0, rate)) / 100 * cells
    full = int(share)
    half = "▌" if share - full >= 0.5 and full < cells else ""
    bar = ("█" * full + half).ljust(cells, "·")
    return f"{bar} {rate:5.0f}%"


def column_layout(width: int, lang: str) -> list[tuple[str, int]]:
    """The KPI table's columns (label key, width) for a terminal `width` cells wide."""
    # As wide as the longest status word, so 未達成 / "Not achieved" are never cut.
    status = max(cell_len(ja if lang == "ja" else en) for ja, en in KPI_STATUS_LABELS.values())
    if width < NARROW:
        fixed = [("value", 9), ("target", 9), ("achievement_rate", 11), ("status", status),
                 ("trend_col", 6)]
        lead: list[tuple[str, int]] = []
    else:
        fixed = [("value", 10), ("target", 10), ("achievement_rate", 16),
                 ("status", status), ("trend_col", 6), ("in_period", 8)]
        lead = [("policy", 5)]
    # No header is cut ("Polic", "In perio" were): a column is at least as wide as its label.
    lead, fixed = ([(key, max(w, cell_len(text(key, lang)))) for key, w in columns]
                   for columns in (lead, fixed))
    used = sum(w for _, w in lead + fixed) + 2 * (len(lead) + len(fixed) + 1) + 4
    name = max(14, min(44, width - used))
    return [*lead, ("name", name), *fixed]


def sparkline(values: list[float | None]) -> str:
    """One block character per value, scaled from zero (or the lowest value, if below zero)
    to the largest: a count that grows by one reads as a small step, not a jump from empty
    to full as it did scaled between its own smallest and largest."""
    known = [v for v in values if v is not None]
    if not known:
        return "—"
    low, high = min(min(known), 0.0), max(known)
    span = high - low
    if span == 0:
        return "".join(" " if v is None else SPARKS[0] for v in values)
    return "".join(
        " " if v is None else SPARKS[round((v - low) / span * 7)] for v in values
    )


def _in_force(figure: KpiFigure) -> float:
    """The target in force at the figure's date (a revision's, else the original)."""
    return figure.target if figure.target is not None else figure.kpi.target


class DashboardScreen(CRMScreen):
    """All KPIs for the chosen period: value, target, progress, status and trend."""

    class FiguresLoaded(Loaded[tuple[str, tuple[list[KpiFigure], Trend]]]):
        """The plan selector's value, and the period's figures and their trend."""

    class PlansLoaded(Loaded[list[PlanSummary]]):
        """The plans the plan selector offers."""

    class FiguresShown(Message):
        """The dashboard shows its figures and their trend (posted up to the app)."""

    class ReportDone(Loaded[str]):
        """A report was written (and issued, if asked): the notice saying where."""

    class ReportFailed(Loaded[str]):
        """A report could not be built or written: why."""

    # Here rather than in app.tcss, which is read after the first frame (tui.app.STYLESHEET).
    DEFAULT_CSS = """
    #as-of {
        height: auto;
        margin: 0 1 1 1;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("left_square_bracket", "shift_period(-1)", "previous_period", key_display="["),
        Binding("right_square_bracket", "shift_period(1)", "next_period", key_display="]"),
        Binding("f5", "refresh", "refresh"),
        Binding("p", "pdf", "pdf"),
        Binding("i", "issue", "issue_report"),
        Binding("l", "plans", "plans"),
        QUIT,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = FiscalPeriod.of(self.crm.ctx.today())
        self.plan = IN_FORCE
        self.figures: list[KpiFigure] = []
        self.trend: Trend | None = None
        self._layout: list[tuple[str, int]] = []
        #: Set by the app once its first frame is drawn (textual.events.Ready).
        self.painted = asyncio.Event()
        #: True once the selectors and the table are mounted (after the first paint).
        self.built = False

    def compose(self) -> ComposeResult:
        # The first frame: each widget more (the tabs, the footer's keys) costs its styling
        # before anything is shown (docs/performance.md, first paint).
        yield TitleBar()
        # A line of its own: beside the selectors the trend range was cut at 120 columns.
        yield Static(self.t("loading"), id="as-of")

    def _period_bar(self) -> Horizontal:
        newest = fiscal_year_of(self.crm.ctx.today())
        return Horizontal(
            Static(self.t("period"), classes="bar-label"),
            Select(
                [(FiscalPeriod(fy).label(self.crm.lang), fy)
                 for fy in range(newest, newest - 10, -1)],
                value=self.period.fiscal_year, allow_blank=False, id="year", compact=True,
            ),
            Select(
                [(self.t("whole_year"), WHOLE_YEAR)]
                + [(FiscalPeriod(2020, q).label(self.crm.lang).split()[-1], str(q))
                   for q in (1, 2, 3, 4)],
                value=str(self.period.quarter), allow_blank=False, id="quarter", compact=True,
            ),
            Static(self.t("plan"), classes="bar-label"),
            # The plans themselves are read once the bar is mounted.
            Select(self._plan_options([]), value=IN_FORCE, allow_blank=False, id="plan",
                   compact=True),
            ProgressBar(total=None, show_eta=False, id="pdf-progress"),
            id="period-bar",
        )

    def _plan_options(self, plans: list[PlanSummary]) -> list[tuple[str | Content, str]]:
        named: list[tuple[str | Content, str]] = [
            (literal(f"{p.code} {p.name_ja if self.crm.lang == 'ja' else p.name_en}"), p.code)
            for p in plans]
        return [(self.t("plans_in_force"), IN_FORCE), *named, (self.t("every_plan"), EVERY_PLAN)]

    def on_mount(self) -> None:
        # A worker, so that whoever waits for the app to settle waits for the body too.
        self.run_worker(self._build(), group="build")

    async def _build(self) -> None:
        """After the first paint: mount the tabs, the selectors, the table and the footer,
        then read the plans and the figures."""
        await self.painted.wait()
        await self.mount(*nav_tabs(self, "dashboard"), self._period_bar(), before="#as-of")
        table = PlainTable(id="kpis", cursor_type="row", zebra_stripes=True)
        await self.mount(table, PriorityFooter(), after="#as-of")
        self.built = True
        table.focus()
        self.on_resize()
        self.read(list_plans, self.PlansLoaded)
        self.action_refresh()

    def on_dashboard_screen_plans_loaded(self, message: DashboardScreen.PlansLoaded) -> None:
        select = self.query_one("#plan", Select)
        chosen = select.value
        with self.prevent(Select.Changed):
            select.set_options(self._plan_options(message.data))
            if chosen in {IN_FORCE, EVERY_PLAN, *(p.code for p in message.data)}:
                select.value = chosen

    def on_resize(self) -> None:
        layout = column_layout(self.size.width, self.crm.lang)
        if not self.built or layout == self._layout:
            return
        self._layout = layout
        table = self.query_one("#kpis", DataTable)
        table.clear(columns=True)
        for key, width in layout:
            table.add_column(self.t(key), width=width, key=key)
        self._show()

    def on_screen_resume(self) -> None:
        # After the paint: the engine's worker would otherwise hold the interpreter while
        # the screen is drawn. The first time, _build reads the figures.
        self.call_after_refresh(self.action_refresh)

    def action_refresh(self) -> None:
        """Read the figures for the chosen period again; their trend follows once shown."""
        if not self.built:
            return
        period, plan = self.period, self.plan
        self.query_one("#as-of", Static).update(self.t("loading"))
        self.read(lambda session: (plan, chosen_figures(session, period, plan)),
                  self.FiguresLoaded)

    def action_shift_period(self, step: int) -> None:
        """Move to the previous or next quarter (or year)."""
        if not self.built:
            return
        period = self.period.next() if step > 0 else self.period.previous()
        self._set_period(period)

    def _set_period(self, period: FiscalPeriod) -> None:
        self.period = period
        with self.prevent(Select.Changed):
            self.query_one("#year", Select).value = period.fiscal_year
            self.query_one("#quarter", Select).value = (
                str(period.quarter) if period.quarter else WHOLE_YEAR)
        self.action_refresh()

    def on_select_changed(self, event: Select.Changed) -> None:
        plan = self.query_one("#plan", Select).value
        if isinstance(plan, str) and plan != self.plan:
            self.plan = plan
            self.action_refresh()
            return
        year = self.query_one("#year", Select).value
        quarter = self.query_one("#quarter", Select).value
        if isinstance(year, int):
            q = None if quarter == WHOLE_YEAR else int(str(quarter))
            if FiscalPeriod(year, q) != self.period:
                self.period = FiscalPeriod(year, q)
                self.action_refresh()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a KPI opens it for the period shown."""
        if event.cursor_row < len(self.figures):
            figure = self.figures[event.cursor_row]
            self.crm.open(KpiDetail(figure.kpi.plan_code, figure.code, self.period, figure))

    def action_plans(self) -> None:
        """Show the plans and their KPIs, starting with the plan chosen here (if one is)."""
        self.crm.open(PlanList(None if self.plan in (IN_FORCE, EVERY_PLAN) else self.plan))

    def action_pdf(self) -> None:
        """Build the KPI report of the chosen period as a PDF, in a worker."""
        if not self.built:
            return
        self.query_one("#pdf-progress").display = True
        self._build_pdf(self.period, issue=False)

    def action_issue(self) -> None:
        """Build and issue the chosen period's report (as `crm report --issue`), once confirmed."""
        if not self.built or not self.crm.writable():
            return
        period = self.period

        def answered(yes: bool | None) -> None:
            if yes and self.crm.writable():
                self.query_one("#pdf-progress").display = True
                self._build_pdf(period, issue=True)

        question = self.t("confirm_issue", period=period.label(self.crm.lang))
        self.app.push_screen(ConfirmDialog(question, self.t("yes"), self.t("no")), answered)

    @work(thread=True, group="pdf", exclusive=True)
    def _build_pdf(self, period: FiscalPeriod, *, issue: bool) -> None:
        # Imported here: ReportLab is loaded only when a report is wanted.
        from reports.publish import publish_report

        app = self.crm
        try:
            published = publish_report(app.database, app.ctx, period=period, lang=app.lang,
                                       directory=app.report_dir, issue=issue)
        except (CRMError, OSError) as exc:
            self.post_message(self.ReportFailed(str(exc)))
        else:
            path = published.path
            notice = (self.t("issued_done", id=published.issued_id, path=path)
                      if published.issued_id is not None else self.t("pdf_written", path=path))
            self.post_message(self.ReportDone(notice))

    def on_dashboard_screen_report_done(self, message: DashboardScreen.ReportDone) -> None:
        self.query_one("#pdf-progress").display = False
        self.notify(message.data)

    def on_dashboard_screen_report_failed(self, message: DashboardScreen.ReportFailed) -> None:
        self.query_one("#pdf-progress").display = False
        self.notify(message.data, severity="error")

    def on_dashboard_screen_figures_loaded(self, message: DashboardScreen.FiguresLoaded) -> None:
        plan, (figures, trend) = message.data
        if trend.period == self.period and plan == self.plan:
            self.figures, self.trend = figures, trend
            self._show_period()
            self._show()
            self.post_message(self.FiguresShown())

    def _status_text(self, figure: KpiFigure) -> Text:
        theme = self.app.current_theme
        colour = {"achieved": theme.success, "on_track": theme.primary,
                  "behind": theme.error}.get(figure.status)
        return Text(figure.status_label(self.crm.lang), style=f"bold {colour}" if colour else "")

    def _show_period(self) -> None:
        period, lang = self.period, self.crm.lang
        quarters = trend_quarters(period)
        self.query_one("#as-of", Static).update(
            f"{period.label(lang)}  {period.start.isoformat()} – {period.end.isoformat()}"
            f"   {self.t('trend')}: {quarters[0].label_en()}–{quarters[-1].label_en()}"
            + (f"   {self.t('no_plan_in_force')}" if not self.figures else "")
        )

    def _show(self) -> None:
        lang = self.crm.lang
        trend = self.trend.values if self.trend and self.trend.period == self.period else {}
        table = self.query_one("#kpis", DataTable)
        row = table.cursor_row
        table.clear()
        keys = [key for key, _ in self._layout]
        cells = (self._layout[keys.index("achievement_rate")][1] if self._layout else 16) - 7
        with self.app.batch_update():
            for key, figure in zip(row_keys(self.figures), self.figures, strict=True):
                kpi = figure.kpi
                unit = unit_label(kpi.unit, lang)
                values = {
                    "policy": kpi.policy_ref,
                    "name": kpi.name(lang),
                    "value": Text(format_number(figure.value) + (
                        unit if figure.value is not None else ""), justify="right"),
                    "target": Text(f"{format_number(_in_force(figure))}{unit}",
                                   justify="right"),
                    "achievement_rate": progress_bar(figure.achievement_rate, cells),
                    "status": self._status_text(figure),
                    "trend_col": sparkline(trend.get(key, [])),
                    "in_period": Text(format_number(figure.period_count), justify="right"),
                }
                table.add_row(*(values[k] for k in keys), key=key)
        table.move_cursor(row=row)

