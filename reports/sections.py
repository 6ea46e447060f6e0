"""The sections of the KPI report, each a function from the report's content to flowables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from crm.calendar import FiscalPeriod, format_wareki
from crm.context import JAPAN
from crm.formatting import UNKNOWN, format_day, format_number
from crm.i18n import label
from crm.kpi.engine import KpiFigure
from crm.reporting.content import ReportContent
from crm.reporting.data import AgreementLine
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS
from reports.charts import kpi_chart
from reports.commentary import commentary, restated_comments
from reports.glyphs import markup, needs_fallback
from reports.labels import t
from reports.lines import PADDING, Column, LineList, Pager, fit
from reports.styles import (
    BASE_TABLE,
    CHUNK_ROWS,
    FONT_NAME,
    FRAME_WIDTH,
    GROUP_FILL,
    INK,
    RESTATED,
    STYLES,
    TABLE_FONT_SIZE,
)
from reports.summary import summary, yearly


@dataclass(frozen=True)
class ReportOptions:
    """How a report is printed: language, generation time, issuing office, approval block
    and its roles (None: the language's default roles), and whether names of people show."""

    lang: str
    generated_at: datetime
    office: str
    approval_block: bool
    approvers: tuple[str, ...] | None = None
    personal: bool = True


def report_title(period: FiscalPeriod, lang: str) -> str:
    """The report's title, e.g. '令和4年度 第3四半期 連携・周知活動 KPI 報告'."""
    return t("title", lang, period=period.label(lang))


# --- small helpers --------------------------------------------------------------------------


def _p(text: str, style: str = "cell") -> Paragraph:
    """A paragraph of plain (escaped) text."""
    return Paragraph(markup(text), STYLES[style])


def _plain(text: str) -> Paragraph | str:
    """A one-line cell as plain text, or a paragraph where a fallback-font run needs one."""
    return Paragraph(markup(text), STYLES["small"]) if needs_fallback(text) else text


def _day(d: date | None, lang: str) -> str:
    return format_day(d, lang)


def _term(start: date | None, end: date | None, lang: str) -> str:
    if start is None and end is None:
        return UNKNOWN
    return f"{_day(start, lang)} – {_day(end, lang)}"


#: Lists longer than this get one-line cells (cut with …): wrapped cells lay out ~3x slower.
WRAP_LIMIT = 500


def _cell(text: str, width: float, wrap: bool) -> Paragraph | str:
    """A wrapping paragraph, or one line of plain text cut to `width` points."""
    return _p(text) if wrap else _plain(fit(text, width, TABLE_FONT_SIZE))


def _table(
    header: Sequence[str],
    rows: Sequence[list[Any]],
    widths_mm: Sequence[float],
    style: Sequence[tuple[Any, ...]] = BASE_TABLE,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    table = Table([list(header), *rows], colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(TableStyle([*style, *extra]))
    return table


def _list_section(
    heading: str,
    header: Sequence[str],
    rows: Sequence[list[Any]],
    widths_mm: Sequence[float],
    lang: str,
    extra: Sequence[tuple[Any, ...]] = (),
    heading_style: str = "h2",
) -> list[Flowable]:
    """A heading with its row count, then the rows as tables of at most CHUNK_ROWS each."""
    title = f"{heading}（{len(rows)}）" if lang == "ja" else f"{heading} ({len(rows)})"
    flowables: list[Flowable] = [CondPageBreak(30 * mm), _p(title, heading_style)]
    if not rows:
        return [*flowables, _p(t("none", lang), "body")]
    for start in range(0, len(rows), CHUNK_ROWS):
        flowables.append(_table(header, rows[start:start + CHUNK_ROWS], widths_mm, extra=extra))
    return flowables


# --- cover ----------------------------------------------------------------------------------


def approval_block(lang: str, approvers: Sequence[str] | None = None) -> Table:
    """決裁欄: a box for the seal of each role (default 課長, 係長, 担当)."""
    roles = list(approvers) if approvers else t("approval_roles", lang).split("|")
    table = Table(
        [[t("approval", lang), *map(_plain, roles)], ["", *([""] * len(roles))]],
        colWidths=[(10 if lang == "ja" else 16) * mm] + [19 * mm] * len(roles),
        rowHeights=[5.5 * mm, 19 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.6, INK),
        ("SPAN", (0, 0), (0, 1)),
        ("BACKGROUND", (1, 0), (-1, 0), GROUP_FILL),
    ]))
    return table


def _generated_text(moment: datetime, lang: str) -> str:
    local = moment.astimezone(JAPAN)
    iso = local.strftime("%Y-%m-%d %H:%M JST")
    if lang == "ja":
        return f"{format_wareki(local.date())} {local:%H:%M}（{iso}）"
    return iso


def _period_text(period: FiscalPeriod, lang: str) -> str:
    """The period's days: 和暦 with ISO dates in Japanese, Western dates only in English."""
    western = f"{period.start.isoformat()} – {period.end.isoformat()}"
    if lang != "ja":
        return western
    return f"{format_wareki(period.start)} 〜 {format_wareki(period.end)}（{western}）"


def cover(content: ReportContent, options: ReportOptions) -> list[Flowable]:
    """Title, period, issuing office, generation time, data fingerprint, approval block."""
    lang = options.lang
    flowables: list[Flowable] = []
    if options.approval_block:
        flowables.append(approval_block(lang, options.approvers))
    flowables += [
        Spacer(1, 30 * mm if options.approval_block else 55 * mm),
        _p(report_title(content.period, lang), "title"),
        _p(" / ".join(ja if lang == "ja" else en for ja, en in content.plan_names)
           or t("policy", lang), "subtitle"),
        Spacer(1, 12 * mm),
    ]
    rows = [
        (t("period", lang), _p(
            f"{content.period.label(lang)}　{_period_text(content.period, lang)}",
            "cover_value")),
        (t("issuer", lang), _p(options.office, "cover_value")),
        (t("generated", lang), _p(_generated_text(options.generated_at, lang), "cover_value")),
        (t("fingerprint", lang), [_p(content.fingerprint, "fingerprint"),
                                  _p(t("fingerprint_note", lang), "note")]),
        (t("audit_head", lang), [
            _p(f"#{content.audit_head.id or 0} {content.audit_head.hash}", "fingerprint"),
            _p(t("audit_head_note", lang), "note"),
        ]),
    ]
    table = Table([[_p(k, "cover_key"), v] for k, v in rows],
                  colWidths=[38 * mm, FRAME_WIDTH - 38 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GROUP_FILL),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    flowables.append(table)
    if not options.personal:
        flowables += [Spacer(1, 6 * mm), _p(t("no_personal_notice", lang), "body")]
    changed = content.restated_figures
    if changed:
        flowables += [Spacer(1, 8 * mm), _p(t("restated_notice", lang, n=changed), "h2")]
    flowables.append(PageBreak())
    return flowables


# --- KPI summary ----------------------------------------------------------------------------


# --- restatements ---------------------------------------------------------------------------


def restatement_section(content: ReportContent, lang: str) -> list[Flowable]:
    """Published vs current figures of issued reports, with the evidence that changed."""
    if not content.restatements:
        return []
    flowables: list[Flowable] = [_p(t("restatements", lang), "h1")]
    for r in content.restatements:
        issued_at = _generated_text(r.issued_at, lang)
        intro = "restatement_intro" if r.issued_by else "restatement_intro_unnamed"
        flowables.append(_p(t(intro, lang, id=r.issued_id, period=r.period.label(lang),
                              issued_at=issued_at, issued_by=r.issued_by), "body"))
        rows = []
        for change in r.changes:
            name = change.name_ja if lang == "ja" else change.name_en
            for field in ("value", "period_count"):
                if change.published[field] != change.now[field]:
                    rows.append([_p(f"{name}（{change.code}）"), label(
                        "value_at_end" if field == "value" else "period_count", lang),
                        format_number(change.published[field]), format_number(change.now[field])])
        if rows:
            flowables.append(_table(
                [t("col_kpi", lang), t("col_figure", lang), t("col_published", lang),
                 t("col_now", lang)],
                rows, (96, 30, 26, 26),
                extra=[("ALIGN", (2, 1), (3, -1), "RIGHT"),
                       ("BACKGROUND", (0, 1), (-1, -1), RESTATED)],
            ))
        flowables += restated_comments(r, lang)
        records = [
            [t(rec.change, lang), c.code, _day(date.fromisoformat(rec.counted_on), lang),
             label(rec.record_type, lang),
             str(rec.record_id), _p(rec.title)]
            for c in r.changes for rec in c.records
        ]
        flowables += _list_section(
            t("restated_records", lang),
            [t("col_change", lang), label("code", lang), label("date", lang),
             label("record_type", lang), label("record_id", lang), label("title", lang)],
            records, (14, 36, 20, 26, 12, 70), lang, extra=[("ALIGN", (4, 1), (4, -1), "RIGHT")],
        )
    return flowables


# --- charts ---------------------------------------------------------------------------------


def charts(content: ReportContent, lang: str) -> list[Flowable]:
    """One chart per KPI (a milestone's date is in the summary instead), two to a row."""
    width = FRAME_WIDTH / 2 - 2 * mm
    drawings = [
        kpi_chart(f.kpi, content.series[f.kpi.key], content.period, lang, width=width,
                  height=62 * mm)
        for f in content.figures
        if f.kpi.key in content.series and f.kpi.rule != "milestone"
    ]
    rows = [drawings[i:i + 2] + [""] * (2 - len(drawings[i:i + 2]))
            for i in range(0, len(drawings), 2)]
    flowables: list[Flowable] = [PageBreak(), _p(t("charts", lang), "h1"),
                                 _p(t("charts_note", lang), "note")]
    if rows:
        table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 4)]))
        flowables.append(table)
    return flowables


