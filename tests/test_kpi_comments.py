"""KPI comments (要因分析・課題・今後の方向性): written by `crm kpi comment`, shown in
`crm kpi --format json`, printed in the report (read back from the PDF) and frozen when the
report is issued, so that a later edit shows as a restatement."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi import comments
from crm.reporting.issued import restatements
from db.session import URL_VARIABLE, Database
from reports.publish import build_report, issue_report
from tests.test_report import GENERATED, Q3, build, fill, page_texts

CODE = "lectures_in_city"
ANALYSIS = "市内の学校からの依頼が増えた。<b>太字ではない</b> & 記号"


@pytest.fixture(autouse=True)
def _database_in_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`crm` finds the test's database (either backend) through its URL variable."""
    monkeypatch.setenv(URL_VARIABLE, database_url)


def run(database_url: str, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        return main(list(argv), out=out), out.getvalue()
    except SystemExit as exc:  # argparse's usage errors
        return int(str(exc.code)), out.getvalue()


def kpi_json(database_url: str, *period: str) -> dict[str, dict[str, object]]:
    code, out = run(database_url, "kpi", "--format", "json", "--plan", "all", *period)
    assert code == 0
    return {row["code"]: row for row in json.loads(out)}


def comment(database_url: str, *argv: str) -> tuple[int, str]:
    return run(database_url, "kpi", "comment", CODE, "--fiscal-year", "2022", *argv)


def test_a_comment_shows_in_json_for_its_period_only(database_url: str) -> None:
    assert comment(database_url, "--quarter", "3", "--field", "analysis", "--text",
                   ANALYSIS)[0] == 0
    assert comment(database_url, "--field", "next", "--text", "通年の方針")[0] == 0
    q3 = kpi_json(database_url, "--fiscal-year", "2022", "--quarter", "3")
    assert q3[CODE]["comments"] == {"analysis": ANALYSIS, "issues": None, "next": None}
    year = kpi_json(database_url, "--fiscal-year", "2022")
    assert year[CODE]["comments"] == {"analysis": None, "issues": None, "next": "通年の方針"}
    assert kpi_json(database_url, "--fiscal-year", "2022", "--quarter", "2")[CODE][
        "comments"] == {"analysis": None, "issues": None, "next": None}
    # Every object carries the key, commented or not.
    assert all(set(row["comments"]) == {"analysis", "issues", "next"} for row in q3.values())


def test_editing_and_clearing_a_comment_is_audited(database_url: str,
                                                   database: Database) -> None:
    assert comment(database_url, "--field", "issues", "--text", "人手不足")[0] == 0
    code, out = comment(database_url, "--field", "issues", "--text", "人手不足")
    assert code == 0 and "変更なし" in out
    assert comment(database_url, "--field", "issues", "--text", "講師の確保")[0] == 0
    code, out = comment(database_url, "--field", "issues", "--text", "")
    assert code == 0 and "削除しました" in out
    assert kpi_json(database_url, "--fiscal-year", "2022")[CODE]["comments"]["issues"] is None
    with database.reading() as session:
        actions = session.execute(text(
            "SELECT action FROM audit_log WHERE table_name = 'kpi_comment' ORDER BY id")
        ).scalars().all()
    assert actions == ["insert", "update", "delete"]
    code, out = run(database_url, "db", "check")
    assert code == 0, out


def test_a_comment_file_is_read_as_utf8_or_cp932(database_url: str, tmp_path: Path) -> None:
    for name, encoding in (("utf8.txt", "utf-8-sig"), ("sjis.txt", "cp932")):
        path = tmp_path / name
        path.write_bytes(f"{encoding}: 髙橋さんの講座が好評\n二行目".encode(encoding))
        assert comment(database_url, "--field", "analysis", "--file", str(path))[0] == 0
        found = kpi_json(database_url, "--fiscal-year", "2022")[CODE]["comments"]["analysis"]
        assert found == f"{encoding}: 髙橋さんの講座が好評\n二行目"


SECOND_PLAN = """
[plan]
code = "second-2022"
name_ja = "第二計画"
name_en = "Second plan"
first_fiscal_year = 2022
last_fiscal_year = 2026

[[kpi]]
code = "lectures_in_city"
name_ja = "講座"
name_en = "Lectures"
unit = "回"
policy_ref = "1-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2022-03-31"
target = 10
target_by = "2027-03-31"
[kpi.count]
source = "events"
event_kinds = ["lecture"]
"""


@pytest.mark.parametrize(("argv", "status", "line"), [
    (["kpi", "comment", "no_such_kpi", "--fiscal-year", "2022", "--field", "next",
      "--text", "x"], 1, "KPI 'no_such_kpi' がありません"),
    (["kpi", "comment", CODE, "--fiscal-year", "2030", "--field", "next", "--text", "x"], 1,
     "2030年度は計画 ict-policy-2018 の期間"),
    (["kpi", "comment", CODE, "--fiscal-year", "2022", "--field", "next", "--text",
      "あ" * 2001], 1, "2001 文字です（2000 文字まで）"),
    (["kpi", "comment", CODE, "--fiscal-year", "2022", "--field", "summary", "--text", "x"],
     2, "--field"),
    (["kpi", "comment", CODE, "--fiscal-year", "2022", "--quarter", "5", "--field", "next",
      "--text", "x"], 2, "--quarter"),
    (["kpi", "comment", CODE, "--fiscal-year", "2022", "--field", "next"], 2,
     "--text --file のどれかが必要です"),
    (["kpi", "comment", CODE, "--fiscal-year", "2022", "--field", "next", "--file",
      "/nonexistent/c.txt"], 1, "/nonexistent/c.txt"),
    (["--read-only", "kpi", "comment", CODE, "--fiscal-year", "2022", "--field", "next",
      "--text", "x"], 1, "--read-only"),
])
def test_mistakes_exit_with_one_line_and_change_nothing(
    database_url: str, database: Database, argv: list[str], status: int, line: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert run(database_url, *argv)[0] == status
    err = capsys.readouterr().err
    assert line in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM kpi_comment")).scalar() == 0


def test_a_code_in_two_plans_needs_plan(database_url: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = tmp_path / "second.toml"
    plan_file.write_text(SECOND_PLAN, encoding="utf-8")
    assert run(database_url, "plan", "import", str(plan_file))[0] == 0
    capsys.readouterr()
    assert comment(database_url, "--field", "next", "--text", "x")[0] == 1
    assert "複数の計画（ict-policy-2018, second-2022）" in capsys.readouterr().err
    assert comment(database_url, "--plan", "second-2022", "--field", "next",
                   "--text", "第二計画の方針")[0] == 0
    rows = json.loads(run(database_url, "kpi", "--format", "json", "--plan", "all",
                          "--fiscal-year", "2022")[1])
    found = {(r["plan"], r["code"]): r["comments"]["next"] for r in rows if r["code"] == CODE}
    assert found == {("ict-policy-2018", CODE): None, ("second-2022", CODE): "第二計画の方針"}


def _write(database: Database, ctx: Context, field: str, value: str,
           period: FiscalPeriod = Q3) -> None:
    with database.writing() as session:
        kpi = comments.commented_kpi(session, CODE)
        comments.set_comment(session, ctx, kpi=kpi, period=period, field=field, text=value)


@pytest.mark.parametrize(("lang", "heading", "labels"), [
    ("ja", "要因分析・課題・今後の方向性", ("要因分析", "課題", "今後の方向性")),
    ("en", "Analysis, issues and next steps", ("Analysis", "Issues", "Next steps")),
])
def test_the_report_prints_each_kpis_comments(
    database: Database, ctx: Context, lang: str, heading: str, labels: tuple[str, ...]
) -> None:
    fill(database, ctx)
    _write(database, ctx, "analysis", ANALYSIS)
    _write(database, ctx, "issues", "講師の確保\n会場の確保")
    _write(database, ctx, "next", "年度末に全体の振り返り", FiscalPeriod(2022))
    pages = "\n".join(page_texts(build(database, lang=lang).pdf))
    assert heading in pages
    start = pages.index(heading)
    block = pages[start:]
    assert all(label in block for label in labels)
    assert ANALYSIS in block  # user text printed as written, not as markup
    assert "講師の確保" in block and "会場の確保" in block
    assert "年度末に全体の振り返り" not in pages  # the year's comment is not the quarter's
    assert "年度末に全体の振り返り" in "\n".join(
        page_texts(build(database, period=FiscalPeriod(2022), lang=lang).pdf))


def test_a_report_without_comments_has_no_commentary(database: Database, ctx: Context) -> None:
    fill(database, ctx)
    assert "要因分析" not in "\n".join(page_texts(build(database).pdf))


def test_a_comment_edited_after_issue_is_restated(database: Database, ctx: Context) -> None:
    fill(database, ctx)
    _write(database, ctx, "analysis", "発行時の分析")
    with database.writing() as session:
        result = build_report(session, period=Q3, lang="ja", generated_at=GENERATED)
        issue_report(session, ctx, result)
    with database.reading() as session:
        assert restatements(session, Q3) == []
    _write(database, ctx, "analysis", "発行後に書き換えた分析")
    _write(database, ctx, "next", "追記した方向性")
    with database.reading() as session:
        [restated] = restatements(session, Q3)
    assert restated.changes == ()
    assert [(c.code, c.field, c.published, c.now) for c in restated.comment_changes] == [
        (CODE, "analysis", "発行時の分析", "発行後に書き換えた分析"),
        (CODE, "next", None, "追記した方向性"),
    ]
    pages = "\n".join(page_texts(build(database, period=FiscalPeriod(2022, 4)).pdf))
    assert "発行後に変更されたコメント" in pages
    assert "発行時の分析" in pages and "発行後に書き換えた分析" in pages
