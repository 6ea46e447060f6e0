"""crm.io.exporting: the CSV it writes, what it leaves out, and the export → import round trip."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from crm.context import Context, fixed_clock
from crm.errors import DataError
from crm.io import exporting
from crm.io.exporting import ExportOptions, export_csv, open_for_export
from crm.io.importing import ENTITIES, ImportFileError, import_file, join_list, split_list
from crm.models import Meeting, Organization, Staff
from crm.records import services
from db.session import Database, create_database
from tests import io_databases
from tests.io_databases import BACKEND, filled_fixtures

database = io_databases.database  # opened without the schema check

CTX = Context(user="exporter", clock=fixed_clock(datetime(2023, 1, 10, 3, 0, tzinfo=UTC)))
CORPORATE_NUMBER = "6700150001390"


def fill(database: Database) -> None:
    """`build` in a transaction of its own."""
    with database.writing() as session:
        build(session)


#: `filled`: a database with the records `build` adds.
filled_template, filled = filled_fixtures("filled", CTX, fill)


def build(session: Session) -> None:
    """Organizations, meetings, agreements, events and measurements, some of them archived."""

    def org(name: str, kind: str, **fields: str) -> int:
        found = services.create_organization(session, CTX, name=name, kind=kind, **fields)
        assert found.id is not None
        return found.id

    kobe = org("株式会社神戸製鋼所", "company", kana="コウベセイコウショ",
               corporate_number=CORPORATE_NUMBER, address="神戸市中央区",
               website="https://example.jp", notes='大口, "重要"\n二行目')
    university = org("兵庫県立大学", "university", kana="ひょうごけんりつだいがく")
    chamber = org("加古川商工会議所", "other")
    npo = org("NPO法人かこがわ", "npo", kana="かこがわ")
    town = org("播磨町", "municipality", kana="はりまちょう")
    gone = org("旧株式会社", "company", kana="きゅう")
    services.add_contact(session, CTX, organization_id=kobe, name="神戸太郎", kana="こうべたろう",
                         department="営業部", title="部長", email="taro@example.jp",
                         phone="+81 78-000-0000", notes="=HYPERLINK(\"http://x\")")
    services.add_contact(session, CTX, organization_id=town, name="播磨花子",
                         phone="-0794-00-0000")

    def staff(*names: str) -> list[int]:
        return services.staff_ids_by_name(session, CTX, names)

    services.log_meeting(session, CTX, held_on=date(2022, 12, 5), title="データ連携の意見交換",
                         organization_ids=[university, kobe, gone],
                         staff_ids=staff("山田太郎", "佐藤花子"), summary="人流データ\n気象データ",
                         next_action="資料送付", follow_up_on=date(2022, 12, 20),
                         tags=["防災", "スマートシティ"])
    services.archive(session, CTX, Organization, gone)  # after the meeting it took part in
    services.log_meeting(session, CTX, held_on=date(2022, 11, 1), title="商工会議所訪問",
                         organization_ids=[chamber], staff_ids=staff("山田太郎"))
    services.log_meeting(session, CTX, held_on=date(2023, 2, 1), title="NPOとの協議",
                         organization_ids=[npo, town])
    archived = services.log_meeting(session, CTX, held_on=date(2022, 12, 6), title="取消した会議",
                                    organization_ids=[kobe])
    assert archived.id is not None
    services.archive(session, CTX, Meeting, archived.id)
    retired = session.get(Staff, staff("退職者")[0])
    assert retired is not None and retired.id is not None
    services.log_meeting(session, CTX, held_on=date(2022, 12, 7), title="退職者の会議",
                         organization_ids=[town], staff_ids=[retired.id])
    services.archive(session, CTX, Staff, retired.id)

    services.create_agreement(session, CTX, title="人流データ連携協定", partner_ids=[kobe],
                              status="concluded", concluded_on=date(2022, 12, 5),
                              starts_on=date(2022, 12, 5), ends_on=date(2025, 3, 31),
                              datasets="人流データ", notes="重要", tags=["スマートシティ"])
    services.create_agreement(session, CTX, title="三者協定", partner_ids=[university, chamber],
                              status="negotiating")
    services.create_agreement(session, CTX, title="旧協定", partner_ids=[town], status="ended",
                              concluded_on=date(2020, 4, 1), starts_on=date(2020, 4, 1),
                              ends_on=date(2022, 3, 31))
    services.create_agreement(session, CTX, title="取りやめ", partner_ids=[npo],
                              status="cancelled")

    services.log_event(session, CTX, held_on=date(2022, 11, 3), kind="in_city",
                       title="産業まつり", venue="日岡山公園", municipality="加古川市",
                       attendees=1234, notes="雨天", tags=["防災;訓練"])
    services.log_event(session, CTX, held_on=date(2022, 11, 10), kind="out_of_city",
                       title="展示会", venue="インテックス大阪", municipality="大阪市", attendees=0)
    services.log_event(session, CTX, held_on=date(2023, 1, 20), kind="lecture",
                       title="スマホ教室", venue="公民館")

    services.record_measurement(session, CTX, kpi_code="open_data_files",
                                measured_on=date(2022, 3, 31), value=2100, note="年度末")
    services.record_measurement(session, CTX, kpi_code="app_awareness_rate",
                                measured_on=date(2022, 12, 1), value=18.5)
    services.record_measurement(session, CTX, kpi_code="data_disclosure_review",
                                measured_on=date(2022, 6, 1), value=1)
    services.record_measurement(session, CTX, kpi_code="open_data_files",
                                measured_on=date(2021, 3, 31), value=1500)


def export(database: Database, entity: str, **options: Any) -> str:
    """`entity` as CSV text, with personal data and these other ExportOptions."""
    out = io.StringIO(newline="")
    with database.reading() as session:
        export_csv(session, entity, out, ExportOptions(include_personal=True, **options))
    return out.getvalue()


def lines(text: str) -> list[str]:
    return text.split("\r\n")[:-1]


# --- what is written ------------------------------------------------------------------------


def test_organizations_in_kana_order_with_quoting(filled: Database) -> None:
    assert export(filled, "organizations") == (
        "name,kind,kana,corporate_number,address,website,notes,id,version\r\n"
        "NPO法人かこがわ,npo,かこがわ,,,,,4,1\r\n"
        f'株式会社神戸製鋼所,company,コウベセイコウショ,{CORPORATE_NUMBER},神戸市中央区,'
        'https://example.jp,"大口, ""重要""\n二行目",1,1\r\n'
        "播磨町,municipality,はりまちょう,,,,,5,1\r\n"
        "兵庫県立大学,university,ひょうごけんりつだいがく,,,,,2,1\r\n"
        "加古川商工会議所,other,,,,,,3,1\r\n"
    )


def test_meetings_with_lists_in_name_order(filled: Database) -> None:
    # Names are ordered as text (兵 U+5175 before 株 U+682A), the same in every database.
    assert lines(export(filled, "meetings")) == [
        "date,title,organizations,staff,summary,next_action,follow_up_on,tags,id,version",
        "2022-11-01,商工会議所訪問,加古川商工会議所,山田太郎,,,,,2,1",
        # The archived organization (旧株式会社) is left out of the list.
        '2022-12-05,データ連携の意見交換,兵庫県立大学;株式会社神戸製鋼所,佐藤花子;山田太郎,'
        '"人流データ\n気象データ",資料送付,2022-12-20,スマートシティ;防災,1,1',
        "2022-12-07,退職者の会議,播磨町,,,,,,5,1",
        "2023-02-01,NPOとの協議,NPO法人かこがわ;播磨町,,,,,,3,1",
    ]


def test_agreements_events_and_measurements(filled: Database) -> None:
    assert lines(export(filled, "agreements")) == [
        "title,partners,status,concluded_on,starts_on,ends_on,datasets,notes,tags,id,version",
        "人流データ連携協定,株式会社神戸製鋼所,concluded,2022-12-05,2022-12-05,2025-03-31,"
        "人流データ,重要,スマートシティ,1,1",
        "三者協定,兵庫県立大学;加古川商工会議所,negotiating,,,,,,,2,1",
        "旧協定,播磨町,ended,2020-04-01,2020-04-01,2022-03-31,,,,3,1",
        "取りやめ,NPO法人かこがわ,cancelled,,,,,,,4,1",
    ]
    # A ';' inside a tag is escaped as in every list cell.
    assert lines(export(filled, "events")) == [
        "date,kind,title,venue,municipality,attendees,notes,tags,id,version",
        "2022-11-03,in_city,産業まつり,日岡山公園,加古川市,1234,雨天,防災\\;訓練,1,1",
        "2022-11-10,out_of_city,展示会,インテックス大阪,大阪市,0,,,2,1",
        "2023-01-20,lecture,スマホ教室,公民館,,,,,3,1",
    ]
    assert lines(export(filled, "measurements")) == [
        "kpi,plan,date,value,note,source,id,version",
        "data_disclosure_review,ict-policy-2018,2022-06-01,1,,,3,1",
        "open_data_files,ict-policy-2018,2021-03-31,1500,,,4,1",
        "open_data_files,ict-policy-2018,2022-03-31,2100,年度末,,1,1",
        "app_awareness_rate,ict-policy-2018,2022-12-01,18.5,,,2,1",
    ]


def test_the_number_of_rows_is_returned(filled: Database) -> None:
    expected = {"organizations": 5, "meetings": 4, "agreements": 4, "events": 3,
                "measurements": 4}
    with filled.reading() as session:
        for entity, count in expected.items():
            assert export_csv(session, entity, io.StringIO()) == count


def test_archived_records_only_when_asked(filled: Database) -> None:
    default = export(filled, "organizations")
    everything = export(filled, "organizations", include_archived=True)
    assert "旧株式会社" not in default
    assert "旧株式会社,company,きゅう,,,,,6,2\r\n" in everything
    meetings = export(filled, "meetings", include_archived=True)
    assert "2022-12-06,取消した会議,株式会社神戸製鋼所,,,,,,4,2" in meetings
    assert "兵庫県立大学;旧株式会社;株式会社神戸製鋼所,佐藤花子;山田太郎" in meetings
    assert "2022-12-07,退職者の会議,播磨町,退職者,,,,,5,1" in meetings


def test_a_date_range(filled: Database) -> None:
    def first_cells(entity: str, start: date | None, end: date | None) -> list[str]:
        return [line.split(",")[0] for line in lines(export(filled, entity, start=start,
                                                             end=end))[1:]]

    december = date(2022, 12, 1), date(2022, 12, 31)
    assert first_cells("meetings", *december) == ["2022-12-05", "2022-12-07"]
    assert first_cells("events", date(2023, 1, 1), None) == ["2023-01-20"]
    assert lines(export(filled, "measurements", end=date(2021, 12, 31)))[1:] == [
        "open_data_files,ict-policy-2018,2021-03-31,1500,,,4,1",
    ]
    # Agreements are dated by conclusion; organizations are not dated.
    assert first_cells("agreements", *december) == ["人流データ連携協定"]
    assert first_cells("organizations", *december) == first_cells("organizations", None, None)


def test_pages_give_the_same_file(filled: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = {entity: export(filled, entity) for entity in ENTITIES}
    monkeypatch.setattr(exporting, "PAGE_SIZE", 2)
    assert {entity: export(filled, entity) for entity in ENTITIES} == whole


def test_an_empty_table_gives_the_header_only(database: Database) -> None:
    out = io.StringIO()
    with database.reading() as session:
        assert export_csv(session, "events", out) == 0
    assert out.getvalue() == (
        "date,kind,title,venue,municipality,attendees,notes,tags,id,version\r\n")


def test_an_unknown_entity(filled: Database) -> None:
    with filled.reading() as session, pytest.raises(DataError, match="unknown entity"):
        export_csv(session, "staff", io.StringIO())


def test_export_files_are_utf8_with_bom(filled: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    with open_for_export(path) as out, filled.reading() as session:
        export_csv(session, "events", out)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfdate,kind,")
    assert content.decode("utf-8-sig").splitlines()[1].startswith("2022-11-03,in_city,産業まつり")
    assert b"\r\n" in content and b"\r\r\n" not in content


# --- round trip -----------------------------------------------------------------------------


def export_all(database: Database, folder: Path) -> dict[str, str]:
    """Every entity exported to `folder`; each file's text without its `id` column (the
    ids of the database it came from), which is also how it is left in `folder`, for
    another database to import."""
    folder.mkdir()
    texts = {}
    with database.reading() as session:
        for entity in ENTITIES:
            path = folder / f"{entity}.csv"
            with open_for_export(path) as out:
                export_csv(session, entity, out, ExportOptions(include_personal=True))
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"),
                                               newline="")))
            assert rows[0][-2:] == ["id", "version"]
            with open_for_export(path) as out:
                csv.writer(out).writerows(row[:-2] + row[-1:] for row in rows)
            texts[entity] = path.read_text(encoding="utf-8-sig")
    return texts


def test_export_then_import_into_an_empty_database_round_trips(
    filled: Database, tmp_path: Path
) -> None:
    first = export_all(filled, tmp_path / "first")
    fresh = create_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", CTX)
    with fresh.writing() as session:
        added = {
            entity: import_file(session, CTX, entity, tmp_path / "first" / f"{entity}.csv").added
            for entity in ENTITIES
        }
    assert added == {"organizations": 5, "contacts": 2, "meetings": 4, "agreements": 4,
                     "events": 3, "measurements": 4}
    second = export_all(fresh, tmp_path / "second")
    fresh.dispose()
    assert second == first


def test_a_file_with_the_ids_of_another_database_is_refused(
    filled: Database, tmp_path: Path
) -> None:
    path = tmp_path / "organizations.csv"
    with open_for_export(path) as out, filled.reading() as session:
        export_csv(session, "organizations", out)
    fresh = create_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", CTX)
    try:
        with fresh.writing() as session, pytest.raises(ImportFileError) as refused:
            import_file(session, CTX, "organizations", path)
        with fresh.reading() as session:
            assert session.scalar(select(func.count()).select_from(Organization)) == 0
    finally:
        fresh.dispose()
    assert (refused.value.row, refused.value.column, refused.value.value) == (2, "id", "4")


# --- personal data, formula guards, fiscal periods, the command ------------------------------


def test_contacts_only_with_personal_data_and_formulas_guarded(filled: Database) -> None:
    with filled.reading() as session, pytest.raises(DataError, match="--include-personal"):
        export_csv(session, "contacts", io.StringIO())
    assert lines(export(filled, "contacts")) == [
        "organization,name,kana,department,title,email,phone,notes,id,version",
        "播磨町,播磨花子,,,,,'-0794-00-0000,,2,1",
        '株式会社神戸製鋼所,神戸太郎,こうべたろう,営業部,部長,taro@example.jp,\'+81 78-000-0000,'
        '"\'=HYPERLINK(""http://x"")",1,1',
    ]


def run_cli(database: Database, *argv: str) -> int:
    from cli.main import main

    return main(["--db", database.engine.url.database or "", *argv])


@pytest.mark.skipif(BACKEND != "sqlite", reason="the CLI is tested on SQLite")
@pytest.mark.usefixtures("english")
def test_the_export_command(
    filled: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "meetings.xlsx"
    assert run_cli(filled, "export", "meetings", "--fiscal-year", "2022", "--quarter", "3",
                   "-o", str(target)) == 0
    assert "exported 3 meetings" in capsys.readouterr().err
    from openpyxl import load_workbook

    sheet = load_workbook(target)["meetings"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "商工会議所訪問", "データ連携の意見交換", "退職者の会議",
    ]
    assert run_cli(filled, "--lang", "en", "export", "contacts") == 1
    assert "personal data" in capsys.readouterr().err
    assert run_cli(filled, "export", "contacts", "--include-personal") == 0
    assert "神戸太郎" in capsys.readouterr().out
    assert run_cli(filled, "export", "events", "--quarter", "3") == 2
    assert run_cli(filled, "export", "events", "--fiscal-year", "2022", "--to", "2023-01-01") == 2


@given(st.lists(st.text(alphabet="ab;；、\\ 社", min_size=1, max_size=6)
                .map(str.strip).filter(bool), max_size=4))
def test_a_list_cell_gives_back_the_names_it_was_made_of(names: list[str]) -> None:
    assert split_list(join_list(names)) == names


def test_names_with_separators_survive_export_and_import(
    database: Database, tmp_path: Path
) -> None:
    odd = ["A;B株式会社", "研究所、分室", "C\\D社"]
    with database.writing() as session:
        ids = [services.create_organization(session, CTX, name=n, kind="company").id or 0
               for n in odd]
        services.log_meeting(session, CTX, held_on=date(2022, 12, 1), title="三者会議",
                             organization_ids=ids)
    first = export_all(database, tmp_path / "first")
    assert "A\\;B株式会社;C\\\\D社;研究所\\、分室" in first["meetings"]
    fresh = create_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", CTX)
    with fresh.writing() as session:
        for entity in ("organizations", "meetings"):
            import_file(session, CTX, entity, tmp_path / "first" / f"{entity}.csv")
    second = export_all(fresh, tmp_path / "second")
    fresh.dispose()
    assert (second["organizations"], second["meetings"]) == (
        first["organizations"], first["meetings"])
