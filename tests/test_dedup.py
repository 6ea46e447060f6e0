"""crm.records.dedup: likely duplicate organizations, merging them and undoing the merge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from cli.main import main
from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.kpi import engine as kpi
from crm.models import (
    AgreementPartner,
    AuditLog,
    Contact,
    MeetingOrganization,
    Organization,
    OrganizationMerge,
)
from crm.normalize import LEGAL_FORMS, matching_key, split_legal_form
from crm.records import services
from crm.records.dedup import (
    DuplicatePair,
    OrganizationRef,
    duplicate_pairs,
    find_duplicates,
    merge_organizations,
    unmerge_organizations,
)
from db.session import Database

CORPORATE_NUMBER = "6700150001390"

# Real-world spellings of one organization, as they turn up in the office's spreadsheets.
VARIANTS = [
    pytest.param("株式会社播磨データ", "播磨データ株式会社", "same_name", id="前株-後株"),
    pytest.param("株式会社播磨データ", "㈱播磨データ", "same_name", id="㈱"),
    pytest.param("株式会社播磨データ", "（株）播磨データ", "same_name", id="（株）"),
    pytest.param("株式会社播磨データ", "株式会社　播磨　データ", "same_name", id="全角スペース"),
    pytest.param("株式会社ハリマデータ", "株式会社ﾊﾘﾏﾃﾞｰﾀ", "same_name", id="半角カナ"),
    pytest.param("株式会社ハリマデータ", "株式会社はりまでーた", "same_name", id="ひらがな"),
    pytest.param("株式会社ＡＢＣシステム", "株式会社abcシステム", "same_name", id="全角英字"),
    pytest.param("株式会社データサーバー", "株式会社データサーバ－", "same_name", id="ー-－"),
    pytest.param("株式会社データサーバー", "株式会社データサーバ", "same_name", id="長音なし"),
    pytest.param("株式会社播磨データシステム", "株式会社播磨データシステムズ", "close_name",
                 id="近い名前"),
    pytest.param("一般社団法人かこがわICT", "(一社)かこがわICT", "same_name", id="(一社)"),
    pytest.param("国立大学法人神戸大学", "神戸大学", "same_name_other_form", id="国立大学法人"),
    pytest.param("有限会社山田商店", "山田商店", "same_name_other_form", id="有限会社-なし"),
    pytest.param("合同会社スマートシティ", "スマート・シティ合同会社", "same_name", id="中黒-後株"),
    pytest.param("株式会社播磨データ", "有限会社播磨データ", "same_name_other_form",
                 id="株式会社-有限会社"),
]


def refs(*names: str, numbers: dict[int, str] | None = None) -> list[OrganizationRef]:
    numbers = numbers or {}
    return [OrganizationRef(i, name, "company", numbers.get(i)) for i, name in
            enumerate(names, 1)]


@pytest.mark.parametrize(("first", "second", "reason"), VARIANTS)
def test_real_world_variants_are_paired_with_their_reason(
    first: str, second: str, reason: str
) -> None:
    [pair] = duplicate_pairs(refs(first, second))
    assert (pair.first.name, pair.second.name, pair.reason) == (first, second, reason)
    assert 0.6 <= pair.score <= 1


def test_legal_form_and_its_position_are_kept_but_not_matched_on() -> None:
    assert split_legal_form("株式会社播磨データ") == ("株式会社", "before", "播磨データ")
    assert split_legal_form("播磨データ株式会社") == ("株式会社", "after", "播磨データ")
    assert matching_key("株式会社播磨データ") == matching_key("播磨データ株式会社")


def test_a_corporate_number_is_the_strongest_reason() -> None:
    pairs = duplicate_pairs(
        refs("株式会社神戸製鋼所", "神鋼", "兵庫県立大学", numbers={1: CORPORATE_NUMBER,
                                                                 2: CORPORATE_NUMBER})
    )
    assert [(p.first.id, p.second.id, p.score, p.reason) for p in pairs] == [
        (1, 2, 1.0, "corporate_number")
    ]
    assert pairs[0].reason_text("ja") == "法人番号が同じ"


def test_unrelated_names_are_not_paired_and_order_is_by_score() -> None:
    pairs = duplicate_pairs(refs("加古川市", "高砂市", "株式会社播磨データ", "播磨データ株式会社",
                                 "㈱播磨データ", "株式会社播磨データシステム",
                                 "株式会社播磨データシステムズ"))
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert {(p.first.id, p.second.id) for p in pairs} == {(3, 4), (3, 5), (4, 5), (6, 7)}
    assert duplicate_pairs(refs("株式会社播磨データシステム", "株式会社播磨データシステムズ"),
                           min_score=0.9) == []


# --- properties -----------------------------------------------------------------------------

CORES = st.text(
    alphabet=st.sampled_from("アイウエオカキクケコサシスセソタチツテトナニハヒフマミムメモヤユヨ"
                             "ラリルレロワンデータ播磨神戸加古川情報技術"),
    min_size=2, max_size=12,
)
WIDTH = str.maketrans("アイウエオカキクケコサシスセソタチツテトナニハヒフマミムメモ"
                      "ヤユヨラリルレロワンー",
                      "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾊﾋﾌﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝｰ")


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A name and another spelling of it: legal form moved, abbreviated, widths, spaces."""
    core = draw(CORES)
    form = draw(st.sampled_from([f for f in LEGAL_FORMS if f != "株式会社"] + ["株式会社"]))
    original = f"{form}{core}"
    other = draw(st.sampled_from([f"{core}{form}", f"{form}　{core}",
                                  f"{form} {core.translate(WIDTH)}", f"  {form}{core}  "]))
    if form == "株式会社":
        other = draw(st.sampled_from([other, f"㈱{core}", f"（株）{core}", f"{core}(株)"]))
    return original, other


