"""Keys of one or two characters through the index (migration 0015): every plan finds exactly
what the plain LIKE search finds, the index is what is read, and the migration undoes and
redoes cleanly."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from crm.context import Context
from crm.records import entities, queries, services, text_index
from crm.records.queries import ListFilter, MeetingRow, _Lister
from db.migrate import alembic_config
from db.schema_sql import search, search_short
from db.session import Database
from db.triggers import trigger_problems

#: (key class, key): kana, kanji, ASCII in both cases, digits, a key at the very end of a
#: document (the last staff member's kana), a key spanning two linked names (matches
#: nothing: the names are separate values), LIKE's wildcards, a full-width cased letter
#: (not looked up on SQLite: the tokenizer folds it, LIKE does not), and misses.
KEYS = (
    ("kana", "ほう"), ("kana", "ト"), ("katakana", "キワ"), ("kanji", "防災"), ("kanji", "災"),
    ("kanji", "該当"), ("ASCII lower", "io"), ("ASCII upper", "IO"), ("ASCII mixed", "Io"),
    ("ASCII 1", "t"), ("ASCII 1 upper", "T"), ("digits", "42"), ("digit", "7"),
    ("end of a document", "ろう"), ("end of a document, 1", "う"), ("end, ASCII", "zq"),
    ("spanning two names", "学と"), ("wildcard", "%"), ("wildcards", "_b"),
    ("full-width", "ｉ"), ("full-width upper", "Ｉ"), ("nothing", "ぬ"), ("nothing", "xz"),
)

_PLAIN = _Lister(replace(entities.MEETINGS,
                         listing=replace(entities.MEETINGS.list_spec, text_index=None)),
                 MeetingRow)
_MEETINGS = _Lister(entities.MEETINGS, MeetingRow)


@pytest.fixture
def meetings(database: Database, ctx: Context) -> list[int]:
    """Meetings whose documents hold every key class, including at their very end."""
    with database.writing() as s:
        university = services.create_organization(s, ctx, name="神戸大学", kind="university",
                                                  kana="こうべだいがく")
        tokiwa = services.create_organization(s, ctx, name="ときわ電機", kind="company",
                                              kana="トキワデンキ")
        yamada = services.create_staff(s, ctx, name="山田 太郎", kana="やまだ たろう")
        quiz = services.create_staff(s, ctx, name="Quiz", kana="Xyzq")
        assert university.id and tokiwa.id and yamada.id and quiz.id
        rows = [
            ("防災IoTの相談", "ioT 実証 100% a_b", [university.id], [yamada.id]),
            ("定例 #42", None, [tokiwa.id], [quiz.id]),
            ("IO 連携 #7", "ｉｏ と Ｉｏ", [university.id, tokiwa.id], []),
            ("その他", "t", [university.id], [yamada.id, quiz.id]),
            ("防災", "ほうこく", [tokiwa.id], []),
        ]
        return [services.log_meeting(s, ctx, held_on=date(2023, 5, 1 + i), title=title,
                                     summary=summary, organization_ids=orgs,
                                     staff_ids=staff).id or 0
                for i, (title, summary, orgs, staff) in enumerate(rows)]


@pytest.mark.parametrize(("what", "key"), KEYS)
def test_every_short_key_finds_what_the_like_search_finds(
        database: Database, meetings: list[int], what: str, key: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "TEST_ROWS", 2)  # walks hand over within the fixture
    monkeypatch.setattr(queries, "UNPROBED_WALK", 1)
    with database.reading() as session:
        for archived, (offset, limit) in itertools.product((False, True),
                                                            ((0, 100), (0, 1), (1, 2))):
            chosen = ListFilter(text=key, include_archived=archived)
            plain = _PLAIN.page(session, filters=chosen, offset=offset, limit=limit)
            for plan in (None, queries.SORT, queries.PROBE, queries.TEST):
                assert _MEETINGS.page(session, filters=chosen, offset=offset, limit=limit,
                                      plan=plan) == plain, (what, key, plan)
            assert (_MEETINGS.count(session, filters=chosen)
                    == _PLAIN.count(session, filters=chosen)), (what, key)


def test_the_keys_are_found_where_the_fixture_puts_them(
        database: Database, meetings: list[int]) -> None:
    """The key classes above are searched for real: at a document's end, in both cases."""
    with database.reading() as session:
        def found(key: str) -> set[int]:
            return {r.id for r in _MEETINGS.page(session, filters=ListFilter(text=key))}
        assert found("ろう") == {meetings[0], meetings[3]}  # the last staff member's kana
        assert found("う") >= {meetings[0], meetings[3]}
        assert found("zq") == {meetings[1], meetings[3]}  # a document's end
        assert found("学と") == set()
        sqlite = session.get_bind().dialect.name == "sqlite"
        # LIKE folds ASCII case on SQLite only.
        assert found("ZQ") == ({meetings[1], meetings[3]} if sqlite else set())
        assert found("io") == ({meetings[0], meetings[2]} if sqlite else {meetings[0]})