# --- activities -----------------------------------------------------------------------------

_MONTH_FIELDS = ("meetings", "agreements", "in_city", "out_of_city", "lectures")


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


def _month(month: date, lang: str) -> str:
    """'2022年10月' or 'Oct 2022' (never the locale's month names)."""
    if lang == "ja":
        return f"{month.year}年{month.month}月"
    return f"{_MONTH_NAMES[month.month - 1]} {month.year}"


def _counts_section(heading: str, header: Sequence[str], rows: Sequence[list[Any]],
                    widths_mm: Sequence[float], note: str) -> list[Flowable]:
    """A heading, a table of counts (numbers right-aligned, the last row a total), a note."""
    table = _table(header, rows, widths_mm, extra=[
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("BACKGROUND", (0, -1), (-1, -1), GROUP_FILL),
    ])
    return [CondPageBreak(40 * mm), _p(heading, "h2"), table, Spacer(1, 1 * mm),
            _p(note, "note")]


def activities(content: ReportContent, lang: str) -> list[Flowable]:
    """The period's activity counted by month and by organization kind, the organizations
    met for the first time, agreements concluded, started or ended, and open follow-ups."""
    d = content.period.end
    flowables: list[Flowable] = [PageBreak(), _p(t("activities", lang), "h1")]
    months = [[_month(m.month, lang), *(format_number(getattr(m, f)) for f in _MONTH_FIELDS)]
              for m in content.months]
    months.append([t("total", lang), *(
        format_number(sum(getattr(m, f) for m in content.months)) for f in _MONTH_FIELDS)])
    flowables += _counts_section(
        t("activity_by_month", lang),
        [t("col_month", lang), *(t(f"col_{f}", lang) for f in _MONTH_FIELDS)],
        months, (38, 28, 28, 28, 28, 28), t("activity_by_month_note", lang),
    )
    kinds = [[ORGANIZATION_KINDS.label(k.kind, lang), format_number(k.meetings),
              format_number(k.organizations)] for k in content.by_kind]
    kinds.append([t("total_meetings", lang),
                  format_number(sum(m.meetings for m in content.months)), ""])
    flowables += _counts_section(
        t("activity_by_kind", lang),
        [t("col_org_kind", lang), t("col_meetings", lang), t("col_organizations_met", lang)],
        kinds, (70, 54, 54), t("activity_by_kind_note", lang),
    )
    wrap = len(content.first_organizations) <= WRAP_LIMIT
    flowables += _list_section(
        t("first_organizations", lang),
        [label("date", lang), t("col_organization", lang), t("col_org_kind", lang),
         t("col_first_meeting", lang)],
        [[_day(c.first_on, lang), _cell(c.name, 100 * mm - 6, wrap),
          ORGANIZATION_KINDS.label(c.kind, lang), str(c.meeting_id)]
         for c in content.first_organizations],
        (22, 100, 32, 24), lang, extra=[("ALIGN", (3, 1), (3, -1), "RIGHT")],
    )
    flowables += _list_section(
        t("agreements_changed", lang), *_agreement_table(content.agreements_changed, lang), lang,
        extra=[("ALIGN", (0, 1), (0, -1), "RIGHT")],
    )
    follow_rows = []
    for m in content.follow_ups:
        due = _day(m.follow_up_on, lang)
        if m.follow_up_on is not None and m.follow_up_on < d:
            due += f"\n{t('overdue', lang)}"
        follow_rows.append([due, _day(m.held_on, lang), _p(m.organizations),
                            _p(m.next_action or m.title)])
    flowables += _list_section(
        t("follow_ups", lang),
        [t("col_due", lang), t("col_meeting_date", lang), label("organizations", lang),
         t("col_next_action", lang)],
        follow_rows, (20, 20, 58, 80), lang,
    )
    return flowables


