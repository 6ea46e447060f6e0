"""crm.io.importing: every entity, encoding and header style, and every refusal (which keeps
the database as it was)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from crm import models as m
from crm.context import Context, fixed_clock
from crm.errors import DataError
from crm.io.importing import ImportFileError, ImportResult, import_file, limits
from crm.records import services
from db.session import Database
from tests import io_databases
from tests.io_databases import BACKEND, filled_fixtures

database = io_databases.database  # opened without the schema check

CTX = Context(user="importer", clock=fixed_clock(datetime(2023, 1, 10, 3, 0, tzinfo=UTC)))
CORPORATE_NUMBER = "6700150001390"  # 6 is the check digit of 700150001390

KOBE = "株式会社神戸製鋼所"
UNIVERSITY = "兵庫県立大学"
CHAMBER = "加古川商工会議所"


def seed(database: Database) -> None:
    with database.writing() as session:
        services.create_organization(session, CTX, name=KOBE, kind="company")
        services.create_organization(session, CTX, name=UNIVERSITY, kind="university")
        services.create_organization(session, CTX, name=CHAMBER, kind="other")


#: `seeded`: a database with three organizations to name.
seeded_template, seeded = filled_fixtures("seeded", CTX, seed)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(database: Database, entity: str, path: Path) -> ImportResult:
    with database.writing() as session:
        return import_file(session, CTX, entity, path)


def counts(database: Database) -> dict[str, int]:
    """Rows in every table, in one query."""
    tables = SQLModel.metadata.sorted_tables
    query = select(
        *(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
    )
    with database.reading() as session:
        return dict(session.execute(query).one()._mapping)


def refused(database: Database, entity: str, path: Path) -> ImportFileError:
    """The error importing `path` raises, having checked the database did not change."""
    before = counts(database)
    with pytest.raises(ImportFileError) as caught:
        load(database, entity, path)
    assert counts(database) == before
    return caught.value


def assert_names_cell(
    error: ImportFileError, path: Path, row: int, column: str, value: str
) -> None:
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path}: row {row}, column {column!r}: ")
    assert message.endswith(f" (value {value!r})")
    assert (error.file, error.row, error.column, error.value) == (str(path), row, column, value)


def organization(session: Session, name: str) -> m.Organization:
    found = services.find_organization(session, name)
    assert found is not None
    return found


def meeting_links(session: Session, meeting: m.Meeting) -> tuple[set[str], set[str]]:
    organizations = session.scalars(
        select(m.Organization.name)
        .join(m.MeetingOrganization, m.MeetingOrganization.organization_id == m.Organization.id)
        .where(m.MeetingOrganization.meeting_id == meeting.id)
    )
    staff = session.scalars(
        select(m.Staff.name)
        .join(m.MeetingStaff, m.MeetingStaff.staff_id == m.Staff.id)
        .where(m.MeetingStaff.meeting_id == meeting.id)
    )
    return set(organizations), set(staff)


# --- organizations --------------------------------------------------------------------------


def test_organizations_with_english_headers(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,kind,kana,corporate_number,address,website,notes\n"
        f"株式会社 神戸製鋼所,company,コウベセイコウショ,{CORPORATE_NUMBER},神戸市中央区,"
        'https://example.jp,"大口, ""重要"""\n'
        "兵庫県立大学,university,,,,,\n",
    )
    assert load(database, "organizations", path) == ImportResult("organizations", path, 2)
    with database.reading() as session:
        kobe = organization(session, "(株)神戸製鋼所")
        assert (kobe.name, kobe.kind) == ("株式会社 神戸製鋼所", "company")
        assert kobe.kana == "コウベセイコウショ"
        assert kobe.kana_sort_key == "こうべせいこうしょ"
        assert kobe.corporate_number == CORPORATE_NUMBER
        assert (kobe.address, kobe.website) == ("神戸市中央区", "https://example.jp")
        assert kobe.notes == '大口, "重要"'
        assert kobe.created_by == "importer"
        university = organization(session, UNIVERSITY)
        assert university.kind == "university"
        assert (university.kana, university.corporate_number, university.notes) == (None,) * 3


def test_organizations_with_japanese_headers_and_kinds_in_shift_jis(
    database: Database, tmp_path: Path
) -> None:
    kinds = {
        "民間企業": "company",
        "大学": "university",
        "研究機関": "research_institute",
        "国・県等": "government_agency",
        "市町村": "municipality",
        "NPO": "npo",
        "その他": "other",
    }
    lines = ["名称,種別,フリガナ,法人番号,所在地,URL,備考"]
    lines += [f"団体{i},{kind},だんたい,,加古川市,," for i, kind in enumerate(kinds)]
    path = write(tmp_path, "\r\n".join(lines) + "\r\n", encoding="cp932")
    assert load(database, "organizations", path).added == 7
    with database.reading() as session:
        for i, code in enumerate(kinds.values()):
            found = organization(session, f"団体{i}")
            assert (found.kind, found.kana, found.address) == (code, "だんたい", "加古川市")