@settings(max_examples=150, deadline=None)
@given(spellings())
def test_any_spelling_of_a_name_is_found_as_a_duplicate(pair: tuple[str, str]) -> None:
    original, other = pair
    assert matching_key(original) == matching_key(other)
    [found] = duplicate_pairs(refs(original, other))
    assert found.reason in {"same_name", "same_name_other_form"}
    assert found.score >= 0.85


@settings(max_examples=100, deadline=None)
@given(st.lists(CORES, min_size=1, max_size=8), st.floats(min_value=0, max_value=1))
def test_pairs_are_ordered_unique_and_above_the_threshold(
    names: list[str], min_score: float
) -> None:
    pairs = duplicate_pairs(refs(*names), min_score=min_score)
    keys = [(p.first.id, p.second.id) for p in pairs]
    assert len(keys) == len(set(keys))
    assert all(p.first.id < p.second.id and min_score <= p.score <= 1 for p in pairs)
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    # The same names in another order give the same pairs.
    again = duplicate_pairs(refs(*reversed(names)), min_score=min_score)
    assert sorted(
        tuple(sorted((p.first.name, p.second.name))) for p in pairs
    ) == sorted(tuple(sorted((p.first.name, p.second.name))) for p in again)


# --- merge and undo -------------------------------------------------------------------------


@pytest.fixture
def world(database: Database, ctx: Context) -> Iterator[tuple[Database, dict[str, int]]]:
    """A company entered twice with meetings, an agreement and contacts on both."""
    with database.writing() as session:
        def org(name: str, kind: str = "company") -> int:
            created = services.create_organization(session, ctx, name=name, kind=kind)
            assert created.id is not None
            return created.id

        ids = {"keep": org("株式会社播磨データ"), "dup": org("播磨データ株式会社"),
               "university": org("兵庫県立大学", "university")}

        def meeting(day: int, *orgs: int) -> int:
            made = services.log_meeting(session, ctx, held_on=date(2022, 12, day),
                                        title=f"会議{day}", organization_ids=list(orgs))
            assert made.id is not None
            return made.id

        ids["m_keep"] = meeting(1, ids["keep"])
        ids["m_dup"] = meeting(2, ids["dup"], ids["university"])
        ids["m_both"] = meeting(3, ids["keep"], ids["dup"])  # the key would collide
        agreement = services.create_agreement(
            session, ctx, title="協定", partner_ids=[ids["dup"]], status="concluded",
            concluded_on=date(2022, 12, 5),
        )
        assert agreement.id is not None
        ids["agreement"] = agreement.id
        contact = services.add_contact(session, ctx, organization_id=ids["dup"], name="山田")
        assert contact.id is not None
        ids["contact"] = contact.id
    yield database, ids


Pairs = set[tuple[int, int]]


def links(session: Session) -> tuple[Pairs, Pairs, Pairs]:
    def pairs(*columns: Any) -> Pairs:
        return {(a, b) for a, b in session.execute(select(*columns))}

    return (pairs(MeetingOrganization.meeting_id, MeetingOrganization.organization_id),
            pairs(AgreementPartner.agreement_id, AgreementPartner.organization_id),
            pairs(Contact.id, Contact.organization_id))


def companies_consulted(session: Session) -> float | None:
    figures = {f.code: f for f in kpi.compute_at(session, date(2023, 3, 31))}
    return figures["companies_consulted"].value


def test_the_duplicates_of_the_database(world: tuple[Database, dict[str, int]]) -> None:
    database, ids = world
    with database.reading() as session:
        pairs = find_duplicates(session)
    assert [(p.first.id, p.second.id, p.reason) for p in pairs] == [
        (ids["keep"], ids["dup"], "same_name")
    ]
    assert isinstance(pairs[0], DuplicatePair)


