"""The report's activities summarised (issue 13 item 8), the compact evidence appendix and the
`--detail` lists, read back from the PDF; the line layout's pagination (reports/lines.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from reportlab.platypus import PageBreak

from crm.context import Context
from crm.records import services
from crm.vocabulary import ORGANIZATION_KINDS
from db.session import Database
from reports.labels import t
from reports.lines import Column, LineList, PageBlock, Pager
from tests.test_report import build, filled, page_texts

__all__ = ["filled"]  # the fixture, shared with test_report


def _section(text: str, heading: str, following: str) -> list[str]:
    """The lines of `text` from `heading` to `following`, blank-free."""
    start = text.index(heading)
    return [line.strip() for line in text[start:text.index(following, start)].splitlines()
            if line.strip()]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_activities_are_counted_by_month_and_by_organization_kind(
    filled: Database, lang: str
) -> None:
    text = "\n".join(page_texts(build(filled, lang=lang).pdf))
    months = _section(text, t("activity_by_month", lang), t("activity_by_month_note", lang)[:20])
    # month, meetings, agreements concluded, events in / out of the city, lectures
    october, november, december = (["2022年10月", "2022年11月", "2022年12月"] if lang == "ja"
                                   else ["Oct 2022", "Nov 2022", "Dec 2022"])
    assert months[-24:] == [
        october, "1", "0", "1", "0", "0",
        november, "1", "1", "0", "0", "1",
        december, "0", "0", "0", "1", "1",
        t("total", lang), "2", "1", "1", "1", "2",
    ]
    kinds = _section(text, t("activity_by_kind", lang), t("activity_by_kind_note", lang)[:20])
    company = ORGANIZATION_KINDS.label("company", lang)
    # both meetings had companies: 前田電気 at both, ハリマ and 髙﨑 at one each
    assert kinds[-5:] == [company, "2", "3", t("total_meetings", lang), "2"]


def test_organizations_met_for_the_first_time_are_of_every_kind(
    filled: Database, ctx: Context
) -> None:
    with filled.writing() as session:
        city = services.create_organization(session, ctx, name="播磨町", kind="municipality").id
        services.log_meeting(session, ctx, held_on=date(2022, 12, 5), title="広域連携",
                             organization_ids=[city])
    text = "\n".join(page_texts(build(filled).pdf))
    first = _section(text, t("first_organizations", "ja"), t("agreements_changed", "ja"))
    assert first[0].endswith("（3）")
    assert "播磨町" in first and "市町村" in first[first.index("播磨町"):]
    assert "前田電気㈱" not in first  # met first in May 2022, before the quarter


def test_the_record_lists_print_only_with_detail(filled: Database) -> None:
    summary = "\n".join(page_texts(build(filled).pdf))
    detailed = "\n".join(page_texts(build(filled, detail=True).pdf))
    assert t("detail", "ja") not in summary and "1,204" not in summary
    lists = detailed[detailed.index(t("detail", "ja")):]
    assert "意見交換 harima" in lists and "山本 健一" in lists  # a meeting and its staff
    assert "1,204" in lists and "周知 3" in lists  # an event and its attendees
    assert "周知 0" not in lists  # held in 2019, outside the quarter


def test_a_long_appendix_repeats_its_caption_on_every_page(
    filled: Database, ctx: Context
) -> None:
    with filled.writing() as session:
        for n in range(420):
            services.log_event(session, ctx, held_on=date(2022, 10, 1) + timedelta(days=n % 90),
                               kind="in_city", title=f"追加の周知 {n}", attendees=10)
    text = page_texts(build(filled).pdf)
    name = "市内イベント等における周知広報回数"
    pages = [page for page in text if name in page and "追加の周知" in page]
    assert len(pages) >= 3
    assert all(page.count(name) == 1 for page in pages)
    assert all(t("continued", "ja") in page for page in pages[1:])
    listed = [int(n) for page in pages for n in re.findall(r"追加の周知 (\d+)", page)]
    assert sorted(listed) == list(range(420))
    lines = [line for page in pages for line in page.splitlines() if "追加の周知" in line]
    assert len(lines) <= 420 / 2 + 1  # two records to a line


def _blocks(rows: int, room: float | None = None) -> list[list[PageBlock]]:
    """The blocks of a list of `rows` rows, page by page."""
    pager = Pager()
    if room is not None:
        pager.room = room
    items = LineList(caption="KPI", columns=(Column(100.0),), header=("h",),
                     rows=([str(n)] for n in range(rows)), continued=" (cont.)", empty="none")
    pages: list[list[PageBlock]] = [[]]
    for flowable in pager.lay_out(items):
        if isinstance(flowable, PageBreak):
            pages.append([])
        else:
            assert isinstance(flowable, PageBlock)
            pages[-1].append(flowable)
    return [page for page in pages if page]


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 70, 71, 72, 73, 74, 140, 141, 142, 143, 500])
@pytest.mark.parametrize("room", [None, 40.0, 300.0])
def test_pages_never_hold_a_row_alone_or_without_its_caption(rows: int,
                                                             room: float | None) -> None:
    pages = _blocks(rows, room)
    printed = [row[0] for page in pages for block in page for row in block.rows]
    assert printed == [str(n) for n in range(rows)]
    for number, page in enumerate(pages):
        (block,) = page
        assert block.caption == (["KPI (cont.)"] if number and rows else ["KPI"])
        assert len(block.rows) >= min(2, rows)
        assert block.header == ("h",) or (rows == 0 and block.note == ["none"])