def _plan_of(session: Session, statement: str) -> str:
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the fixture is tiny
    return "\n".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {statement}")))


@pytest.mark.parametrize("key", ["防災", "災", "io", "IO", "ろう"])
@pytest.mark.parametrize("plan", [queries.SORT, queries.PROBE])
def test_a_short_key_goes_through_the_index(database: Database, meetings: list[int],
                                            key: str, plan: str) -> None:
    with database.reading() as session:
        dialect = session.get_bind().dialect.name
        assert text_index.indexed((key,), dialect)
        statement = _MEETINGS.query(ListFilter(text=key), plan)
        compiled = str(statement.compile(session.get_bind(),
                                         compile_kwargs={"literal_binds": True}))
        explained = _plan_of(session, compiled)
        if dialect == "sqlite":
            # The terms' table read with its range of terms (FTS5's index 0: all terms).
            assert "search_meeting_terms" in compiled
            assert "SCAN search_meeting_terms VIRTUAL TABLE INDEX" in explained
            assert "search_meeting_terms VIRTUAL TABLE INDEX 0:" not in explained
        else:
            assert "ix_search_meeting_grams" in explained
        assert session.scalars(statement).all()
        session.execute(text("DELETE FROM search_meeting"))
        # With the documents gone the index narrows to nothing: the index is what is read.
        assert session.scalars(statement).all() == []


def test_a_cased_letter_other_than_ascii_is_scanned_on_sqlite(database: Database) -> None:
    with database.reading() as session:
        dialect = session.get_bind().dialect.name
        assert text_index.indexed(("ｉ",), dialect) == (dialect != "sqlite")
        assert text_index.indexed(("ｉo", "io", "防災IoT"), "sqlite") is False
        assert text_index.indexed(("とき", "io", "防災IoT"), "sqlite") is True


