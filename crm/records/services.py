"""The service API: every write the program makes, shared by the CLI, the TUI and importers.

Functions are keyword-only after the session and context, validate their input and raise
DataError (naming the field) for a user's mistake. They flush but never commit: the caller
owns the transaction, so a batch of calls is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.kpi.catalog import SHIPPED_KPIS
from crm.models import (
    Agreement,
    AgreementPartner,
    Contact,
    Kpi,
    KpiMeasurement,
    Meeting,
    MeetingContact,
    MeetingOrganization,
    MeetingStaff,
    Organization,
    OutreachEvent,
    OutreachEventStaff,
    Staff,
    Tracked,
)
from crm.normalize import kana_sort_key, normalize_name, validate_corporate_number
from crm.vocabulary import (
    AGREEMENT_STATUSES,
    CONCLUDED_STATUSES,
    EVENT_KINDS,
    OPEN_STATUSES,
    ORGANIZATION_KINDS,
)

T = TypeVar("T", bound=Tracked)


# --- shared helpers -------------------------------------------------------------------------


def _stamp_new(ctx: Context) -> dict[str, Any]:
    now = ctx.now()
    return {"created_at": now, "created_by": ctx.user, "updated_at": now, "updated_by": ctx.user}


def _touch(record: Tracked, ctx: Context) -> None:
    record.updated_at = ctx.now()
    record.updated_by = ctx.user


def _text(value: str | None, field: str, *, required: bool = False, max_length: int = 0) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DataError(f"{field} is required", ja=f"{field} は必須です", field=field)
    if max_length and len(cleaned) > max_length:
        raise DataError(
            f"{field} is longer than {max_length} characters",
            ja=f"{field} は {max_length} 文字以内にしてください",
            field=field,
        )
    return cleaned


def _optional(value: str | None, field: str, max_length: int = 0) -> str | None:
    return _text(value, field, max_length=max_length) or None


def get(session: Session, model: type[T], record_id: int) -> T:
    """The record of `model` with this id, archived or not; NotFoundError otherwise."""
    record = session.get(model, record_id)
    if record is None:
        table = model.__tablename__
        raise NotFoundError(
            f"no {table} with id {record_id}", ja=f"{table} id {record_id} は存在しません"
        )
    return record


def archive(session: Session, ctx: Context, model: type[T], record_id: int) -> T:
    """Soft-delete a record: it stays in the database, never counts, and can be restored."""
    record = get(session, model, record_id)
    if record.archived_at is None:
        record.archived_at = ctx.now()
        record.archived_by = ctx.user
        _touch(record, ctx)
        session.add(record)
        session.flush()
    return record


def restore(session: Session, ctx: Context, model: type[T], record_id: int) -> T:
    """Undo `archive`. An organization whose name is now taken cannot be restored."""
    record = get(session, model, record_id)
    if record.archived_at is None:
        return record
    if isinstance(record, Organization):
        _check_unique_organization(session, record.normalized_name, record.corporate_number,
                                   exclude_id=record.id)
    record.archived_at = None
    record.archived_by = None
    _touch(record, ctx)
    session.add(record)
    session.flush()
    return record


def _set_links(
    session: Session,
    link: type[Any],
    owner_column: str,
    owner_id: int,
    target_column: str,
    target_ids: Iterable[int],
) -> None:
    owner = getattr(link, owner_column)
    session.execute(delete(link).where(owner == owner_id))
    rows = [{owner_column: owner_id, target_column: t} for t in dict.fromkeys(target_ids)]
    if rows:
        session.execute(insert(link), rows)


def _require_active(
    session: Session, model: type[T], ids: Sequence[int], field: str
) -> list[T]:
    records = []
    for record_id in ids:
        record = session.get(model, record_id)
        if record is None or record.archived_at is not None:
            raise DataError(
                f"{field}: no active {model.__tablename__} with id {record_id}",
                ja=f"{field}: {model.__tablename__} id {record_id} は存在しないか保管済みです",
                field=field,
            )
        records.append(record)
    return records


# --- organizations --------------------------------------------------------------------------


def _check_unique_organization(
    session: Session, normalized: str, corporate_number: str | None, *, exclude_id: int | None
) -> None:
    query = select(Organization).where(
        Organization.normalized_name == normalized, Organization.archived_at.is_(None)
    )
    if exclude_id is not None:
        query = query.where(Organization.id != exclude_id)
    clash = session.scalars(query).first()
    if clash is not None:
        raise DataError(
            f"organization {clash.name!r} (id {clash.id}) already has this name after"
            " normalization",
            ja=f"同じ名前の団体が既にあります: {clash.name} (id {clash.id})",
            field="name",
        )
    if corporate_number:
        query = select(Organization).where(
            Organization.corporate_number == corporate_number,
            Organization.archived_at.is_(None),
        )
        if exclude_id is not None:
            query = query.where(Organization.id != exclude_id)
        clash = session.scalars(query).first()
        if clash is not None:
            raise DataError(
                f"corporate number {corporate_number} belongs to {clash.name!r} (id {clash.id})",
                ja=f"法人番号 {corporate_number} は {clash.name} (id {clash.id}) のものです",
                field="corporate_number",
            )


def organization_fields(
    *,
    name: str,
    kind: str,
    kana: str | None,
    corporate_number: str | None,
    address: str | None,
    website: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """The columns of an organization, validated (no uniqueness check: that needs the database)."""
    clean_name = _text(name, "name", required=True, max_length=200)
    try:
        normalized = normalize_name(clean_name)
    except ValueError as exc:
        raise DataError(str(exc), field="name") from exc
    number = (corporate_number or "").strip() or None
    if number is not None:
        try:
            number = validate_corporate_number(number)
        except ValueError as exc:
            raise DataError(str(exc), field="corporate_number") from exc
    clean_kana = _optional(kana, "kana", 200)
    return {
        "name": clean_name,
        "normalized_name": normalized,
        "kind": ORGANIZATION_KINDS.parse(kind),
        "kana": clean_kana,
        "kana_sort_key": kana_sort_key(clean_kana) if clean_kana else None,
        "corporate_number": number,
        "address": _optional(address, "address", 300),
        "website": _optional(website, "website", 300),
        "notes": _optional(notes, "notes"),
    }


def create_organization(
    session: Session,
    ctx: Context,
    *,
    name: str,
    kind: str,
    kana: str | None = None,
    corporate_number: str | None = None,
    address: str | None = None,
    website: str | None = None,
    notes: str | None = None,
) -> Organization:
    """Add an organization; refused if its normalized name or corporate number is taken."""
    fields = organization_fields(
        name=name, kind=kind, kana=kana, corporate_number=corporate_number,
        address=address, website=website, notes=notes,
    )
    _check_unique_organization(
        session, fields["normalized_name"], fields["corporate_number"], exclude_id=None
    )
    organization = Organization(**fields, **_stamp_new(ctx))
    session.add(organization)
    session.flush()
    return organization


def update_organization(
    session: Session, ctx: Context, organization_id: int, **changes: Any
) -> Organization:
    """Change an organization's fields (same rules as `create_organization`)."""
    organization = get(session, Organization, organization_id)
    current = {
        key: getattr(organization, key)
        for key in ("name", "kind", "kana", "corporate_number", "address", "website", "notes")
    }
    unknown = set(changes) - set(current)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    fields = organization_fields(**(current | changes))
    _check_unique_organization(
        session, fields["normalized_name"], fields["corporate_number"],
        exclude_id=organization_id,
    )
    for key, value in fields.items():
        setattr(organization, key, value)
    _touch(organization, ctx)
    session.add(organization)
    session.flush()
    return organization


