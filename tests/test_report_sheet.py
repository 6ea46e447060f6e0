"""The report's summary as a progress sheet, read back from the PDF: grades and their count,
the same period a year earlier, the 年度別実績 page, milestone and measurement labels, the
formula notes; and the charts' axes."""

from __future__ import annotations

from datetime import date

import pytest
from reportlab.graphics.shapes import String

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi.engine import compute_for_period
from db.session import Database
from reports.charts import count_step, kpi_chart, nice_ceiling
from tests.test_report import _squash, build, fill, page_texts

Q3 = FiscalPeriod(2022, 3)


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """The test database with test_report's office history."""
    return fill(database, ctx)


def _summary(database: Database, lang: str, period: FiscalPeriod = Q3) -> str:
    pages = page_texts(build(database, period=period, lang=lang).pdf)
    text = "".join(pages[1:4])
    return _squash(text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_grade_column_and_the_grade_count(filled: Database, lang: str) -> None:
    with filled.reading() as session:
        figures = compute_for_period(session, FiscalPeriod(2022, 3))
    counts = {letter: sum(1 for f in figures if f.grade == letter) for letter in "ABCD"}
    assert sum(counts.values()) == 19 - sum(1 for f in figures if f.grade is None)
    sep = "・" if lang == "ja" else "·"
    line = sep.join(f"{letter}{counts[letter]}" for letter in "ABCD")
    text = _summary(filled, lang)
    assert ("評価:" if lang == "ja" else "Grades:") + line in text
    # open_data_files: 2,150 of 2,000 → 107.5 %, grade A, achieved.
    assert ("107.5%111.1%A達成" if lang == "ja" else "107.5%111.1%AAchieved") in text


def test_after_the_target_date_the_status_is_the_judgement(filled: Database) -> None:
    text = _summary(filled, "ja", FiscalPeriod(2022))
    # FY2022 ends on the ict-policy-2018 target date: nothing of that plan reads 遅れ.
    row = text[text.index("open_data_catalog_access"):text.index("internal_data_sharing")]
    assert "8.6%8.6%D未達成" in row and "遅れ" not in row


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_year_earlier_value_and_change(filled: Database, lang: str) -> None:
    text = _summary(filled, lang)
    # app_awareness_rate: 22.5 % measured 2022-09-30, baseline 15.5 a year earlier: +7 pt.
    row = text[text.index("app_awareness_rate"):]
    measured = "R4.9.30測定" if lang == "ja" else "measured2022-09-30"
    assert f"22.5{measured}15.5+7pt" in row
    assert ("前年同期" if lang == "ja" else "Ayearearlier") in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_milestone_reads_done_with_its_date(filled: Database, lang: str) -> None:
    text = _summary(filled, lang)
    row = text[text.index("data_disclosure_review"):text.index("open_data_files")]
    if lang == "ja":
        assert "未実施H30.12.31実施R5.3.31" in row and "実施R4.11.1未実施" in row
    else:
        assert "Notdone2018-12-31Done2023-03-31" in row and "Done2022-11-01Notdone" in row
    assert "→" not in row


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_notes_write_out_every_rule(filled: Database, lang: str) -> None:
    text = _summary(filled, lang)
    if lang == "ja":
        assert ("進捗率（年間KPI）=年度の合計÷(年間目標値×年度初めから期末までの日数"
                "÷年度の日数)") in text
        assert "進捗率（累計・水準のKPI）=(期末値−基準値)÷(目標値−基準値)" in text
        assert "期末累計" not in text and "A=100%以上、B=80%以上、C=50%以上" in text
        assert "単位" in text and "年間" in text and "累計" in text
    else:
        assert "Progress(annualKPIs)=thisfiscalyear'ssum÷(annualtarget×days" in text
        assert "cumulative" in text and "annual" in text and "Unit" in text


def test_annual_progress_note_matches_the_printed_figure(filled: Database) -> None:
    with filled.reading() as session:
        figure = next(f for f in compute_for_period(session, FiscalPeriod(2022, 3))
                      if f.code == "open_data_catalog_access")
    start, end = date(2022, 4, 1), date(2022, 12, 31)
    days = (end - start).days + 1
    assert figure.value is not None and figure.progress_rate is not None
    by_note = figure.value / (figure.kpi.target * days / 365) * 100
    assert round(by_note, 1) == round(figure.progress_rate, 1)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_yearly_page_shows_every_year_end_with_the_target_line(filled: Database,
                                                             lang: str) -> None:
    pages = page_texts(build(filled, lang=lang).pdf)
    title = "KPIの年度別実績" if lang == "ja" else "KPIresultsbyfiscalyear"
    page = next(_squash(p) for p in pages if title in _squash(p))
    years = ["平成30年度", "令和元年度", "令和2年度", "令和3年度", "令和4年度"] if lang == "ja" \
        else ["FY2018", "FY2019", "FY2020", "FY2021", "FY2022"]
    assert "".join(years) in page
    # open_data_files: measured 1,900 in FY2022 Q1, 2,150 at 2022-12-31 (running year);
    # before that the baseline 645; the line to 2,000 reaches it at the end of FY2022.
    row = page[page.index("open_data_files"):]
    actual, line = ("実績", "目標線") if lang == "ja" else ("Actual", "Targetline")
    running = "(R4.12.31)" if lang == "ja" else "(2022-12-31)"
    assert row.startswith(f"open_data_files{actual}645645645645{'2,150'}{running}{line}")


def test_count_axes_have_whole_ticks_on_shared_gridlines() -> None:
    assert nice_ceiling(10, integer=True) == (10, 5)
    assert nice_ceiling(9, integer=True)[1] != 2.5
    assert all(float(nice_ceiling(v, integer=True)[1]).is_integer() for v in range(1, 500))
    for needed in range(1, 300):
        for intervals in range(2, 7):
            step = count_step(needed, intervals)
            assert step * intervals >= needed
            assert str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}


def test_chart_labels_are_legible_and_counts_whole(filled: Database) -> None:
    result = build(filled)
    content = result.content
    for figure in content.figures:
        if figure.code not in content.series or figure.kpi.rule == "milestone":
            continue
        drawing = kpi_chart(figure.kpi, content.series[figure.code], content.period, "ja",
                            width=250, height=175)
        labels = [s for s in drawing.getContents() if isinstance(s, String)]
        assert min(s.fontSize for s in labels) >= 7
        right = [s.text for s in labels if s.textAnchor == "start" and s.text[:1].isdigit()]
        assert all("." not in text for text in right), (figure.code, right)
