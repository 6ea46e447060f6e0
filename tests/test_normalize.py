"""Organization-name normalization, kana sort keys and corporate-number (法人番号) validation."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crm.normalize import (
    LEGAL_FORMS,
    corporate_number_check_digit,
    kana_sort_key,
    matching_key,
    normalize_name,
    split_legal_form,
    to_hiragana,
    to_katakana,
    validate_corporate_number,
)

PROPERTY = settings(derandomize=True, deadline=None, max_examples=300)

# Each group: spellings of one organization that must share one normalized name.
SAME_NAME = [
    pytest.param(
        [
            "株式会社神戸製鋼所",
            "(株)神戸製鋼所",
            "㈱神戸製鋼所",
            "（株）神戸製鋼所",
            "株式会社　神戸製鋼所",
            " 株式会社 神戸製鋼所 ",
            "( 株 )神戸製鋼所",
            "ｶ)神戸製鋼所",
            "㍿神戸製鋼所",
        ],
        id="前株",
    ),
    pytest.param(["トヨタ自動車株式会社", "トヨタ自動車(株)", "トヨタ自動車㈱"], id="後株"),
    pytest.param(["ｶｺｶﾞﾜﾃﾞｰﾀ", "カコガワデータ"], id="half-width kana"),
    pytest.param(["ＡＢＣ", "ABC", "abc", "Abc"], id="full-width ASCII and case"),
    pytest.param(
        ["データ", "デ－タ", "デ-タ", "デ―タ", "デ‐タ", "デ−タ", "デ—タ", "デｰタ", "デ〜タ"]
        + ["デ～タ", "デ─タ", "デ━タ"],
        id="long vowel look-alikes",
    ),
    pytest.param(
        ["特定非営利活動法人かこがわ", "NPO法人かこがわ", "ＮＰＯ法人かこがわ", "(特非)かこがわ"],
        id="NPO",
    ),
    pytest.param(["有限会社山田商店", "(有)山田商店", "㈲山田商店"], id="有限会社"),
    pytest.param(["合同会社ABC", "(同)ABC"], id="合同会社"),
    pytest.param(["一般社団法人X", "(一社)X"], id="一般社団法人"),
    pytest.param(["公益財団法人X", "(公財)X"], id="公益財団法人"),
    pytest.param(["国立大学法人神戸大学", "国立大学法人　神戸大学"], id="国立大学法人"),
    pytest.param(["JR-西日本", "ＪＲ－西日本", "JR‐西日本", "JR―西日本"], id="dash after non-kana"),
]


@pytest.mark.parametrize("spellings", SAME_NAME)
def test_variants_normalize_equal(spellings: list[str]) -> None:
    assert len({normalize_name(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("㈱神戸製鋼所", "株式会社神戸製鋼所"),
        ("トヨタ自動車(株)", "トヨタ自動車株式会社"),
        ("ｶｺｶﾞﾜﾃﾞｰﾀ", "カコガワデータ"),
        ("ＡＢＣ　Ｃｏｒｐ．", "abccorp."),
        ("NPO法人かこがわ", "特定非営利活動法人かこがわ"),
        ("デ--タ", "デーータ"),
        ("JR-西日本", "jr-西日本"),
        ("ｺｳﾍﾞｾｲｺｳｼﾖ(ｶ", "コウベセイコウシヨ株式会社"),
        ("国立大学法人神戸大学", "国立大学法人神戸大学"),
    ],
)
def test_normalize_name_examples(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_before_and_after_legal_forms_stay_distinct() -> None:
    after = normalize_name("トヨタ自動車株式会社")
    assert after == normalize_name("トヨタ自動車(株)")
    assert after != normalize_name("株式会社トヨタ自動車")


@pytest.mark.parametrize("blank", ["", " ", "\u3000", "\t\n", "\u200b"])
def test_empty_name_is_rejected(blank: str) -> None:
    with pytest.raises(ValueError, match="organization name is empty"):
        normalize_name(blank)


def test_other_characters_are_kept() -> None:
    assert normalize_name("・神戸・製鋼所・") == "・神戸・製鋼所・"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("株式会社神戸製鋼所", ("株式会社", "before", "神戸製鋼所")),
        ("トヨタ自動車(株)", ("株式会社", "after", "トヨタ自動車")),
        ("NPO法人かこがわ", ("特定非営利活動法人", "before", "かこがわ")),
        ("地方独立行政法人X", ("地方独立行政法人", "before", "x")),
        ("X地方独立行政法人", ("地方独立行政法人", "after", "x")),
        ("国立研究開発法人理化学研究所", ("国立研究開発法人", "before", "理化学研究所")),
        ("神戸製鋼所", (None, None, "神戸製鋼所")),
        ("トヨタ株式会社東京支店", (None, None, "トヨタ株式会社東京支店")),
        ("株式会社", (None, None, "株式会社")),
    ],
)
def test_split_legal_form(raw: str, expected: tuple[str | None, str | None, str]) -> None:
    assert split_legal_form(raw) == expected


def test_every_legal_form_splits_off_both_ends() -> None:
    for form in LEGAL_FORMS:
        assert normalize_name(form) == form
        assert split_legal_form(form + "かこがわ") == (form, "before", "かこがわ")
        assert split_legal_form("かこがわ" + form) == (form, "after", "かこがわ")


@pytest.mark.parametrize(
    "spellings",
    [
        ["株式会社トヨタ自動車", "トヨタ自動車株式会社", "トヨタ自動車(株)", "ﾄﾖﾀ自動車"],
        ["カコガワデータ", "かこがわでーた", "ｶｺｶﾞﾜ ﾃﾞｰﾀ", "カコガワ・データ", "(株)カコガワデータ"],
        ["ABC-Japan", "ＡＢＣ　Ｊａｐａｎ", "abc japan", "A.B.C. Japan"],
    ],
)
def test_matching_key_ignores_legal_form_kana_script_and_punctuation(
    spellings: list[str],
) -> None:
    assert len({matching_key(s) for s in spellings}) == 1


def test_matching_key_examples() -> None:
    assert matching_key("株式会社カコガワ・データ") == "かこがわでた"
    assert matching_key("株式会社") == "株式会社"
    with pytest.raises(ValueError):
        matching_key("・・・")


def test_kana_conversion() -> None:
    assert to_hiragana("カコガワ・データ ヴァヵヶ") == "かこがわ・でーた ゔぁゕゖ"
    assert to_katakana("かこがわ・でーた ゔぁゕゖ") == "カコガワ・データ ヴァヵヶ"
    assert to_hiragana("漢字abc") == "漢字abc"


def test_kana_sort_key() -> None:
    assert kana_sort_key("ｶｺｶﾞﾜ ﾃﾞｰﾀ") == "かこがわでーた"
    assert kana_sort_key("カコガワ\u3000データ") == kana_sort_key("かこがわでーた")
    readings = ["がっこう", "アイ", "かっこう", "ワタナベ", "さとう"]
    expected = ["アイ", "かっこう", "がっこう", "さとう", "ワタナベ"]
    assert sorted(readings, key=kana_sort_key) == expected


# Checked by hand against the published algorithm: 国税庁, 東京都, トヨタ自動車株式会社.
VALID_NUMBERS = ["1000011000005", "7000012050002", "5180001008846"]


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_valid_corporate_numbers(number: str) -> None:
    assert validate_corporate_number(number) == number
    assert corporate_number_check_digit(number[1:]) == int(number[0])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("７００００１２０５０００２", "7000012050002"),
        ("7000-0120-50002", "7000012050002"),
        ("7000ー0120ー50002", "7000012050002"),
        (" 5180 0010 08846 ", "5180001008846"),
        ("1000\u3000011000005", "1000011000005"),
    ],
)
def test_corporate_number_formatting_is_accepted(raw: str, expected: str) -> None:
    assert validate_corporate_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("8000020282103", "check digit should be 3, not 8"),
        ("7000012050003", "check digit should be 6, not 7"),
        ("000012050002", "13 digits, not 12"),
        ("70000120500021", "13 digits, not 14"),
        ("", "13 digits, not 0"),
        ("700001205000A", "only digits"),
        ("T7000012050002", "only digits"),
        ("٧٠٠٠٠١٢٠٥٠٠٠٢", "only digits"),
    ],
)
def test_invalid_corporate_numbers(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as excinfo:
        validate_corporate_number(raw)
    message = str(excinfo.value)
    assert repr(raw) in message
    assert "\n" not in message


@pytest.mark.parametrize("base", ["", "12345678901", "1234567890123", "12345678901a", "１２３"])
def test_check_digit_needs_twelve_ascii_digits(base: str) -> None:
    with pytest.raises(ValueError):
        corporate_number_check_digit(base)


# --- properties -------------------------------------------------------------------------------

# Characters that exercise every rule: kana (full and half width), dashes, legal-form parts,
# whitespace, combining marks, ASCII letters of both cases.
TRICKY = st.text(
    alphabet=st.sampled_from(
        list("カかデタｶﾃﾞﾟｰー－-‐―−─━～〜~・()（）株有特非一社NnPpOo法人会式 \u3000\t")
        + ["\u3099", "\u309a", "\u309b", "\u0301", "\u030a", "W", "w", "\u1100", "\u1161", "㈱"]
    ),
    max_size=20,
)
FRAGMENTS = st.lists(
    st.sampled_from(
        ["(株)", "㈱", "（株）", "カ)", "(カ", "NPO法人", "npo法人", "(特非)", "株式会社"]
        + ["デ", "ー", "-", "〜", "・", " ", "\u3099", "ABC", "法人", "(", ")", "ｶ", "ﾞ"]
    ),
    max_size=8,
).map("".join)
NAMES = st.one_of(st.text(max_size=30), TRICKY, FRAGMENTS)


@PROPERTY
@given(NAMES)
def test_normalize_name_is_idempotent_and_only_raises_value_error(name: str) -> None:
    try:
        once = normalize_name(name)
    except ValueError:
        return
    assert once
    assert normalize_name(once) == once


@PROPERTY
@given(NAMES)
def test_matching_key_is_idempotent(name: str) -> None:
    try:
        key = matching_key(name)
    except ValueError:
        return
    assert matching_key(key) == key


@PROPERTY
@given(NAMES)
def test_split_legal_form_reassembles_the_normalized_name(name: str) -> None:
    try:
        form, position, core = split_legal_form(name)
    except ValueError:
        return
    normalized = normalize_name(name)
    if form is None:
        assert position is None
        assert core == normalized
    elif position == "before":
        assert form + core == normalized
    else:
        assert core + form == normalized


@PROPERTY
@given(st.text(max_size=20))
def test_kana_round_trip(text: str) -> None:
    assert to_hiragana(to_katakana(to_hiragana(text))) == to_hiragana(text)
    assert to_katakana(to_hiragana(to_katakana(text))) == to_katakana(text)


BASES = st.text(alphabet="0123456789", min_size=12, max_size=12)


@PROPERTY
@given(BASES)
def test_every_base_with_its_check_digit_validates(base: str) -> None:
    check = corporate_number_check_digit(base)
    assert 1 <= check <= 9
    number = f"{check}{base}"
    assert validate_corporate_number(number) == number


@PROPERTY
@given(BASES, st.integers(0, 12), st.sampled_from("0123456789"))
def test_single_digit_changes_are_caught_except_zero_nine_swaps(
    base: str, position: int, digit: str
) -> None:
    number = f"{corporate_number_check_digit(base)}{base}"
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    # Weights 1 and 2 are units mod 9, so a change of d goes unseen only when d ≡ 0 (mod 9):
    # a 0 <-> 9 swap among the twelve base digits. The check digit is never 0, so any change
    # to it is caught.
    if position > 0 and {number[position], digit} == {"0", "9"}:
        assert validate_corporate_number(changed) == changed
    else:
        with pytest.raises(ValueError, match="check digit should be"):
            validate_corporate_number(changed)