def test_organizations_with_other_header_spellings(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " 団体名 ,区分,よみ,住所,ＵＲＬ,備考\n"
        "加古川市,municipality,かこがわし,加古川町北在家2000,https://www.city.kakogawa.lg.jp,\n",
        encoding="utf-8-sig",
    )
    load(database, "organizations", path)
    other = write(
        tmp_path,
        "Name,KIND,Corporate Number,ウェブサイト,ふりがな\n"
        f"神戸製鋼所,Private company,{CORPORATE_NUMBER},https://example.jp,こうべ\n",
        name="other.csv",
    )
    load(database, "organizations", other)
    with database.reading() as session:
        city = organization(session, "加古川市")
        assert (city.kind, city.kana, city.address) == ("municipality", "かこがわし",
                                                        "加古川町北在家2000")
        assert city.website == "https://www.city.kakogawa.lg.jp"
        kobe = organization(session, "神戸製鋼所")
        assert (kobe.kind, kobe.corporate_number, kobe.website, kobe.kana) == (
            "company", CORPORATE_NUMBER, "https://example.jp", "こうべ"
        )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_each_encoding_is_detected(database: Database, tmp_path: Path, encoding: str) -> None:
    path = write(
        tmp_path,
        "名称,種別,備考\n株式会社ｶｺｶﾞﾜ,民間企業,㈱表記・全角ＡＢＣ\n髙﨑技研,研究機関,\n",
        encoding=encoding,
    )
    assert load(database, "organizations", path).added == 2
    with database.reading() as session:
        assert organization(session, "株式会社カコガワ").notes == "㈱表記・全角ＡＢＣ"
        assert organization(session, "髙﨑技研").kind == "research_institute"


def test_blank_lines_empty_columns_and_multiline_cells(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\r\nname,kind,notes,,\r\n"
        'A社,company,"一行目\r\n二行目",,\r\n'
        ",,,,\r\n"
        "\r\n"
        "B社,大学,,,\r\n",
    )
    assert load(database, "organizations", path).added == 2
    with database.reading() as session:
        assert organization(session, "A社").notes == "一行目\r\n二行目"
        assert organization(session, "B社").notes is None


# --- meetings -------------------------------------------------------------------------------


def test_meetings_with_english_headers_and_wareki_dates(seeded: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,title,organizations,staff,summary,next_action,follow_up_on\n"
        "R4.12.5,データ連携の意見交換,(株)神戸製鋼所;兵庫県立大学,山田太郎；佐藤花子,"
        "人流データ,資料送付,令和4年12月20日\n"
        f"令和4年12月5日,商工会議所訪問,{CHAMBER}、{UNIVERSITY},山田太郎,,,\n"
        f"2022/12/7 0:00,三者協議, {KOBE} ; {CHAMBER} ;{UNIVERSITY},,,,\n",
    )
    assert load(seeded, "meetings", path).added == 3
    with seeded.reading() as session:
        first, second, third = session.scalars(select(m.Meeting).order_by(m.Meeting.id))
        assert (first.held_on, first.title) == (date(2022, 12, 5), "データ連携の意見交換")
        assert (first.summary, first.next_action) == ("人流データ", "資料送付")
        assert first.follow_up_on == date(2022, 12, 20)
        assert meeting_links(session, first) == ({KOBE, UNIVERSITY}, {"山田太郎", "佐藤花子"})
        assert second.held_on == date(2022, 12, 5)
        assert (second.summary, second.next_action, second.follow_up_on) == (None, None, None)
        assert meeting_links(session, second) == ({CHAMBER, UNIVERSITY}, {"山田太郎"})
        assert third.held_on == date(2022, 12, 7)  # as Excel writes a date cell
        assert meeting_links(session, third) == ({KOBE, CHAMBER, UNIVERSITY}, set())
        assert session.scalar(select(func.count()).select_from(m.Staff)) == 2


@pytest.mark.parametrize(
    "header",
    ["日付,件名,相手先,担当者,概要,次のアクション,フォローアップ日",
     "実施日,タイトル,団体,職員,内容,対応,次回期限",
     "開催日,名称,相手先,担当,概要,対応,フォローアップ日",
     "日付,件名,相手先,担当者,備考,次の対応,フォローアップ日"],  # as the README lists them
)
def test_meetings_with_japanese_headers(seeded: Database, tmp_path: Path, header: str) -> None:
    path = write(
        tmp_path,
        f"{header}\n2022年12月5日,意見交換,㈱神戸製鋼所,山田,概要,対応,R4.12.9\n",
        encoding="cp932",
    )
    load(seeded, "meetings", path)
    with seeded.reading() as session:
        meeting = session.scalars(select(m.Meeting)).one()
        assert (meeting.held_on, meeting.title, meeting.summary, meeting.next_action) == (
            date(2022, 12, 5), "意見交換", "概要", "対応"
        )
        assert meeting.follow_up_on == date(2022, 12, 9)
        assert meeting_links(session, meeting) == ({KOBE}, {"山田"})


