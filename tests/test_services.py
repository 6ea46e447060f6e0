"""The service API's rules, and the database's own integrity rules behind them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from crm.context import Context
from crm.errors import DataError
from crm.models import Agreement, Meeting, MeetingOrganization, Organization
from crm.records import services as s
from db.session import Database


def test_organization_names_match_after_normalization(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        s.create_organization(session, ctx, name="株式会社 播磨データ", kind="民間企業",
                              kana="ハリマデータ")
    for variant in ("(株)播磨データ", "㈱播磨データ", "（株）播磨データ", "株式会社　播磨データ"):
        with pytest.raises(DataError, match="already has this name") as caught:
            with database.writing() as session:
                s.create_organization(session, ctx, name=variant, kind="company")
        assert caught.value.field == "name"
    with database.reading() as session:
        found = s.find_organization(session, "㈱播磨データ")
        assert found is not None and found.name == "株式会社 播磨データ"
        assert found.kana_sort_key == "はりまでーた"
        assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_an_archived_name_can_be_reused_but_not_restored_over(
    database: Database, ctx: Context
) -> None:
    with database.writing() as session:
        old = s.create_organization(session, ctx, name="加古川精工株式会社", kind="company")
        s.archive(session, ctx, Organization, old.id or 0)
        s.create_organization(session, ctx, name="加古川精工(株)", kind="company")
    with pytest.raises(DataError, match="already has this name"):
        with database.writing() as session:
            s.restore(session, ctx, Organization, old.id or 0)


def test_corporate_numbers_are_validated_and_unique(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        toyota = s.create_organization(session, ctx, name="トヨタ自動車株式会社",
                                       kind="company", corporate_number="5-1800-0100-8846")
        assert toyota.corporate_number == "5180001008846"
    with pytest.raises(DataError, match="check digit") as caught:
        with database.writing() as session:
            s.create_organization(session, ctx, name="別会社", kind="company",
                                  corporate_number="6180001008846")
    assert caught.value.field == "corporate_number"
    with pytest.raises(DataError, match="belongs to"):
        with database.writing() as session:
            s.create_organization(session, ctx, name="別会社", kind="company",
                                  corporate_number="5180001008846")


def test_kinds_and_statuses_accept_japanese_names(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        kinds = [s.create_organization(session, ctx, name=f"団体{i}", kind=k).kind
                 for i, k in enumerate(["民間企業", "大学", "研究機関", "国・県等", "市町村",
                                        "NPO", "その他"])]
        assert kinds == ["company", "university", "research_institute", "government_agency",
                         "municipality", "npo", "other"]
        event = s.log_event(session, ctx, held_on=date(2020, 1, 1), kind="出前講座", title="講座")
        assert event.kind == "lecture"
        with pytest.raises(DataError, match="unknown organization kind 'bank'"):
            s.create_organization(session, ctx, name="銀行", kind="bank")


def test_meeting_rules(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        company = s.create_organization(session, ctx, name="A社", kind="company")
        assert company.id is not None
        with pytest.raises(DataError) as no_org:
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="x", organization_ids=[])
        assert no_org.value.field == "organizations"
        with pytest.raises(DataError) as early:
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="x",
                          organization_ids=[company.id], follow_up_on=date(2019, 12, 31))
        assert early.value.field == "follow_up_on"
        with pytest.raises(DataError) as blank:
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="  ",
                          organization_ids=[company.id])
        assert blank.value.field == "title"
        with pytest.raises(DataError, match="no active organization with id 999"):
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="x",
                          organization_ids=[999])
        staff = s.staff_ids_by_name(session, ctx, ["山田 太郎", "", "鈴木 花子"])
        meeting = s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="意見交換",
                                organization_ids=[company.id, company.id], staff_ids=staff)
        assert meeting.created_by == "tester" and meeting.created_at is not None
        links = session.scalar(select(func.count()).select_from(MeetingOrganization))
        assert links == 1
        s.complete_follow_up(session, ctx, meeting.id or 0, done_on=date(2020, 2, 1))


def test_agreement_status_moves(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        partner = s.create_organization(session, ctx, name="兵庫県立大学", kind="university")
        agreement = s.create_agreement(session, ctx, title="人流データ連携",
                                       partner_ids=[partner.id or 0])
        assert agreement.status == "proposed"
        s.set_agreement_status(session, ctx, agreement.id or 0, status="協議中")
        with pytest.raises(DataError) as missing:
            s.set_agreement_status(session, ctx, agreement.id or 0, status="concluded")
        assert missing.value.field == "concluded_on"
        s.set_agreement_status(session, ctx, agreement.id or 0, status="締結",
                               on=date(2021, 4, 1))
        assert agreement.concluded_on == date(2021, 4, 1)
        s.set_agreement_status(session, ctx, agreement.id or 0, status="ended",
                               on=date(2024, 3, 31))
        assert (agreement.status, agreement.ends_on) == ("ended", date(2024, 3, 31))
        with pytest.raises(DataError, match="before it starts"):
            s.create_agreement(session, ctx, title="t", partner_ids=[partner.id or 0],
                               starts_on=date(2021, 1, 2), ends_on=date(2021, 1, 1))


def test_a_failed_unit_of_work_leaves_nothing(database: Database, ctx: Context) -> None:
    with pytest.raises(DataError):
        with database.writing() as session:
            company = s.create_organization(session, ctx, name="途中で失敗社", kind="company")
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="ok",
                          organization_ids=[company.id or 0])
            s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="",
                          organization_ids=[company.id or 0])
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 0
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0


# --- integrity enforced by the database itself ----------------------------------------------

STAMP = "'2023-01-01 00:00:00', 'sql', '2023-01-01 00:00:00', 'sql'"
COLUMNS = "created_at, created_by, updated_at, updated_by"


@pytest.mark.parametrize(
    "statement",
    [
        f"INSERT INTO organization ({COLUMNS}, name, normalized_name, kind)"
        f" VALUES ({STAMP}, 'x', 'x', 'bank')",
        f"INSERT INTO organization ({COLUMNS}, name, normalized_name, kind, corporate_number)"
        f" VALUES ({STAMP}, 'x', 'x', 'company', '123')",
        f"INSERT INTO organization ({COLUMNS}, name, normalized_name, kind)"
        f" VALUES ({STAMP}, NULL, 'x', 'company')",
        f"INSERT INTO agreement ({COLUMNS}, title, status, concluded_on)"
        f" VALUES ({STAMP}, 't', 'concluded', NULL)",
        f"INSERT INTO agreement ({COLUMNS}, title, status, concluded_on)"
        f" VALUES ({STAMP}, 't', 'proposed', '2020-01-01')",
        f"INSERT INTO agreement ({COLUMNS}, title, status) VALUES ({STAMP}, 't', 'signed')",
        f"INSERT INTO outreach_event ({COLUMNS}, held_on, kind, title)"
        f" VALUES ({STAMP}, '2020-01-01', 'online', 't')",
        f"INSERT INTO outreach_event ({COLUMNS}, held_on, kind, title, attendees)"
        f" VALUES ({STAMP}, '2020-01-01', 'lecture', 't', -1)",
        f"INSERT INTO meeting ({COLUMNS}, held_on, title, follow_up_on)"
        f" VALUES ({STAMP}, '2020-01-02', 't', '2020-01-01')",
        "INSERT INTO meeting_organization (meeting_id, organization_id) VALUES (1, 424242)",
    ],
    ids=["kind", "corporate-number", "not-null", "concluded-without-date",
         "proposed-with-date", "status", "event-kind", "attendees", "follow-up", "foreign-key"],
)
def test_the_database_refuses_what_the_services_refuse(
    database: Database, ctx: Context, statement: str
) -> None:
    with database.writing() as session:
        company = s.create_organization(session, ctx, name="既存社", kind="company")
        s.log_meeting(session, ctx, held_on=date(2020, 1, 1), title="m",
                      organization_ids=[company.id or 0])
    with pytest.raises(IntegrityError):
        with database.writing() as session:
            session.execute(text(statement))


def test_two_active_organizations_cannot_share_a_normalized_name_in_sql(
    database: Database,
) -> None:
    insert = (f"INSERT INTO organization ({COLUMNS}, name, normalized_name, kind)"
              f" VALUES ({STAMP}, :name, 'dup', 'company')")
    with pytest.raises(IntegrityError):
        with database.writing() as session:
            session.execute(text(insert), {"name": "a"})
            session.execute(text(insert), {"name": "b"})


def test_archived_records_are_kept_and_restorable(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        partner = s.create_organization(session, ctx, name="神戸大学", kind="university")
        agreement = s.create_agreement(session, ctx, title="t", partner_ids=[partner.id or 0])
        s.archive(session, ctx, Agreement, agreement.id or 0)
        assert agreement.archived_at is not None and agreement.archived_by == "tester"
        s.restore(session, ctx, Agreement, agreement.id or 0)
        assert agreement.archived_at is None
