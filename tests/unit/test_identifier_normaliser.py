"""One normaliser for detection, find and erase: every spelling of an identifier is seen.

Expected values come from outside the code under test: the digits of a spelling are
recovered here with ``unicodedata.digit`` and the spellings are built from the Unicode
character classes directly, not from ``jisik.privacy.normal``.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jisik.errors import InvalidInputError
from jisik.privacy import default_detector
from jisik.privacy.normal import fold
from jisik.privacy.subject import Subject

PHONE = "010-1234-5678"
# The spellings the attack left in documents after an erasure certified them clean.
ISSUE_SPELLINGS = (
    "010 - 1234 - 5678",
    "010–1234–5678",  # en dash
    "010—1234—5678",  # em dash
    "010‐1234‐5678",  # hyphen U+2010
    "010−1234−5678",  # minus sign
    "０１０－１２３４－５６７８",  # full width
    "010/1234/5678",
    "010.1234.5678",
)
DASHES = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Pd"] + ["\u2212"]
SPACES = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Zs"]
INVISIBLE = ["\u200b", "\u200c", "\u2060", "\ufeff", "\u00ad"]
DIGIT_SCRIPTS = [  # zero of each: full width, Arabic-Indic, Devanagari, mathematical bold
    0xFF10,
    0x0660,
    0x0966,
    0x1D7CE,
]


def digits_of(text: str) -> str:
    """The decimal digits in ``text``, in any script (an outside reference)."""
    return "".join(
        str(unicodedata.digit(ch)) for ch in text if unicodedata.digit(ch, None) is not None
    )


def script_digit(digit: str, zero: int) -> str:
    return chr(zero + int(digit))


separators = st.one_of(
    st.sampled_from(["-", ".", "/", " ", "·", ""]),
    st.sampled_from(DASHES),
    st.tuples(
        st.sampled_from(SPACES), st.sampled_from(DASHES + ["-", "/"]), st.sampled_from(SPACES)
    ).map("".join),
    st.sampled_from(INVISIBLE),
)


@st.composite
def phone_spellings(draw) -> tuple[str, str]:
    """A random mobile number and a random way of writing it."""
    middle = draw(st.text("0123456789", min_size=4, max_size=4))
    last = draw(st.text("0123456789", min_size=4, max_size=4))
    number = f"010{middle}{last}"
    zero = draw(st.sampled_from([ord("0"), *DIGIT_SCRIPTS]))
    groups = [number[:3], number[3:7], number[7:]]
    written = [
        "".join(script_digit(d, zero) if draw(st.booleans()) else d for d in g) for g in groups
    ]
    seps = [draw(separators), draw(separators)]
    return number, written[0] + seps[0] + written[1] + seps[1] + written[2]


def test_fold_keeps_one_character_for_one_over_the_planes_it_covers():
    text = "".join(chr(c) for c in range(0x20, 0x20000) if not 0xD800 <= c <= 0xDFFF)
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("spelling", ISSUE_SPELLINGS)
def test_every_spelling_of_the_issue_is_found_detected_and_erased(spelling):
    subject = Subject.of(phone=[PHONE])
    text = f"담당자 연락처: {spelling} (평일)"
    assert subject.occurs_in(text)
    redacted, count = subject.redact(text, "[삭제됨]")
    assert count == 1 and digits_of(redacted) == ""
    found = [f for f in default_detector().detect(text) if f.kind == "phone"]
    assert [f.text for f in found] == [spelling]  # detection sees the same span


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(phone_spellings(), st.text("가나다 라마", max_size=8), st.text("바사 아자", max_size=8))
def test_any_spelling_of_a_phone_is_found_and_redacted_completely(spelled, before, after):
    number, spelling = spelled
    assert digits_of(spelling) == number  # the strategy writes the number it claims
    subject = Subject.of(phone=[number])
    text = f"{before}{spelling}{after}"
    spans = subject.spans(text)
    assert spans, spelling
    redacted, _ = subject.redact(text, "#")
    assert number not in digits_of(redacted)
    assert not subject.occurs_in(redacted)


@settings(max_examples=200)
@given(phone_spellings())
def test_a_different_number_is_never_matched(spelled):
    number, spelling = spelled
    other = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not Subject.of(phone=[other]).occurs_in(spelling)
    # a digit glued in front makes it another, longer number
    assert not Subject.of(phone=[number]).occurs_in(f"9{spelling}")


def test_international_forms_of_a_mobile_number():
    subject = Subject.of(phone=["010-2345-6789"])
    for text in (
        "+82 10-2345-6789",
        "+82-10-2345-6789",
        "0082 10 2345 6789",
        "+82 (0)10-2345-6789",
    ):
        assert subject.occurs_in(text), text
    assert Subject.of(phone=["+82 10 2345 6789"]).identifiers[0].normal == "01023456789"


def test_email_in_full_width_or_with_spaces_and_case():
    subject = Subject.of(email=["minjun.kim@hanbit.example"])
    for text in (
        "메일 minjun.kim＠hanbit.example 로",
        "MINJUN.KIM@HANBIT.EXAMPLE",
        "ｍｉｎｊｕｎ.ｋｉｍ@ｈａｎｂｉｔ.ｅｘａｍｐｌｅ",
        "minjun.kim @ hanbit.example",
    ):
        assert subject.occurs_in(text), text
        redacted, count = subject.redact(text, "#")
        assert count == 1 and "hanbit" not in unicodedata.normalize("NFKC", redacted).lower()


def test_names_letter_spaced_decomposed_or_with_invisible_characters():
    subject = Subject.of(name=["김민준"])
    for text in (
        "작성자 김 민 준",
        "작성자: 김 민준",
        "김\u200b민준 과장",
        unicodedata.normalize("NFD", "김민준"),
    ):
        assert subject.occurs_in(text), ascii(text)
    assert not subject.occurs_in("김민 준비")  # a word boundary inside is not the name
    latin = Subject.of(name=["Kim Minjun"])
    assert latin.occurs_in("written by KIM  MINJUN") and latin.occurs_in("Ｋｉｍ Ｍｉｎｊｕｎ")


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("name", "김", "at least 2 letters"),
        ("name", "%%", "at least 2 letters"),
        ("phone", "1234", "digits"),
        ("phone", "5678-1234-9", "not a Korean number"),
        ("rrn", "960101-12345", "13"),
        ("email", "kim", "not an e-mail address"),
        ("value", "abc", "shorter than 4"),
    ],
)
def test_weak_identifiers_are_refused_with_the_reason(kind, value, problem):
    with pytest.raises(InvalidInputError, match=re.escape(problem)):
        Subject.of(**{kind: [value]})


def test_api_callers_get_typed_identifiers_only():
    with pytest.raises(InvalidInputError, match="unknown identifier kind 'value'"):
        Subject.of(typed_only=True, value=["구조조정"])
    assert Subject.of(typed_only=True, name=["김민준"]).identifiers


@pytest.mark.skipif(sys.maxunicode < 0x10FFFF, reason="narrow build")
def test_the_detector_and_the_subject_agree_on_folded_digits():
    """A phone in mathematical digits is a phone for detection and for erasure alike."""
    text = "연락처 " + "".join(script_digit(d, 0x1D7CE) for d in "01098765432")
    assert [f.kind for f in default_detector().detect(text)] == ["phone"]
    assert Subject.of(phone=["010-9876-5432"]).occurs_in(text)
