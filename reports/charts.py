"""One chart per KPI: its value by quarter against the line to its target.

Drawn with reportlab.graphics shapes. A computed KPI on two scales sharing their gridlines:
the cumulative value and the line to target on the left axis, the records counted in each
quarter as bars on the right axis (whole-number ticks). A measured KPI: its latest
measurement (an annual KPI: the year-to-date sum) at each quarter end, on one axis.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from crm.calendar import FiscalPeriod, era_year, fiscal_year_range
from crm.kpi.engine import KpiDefinition, SeriesPoint, expected_value
from crm.kpi.rules import COMPUTED_RULES
from reports.glyphs import draw_runs
from reports.styles import (
    ACCENT,
    BAR_FILL,
    FONT_NAME,
    INK,
    MUTED,
    PERIOD_FILL,
    RULE,
    TARGET_LINE,
)

LEFT, RIGHT, BOTTOM, TOP = 30.0, 24.0, 30.0, 20.0
#: Tick, axis and legend labels (points): small, but legible on paper.
LABEL_SIZE = 7.0


def nice_ceiling(value: float, *, integer: bool = False) -> tuple[float, float]:
    """An axis maximum at or above `value` and a tick step giving 4–5 ticks; with `integer`
    the step is a whole number from 1, 2, 5 × 10ⁿ (no 2.5 for counts)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    if step < 1 and (value >= 1 or integer):
        step = 1.0
    return step * math.ceil(value / step - 1e-9), step


def count_step(needed: float, intervals: int) -> int:
    """The smallest whole step from 1, 2, 5 × 10ⁿ whose `intervals` reach `needed`: the right
    axis then has its ticks on the left axis's gridlines."""
    step = 1
    while step * intervals < needed:
        step = next(s for s in _whole_steps() if s > step)
    return step


def _whole_steps() -> list[int]:
    return [m * 10 ** n for n in range(10) for m in (1, 2, 5)]


def _year_label(fiscal_year: int, lang: str) -> str:
    if lang == "en":
        return f"FY{fiscal_year % 100:02d}"
    if fiscal_year == 2019:
        return "R1"
    era, year = era_year(date(fiscal_year, 4, 1))
    return f"{era.letter}{year}"


def _box(x: float, y: float, width: float, height: float, fill: Color) -> Rect:
    """A rectangle filled with `fill`, without an outline."""
    box = Rect(x, y, width, height)
    box.fillColor = fill
    box.strokeColor = None
    return box


