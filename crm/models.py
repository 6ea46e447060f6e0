"""Database tables (SQLModel). Documented for auditors in docs/schema.md.

Every record carries who created and last changed it and when (UTC), and a soft delete:
`archived_at` set means the record is archived, never counts, and can be restored.
Kinds and statuses are plain text codes guarded by CHECK constraints (see crm.vocabulary).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crm.kpi.rules import FILTER_CHECK, KPI_CHECKS
from crm.vocabulary import (
    AGREEMENT_STATUSES,
    CONCLUDED_STATUSES,
    EVENT_KINDS,
    OPEN_STATUSES,
    ORGANIZATION_KINDS,
    sql_in,
)

# Named constraints are needed by Alembic's batch mode on SQLite; set before any table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTIVE = text("archived_at IS NULL")


class Tracked(SQLModel):
    """Columns every record has: creation, last change and archiving, with who did it, and
    the record's version."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    created_by: str = Field(max_length=100)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    updated_by: str = Field(max_length=100)
    archived_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    archived_by: str | None = Field(default=None, max_length=100)
    #: Bumped by every change the program saves; a save over a version that changed since the
    #: form was opened is refused (optimistic concurrency). Bookkeeping: not audited.
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


class Organization(Tracked, table=True):
    """A partner organization: company, university, agency, municipality, NPO, …"""

    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ORGANIZATION_KINDS.codes)}", name="kind"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        CheckConstraint(
            "corporate_number IS NULL OR length(corporate_number) = 13", name="corporate_number"
        ),
        Index(
            "uq_organization_normalized_name_active",
            "normalized_name",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        Index(
            "uq_organization_corporate_number_active",
            "corporate_number",
            unique=True,
            sqlite_where=text("archived_at IS NULL AND corporate_number IS NOT NULL"),
            postgresql_where=text("archived_at IS NULL AND corporate_number IS NOT NULL"),
        ),
    )

    name: str = Field(max_length=200)
    normalized_name: str = Field(index=True)
    kana: str | None = Field(default=None, max_length=200)
    kana_sort_key: str | None = Field(default=None, index=True)
    kind: str = Field(max_length=30, index=True)
    corporate_number: str | None = Field(default=None, max_length=13)
    address: str | None = Field(default=None, max_length=300)
    website: str | None = Field(default=None, max_length=300)
    notes: str | None = None


class Contact(Tracked, table=True):
    """A person at an organization. Personal data: never exported or printed unless asked."""

    __tablename__ = "contact"

    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=100)
    kana: str | None = Field(default=None, max_length=100)
    department: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    notes: str | None = None


class Staff(Tracked, table=True):
    """A member of the city's liaison staff."""

    __tablename__ = "staff"

    name: str = Field(max_length=100, unique=True)
    kana: str | None = Field(default=None, max_length=100)
    section: str | None = Field(default=None, max_length=200)
    active: bool = Field(default=True)


