"""The service API: every write the program makes, shared by the CLI, the TUI and importers.

Functions are keyword-only after the session and context, validate their input and raise
DataError (naming the field) for a user's mistake. They flush but never commit: the caller
owns the transaction, so a batch of calls is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar, Unpack

from sqlalchemy import ColumnElement, delete, insert, select
from sqlmodel import Session, col

from crm import tags
from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.i18n import LABELS, label
from crm.models import (
    Agreement,
    Contact,
    Kpi,
    KpiMeasurement,
    Meeting,
    Organization,
    OutreachEvent,
    Plan,
    Staff,
    Tracked,
)
from crm.normalize import kana_sort_key, normalize_name
from crm.records import entities, versions
from crm.records.agreement_history import record_changes
from crm.records.entities import Input
from crm.vocabulary import AGREEMENT_STATUSES, CONCLUDED_STATUSES, OPEN_STATUSES

T = TypeVar("T", bound=Tracked)


# --- shared helpers -------------------------------------------------------------------------


def _stamp_new(ctx: Context) -> dict[str, Any]:
    now = ctx.now()
    return {"created_at": now, "created_by": ctx.user, "updated_at": now, "updated_by": ctx.user}


def _touch(session: Session, record: Tracked, ctx: Context, version: int | None = None) -> None:
    """Stamp a change of `record` and bump its version; with `version` (the one the user
    started from), refuse the change if the record has moved on since (ConflictError)."""
    versions.claim(session, record, version)
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


def get(session: Session, model: type[T], record_id: int) -> T:
    """The record of `model` with this id, archived or not; NotFoundError otherwise."""
    record = session.get(model, record_id)
    if record is None:
        table = model.__tablename__
        what = label(table, "ja") if table in LABELS else table
        raise NotFoundError(
            f"no {table} with id {record_id}", ja=f"{what}（{table}）id {record_id} は存在しません"
        )
    return record


def archive(session: Session, ctx: Context, model: type[T], record_id: int,
            *, version: int | None = None) -> T:
    """Soft-delete a record: it stays in the database, never counts, and can be restored.
    With `version`, refused if the record changed since that version."""
    record = get(session, model, record_id)
    if record.archived_at is None:
        _touch(session, record, ctx, version)
        record.archived_at = ctx.now()
        record.archived_by = ctx.user
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
    _touch(session, record, ctx)
    record.archived_at = None
    record.archived_by = None
    session.add(record)
    session.flush()
    return record


def _set_links(
    session: Session, link: entities.Link, owner_id: int, target_ids: Iterable[int]
) -> None:
    session.execute(delete(link.table).where(link.owner_column == owner_id))
    rows = [{link.owner: owner_id, link.target: t} for t in dict.fromkeys(target_ids)]
    if rows:
        session.execute(insert(link.table), rows)


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


# --- the generic path: validate by the entity's spec, write, link ----------------------------


def _given(field: entities.Field, values: Mapping[str, Any]) -> Any:
    """The value given for `field`, or its default (no ids for a list of links)."""
    default = () if field.input is Input.NAMES and field.default is None else field.default
    return values.get(field.name, default)


def _clean_value(field: entities.Field, value: Any) -> Any:
    if field.input is Input.TEXT:
        text = _text(value, field.error_key, required=field.required,
                     max_length=field.max_length)
        if text and field.check is not None:
            try:
                text = field.check(text)
            except ValueError as exc:
                raise DataError(str(exc), field=field.error_key) from exc
        return text if field.required else text or None
    if field.input is Input.CHOICE:
        assert field.vocabulary is not None
        return field.vocabulary.parse(value)
    if field.input is Input.INT and value is not None and value < 0:
        raise DataError(
            f"{field.error_key} must not be negative (got {value})",
            ja=f"{field.ja}は0以上にしてください ({value})",
            field=field.error_key,
        )
    if field.input is Input.FLOAT:
        return float(value)
    return value


def _clean(entity: entities.Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entity's own columns in `values`, validated by its fields' rules (no database)."""
    for field in entity.fields:
        if field.input is Input.NAMES and field.required and not _given(field, values):
            article = "an" if entity.noun[0] in "aeiou" else "a"
            target = (field.column or field.error_key).removesuffix("s")
            raise DataError(
                f"{article} {entity.noun} needs at least one {target}",
                ja=f"{entity.noun_ja}の{field.ja}を1つ以上選んでください",
                field=field.error_key,
            )
    return {f.name: _clean_value(f, _given(f, values)) for f in entity.value_fields()}


