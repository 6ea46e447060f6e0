"""Tags on meetings, agreements and events (e.g. スマートシティ, 防災): set, list and rename.

KPI rules filter on tags by name (`kpi_count_filter` rows with filter 'tag'), so renaming a
tag renames it in those rules too, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, col

from crm.errors import DataError, NotFoundError
from crm.models import KpiCountFilter, Tag
from crm.records.entities import AGREEMENTS, EVENTS, MEETINGS, Link

#: The tag link table of each taggable entity (the `tags` field of its spec).
LINKS: dict[str, Link] = {e.name: e.link("tags") for e in (MEETINGS, AGREEMENTS, EVENTS)}
MAX_LENGTH = 50
SEPARATOR = ";"


@dataclass(frozen=True)
class TagUse:
    """A tag and how many meetings, agreements and events carry it."""

    name: str
    meetings: int
    agreements: int
    events: int

    def to_json(self) -> dict[str, str | int]:
        """The tag and its uses as `crm tags list --format json` writes them."""
        return {"name": self.name, "meetings": self.meetings, "agreements": self.agreements,
                "events": self.events}


def clean_tags(names: Sequence[str]) -> list[str]:
    """The tags named, trimmed, without blanks or repeats, in order; DataError if too long."""
    cleaned: list[str] = []
    for name in names:
        tag = name.strip()
        if len(tag) > MAX_LENGTH:
            raise DataError(f"tag {tag[:20]!r}… is longer than {MAX_LENGTH} characters",
                            ja=f"タグ {tag[:20]!r}… は {MAX_LENGTH} 文字以内にしてください",
                            field="tags")
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def parse_tags(text: str | None) -> list[str]:
    """The tags of a `tags` cell: names separated by ';'."""
    return clean_tags((text or "").split(SEPARATOR))


def _tag_ids(session: Session, names: list[str]) -> list[int]:
    """The ids of the tags named, creating the ones that do not exist yet."""
    existing = {t.name: t.id for t in session.scalars(select(Tag).where(col(Tag.name).in_(names)))}
    for name in names:
        if name not in existing:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
            existing[name] = tag.id
    return [int(existing[name] or 0) for name in names]


def tag_ids(session: Session, names: Sequence[str]) -> list[int]:
    """The ids of the tags named (cleaned as by `clean_tags`), creating those not yet known."""
    return _tag_ids(session, clean_tags(names))


def set_tags(session: Session, link: Link, record_id: int, names: Sequence[str]) -> bool:
    """Give a record exactly the tags `names` through its tag `link` (`LINKS`); whether its
    tags changed."""
    wanted = clean_tags(names)
    if set(wanted) == set(tags_of(session, link, record_id)):
        return False
    ids = _tag_ids(session, wanted)
    session.execute(delete(link.table).where(link.owner_column == record_id))
    if ids:
        session.execute(insert(link.table), [{link.owner: record_id, link.target: i} for i in ids])
    return True


def tags_of(session: Session, link: Link, record_id: int) -> list[str]:
    """A record's tags, by name."""
    query = (select(col(Tag.name)).join(link.table, link.target_column == col(Tag.id))
             .where(link.owner_column == record_id).order_by(col(Tag.name)))
    return list(session.scalars(query))


def list_tags(session: Session) -> list[TagUse]:
    """Every tag with its uses, by name."""
    def uses(link: Link) -> dict[int, int]:
        tag_id = link.target_column
        return {int(i): int(n) for i, n in
                session.execute(select(tag_id, func.count()).group_by(tag_id))}

    meetings, agreements, events = (uses(LINKS[e]) for e in ("meetings", "agreements", "events"))
    return [
        TagUse(t.name, meetings.get(t.id or 0, 0), agreements.get(t.id or 0, 0),
               events.get(t.id or 0, 0))
        for t in session.scalars(select(Tag).order_by(col(Tag.name)))
    ]


def rename_tag(session: Session, old: str, new: str) -> None:
    """Rename a tag everywhere, KPI rules included; refuses a name already taken (two tags
    are not merged: rename the records' tags by file instead)."""
    tag = session.scalars(select(Tag).where(col(Tag.name) == old.strip())).first()
    if tag is None:
        shown = repr(old if len(old) <= 40 else old[:40] + "…")
        raise NotFoundError(f"no tag {shown}", ja=f"タグ {shown} はありません", field="tag")
    (name,) = clean_tags([new]) or [""]
    if not name:
        raise DataError("a tag needs a name", ja="タグ名が空です", field="tag")
    if session.scalars(select(Tag).where(col(Tag.name) == name, col(Tag.id) != tag.id)).first():
        raise DataError(f"tag {name!r} exists already", ja=f"タグ {name!r} は既にあります",
                        field="tag")
    session.execute(update(KpiCountFilter)
                    .where(col(KpiCountFilter.filter) == "tag",
                           col(KpiCountFilter.value) == tag.name)
                    .values(value=name))
    tag.name = name
    session.flush()
