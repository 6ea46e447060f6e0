"""The report's wording catalog (reports/labels.toml): complete and consistent in both languages."""

from __future__ import annotations

from string import Formatter

import pytest

from reports.labels import TEXT, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_both_languages_fill_in_the_same_values(key: str) -> None:
    ja, en = TEXT[key]
    assert ja and en
    assert _fields(ja) == _fields(en)


def test_continued_lines_join_without_a_break() -> None:
    assert "\n" not in "".join(ja + en for ja, en in TEXT.values())
    assert t("fingerprint_note", "en").endswith(
        "this report used (recipe 1; the issuing office can show how to recompute it).")
