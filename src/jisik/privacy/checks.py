"""Check digits and date rules of Korean identifiers (public algorithms, our own code).

Each *_check_digit takes the digits before the check digit as a string of ASCII digits and
returns the digit that should follow.
"""

from __future__ import annotations

from datetime import date

_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_BUSINESS_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def rrn_check_digit(first12: str) -> int:
    """Resident registration numbers issued before October 2020."""
    return (11 - _weighted(first12, _RRN_WEIGHTS) % 11) % 10


def frn_check_digit(first12: str) -> int:
    """Foreigner registration numbers issued before October 2020."""
    return (13 - _weighted(first12, _RRN_WEIGHTS) % 11) % 10


def business_reg_check_digit(first9: str) -> int:
    total = _weighted(first9, _BUSINESS_WEIGHTS) + int(first9[8]) * 5 // 10
    return (10 - total % 10) % 10


def corp_reg_check_digit(first12: str) -> int:
    return (10 - _weighted(first12, (1, 2) * 6) % 10) % 10


def ean13_check_digit(first12: str) -> int:
    return (10 - _weighted(first12, (1, 3) * 6) % 10) % 10


def luhn_check_digit(body: str) -> int:
    total = 0
    # Doubling starts at the digit right before the (missing) check digit.
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == int(number[-1])


# 7th digit of an RRN/FRN -> century of the birth year
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}


def registration_birth_date(yymmdd: str, sex_digit: str) -> date | None:
    """The birth date encoded in an RRN/FRN, or None when it is not a real past date."""
    century = _CENTURY.get(sex_digit)
    if century is None:
        return None
    try:
        born = date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None
    # A future birth date cannot belong to a person; this also rejects many barcodes.
    return born if born <= date.today() else None
