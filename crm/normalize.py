"""Japanese organization names: matching keys, kana sort keys and corporate numbers (法人番号).

`normalize_name` gives the key stored in `organization.normalized_name`: the same organization
written ㈱神戸製鋼所, （株）神戸製鋼所 or 株式会社　神戸製鋼所 gets one key, while 前株 and 後株
(株式会社トヨタ自動車 / トヨタ自動車株式会社) stay distinct because legal forms are rewritten in
place. `matching_key` is looser, for flagging likely duplicates: no legal form, hiragana only,
no long-vowel marks or punctuation. Every function here is pure and uses the standard library
only.
"""

import re
import unicodedata

__all__ = [
    "LEGAL_FORMS",
    "corporate_number_check_digit",
    "kana_sort_key",
    "matching_key",
    "normalize_name",
    "split_legal_form",
    "to_hiragana",
    "to_katakana",
    "validate_corporate_number",
]

# Legal form -> its abbreviations, written as they look after NFKC, whitespace removal and ASCII
# lowering (so ㈱ and （株） are both "(株)", ＮＰＯ法人 is "npo法人", ｶ) is "カ)").
_LEGAL_FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    "株式会社": ("(株)",),
    "有限会社": ("(有)",),
    "合同会社": ("(同)",),
    "合資会社": ("(資)",),
    "合名会社": ("(名)",),
    "一般社団法人": ("(一社)",),
    "一般財団法人": ("(一財)",),
    "公益社団法人": ("(公社)",),
    "公益財団法人": ("(公財)",),
    "特定非営利活動法人": ("npo法人", "(特非)"),
    "国立大学法人": (),
    "公立大学法人": (),
    "学校法人": ("(学)",),
    "医療法人": ("(医)",),
    "社会福祉法人": ("(福)",),
    "独立行政法人": ("(独)",),
    "国立研究開発法人": ("(研)",),
    "地方独立行政法人": (),
}

LEGAL_FORMS: tuple[str, ...] = tuple(_LEGAL_FORM_VARIANTS)
"""The canonical legal forms (法人格) that `normalize_name` writes out in full."""

_VARIANT_TO_FORM: dict[str, str] = {
    variant: form for form, variants in _LEGAL_FORM_VARIANTS.items() for variant in variants
}
_VARIANT_RE = re.compile(
    "|".join(re.escape(v) for v in sorted(_VARIANT_TO_FORM, key=len, reverse=True))
)
# Bank-transfer (全銀) kana abbreviations of 株式会社: カ) in front of the name, (カ after it.
_ZENGIN_BEFORE = "カ)"
_ZENGIN_AFTER = "(カ"
# Longest first, so 地方独立行政法人 wins over 独立行政法人.
_FORMS_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(LEGAL_FORMS, key=len, reverse=True))

_HIRAGANA_FIRST, _HIRAGANA_LAST = 0x3041, 0x3096  # ぁ .. ゖ
_KATAKANA_FIRST, _KATAKANA_LAST = 0x30A1, 0x30F6  # ァ .. ヶ
_KANA_OFFSET = _KATAKANA_FIRST - _HIRAGANA_FIRST  # 0x60
_TO_HIRAGANA = {cp: cp - _KANA_OFFSET for cp in range(_KATAKANA_FIRST, _KATAKANA_LAST + 1)}
_TO_KATAKANA = {cp: cp + _KANA_OFFSET for cp in range(_HIRAGANA_FIRST, _HIRAGANA_LAST + 1)}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Invisible characters pasted from web pages and PDFs; not whitespace to str.isspace.
_INVISIBLE = frozenset("\u200b\u2060\ufeff")

_CHOONPU = "ー"
# Dash look-alikes in the form they have after NFKC (‑ U+2011 becomes ‐ U+2010, ｰ becomes ー,
# － becomes -, ～ becomes ~).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501-"
# After kana these all mean the long-vowel mark.
_LONG_VOWEL_LIKE = _DASHES + "ー〜~\uff5e\uff70"
# Kana, counting ー itself so that a run like デ-- becomes デーー in one go (and stays so).
_KANA_CLASS = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
_AFTER_KANA_RE = re.compile(f"(?<=[{_KANA_CLASS}])[{re.escape(_LONG_VOWEL_LIKE)}]+")
_DASH_RE = re.compile(f"[{re.escape(_DASHES)}]")

# Removed from a corporate number before it is checked (ー is what a kana IME types for "-").
_NUMBER_NOISE = frozenset(_DASHES + "ー")
_DIGITS_RE = re.compile("[0-9]*")
_CORPORATE_NUMBER_RE = re.compile("[0-9]{13}")
_BASE_RE = re.compile("[0-9]{12}")


def to_hiragana(text: str) -> str:
    """Katakana ァ..ヶ turned into hiragana ぁ..ゖ; everything else (ー included) unchanged."""
    return text.translate(_TO_HIRAGANA)