def _save(
    session: Session, record: T, fields: Mapping[str, Any], links: Mapping[str, Any] | None
) -> T:
    """Write validated `fields` to `record` once every record they reference is active, and
    unless `links` is None, replace its links with the ids given there (none if left out)
    and its tags with the names given there (kept as they are if left out)."""
    entity = entities.by_model(type(record))
    linked = [f for f in entity.fields if f.input is Input.NAMES] if links is not None else []
    tagged = [f for f in entity.fields if f.input is Input.TAGS and f.name in (links or {})]
    # No autoflush while checking: the stamp and version set on `record` are written with
    # its fields in one UPDATE (one audit row), not before them in another.
    with session.no_autoflush:
        for field in entity.fields:
            if field.references is not None and field.name in fields:
                _require_active(session, field.references, [fields[field.name]],
                                field.error_key)
        for field in linked:
            assert field.link is not None and links is not None
            target = field.link.target_model
            assert issubclass(target, Tracked)  # a list of names links records, not tags
            _require_active(session, target, _given(field, links), field.error_key)
    for key, value in fields.items():
        setattr(record, key, value)
    session.add(record)
    session.flush()
    assert record.id is not None
    for field in linked:
        assert field.link is not None and links is not None
        _set_links(session, field.link, record.id, _given(field, links))
    for field in tagged:
        assert field.link is not None and links is not None
        tags.set_tags(session, field.link, record.id, links[field.name])
    return record


def _create(
    session: Session,
    ctx: Context,
    model: type[T],
    fields: Mapping[str, Any],
    links: Mapping[str, Any] | None = None,
) -> T:
    """A new record of `model` with validated `fields` and the links given in `links`."""
    return _save(session, model(**fields, **_stamp_new(ctx)), fields, links)


