"""The README's `crm --demo …` examples run as printed on a fresh install (no demo built yet)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the demo database is a SQLite file")

README = Path(__file__).resolve().parent.parent / "README.md"


def _examples() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("crm --demo ")]


def test_the_readme_has_demo_examples() -> None:
    assert len(_examples()) >= 5


def test_every_demo_example_runs_on_a_fresh_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    for number, example in enumerate(_examples()):
        argv = shlex.split(example)[1:]
        assert main(argv) == 0, example
        err = capsys.readouterr().err
        assert ("デモ用データベースを" in err and "初回のみ" in err) == (number == 0), example
    assert (tmp_path / "data" / "kakogawa-crm" / "demo.sqlite3").exists()
    assert list(tmp_path.glob("*.pdf"))
