"""Excel (.xlsx) import and export: dates in every form, sheets, formula guards, and files
that must be refused (XML bombs, zip bombs, too large, not Excel at all)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from crm.context import Context
from crm.io.exporting import ExportOptions, export_csv, export_file
from crm.io.importing import ENTITIES, ImportFileError, import_file, xlsx
from crm.models import Contact, OutreachEvent
from crm.records import services
from db.session import Database, create_database
from tests import io_databases
from tests.test_exporting import CTX, build

database = io_databases.database  # opened without the schema check


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """An .xlsx file with these sheets and rows, written by openpyxl."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def titles_and_days(database: Database) -> list[tuple[str, date]]:
    with database.reading() as session:
        return [(e.title, e.held_on) for e in
                session.scalars(select(OutreachEvent).order_by(OutreachEvent.id))]


def test_dates_as_cells_serials_text_and_wareki(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "events.xlsx", {"周知広報": [
        ["日付", "区分", "件名", "参加者数"],
        [datetime(2022, 11, 3, tzinfo=UTC).replace(tzinfo=None), "市内イベント", "日付セル", 1234],
        [44875, "市外イベント", "シリアル値", 12.0],
        ["2022/11/12", "出前講座", "文字の日付", None],
        ["令和4年11月13日", "lecture", "和暦", "５０"],
        ["R4.11.14", "lecture", "和暦略記", None],
        [44880.75, "lecture", "時刻付きシリアル", None],
    ]})
    with database.writing() as session:
        result = import_file(session, CTX, "events", path)
    assert (result.added, result.updated) == (6, 0)
    assert titles_and_days(database) == [
        ("日付セル", date(2022, 11, 3)), ("シリアル値", date(2022, 11, 10)),
        ("文字の日付", date(2022, 11, 12)), ("和暦", date(2022, 11, 13)),
        ("和暦略記", date(2022, 11, 14)), ("時刻付きシリアル", date(2022, 11, 15)),
    ]
    with database.reading() as session:
        attendees = session.scalars(select(OutreachEvent.attendees).order_by(OutreachEvent.id))
        assert list(attendees) == [1234, 12, None, 50, None, None]


def test_a_sheet_by_name_else_the_first(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", {
        "メモ": [["date", "kind", "title"], ["2022-11-01", "lecture", "最初のシート"]],
        "講座": [[], ["date", "kind", "title"], ["2022-11-02", "lecture", "二枚目"]],
    })
    with database.writing() as session:
        assert import_file(session, CTX, "events", path, sheet="講座").added == 1
        assert import_file(session, CTX, "events", path).added == 1
        with pytest.raises(ImportFileError, match=r"no sheet 'なし' \(sheets: 'メモ', '講座'\)"):
            import_file(session, CTX, "events", path, sheet="なし")
    assert [title for title, _ in titles_and_days(database)] == ["二枚目", "最初のシート"]


def test_an_error_names_file_sheet_row_column_and_value(
    database: Database, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "bad.xlsx", {"イベント": [
        ["日付", "区分", "件名"], ["2022-11-01", "lecture", "良い"],
        ["2022-13-45", "lecture", "悪い"],
    ]})
    with database.writing() as session, pytest.raises(ImportFileError) as caught:
        import_file(session, CTX, "events", path)
    error = caught.value
    assert str(error) == (f"{path}: sheet 'イベント', row 3, column '日付': not a date (use"
                          " 2022-12-05, 2022/12/5, R4.12.5 or 令和4年12月5日) (value '2022-13-45')")
    assert (error.file, error.sheet, error.row, error.column) == (str(path), "イベント", 3, "日付")
    assert titles_and_days(database) == []


def test_a_missing_column_in_a_sheet(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "bad.xlsx", {"S": [["date", "title"], ["2022-11-01", "x"]]})
    with database.writing() as session, pytest.raises(ImportFileError,
                                                      match="sheet 'S': missing column 'kind'"):
        import_file(session, CTX, "events", path)


def test_a_sheet_with_only_a_header(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "empty.xlsx", {"S": [["date", "kind", "title"]]})
    with database.writing() as session, pytest.raises(ImportFileError, match="only a header"):
        import_file(session, CTX, "events", path)


# --- untrusted files ------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    .replace("&lol0;", "&lol;")
    + "]>"
)


def bomb(tmp_path: Path) -> Path:
    """A genuine .xlsx whose sheet XML expands an entity nine levels deep (10^9 'lol's)."""
    path = workbook(tmp_path / "ok.xlsx", {"S": [["date", "kind", "title"],
                                                 ["2022-11-01", "lecture", "LAUGH"]]})
    target = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("LAUGH", "&lol9;")
                data = (BILLION_LAUGHS + text.split("?>", 1)[-1]).encode()
            out.writestr(item, data)
    return target


def test_a_billion_laughs_sheet_is_refused(database: Database, tmp_path: Path) -> None:
    path = bomb(tmp_path)
    with database.writing() as session, pytest.raises(ImportFileError,
                                                      match="declares a DTD or entities"):
        import_file(session, CTX, "events", path)