def _update(
    session: Session,
    ctx: Context,
    record: T,
    fields: Mapping[str, Any],
    links: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> T:
    """`record` changed to validated `fields` and, unless `links` is None, to the links given
    there; the change is stamped with who made it and when, and refused if `version` is given
    and the record has changed since it."""
    _touch(session, record, ctx, version)
    return _save(session, record, fields, links)


# --- organizations --------------------------------------------------------------------------


def _check_unique_organization(
    session: Session, normalized: str, corporate_number: str | None, *, exclude_id: int | None
) -> None:
    others: list[ColumnElement[bool]] = [col(Organization.archived_at).is_(None)]
    if exclude_id is not None:
        others.append(col(Organization.id) != exclude_id)
    clash = session.scalars(
        select(Organization).where(col(Organization.normalized_name) == normalized, *others)
    ).first()
    if clash is not None:
        raise DataError(
            f"organization {clash.name!r} (id {clash.id}) already has this name after"
            " normalization",
            ja=f"同じ名前の団体が既にあります: {clash.name} (id {clash.id})",
            field="name",
        )
    if corporate_number:
        clash = session.scalars(
            select(Organization).where(
                col(Organization.corporate_number) == corporate_number, *others
            )
        ).first()
        if clash is not None:
            raise DataError(
                f"corporate number {corporate_number} belongs to {clash.name!r} (id {clash.id})",
                ja=f"法人番号 {corporate_number} は {clash.name} (id {clash.id}) のものです",
                field="corporate_number",
            )


def organization_fields(**values: Unpack[entities.OrganizationInput]) -> dict[str, Any]:
    """The columns of an organization, validated (no uniqueness check: that needs the database)."""
    fields = _clean(entities.ORGANIZATIONS, values)
    try:
        fields["normalized_name"] = normalize_name(fields["name"])
    except ValueError as exc:
        raise DataError(str(exc), field="name") from exc
    fields["kana_sort_key"] = kana_sort_key(fields["kana"]) if fields["kana"] else None
    return fields


def create_organization(
    session: Session, ctx: Context, **values: Unpack[entities.OrganizationInput]
) -> Organization:
    """Add an organization; refused if its normalized name or corporate number is taken."""
    fields = organization_fields(**values)
    _check_unique_organization(
        session, fields["normalized_name"], fields["corporate_number"], exclude_id=None
    )
    return _create(session, ctx, Organization, fields)


def update_organization(
    session: Session, ctx: Context, organization_id: int, *, version: int | None = None,
    **changes: Any,
) -> Organization:
    """Change an organization's fields (same rules as `create_organization`); with `version`,
    refused if it changed since that version."""
    organization = get(session, Organization, organization_id)
    current = {f.name: getattr(organization, f.name) for f in entities.ORGANIZATIONS.fields}
    unknown = set(changes) - set(current)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    fields = organization_fields(**(current | changes))
    _check_unique_organization(
        session, fields["normalized_name"], fields["corporate_number"],
        exclude_id=organization_id,
    )
    return _update(session, ctx, organization, fields, version=version)


def find_organization(session: Session, name: str) -> Organization | None:
    """The active organization whose name matches `name` after normalization."""
    try:
        normalized = normalize_name(name)
    except ValueError:
        return None
    return session.scalars(
        select(Organization).where(
            col(Organization.normalized_name) == normalized,
            col(Organization.archived_at).is_(None),
        )
    ).first()


def add_contact(
    session: Session, ctx: Context, *, organization_id: int, **values: Unpack[entities.ContactInput]
) -> Contact:
    """Add a person at an organization."""
    fields = contact_fields(**values)
    return _create(session, ctx, Contact, {"organization_id": organization_id, **fields})


def contact_fields(**values: Unpack[entities.ContactInput]) -> dict[str, Any]:
    """The columns of a contact but its organization, validated."""
    return _clean(entities.CONTACTS, values)


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
    fields = staff_fields(name=name, kana=kana, section=section, active=active)
    clean = fields["name"]
    if session.scalars(select(Staff).where(col(Staff.name) == clean)).first() is not None:
        raise DataError(
            f"staff {clean!r} already exists", ja=f"職員 {clean} は既に登録されています",
            field="staff",
        )
    return _create(session, ctx, Staff, fields)


def staff_fields(
    *, name: str, kana: str | None = None, section: str | None = None, active: bool = True
) -> dict[str, Any]:
    """The columns of a staff member, validated (no uniqueness check: that needs the database)."""
    return _clean(entities.STAFF, {"name": name, "kana": kana, "section": section,
                                   "active": active})


def staff_ids_by_name(
    session: Session, ctx: Context, names: Iterable[str], *, create: bool = True
) -> list[int]:
    """Ids of the staff with these names, adding the ones not yet known if `create`."""
    ids = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        staff = session.scalars(select(Staff).where(col(Staff.name) == name)).first()
        if staff is None:
            if not create:
                raise DataError(f"unknown staff {name!r}", ja=f"職員 {name} は未登録です",
                                field="staff")
            staff = create_staff(session, ctx, name=name)
        assert staff.id is not None
        ids.append(staff.id)
    return ids


# --- meetings -------------------------------------------------------------------------------


def log_meeting(session: Session, ctx: Context, **values: Unpack[entities.MeetingInput]) -> Meeting:
    """Record an exchange of views (意見交換) with at least one organization."""
    return _create(session, ctx, Meeting, meeting_fields(**values), values)


def update_meeting(
    session: Session, ctx: Context, meeting_id: int, *, version: int | None = None,
    **values: Unpack[entities.MeetingInput],
) -> Meeting:
    """Replace a meeting's fields and links (links left out are removed, tags left out kept);
    with `version`, refused if it changed since that version."""
    return _update(session, ctx, get(session, Meeting, meeting_id), meeting_fields(**values),
                   values, version)


def meeting_fields(**values: Unpack[entities.MeetingInput]) -> dict[str, Any]:
    """The columns of a meeting, validated by the rules that need no database."""
    fields = _clean(entities.MEETINGS, values)
    follow_up_on, held_on = fields["follow_up_on"], fields["held_on"]
    if follow_up_on is not None and follow_up_on < held_on:
        raise DataError(
            f"follow-up date {follow_up_on} is before the meeting ({held_on})",
            ja=f"フォローアップ日 {follow_up_on} が意見交換の日 {held_on} より前です",
            field="follow_up_on",
        )
    return fields


def complete_follow_up(
    session: Session, ctx: Context, meeting_id: int, *, done_on: date | None,
    version: int | None = None,
) -> Meeting:
    """Mark a meeting's follow-up as done on `done_on` (None: open again, to undo)."""
    return _update(session, ctx, get(session, Meeting, meeting_id),
                   {"follow_up_done_on": done_on}, version=version)


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
    session: Session, ctx: Context, **values: Unpack[entities.AgreementInput]
) -> Agreement:
    """Record a data-linkage agreement (データ連携協定) with at least one partner."""
    return _with_history(session, ctx,
                         _create(session, ctx, Agreement, agreement_fields(**values), values))


def update_agreement(
    session: Session, ctx: Context, agreement_id: int, *, version: int | None = None,
    **values: Unpack[entities.AgreementInput],
) -> Agreement:
    """Replace an agreement's fields and partners (and its tags, if given); with `version`,
    refused if it changed since that version."""
    return _with_history(session, ctx, _update(session, ctx, get(session, Agreement, agreement_id),
                                               agreement_fields(**values), values, version))


def _with_history(session: Session, ctx: Context, agreement: Agreement) -> Agreement:
    """`agreement`, once its status history records its current status and dates."""
    assert agreement.id is not None
    record_changes(session.connection(), ctx, [agreement.id])
    return agreement


