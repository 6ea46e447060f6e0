"""The KPI summary (進捗管理シート): one row per KPI with unit, baseline, target, change in the
period, period-end value, the same period a year earlier, rates, grade and status; a grade
count line; the notes that say how each figure is computed. Then the 年度別実績 page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from crm.calendar import fiscal_year_name_ja, fiscal_year_range
from crm.formatting import UNKNOWN, format_day, format_number, format_rate
from crm.i18n import label
from crm.kpi.engine import KpiDefinition, KpiFigure
from crm.reporting.content import ReportContent
from crm.reporting.yearly import YearEnd
from crm.vocabulary import KPI_STATUS_LABELS
from reports.glyphs import markup
from reports.labels import TEXT, t
from reports.styles import BASE_TABLE, GROUP_FILL, STATUS_FILL, STYLES

#: Column widths (mm) of the summary table; they add up to the frame's 178 mm.
_WIDTHS = (8, 27, 10, 18, 19, 13, 18, 17, 13, 13, 9, 13)


def _p(text: str, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text), STYLES[style])


def unit_label(unit: str, lang: str) -> str:
    """The KPI's unit in `lang` (units are stored in Japanese); '' for none."""
    if unit in ("", "—"):
        return ""
    key = f"unit {unit}"
    return t(key, lang) if key in TEXT else unit


def _term(term: str | None, lang: str) -> str:
    """A baseline or target label (年間, 累計…) in `lang`."""
    if not term:
        return ""
    key = f"term {term}"
    return t(key, lang) if key in TEXT else term


def _signed(value: float, unit: str) -> str:
    """A change with its sign; percentage points for a KPI measured in %."""
    sign = "+" if value > 0 else "±" if value == 0 else "−"
    text = f"{sign}{format_number(abs(value))}"
    return f"{text} pt" if unit == "%" else text


def status_text(status: str, lang: str) -> str:
    """達成 / 順調 / 遅れ / 未達成 or the English word."""
    ja, en = KPI_STATUS_LABELS[status]
    return ja if lang == "ja" else en


def _milestone(value: float | None, on: date | None, lang: str) -> str:
    """未実施, or 実施 with its date."""
    if value is None:
        return UNKNOWN
    if not value:
        return t("milestone_not_done", lang)
    done = t("milestone_done", lang)
    return f"{done}\n{format_day(on, lang)}" if on is not None else done


def _value_cell(figure: KpiFigure, lang: str) -> Paragraph:
    """The period-end value, with the date it was measured for a measured KPI."""
    k = figure.kpi
    if k.rule == "milestone":
        return _lines(*_milestone(figure.value, figure.measured_on, lang).split("\n"))
    if figure.measured_on is not None:
        source = figure.measurement_source
        return _lines(format_number(figure.value),
                      t("measured_on", lang, day=format_day(figure.measured_on, lang)),
                      t("measurement_source", lang, source=source) if source else "")
    if k.rule == "annual" and figure.value is not None:
        return _lines(format_number(figure.value), t("fiscal_year_to_date", lang))
    return _lines(format_number(figure.value))


def _year_before_cell(figure: KpiFigure, before: KpiFigure | None, lang: str) -> Paragraph:
    """The value a year earlier and the change since (pt for a rate)."""
    if before is None or before.value is None:
        return _lines(UNKNOWN)
    if figure.kpi.rule == "milestone":
        return _lines(_milestone(before.value, before.measured_on, lang).split("\n")[0])
    if figure.value is None:
        return _lines(format_number(before.value))
    return _lines(format_number(before.value),
                  _signed(figure.value - before.value, figure.kpi.unit))


def _period_cell(figure: KpiFigure) -> str:
    """The change in the period: records counted, the year's sum, or a level's change."""
    k = figure.kpi
    if figure.period_count is None:
        return UNKNOWN
    if k.rule == "milestone":
        return UNKNOWN if not figure.period_count else "+1"
    return _signed(figure.period_count, k.unit)


def _lines(*lines: str) -> Paragraph:
    """Right-aligned lines that wrap within the cell."""
    return Paragraph("<br/>".join(markup(line) for line in lines if line), STYLES["number"])


