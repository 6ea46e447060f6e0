"""Duplicate organizations (名寄せ): likely pairs with a score and a reason, merge and undo.

A pair is likely the same organization when it shares a corporate number (法人番号), when
the names have the same matching key (crm.normalize.matching_key: legal form left out,
kana and width folded, long-vowel marks and punctuation removed), or when the keys are
close. Merging moves every meeting, agreement and contact of the duplicate to the
organization kept, archives the duplicate and records what moved in `organization_merge`,
through ordinary writes, so the audit log has every step; undoing puts it all back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, col

from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.models import Organization, OrganizationMerge, Tracked
from crm.normalize import matching_key, split_legal_form
from crm.records import entities, services

__all__ = [
    "REASONS",
    "DuplicatePair",
    "duplicate_pairs",
    "OrganizationRef",
    "find_duplicates",
    "merge_organizations",
    "unmerge_organizations",
]

#: Reason code -> (English, Japanese) wording, strongest first.
REASONS: dict[str, tuple[str, str]] = {
    "corporate_number": ("same corporate number", "法人番号が同じ"),
    "same_name": ("same name once legal form, kana, width and long vowels are folded",
                  "法人格・かな・全半角・長音を揃えると同じ名前"),
    "same_name_other_form": ("same name with a different legal form",
                             "法人格だけが異なる同じ名前"),
    "close_name": ("close names", "名前が近い"),
}
_SCORES = {"corporate_number": 1.0, "same_name": 0.95, "same_name_other_form": 0.85}
#: Keys at least this similar (difflib ratio) are `close_name`; the score is 0.8 x ratio.
CLOSE_RATIO = 0.8


@dataclass(frozen=True)
class OrganizationRef:
    """The fields of an organization a duplicate listing shows."""

    id: int
    name: str
    kind: str
    corporate_number: str | None


@dataclass(frozen=True)
class DuplicatePair:
    """Two active organizations that are likely one, `first` the older (lower id)."""

    first: OrganizationRef
    second: OrganizationRef
    score: float
    reason: str

    def reason_text(self, lang: str) -> str:
        """The reason in `lang` ('ja' or 'en')."""
        english, japanese = REASONS[self.reason]
        return japanese if lang == "ja" else english

    def to_json(self) -> dict[str, Any]:
        """The pair as plain data (for `--format json`)."""
        return {
            "score": self.score,
            "reason": self.reason,
            "first": self.first.__dict__,
            "second": self.second.__dict__,
        }


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def find_duplicates(session: Session, *, min_score: float = 0.6) -> list[DuplicatePair]:
    """Likely duplicate pairs among active organizations, highest score first."""
    organizations = [
        OrganizationRef(*row)
        for row in session.execute(
            select(col(Organization.id), col(Organization.name), col(Organization.kind),
                   col(Organization.corporate_number))
            .where(col(Organization.archived_at).is_(None)).order_by(col(Organization.id))
        )
    ]
    return duplicate_pairs(organizations, min_score=min_score)


def duplicate_pairs(
    organizations: Sequence[OrganizationRef], *, min_score: float = 0.6
) -> list[DuplicatePair]:
    """The likely duplicate pairs among `organizations` (ids unique), highest score first."""
    by_id = {o.id: o for o in organizations}
    found: dict[tuple[int, int], tuple[float, str]] = {}

    def note(a: int, b: int, score: float, reason: str) -> None:
        pair = (min(a, b), max(a, b))
        if score > found.get(pair, (0.0, ""))[0]:
            found[pair] = (score, reason)

    by_number: defaultdict[str, list[int]] = defaultdict(list)
    by_key: defaultdict[str, list[int]] = defaultdict(list)
    keys: dict[int, str] = {}
    forms: dict[int, str | None] = {}
    for o in organizations:
        if o.corporate_number:
            by_number[o.corporate_number].append(o.id)
        try:
            keys[o.id] = matching_key(o.name)
        except ValueError:
            continue  # a name that is nothing but a legal form: matched by number only
        forms[o.id] = split_legal_form(o.name)[0]
        by_key[keys[o.id]].append(o.id)
    for ids in by_number.values():
        for a, b in combinations(ids, 2):
            note(a, b, _SCORES["corporate_number"], "corporate_number")
    for ids in by_key.values():
        for a, b in combinations(ids, 2):
            reason = "same_name" if forms[a] == forms[b] else "same_name_other_form"
            note(a, b, _SCORES[reason], reason)
    if min_score <= CLOSE_RATIO:
        _close_names(keys, note, min_score)
    pairs = [
        DuplicatePair(by_id[a], by_id[b], round(score, 3), reason)
        for (a, b), (score, reason) in found.items()
        if score >= min_score
    ]
    pairs.sort(key=lambda p: (-p.score, p.first.id, p.second.id))
    return pairs


def _close_names(keys: dict[int, str], note: Any, min_score: float) -> None:
    """Note pairs of different keys that are close; only keys sharing a bigram are compared."""
    distinct: defaultdict[str, list[int]] = defaultdict(list)
    for organization_id, key in keys.items():
        distinct[key].append(organization_id)
    index: defaultdict[str, set[str]] = defaultdict(set)
    for key in distinct:
        for gram in _bigrams(key):
            index[gram].add(key)
    compared: set[tuple[str, str]] = set()
    for key in distinct:
        candidates = set().union(*(index[gram] for gram in _bigrams(key)))
        for other in candidates:
            pair = (key, other) if key < other else (other, key)
            if other == key or pair in compared:
                continue
            compared.add(pair)
            matcher = SequenceMatcher(None, *pair, autojunk=False)
            if matcher.quick_ratio() < CLOSE_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio < CLOSE_RATIO or CLOSE_RATIO * ratio < min_score:
                continue
            for a in distinct[pair[0]]:
                for b in distinct[pair[1]]:
                    note(a, b, CLOSE_RATIO * ratio, "close_name")


# --- merge and undo -------------------------------------------------------------------------

# The link tables that tie records to organizations, and the records that belong to one: what
# a merge moves (from the entity specs, so a new entity's links are moved too).
_LINKS = entities.organization_links()
_REFERENCES = entities.organization_references()


def _active(session: Session, organization_id: int, role: str) -> Organization:
    organization = services.get(session, Organization, organization_id)
    if organization.archived_at is not None:
        raise DataError(
            f"{role}: organization {organization_id} ({organization.name}) is archived",
            ja=f"{role}: 団体 {organization_id} ({organization.name}) は保管済みです",
            field=role,
        )
    return organization


def merge_organizations(
    session: Session, ctx: Context, *, keep_id: int, duplicate_id: int
) -> OrganizationMerge:
    """Merge `duplicate_id` into `keep_id`: move its meetings, agreements and contacts, archive
    it, and record the merge (undo with `unmerge_organizations`)."""
    if keep_id == duplicate_id:
        raise DataError("an organization cannot be merged into itself",
                        ja="同じ団体どうしは統合できません", field="duplicate")
    _active(session, keep_id, "keep")
    _active(session, duplicate_id, "duplicate")
    moved: dict[str, Any] = {}
    for link in _LINKS:
        owner, target = link.owner_column, link.target_column
        owners = set(session.scalars(select(owner).where(target == duplicate_id)))
        # Where KEEP is already linked, the duplicate's row is dropped: the key would collide.
        dropped = set(session.scalars(
            select(owner).where(target == keep_id, owner.in_(owners))
        ))
        if dropped:
            session.execute(delete(link.table).where(target == duplicate_id, owner.in_(dropped)))
        if owners - dropped:
            session.execute(
                update(link.table)
                .where(target == duplicate_id, owner.in_(owners - dropped))
                .values({link.target: keep_id})
            )
        moved[link.table_name] = {"moved": sorted(owners - dropped), "dropped": sorted(dropped)}
    for model, attribute in _REFERENCES:
        moved[str(model.__tablename__)] = _move_records(
            session, ctx, model, attribute, duplicate_id, keep_id, None
        )
    services.archive(session, ctx, Organization, duplicate_id)
    record = OrganizationMerge(
        kept_id=keep_id, merged_id=duplicate_id, merged_at=ctx.now(), merged_by=ctx.user,
        moved_json=json.dumps(moved, sort_keys=True),
    )
    session.add(record)
    session.flush()
    return record


def unmerge_organizations(session: Session, ctx: Context, merge_id: int) -> OrganizationMerge:
    """Undo a merge: restore the merged organization and give it back exactly what moved."""
    record = session.get(OrganizationMerge, merge_id)
    if record is None:
        raise NotFoundError(f"no organization merge with id {merge_id}",
                            ja=f"団体の統合 id {merge_id} は存在しません", field="merge")
    if record.undone_at is not None:
        raise DataError(f"merge {merge_id} was already undone",
                        ja=f"統合 {merge_id} は既に取り消されています", field="merge")
    kept = services.get(session, Organization, record.kept_id)
    if kept.archived_at is not None:
        raise DataError(
            f"merge {merge_id}: the organization kept ({kept.name}) has since been archived or"
            " merged itself; undo that first",
            ja=f"統合 {merge_id}: 残した団体 ({kept.name}) がその後保管・統合されています。"
            "先にそちらを取り消してください",
            field="merge",
        )
    services.restore(session, ctx, Organization, record.merged_id)
    moved = json.loads(record.moved_json)
    for link in _LINKS:
        owner, target = link.owner_column, link.target_column
        entry = moved[link.table_name]
        owners = set(entry["moved"]) | set(entry["dropped"])
        already = set(session.scalars(
            select(owner).where(target == record.merged_id, owner.in_(owners))
        ))
        back = set(entry["moved"]) - already
        if back:
            session.execute(
                update(link.table)
                .where(target == record.kept_id, owner.in_(back))
                .values({link.target: record.merged_id})
            )
        again = [o for o in entry["dropped"] if o not in already]
        if again:
            session.execute(insert(link.table), [
                {link.owner: o, link.target: record.merged_id} for o in again
            ])
    for model, attribute in _REFERENCES:
        _move_records(session, ctx, model, attribute, record.kept_id, record.merged_id,
                      moved[str(model.__tablename__)])
    record.undone_at = ctx.now()
    record.undone_by = ctx.user
    session.add(record)
    session.flush()
    return record


def _move_records(
    session: Session,
    ctx: Context,
    model: type[Tracked],
    attribute: str,
    from_id: int,
    to_id: int,
    ids: list[int] | None,
) -> list[int]:
    """Point the records of `model` belonging to organization `from_id` (only those of `ids`,
    if given) at `to_id`, as changes by the user; returns their ids."""
    owner = col(getattr(model, attribute))
    record_id = col(model.id)
    chosen: list[int] = sorted(session.scalars(
        select(record_id).where(owner == from_id, *([] if ids is None else [record_id.in_(ids)]))
    ))
    if chosen:
        session.execute(
            update(model).where(record_id.in_(chosen))
            .values({attribute: to_id, "updated_at": ctx.now(), "updated_by": ctx.user,
                     "version": col(model.version) + 1})
        )
    return chosen