def _agreement_table(
    agreements: Sequence[AgreementLine], lang: str
) -> tuple[list[str], list[list[Any]], tuple[float, ...]]:
    header = [label("record_id", lang), label("title", lang), t("col_partners", lang),
              t("col_status", lang), t("col_concluded", lang), t("col_term", lang)]
    rows: list[list[Any]] = [
        [str(a.id), _p(a.title), _p(a.partners), AGREEMENT_STATUSES.label(a.status, lang),
         _day(a.concluded_on, lang), _term(a.starts_on, a.ends_on, lang)]
        for a in agreements
    ]
    return header, rows, (10, 52, 50, 16, 18, 32)


def register(content: ReportContent, lang: str) -> list[Flowable]:
    """Every data-linkage agreement in force at the period's end."""
    return _list_section(
        t("register", lang), *_agreement_table(content.register, lang), lang,
        extra=[("ALIGN", (0, 1), (0, -1), "RIGHT")], heading_style="h1",
    )


# --- appendix and detail lists ------------------------------------------------------------

#: Evidence records per line of the appendix, and each record's columns (mm): number, date,
#: record type, id, ● (in the period), title.
_PER_LINE = 2
_EVIDENCE_MM = (9.0, 15.0, 13.0, 11.0, 4.0)


def _evidence_columns() -> tuple[Column, ...]:
    share = FRAME_WIDTH / _PER_LINE
    title = share - sum(_EVIDENCE_MM) * mm
    one = (Column(_EVIDENCE_MM[0] * mm, "right"), Column(_EVIDENCE_MM[1] * mm),
           Column(_EVIDENCE_MM[2] * mm), Column(_EVIDENCE_MM[3] * mm, "right"),
           Column(_EVIDENCE_MM[4] * mm, "center"), Column(title))
    return one * _PER_LINE