def find_organization(session: Session, name: str) -> Organization | None:
    """The active organization whose name matches `name` after normalization."""
    try:
        normalized = normalize_name(name)
    except ValueError:
        return None
    return session.scalars(
        select(Organization).where(
            Organization.normalized_name == normalized, Organization.archived_at.is_(None)
        )
    ).first()


def add_contact(
    session: Session,
    ctx: Context,
    *,
    organization_id: int,
    name: str,
    kana: str | None = None,
    department: str | None = None,
    title: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    notes: str | None = None,
) -> Contact:
    """Add a person at an organization."""
    _require_active(session, Organization, [organization_id], "organization")
    fields = contact_fields(name=name, kana=kana, department=department, title=title,
                            email=email, phone=phone, notes=notes)
    contact = Contact(organization_id=organization_id, **fields, **_stamp_new(ctx))
    session.add(contact)
    session.flush()
    return contact


def contact_fields(
    *,
    name: str,
    kana: str | None,
    department: str | None,
    title: str | None,
    email: str | None,
    phone: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """The columns of a contact but its organization, validated."""
    clean_email = _optional(email, "email", 200)
    if clean_email and "@" not in clean_email:
        raise DataError(
            f"email {clean_email!r} is not an e-mail address",
            ja=f"メールアドレスが正しくありません: {clean_email}",
            field="email",
        )
    return {
        "name": _text(name, "name", required=True, max_length=100),
        "kana": _optional(kana, "kana", 100),
        "department": _optional(department, "department", 200),
        "title": _optional(title, "title", 100),
        "email": clean_email,
        "phone": _optional(phone, "phone", 50),
        "notes": _optional(notes, "notes"),
    }


# --- staff ----------------------------------------------------------------------------------


def create_staff(
    session: Session,
    ctx: Context,
    *,
    name: str,
    kana: str | None = None,
    section: str | None = None,
    active: bool = True,
) -> Staff:
    """Add a member of the liaison staff; names are unique."""
    clean = _text(name, "staff", required=True, max_length=100)
    if session.scalars(select(Staff).where(Staff.name == clean)).first() is not None:
        raise DataError(
            f"staff {clean!r} already exists", ja=f"職員 {clean} は既に登録されています",
            field="staff",
        )
    staff = Staff(
        name=clean, kana=_optional(kana, "kana", 100), section=_optional(section, "section", 200),
        active=active, **_stamp_new(ctx),
    )
    session.add(staff)
    session.flush()
    return staff


def staff_ids_by_name(
    session: Session, ctx: Context, names: Iterable[str], *, create: bool = True
) -> list[int]:
    """Ids of the staff with these names, adding the ones not yet known if `create`."""
    ids = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        staff = session.scalars(select(Staff).where(Staff.name == name)).first()
        if staff is None:
            if not create:
                raise DataError(f"unknown staff {name!r}", ja=f"職員 {name} は未登録です",
                                field="staff")
            staff = create_staff(session, ctx, name=name)
        assert staff.id is not None
        ids.append(staff.id)
    return ids


# --- meetings -------------------------------------------------------------------------------


def log_meeting(
    session: Session,
    ctx: Context,
    *,
    held_on: date,
    title: str,
    organization_ids: Sequence[int],
    staff_ids: Sequence[int] = (),
    contact_ids: Sequence[int] = (),
    summary: str | None = None,
    next_action: str | None = None,
    follow_up_on: date | None = None,
) -> Meeting:
    """Record an exchange of views (意見交換) with at least one organization."""
    meeting = Meeting(**_stamp_new(ctx), held_on=held_on, title="")
    _apply_meeting(
        session, meeting, held_on=held_on, title=title, organization_ids=organization_ids,
        staff_ids=staff_ids, contact_ids=contact_ids, summary=summary,
        next_action=next_action, follow_up_on=follow_up_on,
    )
    return meeting


def update_meeting(
    session: Session,
    ctx: Context,
    meeting_id: int,
    *,
    held_on: date,
    title: str,
    organization_ids: Sequence[int],
    staff_ids: Sequence[int] = (),
    contact_ids: Sequence[int] = (),
    summary: str | None = None,
    next_action: str | None = None,
    follow_up_on: date | None = None,
) -> Meeting:
    """Replace a meeting's fields and links."""
    meeting = get(session, Meeting, meeting_id)
    _touch(meeting, ctx)
    _apply_meeting(
        session, meeting, held_on=held_on, title=title, organization_ids=organization_ids,
        staff_ids=staff_ids, contact_ids=contact_ids, summary=summary,
        next_action=next_action, follow_up_on=follow_up_on,
    )
    return meeting


def _apply_meeting(
    session: Session,
    meeting: Meeting,
    *,
    held_on: date,
    title: str,
    organization_ids: Sequence[int],
    staff_ids: Sequence[int],
    contact_ids: Sequence[int],
    summary: str | None,
    next_action: str | None,
    follow_up_on: date | None,
) -> None:
    fields = meeting_fields(
        held_on=held_on, title=title, organization_ids=organization_ids, summary=summary,
        next_action=next_action, follow_up_on=follow_up_on,
    )
    _require_active(session, Organization, organization_ids, "organizations")
    _require_active(session, Staff, staff_ids, "staff")
    _require_active(session, Contact, contact_ids, "contacts")
    for key, value in fields.items():
        setattr(meeting, key, value)
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    _set_links(session, MeetingOrganization, "meeting_id", meeting.id, "organization_id",
               organization_ids)
    _set_links(session, MeetingStaff, "meeting_id", meeting.id, "staff_id", staff_ids)
    _set_links(session, MeetingContact, "meeting_id", meeting.id, "contact_id", contact_ids)


def meeting_fields(
    *,
    held_on: date,
    title: str,
    organization_ids: Sequence[int],
    summary: str | None,
    next_action: str | None,
    follow_up_on: date | None,
) -> dict[str, Any]:
    """The columns of a meeting, validated by the rules that need no database."""
    if not organization_ids:
        raise DataError(
            "a meeting needs at least one organization",
            ja="意見交換の相手先を1つ以上選んでください",
            field="organizations",
        )
    if follow_up_on is not None and follow_up_on < held_on:
        raise DataError(
            f"follow-up date {follow_up_on} is before the meeting ({held_on})",
            ja=f"フォローアップ日 {follow_up_on} が意見交換の日 {held_on} より前です",
            field="follow_up_on",
        )
    return {
        "held_on": held_on,
        "title": _text(title, "title", required=True, max_length=300),
        "summary": _optional(summary, "summary"),
        "next_action": _optional(next_action, "next_action"),
        "follow_up_on": follow_up_on,
    }


def complete_follow_up(
    session: Session, ctx: Context, meeting_id: int, *, done_on: date
) -> Meeting:
    """Mark a meeting's follow-up as done on `done_on`."""
    meeting = get(session, Meeting, meeting_id)
    meeting.follow_up_done_on = done_on
    _touch(meeting, ctx)
    session.add(meeting)
    session.flush()
    return meeting


# --- agreements -----------------------------------------------------------------------------


def _check_agreement_dates(
    status: str, concluded_on: date | None, starts_on: date | None, ends_on: date | None
) -> None:
    if status in CONCLUDED_STATUSES and concluded_on is None:
        raise DataError(
            f"a {status} agreement needs its conclusion date",
            ja="締結済みの協定には締結日が必要です",
            field="concluded_on",
        )
    if status in OPEN_STATUSES and concluded_on is not None:
        raise DataError(
            f"a {status} agreement has no conclusion date yet",
            ja="締結前の協定に締結日は入れられません",
            field="concluded_on",
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise DataError(
            f"the term ends ({ends_on}) before it starts ({starts_on})",
            ja=f"協定期間の終了日 {ends_on} が開始日 {starts_on} より前です",
            field="ends_on",
        )


def create_agreement(
    session: Session,
    ctx: Context,
    *,
    title: str,
    partner_ids: Sequence[int],
    status: str = "proposed",
    concluded_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    datasets: str | None = None,
    document_ref: str | None = None,
    notes: str | None = None,
) -> Agreement:
    """Record a data-linkage agreement (データ連携協定) with at least one partner."""
    agreement = Agreement(**_stamp_new(ctx), title="", status="proposed")
    _apply_agreement(
        session, agreement, title=title, partner_ids=partner_ids, status=status,
        concluded_on=concluded_on, starts_on=starts_on, ends_on=ends_on, datasets=datasets,
        document_ref=document_ref, notes=notes,
    )
    return agreement


def update_agreement(
    session: Session,
    ctx: Context,
    agreement_id: int,
    *,
    title: str,
    partner_ids: Sequence[int],
    status: str,
    concluded_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    datasets: str | None = None,
    document_ref: str | None = None,
    notes: str | None = None,
) -> Agreement:
    """Replace an agreement's fields and partners."""
    agreement = get(session, Agreement, agreement_id)
    _touch(agreement, ctx)
    _apply_agreement(
        session, agreement, title=title, partner_ids=partner_ids, status=status,
        concluded_on=concluded_on, starts_on=starts_on, ends_on=ends_on, datasets=datasets,
        document_ref=document_ref, notes=notes,
    )
    return agreement


def _apply_agreement(
    session: Session,
    agreement: Agreement,
    *,
    title: str,
    partner_ids: Sequence[int],
    status: str,
    concluded_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
    datasets: str | None,
    document_ref: str | None,
    notes: str | None,
) -> None:
    fields = agreement_fields(
        title=title, partner_ids=partner_ids, status=status, concluded_on=concluded_on,
        starts_on=starts_on, ends_on=ends_on, datasets=datasets, document_ref=document_ref,
        notes=notes,
    )
    _require_active(session, Organization, partner_ids, "partners")
    for key, value in fields.items():
        setattr(agreement, key, value)
    session.add(agreement)
    session.flush()
    assert agreement.id is not None
    _set_links(session, AgreementPartner, "agreement_id", agreement.id, "organization_id",
               partner_ids)


def agreement_fields(
    *,
    title: str,
    partner_ids: Sequence[int],
    status: str,
    concluded_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
    datasets: str | None,
    document_ref: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """The columns of an agreement, validated by the rules that need no database."""
    if not partner_ids:
        raise DataError(
            "an agreement needs at least one partner",
            ja="協定の相手先を1つ以上選んでください",
            field="partners",
        )
    code = AGREEMENT_STATUSES.parse(status)
    _check_agreement_dates(code, concluded_on, starts_on, ends_on)
    return {
        "title": _text(title, "title", required=True, max_length=300),
        "status": code,
        "concluded_on": concluded_on,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "datasets": _optional(datasets, "datasets"),
        "document_ref": _optional(document_ref, "document_ref", 300),
        "notes": _optional(notes, "notes"),
    }


def set_agreement_status(
    session: Session, ctx: Context, agreement_id: int, *, status: str, on: date | None = None
) -> Agreement:
    """Move an agreement to `status`; concluding it needs the date (`on`)."""
    agreement = get(session, Agreement, agreement_id)
    code = AGREEMENT_STATUSES.parse(status)
    concluded_on = agreement.concluded_on
    if code == "concluded" and concluded_on is None:
        concluded_on = on
    if code in OPEN_STATUSES:
        concluded_on = None
    ends_on = agreement.ends_on
    if code == "ended" and on is not None:
        ends_on = on
    _check_agreement_dates(code, concluded_on, agreement.starts_on, ends_on)
    agreement.status = code
    agreement.concluded_on = concluded_on
    agreement.ends_on = ends_on
    _touch(agreement, ctx)
    session.add(agreement)
    session.flush()
    return agreement


# --- outreach events ------------------------------------------------------------------------


def log_event(
    session: Session,
    ctx: Context,
    *,
    held_on: date,
    kind: str,
    title: str,
    venue: str | None = None,
    municipality: str | None = None,
    attendees: int | None = None,
    audience: str | None = None,
    staff_ids: Sequence[int] = (),
    notes: str | None = None,
) -> OutreachEvent:
    """Record a promotion at an event (周知広報) or an on-site lecture (出前講座)."""
    event = OutreachEvent(**_stamp_new(ctx), held_on=held_on, kind="in_city", title="")
    _apply_event(
        session, event, held_on=held_on, kind=kind, title=title, venue=venue,
        municipality=municipality, attendees=attendees, audience=audience,
        staff_ids=staff_ids, notes=notes,
    )
    return event


def update_event(
    session: Session,
    ctx: Context,
    event_id: int,
    *,
    held_on: date,
    kind: str,
    title: str,
    venue: str | None = None,
    municipality: str | None = None,
    attendees: int | None = None,
    audience: str | None = None,
    staff_ids: Sequence[int] = (),
    notes: str | None = None,
) -> OutreachEvent:
    """Replace an outreach event's fields."""
    event = get(session, OutreachEvent, event_id)
    _touch(event, ctx)
    _apply_event(
        session, event, held_on=held_on, kind=kind, title=title, venue=venue,
        municipality=municipality, attendees=attendees, audience=audience,
        staff_ids=staff_ids, notes=notes,
    )
    return event


def _apply_event(
    session: Session,
    event: OutreachEvent,
    *,
    held_on: date,
    kind: str,
    title: str,
    venue: str | None,
    municipality: str | None,
    attendees: int | None,
    audience: str | None,
    staff_ids: Sequence[int],
    notes: str | None,
) -> None:
    fields = event_fields(
        held_on=held_on, kind=kind, title=title, venue=venue, municipality=municipality,
        attendees=attendees, audience=audience, notes=notes,
    )
    _require_active(session, Staff, staff_ids, "staff")
    for key, value in fields.items():
        setattr(event, key, value)
    session.add(event)
    session.flush()
    assert event.id is not None
    _set_links(session, OutreachEventStaff, "outreach_event_id", event.id, "staff_id", staff_ids)


def event_fields(
    *,
    held_on: date,
    kind: str,
    title: str,
    venue: str | None,
    municipality: str | None,
    attendees: int | None,
    audience: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """The columns of an outreach event, validated."""
    if attendees is not None and attendees < 0:
        raise DataError(
            f"attendees must not be negative (got {attendees})",
            ja=f"参加者数は0以上にしてください ({attendees})",
            field="attendees",
        )
    return {
        "held_on": held_on,
        "kind": EVENT_KINDS.parse(kind),
        "title": _text(title, "title", required=True, max_length=300),
        "venue": _optional(venue, "venue", 300),
        "municipality": _optional(municipality, "municipality", 100),
        "attendees": attendees,
        "audience": _optional(audience, "audience", 300),
        "notes": _optional(notes, "notes"),
    }


# --- KPIs and measurements ------------------------------------------------------------------


def seed_kpis(session: Session, ctx: Context) -> int:
    """Insert the shipped KPI set into an empty `kpi` table; returns how many were added."""
    if session.scalar(select(func.count()).select_from(Kpi)):
        return 0
    rows = [
        {**definition, "sort_order": position, **_stamp_new(ctx)}
        for position, definition in enumerate(SHIPPED_KPIS, start=1)
    ]
    session.execute(insert(Kpi), rows)
    return len(rows)


def kpi_by_code(session: Session, code: str) -> Kpi:
    """The active KPI with this code; DataError listing the codes otherwise."""
    kpi = session.scalars(
        select(Kpi).where(Kpi.code == code.strip(), Kpi.archived_at.is_(None))
    ).first()
    if kpi is None:
        codes = session.scalars(
            select(Kpi.code).where(Kpi.archived_at.is_(None)).order_by(Kpi.sort_order)
        ).all()
        raise NotFoundError(
            f"unknown KPI {code!r}; known: {', '.join(codes)}",
            ja=f"KPI {code!r} は存在しません。既知のコード: {', '.join(codes)}",
            field="kpi",
        )
    return kpi


def record_measurement(
    session: Session,
    ctx: Context,
    *,
    kpi_code: str,
    measured_on: date,
    value: float,
    note: str | None = None,
) -> KpiMeasurement:
    """Enter an observed value of a measured KPI (computed KPIs refuse measurements)."""
    kpi = kpi_by_code(session, kpi_code)
    fields = measurement_fields(kpi, measured_on=measured_on, value=value, note=note)
    measurement = KpiMeasurement(**fields, entered_by=ctx.user, **_stamp_new(ctx))
    session.add(measurement)
    session.flush()
    return measurement


def measurement_fields(
    kpi: Kpi, *, measured_on: date, value: float, note: str | None
) -> dict[str, Any]:
    """The columns of a measurement of `kpi` but who entered it, validated."""
    if kpi.kind != "measured":
        raise DataError(
            f"KPI {kpi.code} is computed from records; it takes no measurements",
            ja=f"KPI {kpi.code} は記録から自動集計されるため、測定値は入力できません",
            field="kpi",
        )
    if kpi.rule == "milestone" and value not in (0, 1):
        raise DataError(
            f"KPI {kpi.code} is a milestone: its value is 0 (未実施) or 1 (実施), not {value}",
            ja=f"KPI {kpi.code} の値は 0 (未実施) か 1 (実施) です: {value}",
            field="value",
        )
    if value < 0:
        raise DataError(f"a measurement cannot be negative ({value})",
                        ja=f"測定値は0以上にしてください ({value})", field="value")
    assert kpi.id is not None
    return {
        "kpi_id": kpi.id,
        "measured_on": measured_on,
        "value": float(value),
        "note": _optional(note, "note"),
    }