# --- agreements -----------------------------------------------------------------------------


def test_agreements_in_every_status(seeded: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "title,partners,status,concluded_on,starts_on,ends_on,datasets,notes\n"
        f"人流データ協定,{KOBE},concluded,R4.12.5,2022-12-05,2025/3/31,人流データ,重要\n"
        f"三者協定,{UNIVERSITY};{CHAMBER},協議中,,,,,\n"
        f"提案中の協定,{UNIVERSITY},提案,,,,,\n"
        f"旧協定,{CHAMBER},終了,2020/4/1,2020/4/1,2022/3/31,,\n"
        f"取りやめ,{UNIVERSITY},中止,,,,,\n"
        f"状況なし,{UNIVERSITY},,,,,,\n",
    )
    assert load(seeded, "agreements", path).added == 6
    with seeded.reading() as session:
        agreements = list(session.scalars(select(m.Agreement).order_by(m.Agreement.id)))
        assert [a.status for a in agreements] == [
            "concluded", "negotiating", "proposed", "ended", "cancelled", "proposed",
        ]
        first = agreements[0]
        assert (first.concluded_on, first.starts_on, first.ends_on) == (
            date(2022, 12, 5), date(2022, 12, 5), date(2025, 3, 31)
        )
        assert (first.datasets, first.notes) == ("人流データ", "重要")
        partners = session.scalars(
            select(m.Organization.name)
            .join(m.AgreementPartner, m.AgreementPartner.organization_id == m.Organization.id)
            .where(m.AgreementPartner.agreement_id == agreements[1].id)
        )
        assert set(partners) == {UNIVERSITY, CHAMBER}


# --- events ---------------------------------------------------------------------------------


def test_events_with_every_kind_and_number_style(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,kind,title,venue,municipality,attendees,notes\n"
        '2022-11-03,市内イベント,産業まつり,日岡山公園,加古川市,"1,234",雨天\n'
        "R4.11.10,市外イベント,展示会,インテックス大阪,大阪市,１２０,\n"
        "令和4年11月20日,出前講座,スマホ教室,公民館,,,\n"
        "2022/11/21,lecture,講座,,,0,\n"
        "2022/11/22,out_of_city,出展,,,\"１，０００\",\n",
    )
    assert load(database, "events", path).added == 5
    with database.reading() as session:
        events = list(session.scalars(select(m.OutreachEvent).order_by(m.OutreachEvent.id)))
        assert [e.kind for e in events] == [
            "in_city", "out_of_city", "lecture", "lecture", "out_of_city",
        ]
        assert [e.attendees for e in events] == [1234, 120, None, 0, 1000]
        first = events[0]
        assert (first.held_on, first.title, first.venue, first.municipality, first.notes) == (
            date(2022, 11, 3), "産業まつり", "日岡山公園", "加古川市", "雨天"
        )
        assert events[2].held_on == date(2022, 11, 20)


# --- measurements ---------------------------------------------------------------------------