def _tick(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def kpi_chart(
    kpi: KpiDefinition,
    series: Sequence[SeriesPoint],
    period: FiscalPeriod,
    lang: str,
    *,
    width: float,
    height: float,
) -> Drawing:
    """The chart for `kpi` over `series` (one point per quarter of the chart's span).

    Cumulative values are drawn up to the report period's end only; the line to target runs
    from (baseline date, baseline) to (target date, target).
    """
    quarters = [p.period for p in series]
    drawing = Drawing(width, height, initialFontName=FONT_NAME, initialFontSize=8)
    plot_w, plot_h = width - LEFT - RIGHT, height - BOTTOM - TOP
    slot = plot_w / len(quarters)

    # Each quarter's first and last day, once: x_of is asked for every point, and looking
    # each quarter's range up again made a chart over decades quadratic (80 years: 1.9
    # million range computations).
    starts = [q.start for q in quarters]
    ends = [q.end for q in quarters]

    def x_of(d: date) -> float:
        i = bisect_right(starts, d) - 1
        if i < 0:
            return LEFT
        if d > ends[i]:
            return LEFT + plot_w
        share = ((d - starts[i]).days + 1) / ((ends[i] - starts[i]).days + 1)
        return LEFT + (i + share) * slot

    shown = [p for p in series if p.period.end <= period.end and p.cumulative is not None]
    measured = kpi.rule not in COMPUTED_RULES
    whole = kpi.unit != "%" and all(float(v).is_integer() for v in
                                    [kpi.target, kpi.baseline, *(p.cumulative or 0 for p in shown)])
    top_value = max([kpi.target, kpi.baseline, *(p.cumulative or 0 for p in shown)])
    y_max, y_step = nice_ceiling(top_value * 1.05, integer=whole)
    intervals = round(y_max / y_step)
    # Bars use at most about half the height, so they do not hide the lines; their axis has a
    # tick on every gridline of the left axis.
    c_step = count_step(max([2 * p.count for p in shown] + [2]), intervals)
    c_max = c_step * intervals

    def y_of(value: float) -> float:
        return BOTTOM + plot_h * value / y_max

    def yc_of(count: float) -> float:
        return BOTTOM + plot_h * count / c_max

    title = kpi.name(lang)
    draw_runs(lambda font, x, piece: drawing.add(String(x, height - 11, piece, fontName=font,
                                                         fontSize=8, fillColor=INK)),
              LEFT - 22, title, 8)
    for i, q in enumerate(quarters):
        if period.start <= q.start and q.end <= period.end:
            drawing.add(_box(LEFT + i * slot, BOTTOM, slot, plot_h, PERIOD_FILL))
    for n in range(intervals + 1):
        y = BOTTOM + plot_h * n / intervals
        drawing.add(Line(LEFT, y, LEFT + plot_w, y, strokeColor=RULE, strokeWidth=0.25))
        drawing.add(String(LEFT - 3, y - 2.5, _tick(n * y_step), fontName=FONT_NAME,
                           fontSize=LABEL_SIZE, fillColor=MUTED, textAnchor="end"))
        if not measured:
            drawing.add(String(LEFT + plot_w + 3, y - 2.5, f"{n * c_step:,d}",
                               fontName=FONT_NAME, fontSize=LABEL_SIZE, fillColor=MUTED,
                               textAnchor="start"))
    for i, p in enumerate(series):
        if p.period.end <= period.end and p.count:
            drawing.add(_box(LEFT + i * slot + slot * 0.2, BOTTOM, slot * 0.6,
                             yc_of(p.count) - BOTTOM, BAR_FILL))
    drawing.add(Line(LEFT, BOTTOM, LEFT + plot_w, BOTTOM, strokeColor=INK, strokeWidth=0.5))
    drawing.add(Line(LEFT, BOTTOM, LEFT, BOTTOM + plot_h, strokeColor=INK, strokeWidth=0.5))
    for i, q in enumerate(quarters):
        if q.quarter == 1 or i == 0:
            drawing.add(Line(LEFT + i * slot, BOTTOM, LEFT + i * slot, BOTTOM - 3,
                             strokeColor=INK, strokeWidth=0.4))
            span = sum(1 for r in quarters[i:] if r.fiscal_year == q.fiscal_year)
            drawing.add(String(LEFT + (i + span / 2) * slot, BOTTOM - 10,
                               _year_label(q.fiscal_year, lang), fontName=FONT_NAME,
                               fontSize=LABEL_SIZE, fillColor=MUTED, textAnchor="middle"))
    drawing.add(PolyLine(_target_points(kpi, quarters, period.end, x_of, y_of),
                         strokeColor=TARGET_LINE, strokeWidth=0.8, strokeDashArray=[3, 2]))
    points = [] if kpi.rule == "annual" else [x_of(kpi.baseline_as_of), y_of(kpi.baseline)]
    for p in shown:
        points += [x_of(p.period.end), y_of(p.cumulative or 0)]
    if points:
        drawing.add(PolyLine(points, strokeColor=ACCENT, strokeWidth=1.3))
    _legend(drawing, lang, kpi.rule)
    return drawing


def _target_points(kpi: KpiDefinition, quarters: Sequence[FiscalPeriod], as_of: date,
                   x_of: Callable[[date], float], y_of: Callable[[float], float]) -> list[float]:
    """The line to the target: straight from the baseline (through interim targets) for
    cumulative and level KPIs; for an annual KPI from 0 each April to the year's target."""
    if kpi.rule != "annual":
        knots = kpi.knots(as_of)
        return [c for day, value in knots for c in (x_of(day), y_of(value))]
    points: list[float] = []
    for q in quarters:
        if q.quarter in (1, None) or not points:
            start = fiscal_year_range(q.fiscal_year)[0]
            points += [x_of(max(start, quarters[0].start)), y_of(
                expected_value(kpi, max(start, quarters[0].start)))]
        points += [x_of(q.end), y_of(expected_value(kpi, q.end))]
    return points


_LEGEND = {
    "ja": ("累計", "測定値", "年度累計", "目標への線", "四半期の件数（右軸）"),
    "en": ("Cumulative", "Measured", "Year to date", "Line to target",
           "Count per quarter (right axis)"),
}


def _legend(drawing: Drawing, lang: str, rule: str) -> None:
    cumulative, level, annual, line, bars = _LEGEND[lang]
    value = cumulative if rule in COMPUTED_RULES else annual if rule == "annual" else level
    y = 6.0
    x = LEFT - 22
    drawing.add(Line(x, y + 2.5, x + 10, y + 2.5, strokeColor=ACCENT, strokeWidth=1.3))
    drawing.add(String(x + 12, y, value, fontName=FONT_NAME, fontSize=LABEL_SIZE, fillColor=INK))
    x += 20 + stringWidth(value, FONT_NAME, LABEL_SIZE)
    drawing.add(Line(x, y + 2.5, x + 10, y + 2.5, strokeColor=TARGET_LINE, strokeWidth=0.8,
                     strokeDashArray=[3, 2]))
    drawing.add(String(x + 12, y, line, fontName=FONT_NAME, fontSize=LABEL_SIZE, fillColor=INK))
    if rule in COMPUTED_RULES:
        x += 20 + stringWidth(line, FONT_NAME, LABEL_SIZE)
        drawing.add(_box(x, y, 8, 5, BAR_FILL))
        drawing.add(String(x + 11, y, bars, fontName=FONT_NAME, fontSize=LABEL_SIZE,
                           fillColor=INK))