def test_merge_moves_every_link_archives_and_undo_restores_exactly(
    world: tuple[Database, dict[str, int]], ctx: Context
) -> None:
    database, ids = world
    keep, dup = ids["keep"], ids["dup"]
    with database.reading() as session:
        before = links(session)
        consulted_before = companies_consulted(session)
    with database.writing() as session:
        record = merge_organizations(session, ctx, keep_id=keep, duplicate_id=dup)
        merge_id = record.id
    with database.reading() as session:
        meetings, partners, contacts = links(session)
        assert {m for m, o in meetings if o == dup} == set()
        assert {m for m, o in meetings if o == keep} == {ids["m_keep"], ids["m_dup"],
                                                         ids["m_both"]}
        assert (ids["agreement"], keep) in partners
        assert (ids["contact"], keep) in contacts
        duplicate = session.get(Organization, dup)
        assert duplicate is not None and duplicate.archived_at is not None
        stored = session.get(OrganizationMerge, merge_id)
        assert stored is not None and stored.merged_by == ctx.user
        assert json.loads(stored.moved_json) == {
            "meeting_organization": {"moved": [ids["m_dup"]], "dropped": [ids["m_both"]]},
            "agreement_partner": {"moved": [ids["agreement"]], "dropped": []},
            "contact": [ids["contact"]],
        }
        # Two companies met before; one company now, counted once.
        assert consulted_before is not None
        assert companies_consulted(session) == consulted_before - 1
        if database.engine.dialect.name == "sqlite":  # the audit triggers (migration 0003)
            # Every step went through ordinary writes: the audit log has them.
            logged = {(table, action) for table, action in session.execute(
                select(AuditLog.table_name, AuditLog.action).where(AuditLog.action != "insert"))}
            assert {("meeting_organization", "update"), ("meeting_organization", "delete"),
                    ("agreement_partner", "update"), ("contact", "update"),
                    ("organization", "update")} <= logged
            assert session.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.table_name == "organization_merge")) == 1
    with database.writing() as session:
        unmerge_organizations(session, ctx, merge_id)
    with database.reading() as session:
        assert links(session) == before
        restored = session.get(Organization, dup)
        assert restored is not None and restored.archived_at is None
        assert companies_consulted(session) == consulted_before
        stored = session.get(OrganizationMerge, merge_id)
        assert stored is not None and stored.undone_at is not None
    with database.writing() as session, pytest.raises(DataError, match="already undone"):
        unmerge_organizations(session, ctx, merge_id)


@pytest.mark.parametrize(
    ("keep", "dup", "message"),
    [("keep", "keep", "into itself"), ("keep", "missing", "no organization")],
)
def test_merges_that_make_no_sense_are_refused(
    world: tuple[Database, dict[str, int]], ctx: Context, keep: str, dup: str, message: str
) -> None:
    database, ids = world
    ids = {**ids, "missing": 999}
    with database.writing() as session, pytest.raises(DataError, match=message):
        merge_organizations(session, ctx, keep_id=ids[keep], duplicate_id=ids[dup])


def test_an_archived_organization_cannot_be_merged_or_kept(
    world: tuple[Database, dict[str, int]], ctx: Context
) -> None:
    database, ids = world
    with database.writing() as session:
        services.archive(session, ctx, Organization, ids["university"])
    for keep, dup in (("university", "dup"), ("keep", "university")):
        with database.writing() as session, pytest.raises(DataError, match="is archived"):
            merge_organizations(session, ctx, keep_id=ids[keep], duplicate_id=ids[dup])


def test_undo_is_refused_once_the_kept_organization_was_merged_away(
    world: tuple[Database, dict[str, int]], ctx: Context
) -> None:
    database, ids = world
    with database.writing() as session:
        first = merge_organizations(session, ctx, keep_id=ids["keep"], duplicate_id=ids["dup"])
        merge_organizations(session, ctx, keep_id=ids["university"], duplicate_id=ids["keep"])
        assert first.id is not None
        first_id = first.id
    with database.writing() as session, pytest.raises(DataError, match="undo that first"):
        unmerge_organizations(session, ctx, first_id)
    with database.writing() as session, pytest.raises(NotFoundError):
        unmerge_organizations(session, ctx, 999)


@pytest.mark.usefixtures("english")
def test_the_orgs_commands(
    world: tuple[Database, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    database, ids = world
    db = ["--db", database.engine.url.database or ""] if database.url.startswith(
        "sqlite") else []
    if not db:
        pytest.skip("the CLI is tested on SQLite")
    assert main([*db, "--lang", "en", "orgs", "duplicates"]) == 0
    out = capsys.readouterr().out
    assert "株式会社播磨データ" in out and "播磨データ株式会社" in out
    assert "same name once legal form" in out
    assert main([*db, "orgs", "duplicates", "--format", "json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)
    assert (pair["score"], pair["reason"], pair["second"]["id"]) == (0.95, "same_name", ids["dup"])
    assert main([*db, "orgs", "duplicates", "--format", "json", "--min-score", "0.96"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*db, "orgs", "merge", str(ids["keep"]), str(ids["dup"])]) == 0
    assert "crm orgs unmerge 1" in capsys.readouterr().out
    assert main([*db, "--lang", "en", "orgs", "merge", str(ids["keep"]), str(ids["dup"])]) == 1
    assert "is archived" in capsys.readouterr().err
    assert main([*db, "orgs", "unmerge", "1"]) == 0
    assert "restored" in capsys.readouterr().out
    with database.reading() as session:
        restored = session.get(Organization, ids["dup"])
        assert restored is not None and restored.archived_at is None