def _target_cell(k: KpiDefinition, target: float, target_by: date, lang: str) -> Paragraph:
    if k.rule == "milestone":
        return _lines(t("milestone_done", lang) if target else t("milestone_not_done", lang),
                      format_day(target_by, lang))
    return _lines(format_number(target), _term(k.target_label, lang), format_day(target_by, lang))


def _baseline_cell(k: KpiDefinition, lang: str) -> Paragraph:
    if k.rule == "milestone":
        return _lines(t("milestone_done", lang) if k.baseline else t("milestone_not_done", lang),
                      format_day(k.baseline_as_of, lang))
    term = _term(k.baseline_label, lang)
    return _lines(format_number(k.baseline), "" if term[:1].isdigit() else term,
                  format_day(k.baseline_as_of, lang))


def summary_row(figure: KpiFigure, before: KpiFigure | None, lang: str) -> list[Any]:
    """One KPI's cells: ref, name and code, unit, baseline, target, change in the period,
    period-end value, a year earlier, rates, grade, status."""
    k = figure.kpi
    name = Paragraph(
        f"{markup(k.name(lang))}<br/><font size=6 color='#5c5c5c'>{markup(k.code)}</font>",
        STYLES["cell"],
    )
    target, target_by = (figure.target, figure.target_by) if figure.target_by else (
        k.target, k.target_by)
    return [
        k.policy_ref, name, _p(unit_label(k.unit, lang), "small"), _baseline_cell(k, lang),
        _target_cell(k, target if target is not None else k.target, target_by, lang),
        _period_cell(figure), _value_cell(figure, lang), _year_before_cell(figure, before, lang),
        format_rate(figure.achievement_rate), format_rate(figure.progress_rate),
        figure.grade or UNKNOWN, _p(status_text(figure.status, lang), "small"),
    ]


def grade_line(figures: Sequence[KpiFigure], lang: str) -> str:
    """'評価: A 7・B 4・C 8・D 0' (every letter of the grading tables, then ungraded)."""
    letters: list[str] = []
    for f in figures:
        table = [letter for letter, _ in f.kpi.grading]
        table.append(chr(ord(table[-1][0]) + 1))
        letters += [letter for letter in table if letter not in letters]
    counts = Counter(f.grade for f in figures)
    sep = "・" if lang == "ja" else " · "
    parts = [f"{letter} {counts.get(letter, 0)}" for letter in letters]
    if counts.get(None):
        parts.append(f"{t('ungraded', lang)} {counts[None]}")
    return t("grade_line", lang, counts=sep.join(parts))


def _notes(figures: Sequence[KpiFigure], lang: str) -> list[str]:
    """The notes that hold for the KPIs shown: one per rule, grading and judgement."""
    rules = {f.kpi.rule for f in figures}
    notes = [t("note_rates", lang)]
    if rules - {"annual", "milestone"}:
        notes.append(t("note_progress", lang))
    if "annual" in rules:
        notes.append(t("note_progress_annual", lang))
    if "milestone" in rules:
        notes.append(t("note_milestone", lang))
    if any(f.kpi.direction == "lower" for f in figures):
        notes.append(t("note_lower", lang))
    gradings = sorted({f.kpi.grading for f in figures})
    for grading in gradings:
        thresholds = ("、" if lang == "ja" else ", ").join(
            t("grade_threshold", lang, grade=g, rate=format_number(v)) for g, v in grading)
        notes.append(t("note_grade", lang, thresholds=thresholds,
                       last=chr(ord(grading[-1][0][0]) + 1)))
    notes += [t("note_status", lang), t("note_year_before", lang), t("note_columns", lang)]
    return notes


