"""Several writers at once lose nothing, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.context import Context
from crm.kpi import engine as kpi
from crm.models import Meeting, MeetingOrganization, Organization
from crm.records import services as s
from db.session import Database

WRITERS = 4
SAVES = 25


def test_concurrent_writers_lose_nothing(database_url: str, ctx: Context) -> None:
    def writer(number: int) -> int:
        database = Database.open(database_url)
        try:
            for save in range(SAVES):
                with database.writing() as session:
                    company = s.create_organization(
                        session, ctx, name=f"並行{number}-{save}株式会社", kind="company"
                    )
                    s.log_meeting(session, ctx, held_on=date(2020, 4, 1) + timedelta(save),
                                  title=f"writer {number} save {save}",
                                  organization_ids=[company.id or 0])
            return SAVES
        finally:
            database.dispose()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        saved = sum(pool.map(writer, range(WRITERS)))

    database = Database.open(database_url)
    with database.reading() as session:
        meetings = session.scalar(select(func.count()).select_from(Meeting))
        links = session.scalar(select(func.count()).select_from(MeetingOrganization))
        figure = {f.code: f for f in kpi.compute_at(session, date(2021, 3, 31))}
    database.dispose()
    assert saved == meetings == links == WRITERS * SAVES
    assert figure["companies_consulted"].value == 3 + WRITERS * SAVES


def test_a_race_on_the_same_name_leaves_exactly_one(database_url: str, ctx: Context) -> None:
    """The unique index, not only the service's check, keeps duplicates out."""

    def writer(_: int) -> str:
        database = Database.open(database_url)
        try:
            with database.writing() as session:
                s.create_organization(session, ctx, name="同時登録株式会社", kind="company")
            return "saved"
        except IntegrityError:
            return "refused by the database"
        except Exception as exc:  # noqa: BLE001 - the service's own refusal is fine too
            return type(exc).__name__
        finally:
            database.dispose()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        outcomes = list(pool.map(writer, range(WRITERS)))
    assert outcomes.count("saved") == 1
    database = Database.open(database_url)
    with database.reading() as session:
        count = session.scalar(
            select(func.count()).select_from(Organization)
            .where(Organization.normalized_name == "同時登録株式会社")
        )
    database.dispose()
    assert count == 1

