"""Where a screen can send the user, and the app that takes it there (typed as a Protocol).

Screens never import the app or each other: they ask their host to `open` a Destination,
and the app (which owns the registry of screens) builds the screen for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi.engine import KpiFigure
from db.session import Database
from tui.widgets.organization_picker import PickedOrganization

#: The main screens, in the order of the navigation tabs and of the keys 1–7.
SECTIONS = ("dashboard", "organizations", "meetings", "agreements", "events", "measurements",
            "follow_ups")

#: The kinds of record that have a form.
RecordKind = Literal["organization", "meeting", "agreement", "event", "measurement"]


@dataclass(frozen=True)
class RecordForm:
    """The form of a new record of `kind` (no `record_id`) or of one record."""

    kind: RecordKind
    record_id: int | None = None


#: The kinds of record a read-only user can open (RecordView).
ViewableKind = Literal["meeting", "agreement", "event"]
VIEWABLE: tuple[ViewableKind, ...] = ("meeting", "agreement", "event")


@dataclass(frozen=True)
class RecordView:
    """One record shown, not edited (every field and link; `h` its history)."""

    kind: ViewableKind
    record_id: int


@dataclass(frozen=True)
class MeetingWith:
    """The form of a new meeting with `organization` already picked."""

    organization: PickedOrganization


@dataclass(frozen=True)
class NewContact:
    """The form of a new contact at an organization."""

    organization_id: int


@dataclass(frozen=True)
class OrganizationHistory:
    """One organization and its whole history."""

    organization_id: int


@dataclass(frozen=True)
class DuplicatePairs:
    """The likely duplicate organizations, to merge them."""


@dataclass(frozen=True)
class AuditTrail:
    """The audit history of `records` (table, id), shown under `title`."""

    title: str
    records: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PlanList:
    """The plans and their KPIs, showing `plan` (default: the newest plan)."""

    plan: str | None = None


@dataclass(frozen=True)
class TargetRevision:
    """The form that revises the target of KPI `kpi` of `plan` (with its reason)."""

    plan: str
    kpi: str


@dataclass(frozen=True)
class KpiDetail:
    """One KPI of `plan` for a fiscal period: figures (`figure`, if the opener has them),
    evidence, why records did not count, and its comments."""

    plan: str
    code: str
    period: FiscalPeriod
    figure: KpiFigure | None = None


Destination = (RecordForm | RecordView | MeetingWith | NewContact | OrganizationHistory
               | DuplicatePairs | AuditTrail | PlanList | TargetRevision | KpiDetail)


class Host(Protocol):
    """What a screen may use of the app it runs in."""

    database: Database
    ctx: Context
    lang: str
    read_only: bool
    #: Whether contacts' personal data is shown in audit histories (masked by default).
    personal: bool
    report_dir: Path

    def t(self, key: str, **values: object) -> str:
        """The label `key` in the app's language."""
        ...

    def writable(self) -> bool:
        """True if writes are allowed; otherwise tells the user why not."""
        ...

    def action_go(self, mode: str) -> None:
        """Show one of the main screens (SECTIONS)."""
        ...

    def open(self, destination: Destination) -> None:
        """Show the screen for `destination` over the current one."""
        ...
