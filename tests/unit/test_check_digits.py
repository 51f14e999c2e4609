"""Check digits and birth-date rules against literal numbers worked out by hand.

Issue 9: the old tests built their "valid" numbers with the very check-digit functions they
tested, so a changed formula still passed. Here every expected digit is a literal, and the
comment beside it shows the arithmetic of the published algorithm:

* RRN (before Oct 2020): weights 2,3,4,5,6,7,8,9,2,3,4,5; check = (11 - sum mod 11) mod 10
* FRN (before Oct 2020): same weights; check = (13 - sum mod 11) mod 10
* business number: weights 1,3,7,1,3,7,1,3,5 plus floor(5 x 9th digit / 10);
  check = (10 - sum mod 10) mod 10
* corporate number: weights 1,2 repeated; check = (10 - sum mod 10) mod 10
* cards: Luhn; Korean barcodes: EAN-13 (weights 1,3)

Dates relative to today are computed here with ``datetime`` (the code takes no clock).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jisik.privacy import default_detector
from jisik.privacy.checks import (
    business_reg_check_digit,
    corp_reg_check_digit,
    ean13_check_digit,
    frn_check_digit,
    luhn_check_digit,
    luhn_valid,
    registration_birth_date,
    rrn_check_digit,
)

# --- resident registration numbers -----------------------------------------------------------

RRN_CASES = [
    # 9 0 0 1 0 1 1 2 3 4 5 6 x weights: 18+0+0+5+0+7+8+18+6+12+20+30 = 124;
    # 124 mod 11 = 3; 11 - 3 = 8
    ("900101123456", 8),
    # 9 0 0 1 0 1 1 2 3 4 5 1: 18+0+0+5+0+7+8+18+6+12+20+5 = 99 = 9 x 11; 11 - 0 = 11 -> 1
    ("900101123451", 1),
    # 8 5 0 3 1 5 1 2 3 4 5 6: 16+15+0+15+6+35+8+18+6+12+20+30 = 181; 181 mod 11 = 5; 11-5 = 6
    ("850315123456", 6),
    # 0 1 0 1 0 1 3 1 2 3 4 5: 0+3+0+5+0+7+24+9+4+9+16+25 = 102; 102 mod 11 = 3; 11-3 = 8
    ("010101312345", 8),
    # 7 7 0 7 2 0 2 0 0 0 0 0: 14+21+0+35+12+0+16 = 98; 98 mod 11 = 10; 11 - 10 = 1
    ("770720200000", 1),
]

FRN_CASES = [
    # 8 5 0 3 1 5 5 1 2 3 4 5: 16+15+0+15+6+35+40+9+4+9+16+25 = 190; 190 mod 11 = 3;
    # 13 - 3 = 10 -> 0
    ("850315512345", 0),
    # 0 5 0 5 0 5 7 1 2 3 4 5: 0+15+0+25+0+35+56+9+4+9+16+25 = 194; 194 mod 11 = 7; 13-7 = 6
    ("050505712345", 6),
]


@pytest.mark.parametrize(("first12", "check"), RRN_CASES)
def test_rrn_check_digit_matches_the_hand_computed_digit(first12, check):
    assert rrn_check_digit(first12) == check


@pytest.mark.parametrize(("first12", "check"), FRN_CASES)
def test_frn_check_digit_matches_the_hand_computed_digit(first12, check):
    assert frn_check_digit(first12) == check


def _found(text: str) -> list[tuple[str, str, float]]:
    return [(f.kind, f.text, f.confidence) for f in default_detector().detect(text)]


@pytest.mark.parametrize(("first12", "check"), RRN_CASES[:4])
def test_a_valid_rrn_is_found_surer_than_one_with_a_wrong_check_digit(first12, check):
    valid = f"{first12[:6]}-{first12[6:]}{check}"
    wrong = f"{first12[:6]}-{first12[6:]}{(check + 1) % 10}"
    # 0.97 for a passing check digit, 0.85 for a post-2020 (random) last digit
    assert _found(f"번호 {valid} 확인") == [("rrn", valid, 0.97)]
    assert _found(f"번호 {wrong} 확인") == [("rrn", wrong, 0.85)]


@pytest.mark.parametrize(("first12", "check"), FRN_CASES)
def test_a_valid_frn_is_found_surer_than_one_with_a_wrong_check_digit(first12, check):
    valid = f"{first12[:6]}-{first12[6:]}{check}"
    # The RRN formula's digit for these bodies differs (11 - r vs 13 - r): swapping the
    # two formulas must fail.
    rrn_digit = {"850315512345": 8, "050505712345": 4}[first12]
    assert rrn_digit != check
    assert _found(f"외국인등록번호 {valid}") == [("frn", valid, 0.97)]
    other = f"{first12[:6]}-{first12[6:]}{rrn_digit}"
    assert _found(f"외국인등록번호 {other}") == [("frn", other, 0.85)]


# --- business, corporate, card and barcode numbers -------------------------------------------

BUSINESS_CASES = [
    # Samsung Electronics 124-81-00998: 1+6+28+8+3+0+0+27+45 = 118, + floor(9 x 5 / 10) = 4
    # -> 122; 10 - 2 = 8
    ("124810099", 8),
    # Naver 220-81-62517: 2+6+0+8+3+42+2+15+5 = 83, + floor(1 x 5 / 10) = 0 -> 83; 10 - 3 = 7
    ("220816251", 7),
    # 1 0 1 8 1 1 2 3 4: 1+0+7+8+3+7+2+9+20 = 57, + floor(20 / 10) = 2 -> 59; 10 - 9 = 1
    ("101811234", 1),
    # 1 2 3 4 5 6 7 8 2: 1+6+21+4+15+42+7+24+10 = 130, + 1 -> 131; 10 - 1 = 9
    ("123456782", 9),
    # 1 1 1 1 1 1 1 1 6: 1+3+7+1+3+7+1+3+30 = 56, + 3 -> 59; 10 - 9 = 1
    ("111111116", 1),
    # 1 0 0 0 0 0 0 0 1: 1+5 = 6, + 0 -> 6; 10 - 6 = 4
    ("100000001", 4),
    # 5 0 0 0 0 0 0 0 1: 5+5 = 10, + 0 -> 10; (10 - 0) mod 10 = 0
    ("500000001", 0),
]

CORP_CASES = [
    # Samsung Electronics 130111-0006246: 1+6+0+2+1+2+0+0+0+12+2+8 = 34; 10 - 4 = 6
    ("130111000624", 6),
    # 1 1 0 1 1 1 1 2 3 4 5 6: 1+2+0+2+1+2+1+4+3+8+5+12 = 41; 10 - 1 = 9
    ("110111123456", 9),
    # 1 1 0 1 1 1 0 0 0 0 4 4: 1+2+0+2+1+2+0+0+0+0+4+8 = 20; (10 - 0) mod 10 = 0
    ("110111000044", 0),
]


@pytest.mark.parametrize(("first9", "check"), BUSINESS_CASES)
def test_business_check_digit_matches_the_hand_computed_digit(first9, check):
    assert business_reg_check_digit(first9) == check


@pytest.mark.parametrize(("first12", "check"), CORP_CASES)
def test_corporate_check_digit_matches_the_hand_computed_digit(first12, check):
    assert corp_reg_check_digit(first12) == check


@pytest.mark.parametrize(("first9", "check"), BUSINESS_CASES[:2])
def test_only_a_business_number_with_its_check_digit_is_found(first9, check):
    valid = f"{first9[:3]}-{first9[3:5]}-{first9[5:]}{check}"
    assert _found(f"사업자등록번호 {valid}") == [("business_reg", valid, 0.95)]
    for wrong in range(10):
        if wrong != check:
            number = f"{first9[:3]}-{first9[3:5]}-{first9[5:]}{wrong}"
            assert all(k != "business_reg" for k, _, _ in _found(f"사업자등록번호 {number}"))


@pytest.mark.parametrize(("first12", "check"), CORP_CASES)
def test_a_corporate_number_with_its_check_digit_is_found_surer(first12, check):
    valid = f"{first12[:6]}-{first12[6:]}{check}"
    wrong = f"{first12[:6]}-{first12[6:]}{(check + 5) % 10}"
    assert _found(f"법인등록번호 {valid}") == [("corp_reg", valid, 0.99)]
    assert _found(f"법인등록번호 {wrong}") == [("corp_reg", wrong, 0.7)]


LUHN_CASES = [
    # Published test cards. 4111 1111 1111 1111: doubled (every second from the right of the
    # body) 2x7 + 8 = 22, others 7 -> 29; 10 - 9 = 1
    ("411111111111111", 1),
    # 5555 5555 5555 4444: doubled 8+8+1x6 = 22, others 4+5x6 = 34 -> 56; 10 - 6 = 4
    ("555555555555444", 4),
    # 3782 822463 10005 (15 digits): doubled 0+0+6+8+4+4+5 = 27, others 0+1+6+2+8+8+3 = 28
    # -> 55; 10 - 5 = 5
    ("37828224631000", 5),
    # 4012 8888 8888 1881: doubled 7+2+7+7+7+7+2+8 = 47 (8 -> 16 -> 7), others 8x5+2+0 = 42
    # -> 89; 10 - 9 = 1
    ("401288888888188", 1),
]


@pytest.mark.parametrize(("body", "check"), LUHN_CASES)
def test_luhn_check_digit_matches_published_test_cards(body, check):
    assert luhn_check_digit(body) == check
    assert luhn_valid(body + str(check))
    assert not any(luhn_valid(body + str(d)) for d in range(10) if d != check)


def test_only_cards_passing_luhn_are_found():
    assert _found("카드 4111-1111-1111-1111 결제") == [("card", "4111-1111-1111-1111", 0.95)]
    assert _found("카드 5555 5555 5555 4444 결제") == [("card", "5555 5555 5555 4444", 0.95)]
    assert _found("카드 4111-1111-1111-1112 결제") == []
    assert _found("카드 5555 5555 5555 4445 결제") == []


def test_ean13_check_digit_of_a_korean_barcode():
    # 8 8 0 1 2 3 4 5 6 7 8 9 x 1,3: 8+24+0+3+2+9+4+15+6+21+8+27 = 127; 10 - 7 = 3
    assert ean13_check_digit("880123456789") == 3
    # 8 8 0 0 0 0 0 0 0 0 0 2: 8+24+6 = 38; 10 - 8 = 2
    assert ean13_check_digit("880000000002") == 2


# --- birth dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yymmdd", "sex", "born"),
    [
        ("900101", "1", date(1990, 1, 1)),
        ("900101", "2", date(1990, 1, 1)),
        ("010101", "3", date(2001, 1, 1)),
        ("010101", "4", date(2001, 1, 1)),
        ("850315", "5", date(1985, 3, 15)),
        ("850315", "6", date(1985, 3, 15)),
        ("050505", "7", date(2005, 5, 5)),
        ("050505", "8", date(2005, 5, 5)),
        ("991231", "9", date(1899, 12, 31)),
        ("991231", "0", date(1899, 12, 31)),
        ("000229", "3", date(2000, 2, 29)),  # 2000 was a leap year
        ("960229", "1", date(1996, 2, 29)),
    ],
)
def test_birth_date_century_comes_from_the_seventh_digit(yymmdd, sex, born):
    assert registration_birth_date(yymmdd, sex) == born


@pytest.mark.parametrize(
    ("yymmdd", "sex"),
    [("010229", "3"), ("000230", "3"), ("001301", "1"), ("000001", "1"), ("000100", "1")],
)
def test_impossible_birth_dates_are_none(yymmdd, sex):
    assert registration_birth_date(yymmdd, sex) is None


def _yymmdd(day: date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


# Born 2000-2099: 3 (male) or 4 (female) residents, 7 or 8 foreigners.
BORN_2000S = ("3", "4", "7", "8")


def test_someone_born_earlier_this_year_or_today_is_a_person():
    today = date.today()
    assert 2000 <= today.year < 2100
    for day in (date(today.year, 1, 1), today):
        for sex in BORN_2000S:
            assert registration_birth_date(_yymmdd(day), sex) == day


def test_a_birth_date_after_today_is_not_a_person():
    today = date.today()
    for day in (today + timedelta(days=1), date(today.year + 1, 1, 1)):
        for sex in BORN_2000S:
            assert registration_birth_date(_yymmdd(day), sex) is None


def test_the_detector_finds_resident_numbers_of_babies_born_this_year():
    today = date.today()
    for day in (date(today.year, 1, 1), today):
        for sex in ("3", "4"):
            number = f"{_yymmdd(day)}-{sex}123456"
            assert [(k, t) for k, t, _ in _found(f"주민등록번호 {number} 입니다")] == [
                ("rrn", number)
            ]
    tomorrow = today + timedelta(days=1)
    future = f"{_yymmdd(tomorrow)}-3123456"
    assert all(k not in ("rrn", "frn") for k, _, _ in _found(f"주민등록번호 {future} 입니다"))
