"""User text is data, never Textual markup: records whose every text holds markup are shown
literally on every screen, and none of it can act (a live `[@click=app.quit]`) or crash a
screen (`[/]` closing nothing)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from crm.context import Context
from crm.records import services
from db.session import Database
from tests.tui_factory import press, running, wait_until
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.screens.audit_history import AuditHistoryScreen
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.organization_detail import OrganizationDetailScreen

#: Markup that crashes a renderer ([/] closes nothing), acts ([@click]) or styles.
TRAP = "[/]罠[@click=app.quit]押す[/][b]太[/b]"
#: What narrow columns still show of TRAP: literal brackets, so nothing was parsed.
SHOWN = "[/]罠[@click"


def _screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows, as plain text (from the app's own SVG screenshot)."""
    svg = pilot.app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(lines)).replace("\xa0", " ")


@pytest.fixture
def trapped(database: Database, ctx: Context) -> dict[str, int]:
    """One record of every kind, each text field holding TRAP."""
    with database.writing() as s:
        org = services.create_organization(s, ctx, name=f"株式会社{TRAP}", kind="company",
                                           kana="わな", notes=TRAP)
        twin = services.create_organization(s, ctx, name=f"{TRAP}株式会社", kind="company")
        staff = services.create_staff(s, ctx, name=f"職員{TRAP}")
        assert org.id and twin.id and staff.id
        meeting = services.log_meeting(
            s, ctx, held_on=date(2023, 3, 1), title=f"会議{TRAP}", organization_ids=[org.id],
            staff_ids=[staff.id], summary=TRAP, next_action=f"対応{TRAP}",
            follow_up_on=date(2023, 3, 31))
        agreement = services.create_agreement(s, ctx, title=f"協定{TRAP}",
                                              partner_ids=[org.id], status="negotiating")
        event = services.log_event(s, ctx, held_on=date(2023, 3, 2), kind="lecture",
                                   title=f"講座{TRAP}", venue=TRAP, municipality=TRAP)
        services.add_contact(s, ctx, organization_id=org.id, name=f"担当{TRAP}")
        services.record_measurement(s, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 31), value=700, note=TRAP)
        return {"organization": org.id, "meeting": meeting.id or 0,
                "agreement": agreement.id or 0, "event": event.id or 0}


async def test_every_screen_shows_markup_as_text(
    database: Database, ctx: Context, trapped: dict[str, int]
) -> None:
    app = CRMApp(database, ctx)
    async with running(app) as pilot:
        for key in ("2", "3", "4", "5", "6", "7"):
            await press(pilot, key)
            assert SHOWN in _screen_text(pilot), key
        await press(pilot, "3", "e", until=lambda: isinstance(app.screen, FormScreen))
        await wait_until(pilot, lambda: SHOWN in _screen_text(pilot))
        await press(pilot, "escape")
        await press(pilot, "3", "h", until=lambda: isinstance(app.screen, AuditHistoryScreen))
        assert SHOWN in _screen_text(pilot)
        await press(pilot, "escape", "2", "u",
                    until=lambda: isinstance(app.screen, DuplicatesScreen))
        assert SHOWN in _screen_text(pilot)
        await press(pilot, "escape", "2", "enter",
                    until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        assert SHOWN in _screen_text(pilot)
        await press(pilot, "m", until=lambda: isinstance(app.screen, FormScreen))
        picker = app.screen.query_one("#org-search")
        picker.focus()
        await pilot.press(*"株式会社")
        await wait_until(pilot, lambda: any(
            o.option_count for o in app.screen.query(OptionList)))
        assert SHOWN in _screen_text(pilot)
        assert app.is_running  # nothing clicked app.quit, nothing crashed