class Meeting(Tracked, table=True):
    """An exchange of views (意見交換) with one or more organizations."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title_not_empty"),
        CheckConstraint(
            "follow_up_on IS NULL OR follow_up_on >= held_on", name="follow_up_after_meeting"
        ),
        Index("ix_meeting_held_on_id", "held_on", "id"),
    )

    held_on: date
    title: str = Field(max_length=300)
    summary: str | None = None
    next_action: str | None = None
    follow_up_on: date | None = Field(default=None, index=True)
    follow_up_done_on: date | None = None


class MeetingOrganization(SQLModel, table=True):
    """Which organizations took part in a meeting."""

    __tablename__ = "meeting_organization"

    meeting_id: int = Field(
        sa_column_args=[ForeignKey("meeting.id", ondelete="CASCADE")], primary_key=True
    )
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)


class MeetingContact(SQLModel, table=True):
    """Which contacts took part in a meeting."""

    __tablename__ = "meeting_contact"

    meeting_id: int = Field(
        sa_column_args=[ForeignKey("meeting.id", ondelete="CASCADE")], primary_key=True
    )
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, index=True)


class MeetingStaff(SQLModel, table=True):
    """Which staff attended a meeting."""

    __tablename__ = "meeting_staff"

    meeting_id: int = Field(
        sa_column_args=[ForeignKey("meeting.id", ondelete="CASCADE")], primary_key=True
    )
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class Agreement(Tracked, table=True):
    """A data-linkage agreement (データ連携協定) and where it stands."""

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(AGREEMENT_STATUSES.codes)}", name="status"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_empty"),
        CheckConstraint(
            f"(status IN {sql_in(OPEN_STATUSES)} AND concluded_on IS NULL)"
            f" OR (status IN {sql_in(CONCLUDED_STATUSES)} AND concluded_on IS NOT NULL)"
            " OR status = 'cancelled'",
            name="concluded_on_matches_status",
        ),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="term"
        ),
    )

    title: str = Field(max_length=300)
    status: str = Field(max_length=20, index=True)
    concluded_on: date | None = Field(default=None, index=True)
    starts_on: date | None = None
    ends_on: date | None = None
    datasets: str | None = None
    document_ref: str | None = Field(default=None, max_length=300)
    notes: str | None = None


class AgreementPartner(SQLModel, table=True):
    """The organizations party to an agreement."""

    __tablename__ = "agreement_partner"

    agreement_id: int = Field(
        sa_column_args=[ForeignKey("agreement.id", ondelete="CASCADE")], primary_key=True
    )
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)


class AgreementStatusChange(SQLModel, table=True):
    """An agreement's status from a date on (協定の状態の履歴), with its dates then; append-only.

    Written by the services and the importer whenever an agreement's status or its
    conclusion, start or end date changes (crm.records.agreement_history). The state of an
    agreement on a day is the row recorded last among those effective by that day.
    """

    __tablename__ = "agreement_status_change"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(AGREEMENT_STATUSES.codes)}", name="status"),
        Index("ix_agreement_status_change_agreement_effective", "agreement_id", "effective_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id")
    status: str = Field(max_length=20)
    effective_on: date
    concluded_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    recorded_by: str = Field(max_length=100)


class OutreachEvent(Tracked, table=True):
    """A promotion at an event in or out of the city (周知広報), or a lecture (出前講座)."""

    __tablename__ = "outreach_event"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(EVENT_KINDS.codes)}", name="kind"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_empty"),
        CheckConstraint("attendees IS NULL OR attendees >= 0", name="attendees"),
        # covers the KPI count of active events by kind and date without reading the rows
        Index("ix_outreach_event_kind_held_on", "kind", "held_on", "archived_at"),
    )

    held_on: date = Field(index=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    venue: str | None = Field(default=None, max_length=300)
    municipality: str | None = Field(default=None, max_length=100)
    attendees: int | None = None
    audience: str | None = Field(default=None, max_length=300)
    notes: str | None = None


class OutreachEventStaff(SQLModel, table=True):
    """Which staff ran an outreach event."""

    __tablename__ = "outreach_event_staff"

    outreach_event_id: int = Field(
        sa_column_args=[ForeignKey("outreach_event.id", ondelete="CASCADE")], primary_key=True
    )
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class Plan(Tracked, table=True):
    """A plan (計画) whose KPIs the office reports on, with its fiscal years (docs/plans.md)."""

    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("last_fiscal_year >= first_fiscal_year", name="years"),
    )

    code: str = Field(max_length=60, unique=True)
    name_ja: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    first_fiscal_year: int
    last_fiscal_year: int
    adopted_on: date | None = None
    notes: str | None = None


class PlanGrade(SQLModel, table=True):
    """A row of a plan's grading table: the grade given from `threshold` % up."""

    __tablename__ = "plan_grade"

    plan_id: int = Field(
        sa_column_args=[ForeignKey("plan.id", ondelete="CASCADE")], primary_key=True
    )
    grade: str = Field(max_length=3, primary_key=True)
    threshold: float


