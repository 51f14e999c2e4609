"""One-jamo typo tolerance."""

import pytest

from jisik.text.typos import is_hangul_word, near_in, one_jamo_apart


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("연말정싼", "연말정산"), ("휴갸", "휴가"), ("재텍", "재택"), ("출장비", "출잔비"), ("식당", "식닫")],
)
def test_one_jamo_apart(typed: str, meant: str):
    assert one_jamo_apart(typed, meant)
    assert one_jamo_apart(meant, typed)


@pytest.mark.parametrize(
    ("a", "b"), [("휴가", "휴가"), ("휴가", "휴가일"), ("연말정산", "연말결산"), ("재택", "재판")]
)
def test_not_one_jamo_apart(a: str, b: str):
    assert not one_jamo_apart(a, b)


def test_found_inside_longer_words_and_runs():
    assert near_in("연말정싼", "올해 연말정산은 1월에 합니다.")
    assert not near_in("연말정싼", "연말 정산은 1월에")  # split by a space: another matter
    assert not near_in("휴갸", "연차를 쓰세요.")


def test_only_hangul_words_of_two_or_more_syllables():
    assert is_hangul_word("휴갸")
    assert not is_hangul_word("휴")
    assert not is_hangul_word("vpn")
    assert not is_hangul_word("휴가2")