def _by_line(cells: Iterable[list[str]], width: int) -> Iterator[list[str]]:
    """Records' cells `_PER_LINE` to a line (the last line padded with empty cells)."""
    line: list[str] = []
    for record in cells:
        line += record
        if len(line) == width:
            yield line
            line = []
    if line:
        yield line + [""] * (width - len(line))


def _evidence_list(content: ReportContent, figure: KpiFigure, lang: str) -> LineList:
    rows = content.evidence[figure.kpi.key]
    start = content.period.start
    in_period = sum(1 for r in rows if r.counted_on >= start)
    columns = _evidence_columns()
    title_width = columns[5].width - 2 * PADDING
    cells = (
        [str(n), _day(r.counted_on, lang), label(r.record_type, lang), str(r.record_id),
         "●" if r.counted_on >= start else "", fit(r.title, title_width)]
        for n, r in enumerate(rows, start=1)
    )
    header = [t("col_no", lang), label("date", lang), label("record_type", lang),
              label("record_id", lang), "●", label("title", lang)]
    return LineList(
        caption=t("appendix_kpi", lang, name=figure.kpi.name(lang), code=figure.code,
                  baseline=format_number(figure.kpi.baseline), count=format_number(len(rows)),
                  value=format_number(figure.value), in_period=format_number(in_period)),
        columns=columns, header=tuple(header * _PER_LINE),
        rows=_by_line(cells, len(columns)), continued=t("continued", lang),
        empty=t("none", lang),
    )