class Kpi(Tracked, table=True):
    """A KPI of a plan: data, so a new plan needs no release (docs/schema.md, docs/plans.md)."""

    __tablename__ = "kpi"
    __table_args__ = (
        *(CheckConstraint(sql, name=name) for name, sql in KPI_CHECKS.items()),
        CheckConstraint("target_by > baseline_as_of", name="target_after_baseline"),
        UniqueConstraint("plan_id", "code", name="uq_kpi_plan_id_code"),
    )

    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=60)
    basic_policy: int
    policy_ref: str = Field(max_length=20)
    name_ja: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    unit: str = Field(max_length=20)
    kind: str = Field(max_length=10)
    rule: str = Field(max_length=20)
    count_source: str | None = Field(default=None, max_length=20)
    count_measure: str | None = Field(default=None, max_length=30)
    baseline: float
    baseline_as_of: date
    baseline_label: str | None = Field(default=None, max_length=100)
    target: float
    target_by: date
    target_label: str | None = Field(default=None, max_length=100)
    formula: str = Field(max_length=10, sa_column_kwargs={"server_default": "ratio"},
                         default="ratio")
    direction: str = Field(max_length=10, sa_column_kwargs={"server_default": "higher"},
                           default="higher")
    sort_order: int = Field(sa_column_kwargs={"server_default": "0"}, default=0)
    notes: str | None = None


class KpiCountFilter(SQLModel, table=True):
    """A filter of a computed KPI's rule: records count only if they match one value of each
    filter the KPI has (organization_kind, event_kind, agreement_status, tag)."""

    __tablename__ = "kpi_count_filter"
    __table_args__ = (CheckConstraint(FILTER_CHECK, name="filter"),)

    kpi_id: int = Field(
        sa_column_args=[ForeignKey("kpi.id", ondelete="CASCADE")], primary_key=True
    )
    filter: str = Field(max_length=20, primary_key=True)
    value: str = Field(max_length=50, primary_key=True)


class KpiTargetRevision(Tracked, table=True):
    """A revised target of a KPI (目標値の改訂), in force from `revised_on`; the KPI row keeps
    the original target."""

    __tablename__ = "kpi_target_revision"
    __table_args__ = (
        UniqueConstraint("kpi_id", "revised_on", name="uq_kpi_target_revision_kpi_id_revised_on"),
        CheckConstraint("target_by > revised_on", name="target_after_revision"),
    )

    kpi_id: int = Field(foreign_key="kpi.id", index=True)
    revised_on: date
    target: float
    target_by: date
    reason: str = Field(max_length=500)


class Tag(SQLModel, table=True):
    """A tag on meetings, agreements and events (e.g. スマートシティ) that KPI rules filter on."""

    __tablename__ = "tag"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)


class MeetingTag(SQLModel, table=True):
    """The tags of a meeting."""

    __tablename__ = "meeting_tag"

    meeting_id: int = Field(
        sa_column_args=[ForeignKey("meeting.id", ondelete="CASCADE")], primary_key=True
    )
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class AgreementTag(SQLModel, table=True):
    """The tags of an agreement."""

    __tablename__ = "agreement_tag"

    agreement_id: int = Field(
        sa_column_args=[ForeignKey("agreement.id", ondelete="CASCADE")], primary_key=True
    )
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class OutreachEventTag(SQLModel, table=True):
    """The tags of an outreach event."""

    __tablename__ = "outreach_event_tag"

    outreach_event_id: int = Field(
        sa_column_args=[ForeignKey("outreach_event.id", ondelete="CASCADE")], primary_key=True
    )
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class KpiMeasurement(Tracked, table=True):
    """An observed value of a measured KPI on a date, as read from another system."""

    __tablename__ = "kpi_measurement"
    __table_args__ = (Index("ix_kpi_measurement_kpi_id_measured_on", "kpi_id", "measured_on"),)

    kpi_id: int = Field(foreign_key="kpi.id")
    measured_on: date
    value: float
    note: str | None = None
    entered_by: str = Field(max_length=100)
    #: Where the value comes from, e.g. 「庁内アンケート」 (migration 0013).
    source: str | None = Field(default=None, max_length=200)