def agreement_fields(**values: Unpack[entities.AgreementInput]) -> dict[str, Any]:
    """The columns of an agreement, validated by the rules that need no database."""
    fields = _clean(entities.AGREEMENTS, values)
    _check_agreement_dates(
        fields["status"], fields["concluded_on"], fields["starts_on"], fields["ends_on"]
    )
    return fields


def set_agreement_status(
    session: Session, ctx: Context, agreement_id: int, *, status: str, on: date | None = None,
    version: int | None = None,
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
    changes = {"status": code, "concluded_on": concluded_on, "ends_on": ends_on}
    return _with_history(session, ctx, _update(session, ctx, agreement, changes, version=version))


# --- outreach events ------------------------------------------------------------------------


def log_event(
    session: Session, ctx: Context, **values: Unpack[entities.EventInput]
) -> OutreachEvent:
    """Record a promotion at an event (周知広報) or an on-site lecture (出前講座)."""
    return _create(session, ctx, OutreachEvent, event_fields(**values), values)


def update_event(
    session: Session, ctx: Context, event_id: int, *, version: int | None = None,
    **values: Unpack[entities.EventInput],
) -> OutreachEvent:
    """Replace an outreach event's fields and staff (staff left out are removed, tags left
    out kept); with `version`, refused if it changed since that version."""
    return _update(session, ctx, get(session, OutreachEvent, event_id), event_fields(**values),
                   values, version)


def event_fields(**values: Unpack[entities.EventInput]) -> dict[str, Any]:
    """The columns of an outreach event, validated."""
    return _clean(entities.EVENTS, values)


# --- KPIs and measurements ------------------------------------------------------------------


def kpi_by_code(session: Session, code: str, plan: str | None = None) -> Kpi:
    """The active KPI with this code, of the plan with code `plan`; without `plan`, of the
    one plan that has such a KPI. NotFoundError listing the codes, or DataError naming the
    plans when the code is in more than one and no plan is given."""
    code, plan = code.strip(), (plan or "").strip() or None
    active = select(Kpi, col(Plan.code)).join(Plan, col(Plan.id) == col(Kpi.plan_id)).where(
        col(Kpi.archived_at).is_(None))
    if plan is not None and session.scalar(
            select(col(Plan.id)).where(col(Plan.code) == plan)) is None:
        known = ", ".join(session.scalars(select(col(Plan.code)).order_by(col(Plan.code))))
        raise NotFoundError(f"unknown plan {plan!r}; known: {known}",
                            ja=f"計画 {plan!r} は存在しません。既知の計画: {known}", field="plan")
    if plan is not None:
        active = active.where(col(Plan.code) == plan)
    found = session.execute(active.where(col(Kpi.code) == code).order_by(col(Plan.code))).all()
    if len(found) > 1:
        plans = ", ".join(plan_code for _, plan_code in found)
        raise DataError(
            f"KPI {code!r} is in more than one plan ({plans}): name its plan (a plan column)",
            ja=f"KPI {code!r} は複数の計画にあります ({plans})。計画を指定してください (plan 列)",
            field="kpi",
        )
    if not found:
        codes = session.scalars(
            active.with_only_columns(col(Kpi.code)).order_by(col(Kpi.plan_id),
                                                             col(Kpi.sort_order))
        ).all()
        where = f" in plan {plan}" if plan else ""
        raise NotFoundError(
            f"unknown KPI {code!r}{where}; known: {', '.join(codes)}",
            ja=f"KPI {code!r} は存在しません。既知のコード: {', '.join(codes)}",
            field="kpi",
        )
    kpi: Kpi = found[0][0]
    return kpi


def record_measurement(
    session: Session,
    ctx: Context,
    *,
    kpi_code: str,
    measured_on: date,
    value: float,
    note: str | None = None,
    plan: str | None = None,
    source: str | None = None,
) -> KpiMeasurement:
    """Enter an observed value of a measured KPI (computed KPIs refuse measurements); `plan`
    names the KPI's plan where its code is in more than one; `source` says where the value
    comes from (at most 200 characters)."""
    kpi = kpi_by_code(session, kpi_code, plan)
    fields = measurement_fields(kpi, measured_on=measured_on, value=value, note=note,
                                source=source)
    return _create(session, ctx, KpiMeasurement, {**fields, "entered_by": ctx.user})


def measurement_fields(
    kpi: Kpi, *, measured_on: date, value: float, note: str | None, source: str | None = None
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
    fields = _clean(entities.MEASUREMENTS, {"measured_on": measured_on, "value": value,
                                            "note": note, "source": source})
    return {"kpi_id": kpi.id, **fields}
