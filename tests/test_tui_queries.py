"""The paged read queries behind the terminal UI's lists (crm.records.queries)."""

from __future__ import annotations

from datetime import date

import pytest

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.models import Meeting
from crm.records import services
from crm.records.queries import (
    ListFilter,
    agreement_page,
    count_follow_ups,
    count_meetings,
    count_organizations,
    follow_up_page,
    meeting_detail,
    meeting_page,
    organization_history,
    organization_page,
    week_end,
)
from db.session import Database
from tests.tui_factory import Seeded, add_meetings, seed


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


def test_meeting_pages_follow_the_sort_and_offset(database: Database, seeded: Seeded) -> None:
    add_meetings(database, seeded.company, 120)
    with database.reading() as session:
        first = meeting_page(session, filters=ListFilter(), limit=100)
        second = meeting_page(session, filters=ListFilter(), offset=100, limit=100)
        assert len(first) == 100 and len(second) == 23
        assert not {r.id for r in first} & {r.id for r in second}
        days = [r.held_on for r in first + second]
        assert days == sorted(days, reverse=True)
        assert count_meetings(session, filters=ListFilter()) == 123
        with pytest.raises(ValueError, match="cannot sort"):
            meeting_page(session, filters=ListFilter(), order_by="summary; DROP TABLE")


def test_meeting_filters(database: Database, seeded: Seeded) -> None:
    with database.reading() as session:
        def ids(**filters: object) -> set[int]:
            chosen = ListFilter(**filters)  # type: ignore[arg-type]
            return {r.id for r in meeting_page(session, filters=chosen)}

        assert ids(text="スマートシティ") == {seeded.overdue_meeting}
        assert ids(text="100%") == set()
        assert ids(period=FiscalPeriod(2022, 4)) == {
            seeded.overdue_meeting, seeded.due_meeting, seeded.later_meeting}
        assert ids(period=FiscalPeriod(2023)) == set()
        assert ids(staff_id=seeded.staff) == {seeded.overdue_meeting}
        assert ids(organization_id=seeded.npo) == {seeded.due_meeting, seeded.later_meeting}
        row = meeting_page(session, filters=ListFilter(organization_id=seeded.npo,
                                                       text="セミナー"))[0]
        assert row.organizations == "NPO法人かこがわネット、兵庫県立大学"


def test_archived_meetings_only_on_request(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as session:
        services.archive(session, ctx, Meeting, seeded.later_meeting)
    with database.reading() as session:
        assert count_meetings(session, filters=ListFilter()) == 2
        rows = meeting_page(session, filters=ListFilter(include_archived=True))
        assert [r.archived for r in rows if r.id == seeded.later_meeting] == [True]


@pytest.mark.parametrize("typed", ["神戸製鋼", "神戸製鋼（株）", "ｺｳﾍﾞ", "こうべ", "コウベセイコウ"])
def test_organization_search_by_name_normalized_name_and_kana(
    database: Database, seeded: Seeded, typed: str
) -> None:
    with database.reading() as session:
        rows = organization_page(session, filters=ListFilter(text=typed))
        assert [r.id for r in rows] == [seeded.company]


@pytest.mark.parametrize("typed", ["兵庫県立大学", "兵庫県立", "ひょうご", "ﾋｮｳｺﾞ", "山田"])
def test_meeting_and_agreement_search_covers_linked_names_and_kana(
    database: Database, seeded: Seeded, typed: str
) -> None:
    """A partner's (or staff member's) name or kana finds the records linked to it."""
    with database.reading() as session:
        filters = ListFilter(text=typed)
        found = {r.id for r in meeting_page(session, filters=filters)}
        if typed == "山田":
            assert found == {seeded.overdue_meeting}
            return
        assert found == {seeded.overdue_meeting, seeded.later_meeting}
        assert count_meetings(session, filters=filters) == 2
        assert [r.id for r in agreement_page(session, filters=filters)] == [seeded.agreement]


def test_organizations_by_kind_with_meeting_counts(database: Database, seeded: Seeded) -> None:
    with database.reading() as session:
        rows = organization_page(session, filters=ListFilter(kind="university"))
        assert [(r.id, r.meetings, r.last_met_on) for r in rows] == [
            (seeded.university, 2, date(2023, 3, 28))]
        assert count_organizations(session, filters=ListFilter()) == 3


def test_follow_up_scopes(database: Database, ctx: Context, seeded: Seeded) -> None:
    today = ctx.today()
    assert week_end(today) == date(2023, 4, 2)
    with database.reading() as session:
        def scope(name: str) -> list[int]:
            return [r.id for r in follow_up_page(session, filters=ListFilter(scope=name),
                                                 today=today)]

        assert scope("overdue") == [seeded.overdue_meeting]
        assert scope("week") == [seeded.due_meeting]
        assert scope("due") == [seeded.overdue_meeting, seeded.due_meeting]
        assert scope("open") == [seeded.overdue_meeting, seeded.due_meeting,
                                 seeded.later_meeting]
        assert count_follow_ups(session, filters=ListFilter(scope="due"), today=today) == 2


def test_history_is_one_list_newest_first(database: Database, seeded: Seeded) -> None:
    with database.reading() as session:
        history = organization_history(session, organization_id=seeded.university)
    assert [(h.record_type, h.on) for h in history] == [
        ("contact", date(2023, 4, 1)),
        ("agreement", date(2023, 4, 1)),
        ("meeting", date(2023, 3, 28)),
        ("meeting", date(2023, 3, 1)),
    ]


def test_details_for_forms(database: Database, seeded: Seeded) -> None:
    with database.reading() as session:
        detail = meeting_detail(session, seeded.overdue_meeting)
        assert detail is not None
        assert [o.id for o in detail.organizations] == [seeded.university]
        assert detail.staff == ("山田 太郎",)
        agreements = agreement_page(session, filters=ListFilter(kind="negotiating"))
        assert [a.partners for a in agreements] == ["兵庫県立大学"]