def appendix(content: ReportContent, lang: str) -> Iterator[Flowable]:
    """Every evidence record behind each computed KPI's value, with its id and date, several
    to a line; each KPI's caption opens every page its records continue on."""
    pager = Pager()
    yield from pager.start(t("appendix", lang), t("appendix_intro", lang))
    for figure in content.figures:
        if figure.kpi.key in content.evidence:
            yield from pager.lay_out(_evidence_list(content, figure, lang))


def _fitted(columns: Sequence[Column], cells: Sequence[str]) -> list[str]:
    return [fit(cell, column.width - 2 * PADDING) for column, cell in zip(columns, cells,
                                                                         strict=True)]


def _columns(widths_mm: Sequence[float], right: Sequence[int] = ()) -> tuple[Column, ...]:
    return tuple(Column(w * mm, "right" if n in right else "left")
                 for n, w in enumerate(widths_mm))


def detail(content: ReportContent, lang: str) -> Iterator[Flowable]:
    """With `--detail`: every meeting and every outreach event or lecture of the period, one
    to a line."""
    if content.detail is None:
        return
    lists = content.detail
    pager = Pager()
    yield from pager.start(t("detail", lang), t("detail_intro", lang))
    personal = content.personal
    meetings = _columns((18, 55, 70, 35) if personal else (18, 65, 95))
    staff = (t("col_staff", lang),) if personal else ()
    yield from pager.lay_out(LineList(
        caption=t("meetings", lang), columns=meetings,
        header=(label("date", lang), label("organizations", lang), t("col_topic", lang),
                *staff),
        rows=(_fitted(meetings, [_day(m.held_on, lang), m.organizations, m.title,
                                 *([m.staff] if personal else [])])
              for page in lists.meetings() for m in page),
        continued=t("continued", lang), empty=t("none", lang),
    ))
    events = _columns((18, 24, 70, 50, 16), right=(4,))
    yield from pager.lay_out(LineList(
        caption=t("events", lang), columns=events,
        header=(label("date", lang), t("col_kind", lang), t("col_topic", lang),
                t("col_venue", lang), t("col_attendees", lang)),
        rows=(_fitted(events, [_day(e.held_on, lang), EVENT_KINDS.label(e.kind, lang), e.title,
                               " / ".join(v for v in (e.venue, e.municipality) if v),
                               format_number(e.attendees)])
              for page in lists.events() for e in page),
        continued=t("continued", lang), empty=t("none", lang),
    ))


def story(content: ReportContent, options: ReportOptions) -> Iterator[Flowable]:
    """The whole report in order, made as it is laid out."""
    lang = options.lang
    yield from cover(content, options)
    yield from summary(content, lang)
    yield from commentary(content, lang)
    yield from restatement_section(content, lang)
    yield from yearly(content, lang)
    yield from charts(content, lang)
    yield from activities(content, lang)
    yield from register(content, lang)
    yield from appendix(content, lang)
    yield from detail(content, lang)