def test_the_parser_refuses_entities_too(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl found defusedxml and parses with it
    monkeypatch.setattr(xlsx, "_declares_dtd", lambda archive, member: False)
    with database.writing() as session, pytest.raises(ImportFileError,
                                                      match="EntitiesForbidden"):
        import_file(session, CTX, "events", bomb(tmp_path))


def test_size_and_cell_limits(database: Database, tmp_path: Path) -> None:
    rows = [["date", "kind", "title"]] + [["2022-11-01", "lecture", f"講座{i}"] for i in range(50)]
    path = workbook(tmp_path / "big.xlsx", {"S": rows})
    with database.writing() as session:
        with pytest.raises(ImportFileError, match="more than the limit of 1,000"):
            import_file(session, CTX, "events", path, max_bytes=1000)
        with pytest.raises(ImportFileError, match="more than 100 cells"):
            import_file(session, CTX, "events", path, max_cells=100)
    assert titles_and_days(database) == []


def test_a_zip_bomb_is_refused(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "_MAX_XLSX_RATIO", 3)  # 3 MB from a file of a few KB
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (4 * 1024 * 1024))
    with database.writing() as session, pytest.raises(ImportFileError, match="zip bomb"):
        import_file(session, CTX, "events", path)


@pytest.mark.parametrize("content", [b"date,kind,title\n", b"PK\x03\x04broken"])
def test_a_file_that_is_not_excel(database: Database, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    with database.writing() as session, pytest.raises(ImportFileError,
                                                      match="not an Excel .xlsx file"):
        import_file(session, CTX, "events", path)


# --- export ---------------------------------------------------------------------------------


def test_export_is_typed_and_formula_safe(database: Database, ctx: Context,
                                          tmp_path: Path) -> None:
    with database.writing() as session:
        kobe = services.create_organization(session, ctx, name="株式会社神戸", kind="company")
        assert kobe.id is not None
        services.add_contact(session, ctx, organization_id=kobe.id, name="=1+2",
                             phone="+81 78-000-0000", notes="@SUM(A1)")
        services.log_event(session, ctx, held_on=date(2022, 11, 3), kind="in_city",
                           title="-まつり", attendees=12)
    with database.reading() as session:
        export_file(session, "contacts", tmp_path / "c.xlsx", ExportOptions(include_personal=True))
        export_file(session, "events", tmp_path / "e.xlsx")
    contacts = load_workbook(tmp_path / "c.xlsx")["contacts"]
    name, phone, notes = contacts["B2"], contacts["G2"], contacts["H2"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in (name, phone, notes)] == [
        ("=1+2", "s", True), ("+81 78-000-0000", "s", True), ("@SUM(A1)", "s", True),
    ]
    events = load_workbook(tmp_path / "e.xlsx")["events"]
    assert [c.value for c in events[2]] == [
        datetime(2022, 11, 3, tzinfo=UTC).replace(tzinfo=None), "in_city", "-まつり", None, None,
        12, None, None, 1, 1,
    ]
    assert events["A2"].number_format == "yyyy-mm-dd"


def test_control_characters_are_replaced_in_xlsx_and_kept_in_csv(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    title = "相談\x01\x07制御\tタブ\n改行"
    with database.writing() as session:
        services.log_event(session, ctx, held_on=date(2022, 11, 3), kind="in_city",
                           title=title, attendees=1)
    with database.reading() as session:
        export_file(session, "events", tmp_path / "e.xlsx")
        export_file(session, "events", tmp_path / "e.csv")
    events = load_workbook(tmp_path / "e.xlsx")["events"]
    assert events["C2"].value == "相談\ufffd\ufffd制御\tタブ\n改行"
    assert title in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")


def _without_ids(text: str) -> str:
    """CSV text without its last column but one (the ids)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    csv.writer(out).writerows(row[:-2] + row[-1:] for row in rows)
    return out.getvalue()


def test_every_entity_round_trips_through_xlsx(
    database: Database, tmp_path: Path
) -> None:
    with database.writing() as session:
        build(session)
    first: dict[str, str] = {}
    options = ExportOptions(include_personal=True)
    with database.reading() as session:
        for entity in ENTITIES:
            export_file(session, entity, tmp_path / f"{entity}.xlsx", options)
            out = io.StringIO()
            export_csv(session, entity, out, options)
            first[entity] = _without_ids(out.getvalue())
    fresh = create_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", CTX)
    with fresh.writing() as session:
        for entity in ENTITIES:
            # Another database: the file goes without the ids of the one it came from.
            workbook = load_workbook(tmp_path / f"{entity}.xlsx")
            sheet = workbook[entity]
            assert sheet.cell(1, sheet.max_column - 1).value == "id"
            sheet.delete_cols(sheet.max_column - 1)
            workbook.save(tmp_path / f"{entity}-no-ids.xlsx")
            import_file(session, CTX, entity, tmp_path / f"{entity}-no-ids.xlsx",
                        sheet=entity)
    with fresh.reading() as session:
        second = {}
        for entity in ENTITIES:
            out = io.StringIO()
            export_csv(session, entity, out, options)
            second[entity] = _without_ids(out.getvalue())
        phones = set(session.scalars(select(Contact.phone)))
    fresh.dispose()
    assert second == first
    assert phones == {"+81 78-000-0000", "-0794-00-0000"}
    # And a second import of the same files changes nothing.
    with database.writing() as session:
        results = [import_file(session, CTX, e, tmp_path / f"{e}.xlsx") for e in ENTITIES]
    assert [(r.added, r.updated) for r in results] == [(0, 0)] * len(ENTITIES)
