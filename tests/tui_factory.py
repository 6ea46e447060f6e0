"""Data and apps for the terminal UI tests (pilot and snapshot tests share them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from time import monotonic

from sqlalchemy import insert
from sqlmodel import col
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from crm.context import Context
from crm.kpi.engine import compute_at
from crm.models import Meeting, MeetingOrganization
from crm.records import services
from db.session import Database
from tui.app import CRMApp


@dataclass(frozen=True)
class Seeded:
    """Ids of the records `seed` made."""

    company: int
    university: int
    npo: int
    staff: int
    overdue_meeting: int
    due_meeting: int
    later_meeting: int
    agreement: int


def seed(database: Database, ctx: Context) -> Seeded:
    """A few organizations, staff, meetings with follow-ups, an agreement and a contact.

    With the test clock (today 2023-04-01, a Saturday) one follow-up is overdue, one is due
    this week (Sunday 2023-04-02) and one later.
    """
    with database.writing() as s:
        company = services.create_organization(
            s, ctx, name="神戸製鋼株式会社", kind="company", kana="こうべせいこう")
        university = services.create_organization(
            s, ctx, name="兵庫県立大学", kind="university", kana="ひょうごけんりつだいがく")
        npo = services.create_organization(
            s, ctx, name="NPO法人かこがわネット", kind="npo", kana="かこがわねっと")
        staff = services.create_staff(s, ctx, name="山田 太郎")
        services.create_staff(s, ctx, name="佐藤 花子")
        assert company.id and university.id and npo.id and staff.id
        overdue = services.log_meeting(
            s, ctx, held_on=date(2023, 3, 1), title="スマートシティ構想の意見交換",
            organization_ids=[university.id], staff_ids=[staff.id],
            next_action="資料送付", follow_up_on=date(2023, 3, 25))
        due = services.log_meeting(
            s, ctx, held_on=date(2023, 3, 20), title="地域ポイントの打合せ",
            organization_ids=[npo.id], follow_up_on=date(2023, 4, 2))
        later = services.log_meeting(
            s, ctx, held_on=date(2023, 3, 28), title="データ活用セミナーの相談",
            organization_ids=[university.id, npo.id], follow_up_on=date(2023, 4, 20))
        agreement = services.create_agreement(
            s, ctx, title="オープンデータ連携協定", partner_ids=[university.id],
            status="negotiating")
        services.add_contact(s, ctx, organization_id=university.id, name="田中 一郎",
                             department="情報科学研究科")
        return Seeded(company.id, university.id, npo.id, staff.id, overdue.id or 0,
                      due.id or 0, later.id or 0, agreement.id or 0)


def add_meetings(database: Database, organization_id: int, count: int) -> None:
    """`count` meetings with one organization, through Core inserts (fast)."""
    stamp = datetime(2023, 1, 1, tzinfo=UTC)
    meta = {"created_at": stamp, "created_by": "bulk", "updated_at": stamp, "updated_by": "bulk"}
    with database.writing() as s:
        first = s.execute(insert(Meeting).returning(col(Meeting.id)), [
            {**meta, "held_on": date(2022, 4, 1 + i % 28), "title": f"一括 {i:04d}"}
            for i in range(count)
        ]).scalars().all()
        s.execute(insert(MeetingOrganization), [
            {"meeting_id": meeting_id, "organization_id": organization_id}
            for meeting_id in first
        ])


def kpi_value(database: Database, code: str, as_of: date) -> float | None:
    """The value of the KPI `code` at `as_of`, as the engine computes it."""
    with database.reading() as session:
        return next(f.value for f in compute_at(session, as_of) if f.code == code)


def shown(table: DataTable[object], key: str | RowKey | None = None, *,
          index: int | None = None) -> list[str]:
    """The text a row of `table` shows, by key or by index (cells are literal Text)."""
    cells = table.get_row_at(index) if index is not None else table.get_row(key or "")
    return [str(cell) for cell in cells]


#: How long a test waits for a condition before failing (generous: CI machines are loaded).
TIMEOUT = 30.0


async def wait_until(pilot: Pilot[None], condition: Callable[[], object], *,
                     timeout: float = TIMEOUT) -> None:
    """Let the app run (`pilot.pause()`) until `condition()` is true; fail after `timeout`."""
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {condition}")
        await pilot.pause()


def workers_busy(pilot: Pilot[None]) -> bool:
    """True while any worker of the app is pending or running (cancelled ones are done)."""
    return any(not worker.is_finished for worker in pilot.app.workers)


async def settle(pilot: Pilot[None], *, timeout: float = TIMEOUT) -> None:
    """Wait until no worker runs, and none was started by the messages handled since.

    Polls the workers' state instead of `workers.wait_for_complete()`, which raises as soon
    as one of them was cancelled (exclusive workers cancel their predecessors).
    """
    deadline = monotonic() + timeout
    while True:
        await wait_until(pilot, lambda: not workers_busy(pilot),
                         timeout=max(0.0, deadline - monotonic()))
        await pilot.pause()
        if not workers_busy(pilot):
            return


async def press(
    pilot: Pilot[None], *keys: str, until: Callable[[], object] | None = None
) -> None:
    """Press `keys`, wait for `until()` if given, then until the app settles."""
    await pilot.press(*keys)
    if until is not None:
        await wait_until(pilot, until)
    await settle(pilot)


#: The terminal size of the pilot tests.
SIZE = (120, 40)


@asynccontextmanager
async def running(app: CRMApp, *keys: str) -> AsyncIterator[Pilot[None]]:
    """Run `app` in a SIZE terminal, settled, after pressing `keys` (each step settled)."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if keys:
            await press(pilot, *keys)
        yield pilot