def test_the_plan_estimates_a_short_key(database: Database, meetings: list[int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "TEST_ROWS", 5)
    monkeypatch.setattr(queries, "UNPROBED_WALK", 1)
    with database.reading() as session:
        def plan(key: str) -> str:
            return _MEETINGS.plan(session, ListFilter(text=key), None, None, 2)
        assert plan("防災") == queries.TEST  # 2 of 5: two within a walk of 5
        assert plan("該当") == queries.SORT  # nothing: collected through the index, no walk
        sqlite = session.get_bind().dialect.name == "sqlite"
        assert plan("ほう") == (queries.PROBE if sqlite else queries.SORT)  # 1 of 5


def test_the_name_of_the_grams_function_is_the_migrations() -> None:
    assert text_index.GRAMS == search_short.PG_GRAMS


def _documents(session: Session) -> list[str]:
    key = "rowid" if session.get_bind().dialect.name == "sqlite" else "id"
    return [str(doc) for doc in session.scalars(
        text(f"SELECT doc FROM search_meeting ORDER BY {key}"))]


def test_the_migration_undoes_and_redoes_cleanly(
        database: Database, meetings: list[int], ctx: Context) -> None:
    sqlite = database.engine.dialect.name == "sqlite"
    with database.reading() as session:
        upgraded = _documents(session)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")
        tables = {row[0] for row in connection.execute(text(
            "SELECT name FROM sqlite_master" if sqlite else
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))}
        assert not {search_short.terms(i) if sqlite else search_short.pg_grams_index(i)
                    for i in search.INDEXED} & tables
        # The documents are 0014's again: without the two newlines at their end.
        downgraded = _documents(Session(connection))
        assert downgraded == ([doc.removesuffix("\n\n") for doc in upgraded] if sqlite
                              else upgraded)
        command.upgrade(config, "head")
    with database.writing() as session:
        office = services.create_organization(session, ctx, name="市役所", kind="municipality")
        services.log_meeting(session, ctx, held_on=date(2023, 6, 1), title="再適用の後",
                             organization_ids=[office.id or 0])
    with database.reading() as session:
        assert trigger_problems(session) == []
        documents = _documents(session)
        assert documents[:-1] == upgraded
        assert all(doc.endswith("\n\n") for doc in documents) == sqlite
        found = {r.id for r in _MEETINGS.page(session, filters=ListFilter(text="後"))}
        assert len(found) == 1
        assert found == {r.id for r in _PLAIN.page(session, filters=ListFilter(text="後"))}


def test_a_rebuild_by_hand_gives_the_documents_the_triggers_wrote(
        database: Database, meetings: list[int]) -> None:
    """docs/schema.md: delete a search table's rows and run `search_short.fill`."""
    with database.writing() as session:
        written = _documents(session)
        session.execute(text("DELETE FROM search_meeting"))
        session.execute(text(search_short.fill(search.INDEXED[0],
                                               session.get_bind().dialect.name)))
        assert _documents(session) == written


def test_db_check_names_an_altered_function_and_a_missing_index(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the function and indexes are PostgreSQL's; SQLite's triggers are checked"
                    " by test_the_migration_undoes_and_redoes_cleanly")
    with database.writing() as session:
        assert trigger_problems(session) == []
        session.execute(text("DROP INDEX ix_search_agreement_grams"))
        session.execute(text(search_short.PG_GRAMS_FUNCTION
                             .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
                             .replace("SELECT c || ARRAY", "SELECT ARRAY")))
        assert trigger_problems(session) == [
            "function search_grams() is not the SQL the program installs (altered)",
            "index ix_search_agreement_grams is missing: short text searches fail or scan",
        ]


def test_a_walk_probes_the_links_of_each_record_it_reaches(
        database: Database, meetings: list[int]) -> None:
    """TEST walks the date index and tests each record's links by their index (a correlated
    subplan), not by first collecting every record linked to a match: PostgreSQL turns such
    an EXISTS into a hashed subplan (a 3.3% kana at 1M: 1.5M link rows read before the walk)
    unless OFFSET 0 keeps it correlated."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs a correlated EXISTS per row")
    with database.reading() as session:
        statement = _MEETINGS.order(_MEETINGS.query(ListFilter(text="ときわ"), queries.TEST),
                                    None, None, scan=False).limit(1)
        walked = str(statement.compile(session.get_bind(),
                                       compile_kwargs={"literal_binds": True}))
        assert "OFFSET 0" in walked
        session.execute(text("SET LOCAL enable_sort = off"))  # the walk, as at 1M
        assert "hashed SubPlan" in _plan_of(session, walked.replace("OFFSET 0", ""))
        explained = _plan_of(session, walked)
        assert "SubPlan" in explained and "hashed SubPlan" not in explained


def test_a_short_text_in_most_records_is_counted_by_testing_each(
        database: Database, meetings: list[int]) -> None:
    """For a short key in most records the count tests each record rather than read the
    index (the counts themselves: test_every_short_key_…)."""
    with database.reading() as session:
        assert _MEETINGS._everywhere(session, ListFilter(text="ト"))  # 3 of 5
        assert not _MEETINGS._everywhere(session, ListFilter(text="ほう"))  # 1 of 5
        assert not _MEETINGS._everywhere(session, ListFilter(text="トキワ"))  # a trigram
