"""CI runs the test commands the README gives, word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_test_commands() -> list[str]:
    """Every line of the README's `sh` blocks that runs pytest."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"),
                        re.S)
    return [line for block in blocks for line in block.splitlines() if "-m pytest" in line]


def test_ci_runs_the_readmes_test_commands_verbatim() -> None:
    commands = readme_test_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert len(commands) == 2  # SQLite, then PostgreSQL
    assert commands[0].startswith("python3 -m venv .venv && ")
    assert commands[1].startswith("CRM_TEST_BACKEND=postgresql ")
    for command in commands:
        assert command in ci_lines, f".ci/run does not run the README's {command!r}"
