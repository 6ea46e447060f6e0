"""One chart per computed KPI: cumulative value by quarter against the straight line to target.

Drawn with reportlab.graphics shapes on two scales: the cumulative value and the line to
target on the left axis, the records counted in each quarter as bars on the right axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color

from crm.calendar import FiscalPeriod, era_year
from crm.kpi.engine import KpiDefinition, SeriesPoint
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


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum at or above `value` and a tick step giving 4–5 ticks."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1 and value >= 1:
        step = 1.0
    return step * math.ceil(value / step - 1e-9), step


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

    def x_of(d: date) -> float:
        for i, q in enumerate(quarters):
            if q.start <= d <= q.end:
                share = ((d - q.start).days + 1) / ((q.end - q.start).days + 1)
                return LEFT + (i + share) * slot
        return LEFT if d < quarters[0].start else LEFT + plot_w

    shown = [p for p in series if p.period.end <= period.end and p.cumulative is not None]
    top_value = max([kpi.target, kpi.baseline, *(p.cumulative or 0 for p in shown)])
    y_max, y_step = nice_ceiling(top_value * 1.05)
    # Bars use at most about half the height, so they do not hide the lines.
    c_max, c_step = nice_ceiling(max([2 * p.count for p in shown] + [4]))

    def y_of(value: float) -> float:
        return BOTTOM + plot_h * value / y_max

    def yc_of(count: float) -> float:
        return BOTTOM + plot_h * count / c_max

    title = kpi.name(lang)
    drawing.add(String(LEFT - 22, height - 11, title, fontName=FONT_NAME, fontSize=8,
                       fillColor=INK))
    for i, q in enumerate(quarters):
        if period.start <= q.start and q.end <= period.end:
            drawing.add(_box(LEFT + i * slot, BOTTOM, slot, plot_h, PERIOD_FILL))
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_of(tick)
        drawing.add(Line(LEFT, y, LEFT + plot_w, y, strokeColor=RULE, strokeWidth=0.25))
        drawing.add(String(LEFT - 3, y - 2, _tick(tick), fontName=FONT_NAME, fontSize=5.5,
                           fillColor=MUTED, textAnchor="end"))
        tick += y_step
    tick = 0.0
    while tick <= c_max + 1e-9:
        drawing.add(String(LEFT + plot_w + 3, yc_of(tick) - 2, _tick(tick), fontName=FONT_NAME,
                           fontSize=5.5, fillColor=MUTED, textAnchor="start"))
        tick += c_step
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
                               fontSize=5.5, fillColor=MUTED, textAnchor="middle"))
    drawing.add(Line(x_of(kpi.baseline_as_of), y_of(kpi.baseline), x_of(kpi.target_by),
                     y_of(kpi.target), strokeColor=TARGET_LINE, strokeWidth=0.8,
                     strokeDashArray=[3, 2]))
    points = [x_of(kpi.baseline_as_of), y_of(kpi.baseline)]
    for p in shown:
        points += [x_of(p.period.end), y_of(p.cumulative or 0)]
    drawing.add(PolyLine(points, strokeColor=ACCENT, strokeWidth=1.3))
    _legend(drawing, lang)
    return drawing


_LEGEND = {
    "ja": ("累計", "目標への直線", "四半期の件数（右軸）"),
    "en": ("Cumulative", "Line to target", "Count per quarter (right axis)"),
}


def _legend(drawing: Drawing, lang: str) -> None:
    cumulative, line, bars = _LEGEND[lang]
    y = 6.0
    x = LEFT
    drawing.add(Line(x, y + 2, x + 10, y + 2, strokeColor=ACCENT, strokeWidth=1.3))
    drawing.add(String(x + 12, y, cumulative, fontName=FONT_NAME, fontSize=5.5, fillColor=INK))
    x += 50
    drawing.add(Line(x, y + 2, x + 10, y + 2, strokeColor=TARGET_LINE, strokeWidth=0.8,
                     strokeDashArray=[3, 2]))
    drawing.add(String(x + 12, y, line, fontName=FONT_NAME, fontSize=5.5, fillColor=INK))
    x += 62
    drawing.add(_box(x, y, 8, 5, BAR_FILL))
    drawing.add(String(x + 11, y, bars, fontName=FONT_NAME, fontSize=5.5, fillColor=INK))