def to_katakana(text: str) -> str:
    """Hiragana ぁ..ゖ turned into katakana ァ..ヶ; everything else unchanged."""
    return text.translate(_TO_KATAKANA)


def _without_whitespace(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in _INVISIBLE)


def _unify_dashes(text: str) -> str:
    """Long-vowel look-alikes after kana become ー; other dash look-alikes become '-'."""
    text = _AFTER_KANA_RE.sub(lambda m: _CHOONPU * len(m.group()), text)
    return _DASH_RE.sub("-", text)


def _unify_legal_forms(text: str) -> str:
    """Legal-form abbreviations rewritten in place to their full canonical form."""
    text = _VARIANT_RE.sub(lambda m: _VARIANT_TO_FORM[m.group()], text)
    if text.startswith(_ZENGIN_BEFORE) and len(text) > len(_ZENGIN_BEFORE):
        text = "株式会社" + text[len(_ZENGIN_BEFORE) :]
    if text.endswith(_ZENGIN_AFTER) and len(text) > len(_ZENGIN_AFTER):
        text = text[: -len(_ZENGIN_AFTER)] + "株式会社"
    return text


def normalize_name(name: str) -> str:
    """The matching key of an organization name, as stored in `organization.normalized_name`.

    NFKC, ASCII lower-cased, whitespace removed, dash and long-vowel look-alikes unified,
    legal-form abbreviations ((株), ㈱, カ), NPO法人, …) written out in place. Idempotent.
    Raises ValueError if nothing is left.
    """
    text = unicodedata.normalize("NFKC", name).translate(_ASCII_LOWER)
    # NFKC again: removing spaces or lowering a letter can let a combining mark compose.
    text = unicodedata.normalize("NFKC", _without_whitespace(text))
    text = _unify_legal_forms(_unify_dashes(text))
    if not text:
        raise ValueError("organization name is empty")
    return text


def split_legal_form(name: str) -> tuple[str | None, str | None, str]:
    """(legal form, 'before' | 'after', core name) of a name, after `normalize_name`.

    Only a legal form at the start (前株) or at the end (後株) counts, the start winning if both.
    A name that is nothing but a legal form is its own core: (None, None, name).
    """
    text = normalize_name(name)
    for form in _FORMS_LONGEST_FIRST:
        if text.startswith(form) and len(text) > len(form):
            return form, "before", text[len(form) :]
    for form in _FORMS_LONGEST_FIRST:
        if text.endswith(form) and len(text) > len(form):
            return form, "after", text[: -len(form)]
    return None, None, text


def _is_matching_noise(ch: str) -> bool:
    return ch in _LONG_VOWEL_LIKE or unicodedata.category(ch).startswith("P")


def matching_key(name: str) -> str:
    """A loose key for duplicate detection: `normalize_name` without legal forms at either end,
    hiragana only, with no ー, ・, dashes or other punctuation. Idempotent.

    Raises ValueError if nothing is left.
    """
    text = to_hiragana(normalize_name(name))
    text = "".join(ch for ch in text if not _is_matching_noise(ch))
    # Removal can let a combining mark compose, or join letters into "npo法人".
    text = _unify_legal_forms(unicodedata.normalize("NFKC", text))
    while True:
        form, _, core = split_legal_form(text) if text else (None, None, text)
        if form is None:
            break
        text = core
    if not text:
        raise ValueError(f"organization name {name!r} has nothing left to match on")
    return text


def kana_sort_key(kana: str) -> str:
    """The 50音順 sort key of a kana reading: NFKC, hiragana, no whitespace."""
    return to_hiragana(_without_whitespace(unicodedata.normalize("NFKC", kana)))


def corporate_number_check_digit(base12: str) -> int:
    """The check digit (1..9) of a 12-digit corporate-number base.

    With P_n the n-th digit from the right and Q_n = 1 for odd n, 2 for even n:
    9 - (sum(P_n * Q_n) mod 9).
    """
    if not _BASE_RE.fullmatch(base12):
        raise ValueError(f"corporate number base {base12!r} must be exactly 12 ASCII digits")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), 1))
    return 9 - total % 9


def validate_corporate_number(text: str) -> str:
    """The clean 13-digit corporate number (法人番号) in `text`, or ValueError saying why not.

    Full-width digits, spaces and hyphens are accepted; the first digit must be the check digit
    of the other twelve.
    """
    digits = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if not ch.isspace() and ch not in _NUMBER_NOISE
    )
    if not _DIGITS_RE.fullmatch(digits):
        raise ValueError(f"invalid corporate number {text!r}: it must contain only digits")
    if not _CORPORATE_NUMBER_RE.fullmatch(digits):
        raise ValueError(
            f"invalid corporate number {text!r}: it must have 13 digits, not {len(digits)}"
        )
    expected = corporate_number_check_digit(digits[1:])
    if int(digits[0]) != expected:
        raise ValueError(
            f"invalid corporate number {text!r}: check digit should be {expected}, not {digits[0]}"
        )
    return digits