class KpiComment(SQLModel, table=True):
    """A comment on a KPI for a fiscal year (`quarter` NULL) or one of its quarters: 要因分析
    (analysis), 課題 (issues) or 今後の方向性 (next). One row per KPI, period and field
    (crm.kpi.comments keeps it so); clearing a comment deletes its row (the audit log keeps it).
    """

    __tablename__ = "kpi_comment"
    __table_args__ = (
        UniqueConstraint("kpi_id", "fiscal_year", "quarter", "field",
                         name="uq_kpi_comment_kpi_id_fiscal_year_quarter_field"),
        CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("field IN ('analysis', 'issues', 'next')", name="field"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(sa_column_args=[ForeignKey("kpi.id", ondelete="CASCADE")], index=True)
    fiscal_year: int
    quarter: int | None = None
    field: str = Field(max_length=10)
    text: str
    created_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    created_by: str = Field(max_length=100)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    updated_by: str = Field(max_length=100)


TRACKED_TABLES = (
    Organization,
    Contact,
    Staff,
    Meeting,
    Agreement,
    OutreachEvent,
    Plan,
    Kpi,
    KpiTargetRevision,
    KpiMeasurement,
)

__all__ = [
    "Agreement",
    "AgreementPartner",
    "AgreementStatusChange",
    "AgreementTag",
    "Contact",
    "Kpi",
    "KpiComment",
    "KpiCountFilter",
    "KpiMeasurement",
    "KpiTargetRevision",
    "Meeting",
    "MeetingContact",
    "MeetingOrganization",
    "MeetingStaff",
    "MeetingTag",
    "Organization",
    "OutreachEvent",
    "OutreachEventStaff",
    "OutreachEventTag",
    "Plan",
    "PlanGrade",
    "Staff",
    "TRACKED_TABLES",
    "Tag",
]


class IssuedReport(SQLModel, table=True):
    """A KPI report as issued (発行): its period, the figures it printed and its hashes.

    Append-only: a later report compares its own figures with these to show restatements.
    `figures_json` maps each KPI code to the printed figures (and, for computed KPIs, the
    evidence record keys) as written by `crm.reporting.issued`.
    """

    __tablename__ = "issued_report"
    __table_args__ = (
        CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("lang IN ('ja', 'en')", name="lang"),
        Index("ix_issued_report_fiscal_year_quarter", "fiscal_year", "quarter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int
    quarter: int | None = None
    lang: str = Field(max_length=2)
    generated_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    issued_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    issued_by: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)
    pdf_sha256: str = Field(max_length=64)
    figures_json: str
    # The audit chain head the report printed (its anchor); NULL for reports issued before
    # migration 0007 stored it.
    audit_head_id: int | None = None
    audit_head_hash: str | None = Field(default=None, max_length=64)
    # Whether it was built with --no-personal; NULL for reports issued before migration 0013.
    no_personal: bool | None = None


class AuditLog(SQLModel, table=True):
    """One change to one row of any table, recorded by a database trigger (docs/auditing.md).

    Append-only: triggers refuse deletes and every update but sealing, which sets
    `chain_hash` once (see crm.audit.chain). `row_id` is the row's `id`, or for a link table its
    parent's id; `old_values` / `new_values` are JSON objects of every column.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete')", name="action"),
        Index("ix_audit_log_table_name_row_id", "table_name", "row_id"),
        Index(
            "ix_audit_log_unsealed",
            "id",
            sqlite_where=text("chain_hash IS NULL"),
            postgresql_where=text("chain_hash IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=60)
    row_id: int
    action: str = Field(max_length=6)
    old_values: str | None = None
    new_values: str | None = None
    changed_at: str = Field(max_length=24, index=True)
    changed_by: str = Field(max_length=100)
    chain_hash: str | None = Field(default=None, max_length=64)
    # The name the program acted for (CRM_USER) beside `changed_by`; NULL before 0007
    # and for a change made by another tool.
    claimed_by: str | None = Field(default=None, max_length=100)


class AuditActor(SQLModel, table=True):
    """Who the program is writing for: set inside each write transaction, empty otherwise."""

    __tablename__ = "audit_actor"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int | None = Field(default=None, primary_key=True)
    actor: str | None = Field(default=None, max_length=100)
    claimed: str | None = Field(default=None, max_length=100)


class AuditBreak(SQLModel, table=True):
    """A break `crm audit verify` names that the office has looked into and acknowledged.

    The problem line is kept word for word: `verify` counts a break matching it as
    acknowledged, and any other break still fails. Audited like every table, so each
    acknowledgement is itself sealed into the chain: the repair is a new chain segment.
    """

    __tablename__ = "audit_break"

    id: int | None = Field(default=None, primary_key=True)
    row_id: int = Field(index=True)
    problem: str
    reason: str
    acknowledged_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    acknowledged_by: str = Field(max_length=100)


class AuditPersonalValue(SQLModel, table=True):
    """A contact's personal value an audit row refers to, kept out of the hashed content.

    The audit row holds a marker where the value was; the chain covers `digest`,
    sha256(salt || value) with a random per-value salt set when the row is sealed. Erasing
    the person (crm.records.erasure) sets `value` and `salt` to NULL and keeps `digest`, so the
    chain still verifies and the value cannot be recovered from it (docs/auditing.md).
    """

    __tablename__ = "audit_personal_value"
    __table_args__ = (
        CheckConstraint("side IN ('old', 'new')", name="side"),
        UniqueConstraint("audit_id", "side", "column_name", name="uq_audit_personal_value_cell"),
    )

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(index=True)
    side: str = Field(max_length=3)
    column_name: str = Field(max_length=60)
    value: str | None = None
    salt: str | None = Field(default=None, max_length=32)
    digest: str | None = Field(default=None, max_length=64)


class ContactErasure(SQLModel, table=True):
    """A contact whose personal data was erased (`crm contacts erase`): who, when and why.

    Holds no personal value; audited like every table, so each erasure is sealed into the chain.
    """

    __tablename__ = "contact_erasure"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    reason: str
    values_erased: int
    erased_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    erased_by: str = Field(max_length=100)


class AuditRestatement(SQLModel, table=True):
    """A sealed audit row whose personal values migration 0008 moved out of its content.

    The row keeps its seal (`sealed_hash`, the next row still chains to it); `content_hash` is
    sha256 of its new canonical text, and `matched` whether its old content still matched its
    seal when it was restated. Audited, so the restatement is itself a new chain segment.
    """

    __tablename__ = "audit_restatement"

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(index=True, unique=True)
    sealed_hash: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)
    matched: bool
    restated_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)


class OrganizationMerge(SQLModel, table=True):
    """A duplicate organization merged into the one kept (名寄せ), and whether it was undone.

    `moved_json` lists every link the merge moved or dropped (crm.records.dedup), so that undoing
    it restores them exactly; the merged organization is archived, not deleted.
    """

    __tablename__ = "organization_merge"
    __table_args__ = (CheckConstraint("kept_id <> merged_id", name="distinct_organizations"),)

    id: int | None = Field(default=None, primary_key=True)
    kept_id: int = Field(foreign_key="organization.id", index=True)
    merged_id: int = Field(foreign_key="organization.id", index=True)
    merged_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    merged_by: str = Field(max_length=100)
    moved_json: str
    undone_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    undone_by: str | None = Field(default=None, max_length=100)
