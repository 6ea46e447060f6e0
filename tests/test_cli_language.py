"""The command line speaks the user's language: Japanese by default (CRM_LANG=ja), English
with CRM_LANG=en or --lang en; help (argparse's own strings too), usage errors, results and
dry runs (issue 15 item 4)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.help_ja import ARGPARSE_JA, HELP_JA
from cli.main import build_parser, main
from cli.messages import MESSAGES
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="messages: backend-neutral")


def help_texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every description, epilog and help text of `parser` and its subcommands."""
    for text in (parser.description, parser.epilog):
        if text:
            yield text
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice.help
            for sub in action.choices.values():
                yield from help_texts(sub)


def test_every_help_text_has_its_japanese() -> None:
    missing = sorted({t for t in help_texts(build_parser()) if t not in HELP_JA})
    assert missing == []


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    import string

    for key, (ja, en) in MESSAGES.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (ja, en)]
        assert fields[0] == fields[1], key
        assert ja != en or ja.startswith(("integrity_check", "{prog}")), key


def shown(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [[], ["kpi"], ["export"], ["db", "backup"], ["report"]])
def test_help_is_japanese_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("CRM_LANG", raising=False)
    text = shown(capsys, *command, "--help")
    assert text.startswith("使い方: crm")
    assert "オプション:" in text and "このヘルプを表示して終了する" in text
    assert "usage:" not in text and "show this help message" not in text
    english = [t for t in help_texts(build_parser()) if t != HELP_JA[t] and len(t) > 12]
    assert not [t for t in english if " ".join(t.split()) in " ".join(text.split())]


def test_help_is_english_on_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_LANG", "en")
    text = shown(capsys, "--help")
    assert text.startswith("usage: crm") and "positional arguments:" in text
    assert "show this help message and exit" in text and "KPI values, progress" in text
    assert "使い方" not in text and HELP_JA["KPI values, progress and evidence"] not in text
    monkeypatch.setenv("CRM_LANG", "ja")
    assert shown(capsys, "kpi", "--help", "--lang", "en").startswith("usage: crm kpi")
    assert shown(capsys, "--lang=en", "kpi", "--help").startswith("usage: crm kpi")


def test_argparse_stays_english_outside_the_program(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_LANG", "ja")
    shown(capsys, "--help")
    other = argparse.ArgumentParser(prog="other")
    assert "show this help message and exit" in other.format_help()
    assert set(ARGPARSE_JA) >= {"usage: ", "options", "positional arguments"}


@pytest.mark.parametrize(("lang", "expected"), [
    ("ja", "crm: 引数 COMMAND: 選べない値: 'bogus'"),
    ("en", "crm: argument COMMAND: invalid choice: 'bogus'")])
def test_usage_errors_speak_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str,
    expected: str,
) -> None:
    monkeypatch.setenv("CRM_LANG", lang)
    with pytest.raises(SystemExit) as exited:
        main(["bogus"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1


@pytest.mark.parametrize(("lang", "created", "exported", "dry_run", "imported"), [
    ("ja", "を作成しました", "件を", "試行のみで、何も変更していません", "件を取り込みました"),
    ("en", "created ", "exported 1 meetings to", "dry run, nothing changed", "imported 1"),
])
def test_results_and_dry_runs_speak_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    lang: str, created: str, exported: str, dry_run: str, imported: str,
) -> None:
    monkeypatch.setenv("CRM_LANG", lang)
    db = ["--db", str(tmp_path / "crm.sqlite3"), "--today", "2023-03-31"]
    assert main([*db, "init"]) == 0
    assert created in capsys.readouterr().out
    source = tmp_path / "meetings.csv"
    source.write_text("日付,件名,相手先,担当\nR5.1.10,相談,(株)播磨データ,山田\n", encoding="utf-8")
    assert main([*db, "import", "meetings", str(source), "--dry-run", "--create-missing",
                 "--kind", "company"]) == 0
    assert capsys.readouterr().out.startswith(dry_run)
    assert main([*db, "import", "meetings", str(source), "--create-missing",
                 "--kind", "company"]) == 0
    assert imported in capsys.readouterr().out
    assert main([*db, "export", "meetings", "-o", str(tmp_path / "m.csv")]) == 0
    assert exported in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["kpi"], ["import"], ["audit", "verify"], ["report"]])
def test_japanese_help_fits_an_80_column_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    from cli.table import display_width

    monkeypatch.setenv("CRM_LANG", "ja")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/data")  # a path of a known length
    lines = shown(capsys, *command, "--help").splitlines()
    assert max(display_width(line) for line in lines) <= 80


@pytest.mark.parametrize(("lang", "log_header", "duplicates_header", "acting"), [
    ("ja", ["#", "変更日時", "変更者", "表", "行", "操作", "変更内容"],
     ["類似度", "ID", "名称", "ID", "名称", "理由"], "（tester として）"),
    ("en", ["#", "changed_at", "changed_by", "table", "row", "action", "changes"],
     ["score", "id", "name", "id", "name", "reason"], " (as tester)"),
])
def test_lists_head_their_columns_in_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    lang: str, log_header: list[str], duplicates_header: list[str], acting: str,
) -> None:
    monkeypatch.setenv("CRM_LANG", lang)
    monkeypatch.setenv("CRM_USER", "tester")
    db = ["--db", str(tmp_path / "crm.sqlite3"), "--today", "2023-03-31"]
    assert main([*db, "init"]) == 0
    capsys.readouterr()
    assert main([*db, "audit", "log", "--limit", "1"]) == 0
    header, _rule, row = capsys.readouterr().out.splitlines()
    assert header.split() == log_header and acting in row
    assert main([*db, "orgs", "duplicates"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == duplicates_header


@pytest.mark.parametrize(("lang", "expected"), [
    ("ja", "crm: 団体（organization）id 999 は存在しません\n"),
    ("en", "crm: no organization with id 999\n"),
])
def test_a_missing_record_is_named_in_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    lang: str, expected: str,
) -> None:
    monkeypatch.setenv("CRM_LANG", lang)
    db = ["--db", str(tmp_path / "crm.sqlite3"), "--today", "2023-03-31"]
    assert main([*db, "init"]) == 0
    capsys.readouterr()
    assert main([*db, "orgs", "merge", "999", "998"]) != 0
    assert capsys.readouterr().err == expected