def summary(content: ReportContent, lang: str) -> list[Flowable]:
    """All KPIs grouped by 基本方針 with status colours, the grade count and the notes."""
    header = [_p(h, "head") for h in (
        t("col_ref", lang), t("col_kpi", lang), t("col_unit", lang), label("baseline", lang),
        label("target", lang), t("col_period_change", lang), label("value_at_end", lang),
        t("col_year_before", lang), label("achievement_rate", lang),
        label("progress_rate", lang), t("col_grade", lang), label("status", lang))]
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (3, 1), (9, -1), "RIGHT"),
        ("ALIGN", (10, 0), (11, -1), "CENTER"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
    ]
    by_policy = sorted(content.figures, key=lambda f: f.kpi.basic_policy)
    for policy, group in groupby(by_policy, key=lambda f: f.kpi.basic_policy):
        row = len(rows) + 1
        rows.append([t("basic_policy", lang, n=policy)] + [""] * (len(_WIDTHS) - 1))
        extra += [("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), GROUP_FILL),
                  ("ALIGN", (0, row), (-1, row), "LEFT")]
        for figure in group:
            row = len(rows) + 1
            rows.append(summary_row(figure, content.year_before.get(figure.kpi.key), lang))
            extra.append(("BACKGROUND", (11, row), (11, row), STATUS_FILL[figure.status]))
    table = Table([header, *rows], colWidths=[w * mm for w in _WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([*BASE_TABLE, *extra]))
    return [_p(t("summary", lang), "h1"), table, Spacer(1, 2 * mm),
            _p(grade_line(content.figures, lang), "body"), Spacer(1, 1 * mm),
            *(_p(note, "note") for note in _notes(content.figures, lang))]


# --- 年度別実績 ------------------------------------------------------------------------------


def _year_name(year: int, lang: str) -> str:
    return fiscal_year_name_ja(year) if lang == "ja" else f"FY{year}"


def _year_value(k: KpiDefinition, end: YearEnd, running: int, lang: str) -> Paragraph:
    """The value at a year end: — before any value, blank for a year not reached yet; the
    running year's with its date."""
    if end.value is None:
        return _lines("" if end.as_of is None and end.fiscal_year > running else UNKNOWN)
    text = format_number(end.value)
    if k.rule == "milestone":
        text = t("milestone_done", lang) if end.value else t("milestone_not_done", lang)
    if end.as_of is not None and end.as_of != fiscal_year_range(end.fiscal_year)[1]:
        return _lines(text, f"({format_day(end.as_of, lang)})")
    return _lines(text)


def _target_line(k: KpiDefinition, end: YearEnd, lang: str) -> Paragraph:
    """Where the line to the target stands at a year end (a milestone: done by its date)."""
    if k.rule == "milestone":
        due = fiscal_year_range(end.fiscal_year)[1] >= k.target_by
        return _lines(t("milestone_done", lang) if due else "")
    return _lines(format_number(round(end.expected, 1)))


def yearly(content: ReportContent, lang: str) -> list[Flowable]:
    """Each KPI's value at every fiscal year end of its plan, under the line to its target;
    the running year's value is that at the report period's end."""
    flowables: list[Flowable] = [PageBreak(), _p(t("yearly", lang), "h1"),
                                 _p(t("yearly_note", lang), "note"), Spacer(1, 2 * mm)]
    by_plan = groupby(content.figures, key=lambda f: f.kpi.plan_code)
    for _, group in by_plan:
        figures = list(group)
        years = content.years.get(figures[0].kpi.key, ())
        if not years:
            continue
        columns = len(years)
        year_width = min(19.0, (178 - 58) / columns)
        header = [_p(t("col_kpi", lang), "head"), _p(t("col_row", lang), "head"),
                  *(_p(_year_name(y.fiscal_year, lang), "head") for y in years)]
        rows: list[list[Any]] = []
        extra: list[tuple[Any, ...]] = [("ALIGN", (2, 1), (-1, -1), "RIGHT")]
        for figure in figures:
            k, ends = figure.kpi, content.years.get(figure.kpi.key, ())
            first = len(rows) + 1
            values = [_year_value(k, end, content.period.fiscal_year, lang) for end in ends]
            rows.append([Paragraph(f"{markup(k.name(lang))}<br/><font size=6 color='#5c5c5c'>"
                                   f"{markup(k.code)}</font>", STYLES["cell"]),
                         t("row_actual", lang), *values])
            rows.append(["", t("row_target_line", lang),
                         *(_target_line(k, e, lang) for e in ends)])
            extra += [("SPAN", (0, first), (0, first + 1)),
                      ("TEXTCOLOR", (1, first + 1), (-1, first + 1), "#5c5c5c")]
        table = Table([header, *rows], colWidths=[44 * mm, 14 * mm, *([year_width * mm] * columns)],
                      repeatRows=1)
        table.setStyle(TableStyle([*BASE_TABLE, *extra]))
        flowables += [table, Spacer(1, 4 * mm)]
    return flowables