def test_measurements_by_code_and_by_name(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kpi,date,value,note\n"
        'open_data_files,2022-03-31,"2,100",年度末\n'
        "オープンデータの提供ファイル数,R4.9.30,２２００.0,\n"
        "Citizens who know the Kakogawa app,2022/12/1,18.5,\n"
        "data_disclosure_review,令和4年6月1日,1,\n",
    )
    assert load(database, "measurements", path).added == 4
    with database.reading() as session:
        rows = session.execute(
            select(m.KpiMeasurement.measured_on, m.KpiMeasurement.value, m.KpiMeasurement.note,
                   m.KpiMeasurement.entered_by).order_by(m.KpiMeasurement.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (date(2022, 3, 31), 2100.0, "年度末", "importer"),
        (date(2022, 9, 30), 2200.0, None, "importer"),
        (date(2022, 12, 1), 18.5, None, "importer"),
        (date(2022, 6, 1), 1.0, None, "importer"),
    ]


# --- the Japanese headers of agreements, events and measurements -----------------------------

JAPANESE_HEADERS = [
    *(pytest.param(
        "agreements", header,
        "データ連携協定,兵庫県立大学,締結済み,令和4年12月5日,R4.12.5,,気象,備考", m.Agreement,
        {"title": "データ連携協定", "status": "concluded", "concluded_on": date(2022, 12, 5),
         "datasets": "気象", "notes": "備考"},
        id=f"agreements-{i}",
    ) for i, header in enumerate(["協定名,相手方,状況,締結日,開始日,終了日,対象データ,備考",
                                  "名称,締結先,ステータス,締結日,開始日,終了日,対象データ,メモ"])),
    pytest.param(
        "events", "開催日,区分,名称,会場,開催地,参加者数,備考",
        "R4.8.1,市内,夏祭り,駅前,加古川市,50,晴れ", m.OutreachEvent,
        {"held_on": date(2022, 8, 1), "kind": "in_city", "title": "夏祭り", "venue": "駅前",
         "municipality": "加古川市", "attendees": 50, "notes": "晴れ"},
        id="events",
    ),
    *(pytest.param(
        "measurements", header, "app_downloads,R4.3.31,12000,アプリ管理画面", m.KpiMeasurement,
        {"measured_on": date(2022, 3, 31), "value": 12000.0, "note": "アプリ管理画面"},
        id=f"measurements-{i}",
    ) for i, header in enumerate(["指標,日付,数値,メモ", "KPI,測定日,値,備考"])),
]


@pytest.mark.parametrize(("entity", "header", "row", "model", "expected"), JAPANESE_HEADERS)
def test_japanese_headers_in_shift_jis(
    seeded: Database, tmp_path: Path, entity: str, header: str, row: str,
    model: type[m.Tracked], expected: dict[str, object],
) -> None:
    load(seeded, entity, write(tmp_path, f"{header}\n{row}\n", encoding="cp932"))
    with seeded.reading() as session:
        record = session.scalars(select(model)).one()
        assert {name: getattr(record, name) for name in expected} == expected


# --- refusals of one cell -------------------------------------------------------------------

MEETINGS = "date,title,organizations,staff,follow_up_on\n2022-12-01,良い行,兵庫県立大学,新人,\n"
AGREEMENTS = "title,partners,status,concluded_on,starts_on,ends_on\n良い協定,兵庫県立大学,提案,,,\n"
EVENTS = "date,kind,title,attendees\n2022-11-01,市内イベント,良い行,10\n"
MEASUREMENTS = "kpi,date,value\nopen_data_files,2022-03-31,700\n"
ORGANIZATIONS = "name,kind,corporate_number\n新しい会社,民間企業,\n"

CELL_ERRORS = [
    pytest.param("meetings", MEETINGS + "2022-13-45,悪い行,兵庫県立大学,,\n",
                 3, "date", "2022-13-45", "not a date", id="bad-date"),
    pytest.param("meetings", MEETINGS + "2022-12-02,悪い行,兵庫県立大学,,R4.2.30\n",
                 3, "follow_up_on", "R4.2.30", "not a date", id="bad-wareki-date"),
    pytest.param("meetings", MEETINGS + "H32.1.1,悪い行,兵庫県立大学,,\n",
                 3, "date", "H32.1.1", "not a date", id="date-outside-its-era"),
    pytest.param("organizations", ORGANIZATIONS + "別の会社,商社,\n",
                 3, "kind", "商社", "unknown organization kind", id="unknown-kind"),
    pytest.param("events", EVENTS + "2022-11-02,祭り,悪い行,\n",
                 3, "kind", "祭り", "unknown event kind", id="unknown-event-kind"),
    pytest.param("agreements", AGREEMENTS + "悪い協定,兵庫県立大学,保留,,,\n",
                 3, "status", "保留", "unknown agreement status", id="unknown-status"),
    pytest.param("meetings", MEETINGS + "2022-12-02,悪い行,兵庫県立大学;ACME商事,,\n",
                 3, "organizations", "兵庫県立大学;ACME商事", "unknown organization 'ACME商事'",
                 id="unknown-organization-in-meeting"),
    pytest.param("agreements", AGREEMENTS + "悪い協定,ACME商事,提案,,,\n",
                 3, "partners", "ACME商事", "unknown organization 'ACME商事'",
                 id="unknown-organization-in-agreement"),
    pytest.param("events", EVENTS + "2022-11-02,市内イベント,悪い行,たくさん\n",
                 3, "attendees", "たくさん", "not a whole number", id="non-numeric-attendees"),
    pytest.param("events", EVENTS + "2022-11-02,市内イベント,悪い行,12.5\n",
                 3, "attendees", "12.5", "not a whole number", id="fractional-attendees"),
    pytest.param("events", EVENTS + '2022-11-02,市内イベント,悪い行,"1,23"\n',
                 3, "attendees", "1,23", "not a whole number", id="misplaced-separator"),
    pytest.param("events", EVENTS + "2022-11-02,市内イベント,悪い行,-3\n",
                 3, "attendees", "-3", "must not be negative", id="negative-attendees"),
    pytest.param("organizations", ORGANIZATIONS + "(株)加古川,company,\n株式会社 加古川,company,\n",
                 4, "name", "株式会社 加古川", "same organization as row 3",
                 id="duplicate-organization-rows"),
    pytest.param("meetings", MEETINGS + "2022-12-01, 良い行 ,兵庫県立大学,,\n",
                 3, "title", "良い行", "same meeting as row 2", id="duplicate-meeting-rows"),
    pytest.param("organizations", ORGANIZATIONS + f"A社,company,{CORPORATE_NUMBER}\n"
                 f"B社,company,{CORPORATE_NUMBER}\n",
                 4, "corporate_number", CORPORATE_NUMBER, "same corporate number as row 3",
                 id="duplicate-corporate-number-rows"),
    pytest.param("organizations", ORGANIZATIONS + "別の会社,company,1234567890123\n",
                 3, "corporate_number", "1234567890123", "check digit",
                 id="bad-corporate-number"),
    pytest.param("agreements", AGREEMENTS + "悪い協定,兵庫県立大学,締結,,,\n",
                 3, "concluded_on", "", "needs its conclusion date",
                 id="concluded-without-date"),
    pytest.param("agreements", AGREEMENTS + "悪い協定,兵庫県立大学,協議中,2022-01-01,,\n",
                 3, "concluded_on", "2022-01-01", "no conclusion date yet",
                 id="open-agreement-with-date"),
    pytest.param("agreements", AGREEMENTS + "悪い協定,兵庫県立大学,提案,,2023-04-01,2023-03-31\n",
                 3, "ends_on", "2023-03-31", "before it starts", id="term-ends-before-start"),
    pytest.param("measurements", MEASUREMENTS + "outreach_in_city,2022-03-31,5\n",
                 3, "kpi", "outreach_in_city", "computed", id="computed-kpi"),
    pytest.param("measurements", MEASUREMENTS + "no_such_kpi,2022-03-31,5\n",
                 3, "kpi", "no_such_kpi", "unknown KPI", id="unknown-kpi"),
    pytest.param("measurements", MEASUREMENTS + "open_data_files,2022-04-30,多数\n",
                 3, "value", "多数", "not a number", id="non-numeric-value"),
    pytest.param("measurements", MEASUREMENTS + "data_disclosure_review,2022-04-30,2\n",
                 3, "value", "2", "milestone", id="milestone-value"),
    pytest.param("meetings", MEETINGS + "2022-12-02,,兵庫県立大学,,\n",
                 3, "title", "", "a value is required", id="empty-required-cell"),
    pytest.param("meetings", MEETINGS + "2022-12-02,悪い行,兵庫県立大学,,2022-12-01\n",
                 3, "follow_up_on", "2022-12-01", "before the meeting", id="follow-up-too-early"),
    pytest.param("organizations", "name,kind\nA社,company,余分\n",
                 2, "", "余分", "column without a header", id="value-without-header"),
]


@pytest.mark.parametrize(("entity", "text", "row", "column", "value", "reason"), CELL_ERRORS)
def test_a_bad_cell_is_refused_and_nothing_is_kept(
    seeded: Database,
    tmp_path: Path,
    entity: str,
    text: str,
    row: int,
    column: str,
    value: str,
    reason: str,
) -> None:
    path = write(tmp_path, text)
    error = refused(seeded, entity, path)
    assert_names_cell(error, path, row, column, value)
    assert reason in str(error)
    assert isinstance(error, DataError)


def test_the_column_is_named_as_written_in_the_file(seeded: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "開催日,件名,相手先,担当者\nR4.12.1,良い行,兵庫県立大学,新人\n令和4年2月30日,悪い行,兵庫県立大学,\n",
        encoding="cp932",
    )
    error = refused(seeded, "meetings", path)
    assert_names_cell(error, path, 3, "開催日", "令和4年2月30日")
    assert "3行目" in error.text("ja")


def test_rows_are_counted_as_lines_of_the_file(seeded: Database, tmp_path: Path) -> None:
    path = write(tmp_path, 'name,kind,notes\nA社,company,"一行目\n二行目"\nB社,商社,\n')
    error = refused(seeded, "organizations", path)
    assert_names_cell(error, path, 4, "kind", "商社")


# --- refusals of the whole file -------------------------------------------------------------


def test_missing_column(seeded: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "title,organizations\n意見交換,兵庫県立大学\n")
    error = refused(seeded, "meetings", path)
    assert str(error) == (
        f"{path}: missing column 'date' (columns found: 'title', 'organizations')"
    )
    assert (error.file, error.row, error.column) == (str(path), None, "date")


def test_unknown_column(seeded: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "date,titel,organizations\n2022-12-01,意見交換,兵庫県立大学\n")
    error = refused(seeded, "meetings", path)
    assert str(error).startswith(f"{path}: unknown column 'titel' for meetings (expected: date,")
    assert (error.file, error.row, error.column) == (str(path), 1, "titel")


def test_two_headers_for_one_column(seeded: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "名称,name,kind\nA社,A社,company\n")
    error = refused(seeded, "organizations", path)
    assert str(error) == f"{path}: columns '名称' and 'name' both mean 'name'"
    assert error.column == "name"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "the file is empty"),
        (b"\r\n\r\n", "the file is empty"),
        (b"name,kind\r\n", "only a header"),
        ("\ufeff名称,種別\r\n,,\r\n".encode(), "only a header"),
    ],
)
def test_a_file_without_rows(seeded: Database, tmp_path: Path, content: bytes, detail: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    error = refused(seeded, "organizations", path)
    assert str(error) == f"{path}: no rows ({detail})"
    assert error.file == str(path)


@pytest.mark.parametrize(
    "content",
    [
        b"name,kind\n\x81\x20\x85\x40,company\n",  # neither UTF-8 nor a Shift_JIS sequence
        b"name,kind\n\x80\xfd\xfe,company\n",  # bytes cp932 only decodes to placeholders
        "name,kind\nA社,company\n".encode("utf-16"),
        b"\xef\xbb\xbfname,kind\n\x93\xfa\x96\x7b,company\n",  # BOM, then Shift_JIS
    ],
    ids=["invalid-sequences", "placeholders", "utf-16", "bom-then-shift-jis"],
)
def test_undecodable_bytes(seeded: Database, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(content)
    error = refused(seeded, "organizations", path)
    assert str(error).startswith(f"{path}: cannot read the text: it is neither UTF-8 nor")
    assert error.file == str(path)


def test_a_missing_file(seeded: Database, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    error = refused(seeded, "organizations", path)
    assert str(error).startswith(f"{path}: cannot read the file")


def test_an_unknown_entity(seeded: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "name\nA\n")
    with pytest.raises(DataError, match="unknown entity 'staff'") as caught:
        load(seeded, "staff", path)
    assert not isinstance(caught.value, ImportFileError)
    assert caught.value.field == "entity"


# --- transactions ---------------------------------------------------------------------------


def test_a_refused_file_leaves_the_callers_other_work_alone(
    seeded: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, ORGANIZATIONS + "別の会社,商社,\n")
    with seeded.writing() as session:
        services.create_organization(session, CTX, name="姫路市", kind="市町村")
        with pytest.raises(ImportFileError):
            import_file(session, CTX, "organizations", path)
        # The caller chose to carry on: its own work commits, the file's rows do not.
    with seeded.reading() as session:
        assert services.find_organization(session, "姫路市") is not None
        assert services.find_organization(session, "新しい会社") is None


def test_rows_of_one_file_can_name_each_other(database: Database, tmp_path: Path) -> None:
    organizations = write(tmp_path, "name,kind\nA社,company\nB大学,university\n", name="o.csv")
    meetings = write(tmp_path, "date,title,organizations\n2022-12-01,初回,A社;B大学\n",
                     name="m.csv")
    with database.writing() as session:
        import_file(session, CTX, "organizations", organizations)
        import_file(session, CTX, "meetings", meetings)
    with database.reading() as session:
        meeting = session.scalars(select(m.Meeting)).one()
        assert meeting_links(session, meeting) == ({"A社", "B大学"}, set())


# --- natural keys: re-importing updates or skips --------------------------------------------

MEETING_FILE = (
    "date,title,organizations,staff,summary,follow_up_on\n"
    "2022-12-01,初回,兵庫県立大学;加古川商工会議所,山田,概要,2022-12-20\n"
    "2022-12-02,二回目,株式会社神戸製鋼所,,,\n"
)


def test_reimporting_a_file_adds_nothing_and_a_changed_row_updates(
    seeded: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, MEETING_FILE)
    assert load(seeded, "meetings", path) == ImportResult("meetings", path, added=2)
    before = counts(seeded)
    assert load(seeded, "meetings", path) == ImportResult("meetings", path, unchanged=2)
    assert counts(seeded) == before
    # The organizations in another order and spelling are the same key; the summary changed.
    changed = write(tmp_path, MEETING_FILE.replace(
        "兵庫県立大学;加古川商工会議所,山田,概要",
        "加古川商工会議所;兵庫県立大学,山田;佐藤,新しい概要",
    ), name="changed.csv")
    assert load(seeded, "meetings", changed) == ImportResult("meetings", changed, updated=1,
                                                               unchanged=1)
    with seeded.reading() as session:
        first = session.scalars(select(m.Meeting).where(m.Meeting.title == "初回")).one()
        assert first.summary == "新しい概要"
        assert meeting_links(session, first) == ({UNIVERSITY, CHAMBER}, {"山田", "佐藤"})
        assert session.scalar(select(func.count()).select_from(m.Meeting)) == 2
        updates = session.scalar(select(func.count()).select_from(m.AuditLog).where(
            m.AuditLog.table_name == "meeting", m.AuditLog.action == "update"))
    assert updates == 1


def test_a_column_left_out_leaves_its_field_alone(seeded: Database, tmp_path: Path) -> None:
    load(seeded, "meetings", write(tmp_path, MEETING_FILE))
    fewer = write(tmp_path, "date,title,organizations\n"
                  "2022-12-01,初回,兵庫県立大学;加古川商工会議所\n", name="fewer.csv")
    assert load(seeded, "meetings", fewer).unchanged == 1
    with seeded.reading() as session:
        first = session.scalars(select(m.Meeting).where(m.Meeting.title == "初回")).one()
        assert first.summary == "概要"
        assert meeting_links(session, first)[1] == {"山田"}


def test_every_entity_has_a_natural_key(seeded: Database, tmp_path: Path) -> None:
    files = {
        "organizations": "name,kind,notes\n(株)神戸製鋼所,company,メモ\n新社,company,\n",
        "contacts": "organization,name,phone\n兵庫県立大学,山田,'+81 79-000-0000\n",
        "agreements": "title,partners,status\n協定,兵庫県立大学;加古川商工会議所,協議中\n",
        "events": "date,kind,title,attendees\n2022-11-01,lecture,講座,10\n",
        "measurements": "kpi,date,value\nopen_data_files,2022-03-31,700\n",
    }
    for entity, text in files.items():
        path = write(tmp_path, text, name=f"{entity}.csv")
        first = load(seeded, entity, path)
        assert load(seeded, entity, path).added == 0, entity
        changed = write(tmp_path, text.replace("10\n", "11\n").replace("700", "750")
                        .replace("協議中", "提案").replace("'+81 79", "'+81 78"),
                        name=f"{entity}-changed.csv")
        again = load(seeded, entity, changed)
        assert again.added == 0, entity
        assert again.updated + again.unchanged == first.added + first.updated + first.unchanged
    with seeded.reading() as session:
        kobe = organization(session, KOBE)
        # matched and updated, but the file's spelling (株) never replaces the official name
        assert (kobe.name, kobe.notes) == (KOBE, "メモ")
        assert session.scalars(select(m.Contact.phone)).one() == "+81 78-000-0000"
        assert session.scalars(select(m.OutreachEvent.attendees)).one() == 11
        assert session.scalars(select(m.KpiMeasurement.value)).one() == 750
        assert session.scalars(select(m.Agreement.status)).one() == "proposed"


def test_a_spelling_variant_matches_and_leaves_the_official_name(
    seeded: Database, tmp_path: Path
) -> None:
    variant = write(tmp_path, "name,kind\n（株）神戸製鋼所,company\n", name="variant.csv")
    for dry_run in (True, False):
        with seeded.writing() as session:
            result = import_file(session, CTX, "organizations", variant, dry_run=dry_run)
        assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    with seeded.reading() as session:
        assert organization(session, KOBE).name == KOBE


def test_organizations_match_by_corporate_number_when_renamed(
    database: Database, tmp_path: Path
) -> None:
    load(database, "organizations",
         write(tmp_path, f"name,kind,corporate_number\n旧社名,company,{CORPORATE_NUMBER}\n"))
    renamed = write(tmp_path, f"name,kind,corporate_number\n新社名,company,{CORPORATE_NUMBER}\n",
                    name="renamed.csv")
    assert load(database, "organizations", renamed).updated == 1
    with database.reading() as session:
        assert organization(session, "新社名").corporate_number == CORPORATE_NUMBER
        assert services.find_organization(session, "旧社名") is None
    clash = write(tmp_path, f"name,kind,corporate_number\n別の社,company,\n"
                  f"新社名,company,\n別の社,company,{CORPORATE_NUMBER}\n", name="clash.csv")
    error = refused(database, "organizations", clash)
    assert "same organization as row 2" in str(error)


# --- dry run, missing organizations, progress, batches --------------------------------------


def test_a_dry_run_counts_everything_and_changes_nothing(
    seeded: Database, tmp_path: Path
) -> None:
    load(seeded, "meetings", write(tmp_path, MEETING_FILE))
    path = write(tmp_path, MEETING_FILE.replace("概要", "別の概要")
                 + "2022-12-03,三回目,兵庫県立大学,,,\n"
                 + "2022-13-01,悪い日付,兵庫県立大学,,,\n"
                 + "2022-12-04,未知の相手,ACME商事,,,\n", name="dry.csv")
    before = counts(seeded)
    with seeded.writing() as session:
        result = import_file(session, CTX, "meetings", path, dry_run=True)
    assert counts(seeded) == before
    assert (result.added, result.updated, result.unchanged, result.refused) == (1, 1, 1, 2)
    assert result.dry_run and len(result.errors) == 2
    assert "row 5, column 'date'" in str(result.errors[0])
    assert "row 6, column 'organizations'" in str(result.errors[1])
    assert result.summary().startswith("dry run, nothing changed: meetings from")


def test_missing_organizations_are_created_only_when_asked(
    seeded: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "date,title,organizations\n2022-12-01,新規,ACME商事;兵庫県立大学\n"
                 "2022-12-02,再訪,ACME商事\n")
    assert "unknown organization 'ACME商事'" in str(refused(seeded, "meetings", path))
    with seeded.writing() as session:
        result = import_file(session, CTX, "meetings", path, create_missing="民間企業")
    assert (result.added, result.created_organizations) == (2, 1)
    with seeded.reading() as session:
        assert organization(session, "ACME商事").kind == "company"
    with seeded.writing() as session, pytest.raises(DataError, match="organization kind"):
        import_file(session, CTX, "meetings", path, create_missing="商社")


def test_batches_give_the_same_result_and_progress_is_reported(
    seeded: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "BATCH_SIZE", 2)
    rows = "".join(f"2022-12-{day:02},会議{day},兵庫県立大学,山田\n" for day in range(1, 8))
    path = write(tmp_path, "date,title,organizations,staff\n" + rows)
    seen: list[int] = []
    with seeded.writing() as session:
        result = import_file(session, CTX, "meetings", path, progress=seen.append)
    assert (result.added, seen) == (7, [2, 4, 6, 7])
    with seeded.reading() as session:
        meetings = session.scalars(select(m.Meeting).order_by(m.Meeting.held_on)).all()
        assert [meeting.title for meeting in meetings] == [f"会議{day}" for day in range(1, 8)]
        assert all(
            meeting_links(session, meeting) == ({UNIVERSITY}, {"山田"}) for meeting in meetings
        )


def test_a_refusal_after_written_batches_keeps_nothing(
    seeded: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "BATCH_SIZE", 2)
    rows = "".join(f"2022-12-{day:02},会議{day},兵庫県立大学\n" for day in range(1, 6))
    path = write(tmp_path, "date,title,organizations\n" + rows + "2022-12-31,,兵庫県立大学\n")
    error = refused(seeded, "meetings", path)
    assert (error.row, error.column) == (7, "title")
    with seeded.writing() as session:
        services.create_organization(session, CTX, name="姫路市", kind="市町村")
        with pytest.raises(ImportFileError):
            import_file(session, CTX, "meetings", path)
    with seeded.reading() as session:  # the caller's work is kept, the file's batches are not
        assert services.find_organization(session, "姫路市") is not None
        assert session.scalar(select(func.count()).select_from(m.Meeting)) == 0


def test_formula_guards_are_removed_and_excel_serials_read(
    seeded: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "date,kind,title,venue,notes\n44866,lecture,'=講座,'+81会場,'-\n")
    load(seeded, "events", path)
    with seeded.reading() as session:
        event = session.scalars(select(m.OutreachEvent)).one()
    assert (event.held_on, event.title, event.venue, event.notes) == (
        date(2022, 11, 1), "=講座", "+81会場", "-"
    )


def test_an_archived_staff_member_is_refused(seeded: Database, tmp_path: Path) -> None:
    with seeded.writing() as session:
        [retired] = services.staff_ids_by_name(session, CTX, ["退職者"])
        services.archive(session, CTX, m.Staff, retired)
    path = write(tmp_path,
                 "date,title,organizations,staff\n2022-12-01,会議,兵庫県立大学,退職者\n")
    assert "staff '退職者' is archived" in str(refused(seeded, "meetings", path))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("organization,name\n兵庫県立大学;加古川商工会議所,山田\n", "exactly one organization"),
        ("organization,name,email\n兵庫県立大学,山田,yamada\n", "not an e-mail address"),
    ],
)
def test_contacts_refusals(seeded: Database, tmp_path: Path, text: str, reason: str) -> None:
    assert reason in str(refused(seeded, "contacts", write(tmp_path, text)))


@pytest.mark.skipif(BACKEND != "sqlite", reason="the CLI is tested on SQLite")
@pytest.mark.usefixtures("english")
def test_the_import_command(
    seeded: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    db = ["--db", seeded.engine.url.database or ""]
    path = write(tmp_path, "date,title,organizations\n2022-12-01,新規,ACME商事\n")
    assert main([*db, "import", "meetings", str(path), "--create-missing"]) == 2
    assert "--create-missing and --kind K go together" in capsys.readouterr().err
    assert main([*db, "import", "meetings", str(path), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "would add 0, update 0, leave 0 unchanged and refuse 1" in captured.out
    assert "row 2, column 'organizations'" in captured.err
    assert main([*db, "import", "meetings", str(path), "--create-missing", "--kind",
                 "company"]) == 0
    assert capsys.readouterr().out == (f"imported 1 meetings from {path}; 1 new organizations\n")
    assert main([*db, "import", "meetings", str(path)]) == 0
    assert capsys.readouterr().out == f"imported 0 meetings from {path} (0 updated, 1 unchanged)\n"
    assert main([*db, "--lang", "en", "import", "events", str(path), "--sheet", "S"]) == 1
    assert "Excel (.xlsx) files only" in capsys.readouterr().err


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_every_line_end(database: Database, tmp_path: Path, end: str) -> None:
    text = f'date,kind,title,notes{end}2022-11-01,lecture,講座,"一行目{end}二行目"{end}'
    assert load(database, "events", write(tmp_path, text)).added == 1
    with database.reading() as session:
        assert session.scalars(select(m.OutreachEvent.notes)).one() == f"一行目{end}二行目"
