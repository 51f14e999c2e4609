"""A held-out labelled set for PII detection, written apart from the rules it measures.

benchmarks.piidata.synthetic was written by the same hand as jisik.privacy.rules, so a perfect score
on it says little. This module was written without reading either: its documents imitate
Korean business writing (HR cards, customer-service chats, contracts, e-mails, meeting notes,
forms, pipe tables, server logs, delivery slips, foreigner forms mixed with English) and put
identifiers in the awkward places real text has them: particles glued on, brackets and quotes
around them, the value on the line after its label, full-width digits, spaced hyphens, bank
names after the account number, +82 phones, plus-addressed e-mails, ports after IPs.

Every gold span carries a `variant` (the form it was written in), so a benchmark can say which
forms are missed, and every sample a `source` (template or hard-negative category).

Labelling policy, for the cases where "which characters are the PII" is a choice:

- Registration numbers (rrn/frn): the 13 digits with their hyphen. Post-October-2020 numbers
  (random last six digits) are PII like any other. Masked forms ("960101-1******") are not:
  they are already redacted, so they appear only among the negatives.
- Phones: the number with its own punctuation, "+82" and a parenthesised area code included
  ("(02) 123-4567"); a bracket that merely encloses the whole number ("전화(02-123-4567)") is
  not part of it. Spaced hyphens ("010 - 1234 - 5678") are one span. Representative business
  numbers (1588-xxxx, 1644-xxxx ...) and 내선 extensions are not personal: negatives.
- E-mails: the address alone, without "mailto:" or angle brackets.
- Cards and accounts: the digits with their separators; the bank name (before or after) is
  context, not span.
- IPs: the address without a ":port". Private and loopback addresses count (they still
  identify a machine in a log). Dotted version numbers, OIDs and section numbers do not.
- Old-form driver's licences ("서울 12-123456-12"): the region name is part of the number (it
  replaces the two-digit region code of the new form), so the span starts at it.
- Addresses: a locatable address is PII: a road name with a building number, or a
  dong/eup/myeon/ri with a lot number, whether or not a province or city precedes it
  ("강남구 테헤란로 123" and "역삼동 123-4번지" are both addresses). The span runs from the first
  administrative name to the building or lot number, including "번지" and a detail unit
  joined by ", " (", 4층", ", 101동 1203호"); a trailing parenthesised reference
  ("(역삼동)") and a postal code before it are not part of it. A place without a number
  ("서울 강남구에") is not an address, and a bare road with a number ("테헤란로 123") is
  left out of both sets as too ambiguous to label.
- Names are not in PII_TYPES and are not labelled.

Deterministic: the same seed gives the same samples.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from jisik.privacy.checks import (
    business_reg_check_digit,
    corp_reg_check_digit,
    ean13_check_digit,
    frn_check_digit,
    luhn_check_digit,
    rrn_check_digit,
)


@dataclass(frozen=True, slots=True)
class HeldoutSpan:
    kind: str
    start: int
    end: int
    variant: str  # the written form, e.g. "spaced-hyphen", "fullwidth", "lot-bare"


@dataclass(frozen=True, slots=True)
class HeldoutSample:
    text: str
    gold: tuple[HeldoutSpan, ...]  # empty for negatives
    source: str  # template name, or the hard-negative category


# A value to place in a document: (kind, text, variant).
Value = tuple[str, str, str]
Piece = str | Value

# Full-width forms of ASCII digits and the hyphen, as typed by some Korean IMEs.
_FULLWIDTH = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, "-": "\uff0d"})


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _date_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _retag(value: Value, variant: str) -> Value:
    return (value[0], value[1], variant)


# --- identifiers ---------------------------------------------------------------------------


def rrn(rng: random.Random, foreign: bool = False) -> Value:
    post2020 = rng.random() < 0.35
    if post2020:  # numbers issued since October 2020 end in six random digits
        born = _date_between(rng, date(2020, 11, 1), date(2025, 6, 30))
    else:
        born = _date_between(rng, date(1940, 1, 1), date(2019, 12, 31))
    # 7th digit: sex and century; 5-8 mark foreigners
    base = (5 if foreign else 1) + (2 if born.year >= 2000 else 0)
    sex = str(base + rng.randrange(2))
    front = born.strftime("%y%m%d")
    if post2020:
        back = sex + _d(rng, 6)
    else:
        body = front + sex + _d(rng, 5)
        check = frn_check_digit(body) if foreign else rrn_check_digit(body)
        back = body[6:] + str(check)
    era = "post2020" if post2020 else "pre2020"
    form = rng.choices(["hyphen", "glued", "fullwidth"], [0.72, 0.18, 0.10])[0]
    text = front + back if form == "glued" else f"{front}-{back}"
    if form == "fullwidth":
        text = text.translate(_FULLWIDTH)
    return ("frn" if foreign else "rrn", text, f"{era}-{form}")


def phone(rng: random.Random) -> Value:
    mid, last = str(rng.randint(2000, 9999)), _d(rng, 4)
    form = rng.choices(
        [
            "mobile-hyphen",
            "mobile-dot",
            "mobile-space",
            "mobile-glued",
            "spaced-hyphen",
            "intl",
            "seoul",
            "area",
            "area-paren",
            "voip",
            "fullwidth",
        ],
        [0.24, 0.05, 0.06, 0.08, 0.06, 0.1, 0.12, 0.11, 0.07, 0.05, 0.06],
    )[0]
    if form == "mobile-hyphen":
        text = f"010-{mid}-{last}"
    elif form == "mobile-dot":
        text = f"010.{mid}.{last}"
    elif form == "mobile-space":
        text = f"010 {mid} {last}"
    elif form == "mobile-glued":
        text = f"010{mid}{last}"
    elif form == "spaced-hyphen":
        text = f"010 - {mid} - {last}"
    elif form == "intl":
        text = rng.choice(
            [
                f"+82 10-{mid}-{last}",
                f"+82-10-{mid}-{last}",
                f"+82 10 {mid} {last}",
                f"+8210{mid}{last}",
                f"+82-2-{rng.randint(200, 999)}-{last}",
            ]
        )
    elif form == "seoul":
        text = f"02-{rng.choice([str(rng.randint(200, 999)), mid])}-{last}"
    elif form == "area":
        area = rng.choice(["031", "032", "051", "053", "042", "062", "064", "033", "055"])
        text = f"{area}-{rng.choice([str(rng.randint(200, 999)), mid])}-{last}"
    elif form == "area-paren":
        area = rng.choice(["02", "031", "051", "063"])
        text = f"({area}) {rng.randint(200, 999)}-{last}"
        if rng.random() < 0.4:
            text = text.replace(") ", ")")
    elif form == "voip":
        text = f"070-{mid}-{last}"
    else:
        text = f"010-{mid}-{last}".translate(_FULLWIDTH)
    return ("phone", text, form)


_LOCALS = [
    "hong.gildong",
    "minsu.kim",
    "jiyoung_park",
    "lee.sh",
    "choi2024",
    "s.jung",
    "yuna.kang",
    "dh.yoon",
    "jhlim87",
    "seo-yeon",
    "park.j.h",
    "kwon_ty",
]
_DOMAINS = [
    "naver.com",
    "gmail.com",
    "daum.net",
    "kakao.com",
    "hanmail.net",
    "nate.com",
    "outlook.com",
    "hanbit-soft.co.kr",
    "mail.hanbit-soft.co.kr",
    "hr.corp.example.com",
    "cs.seoul-univ.ac.kr",
    "student.knu.ac.kr",
    "seoul.go.kr",
    "startup.io",
]
_SUBDOMAINS = {
    "mail.hanbit-soft.co.kr",
    "hr.corp.example.com",
    "cs.seoul-univ.ac.kr",
    "student.knu.ac.kr",
}


def email(rng: random.Random) -> Value:
    local = rng.choice(_LOCALS)
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    domain = rng.choice(_DOMAINS)
    form = "subdomain" if domain in _SUBDOMAINS else "plain"
    if rng.random() < 0.2:
        local += "+" + rng.choice(["news", "billing", "jisik", "hr"])
        form = "plus"
    return ("email", f"{local}@{domain}", form)


def _luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + _d(rng, length - len(prefix) - 1)
    return body + str(luhn_check_digit(body))


def card(rng: random.Random) -> Value:
    brand = rng.choices(
        ["visa", "master", "master2", "amex", "jcb", "unionpay", "domestic"],
        [0.3, 0.2, 0.05, 0.12, 0.1, 0.08, 0.15],
    )[0]
    prefix = {
        "visa": "4",
        "master": str(rng.randint(51, 55)),
        "master2": str(rng.randint(2221, 2720)),
        "amex": rng.choice(["34", "37"]),
        "jcb": str(rng.randint(3528, 3589)),
        "unionpay": "62",
        # Korean domestic-only (국내전용) cards start with 9.
        "domestic": rng.choice(["9410", "9430", "9445", "9490"]),
    }[brand]
    if brand == "amex":
        n = _luhn_number(rng, prefix, 15)
        sep = rng.choice(["-", " "])
        return ("card", f"{n[:4]}{sep}{n[4:10]}{sep}{n[10:]}", "amex")
    n = _luhn_number(rng, prefix, 16)
    form = rng.choices(["hyphen", "space", "glued"], [0.5, 0.3, 0.2])[0]
    sep = {"hyphen": "-", "space": " ", "glued": ""}[form]
    text = sep.join(n[i : i + 4] for i in range(0, 16, 4))
    return ("card", text, f"{brand}-{form}")


# bank names (as written) -> digit groups of their account numbers, and a fixed prefix
_BANKS: list[tuple[tuple[str, ...], tuple[int, ...], str]] = [
    (("국민은행", "KB국민은행", "국민"), (6, 2, 6), ""),
    (("신한은행", "신한"), (3, 3, 6), "110"),
    (("우리은행", "우리"), (4, 3, 6), "1002"),
    (("하나은행", "KEB하나"), (3, 6, 5), ""),
    (("NH농협", "농협은행", "농협"), (3, 4, 4, 2), "351"),
    (("IBK기업은행", "기업은행"), (3, 6, 2, 3), ""),
    (("카카오뱅크",), (4, 2, 7), "3333"),
    (("토스뱅크",), (4, 4, 4), "1000"),
    (("우체국",), (6, 2, 6), ""),
    (("SC제일은행",), (3, 2, 6), ""),
]


def account(rng: random.Random) -> tuple[str, Value]:
    """(bank name, account value); where the name goes is the template's business."""
    names, groups, prefix = rng.choice(_BANKS)
    digits = prefix + _d(rng, sum(groups) - len(prefix))
    if digits[0] == "0":  # account numbers are not written with a leading zero
        digits = "1" + digits[1:]
    parts, at = [], 0
    for g in groups:
        parts.append(digits[at : at + g])
        at += g
    glued = rng.random() < 0.15
    text = "".join(parts) if glued else "-".join(parts)
    return rng.choice(names), ("account", text, "glued" if glued else "hyphen")


def business_reg(rng: random.Random) -> Value:
    body = f"{rng.randint(101, 899)}{rng.randint(1, 88):02d}{_d(rng, 4)}"
    n = body + str(business_reg_check_digit(body))
    glued = rng.random() < 0.15
    return (
        "business_reg",
        n if glued else f"{n[:3]}-{n[3:5]}-{n[5:]}",
        "glued" if glued else "hyphen",
    )


def corp_reg(rng: random.Random) -> Value:
    office = rng.choice(["1101", "1201", "1311", "1345", "1601", "2801", "1471"])
    body = office + rng.choice(["11", "12", "21", "31"]) + _d(rng, 6)
    n = body + str(corp_reg_check_digit(body))
    return ("corp_reg", f"{n[:6]}-{n[6:]}", "hyphen")


def passport(rng: random.Random) -> Value:
    letter = rng.choices(["M", "S", "R", "G"], [0.8, 0.08, 0.06, 0.06])[0]
    if rng.random() < 0.35:  # the 2021 format: letter, 3 digits, letter, 4 digits
        return ("passport", f"{letter}{_d(rng, 3)}{rng.choice('ABCDEFGHJK')}{_d(rng, 4)}", "new")
    return ("passport", f"{letter}{_d(rng, 8)}", "old")


_LICENCE_REGIONS = {
    "서울": 11,
    "부산": 12,
    "경기": 13,
    "강원": 14,
    "충북": 15,
    "충남": 16,
    "전북": 17,
    "전남": 18,
    "경북": 19,
    "경남": 20,
    "제주": 21,
    "대구": 22,
    "인천": 23,
    "광주": 24,
    "대전": 25,
    "울산": 26,
}


def driver_license(rng: random.Random) -> Value:
    region = rng.choice(list(_LICENCE_REGIONS))
    year, serial, check = f"{rng.randint(0, 99):02d}", _d(rng, 6), _d(rng, 2)
    if rng.random() < 0.3:
        return ("driver_license", f"{region} {year}-{serial}-{check}", "old-region-name")
    code = _LICENCE_REGIONS[region]
    return ("driver_license", f"{code}-{year}-{serial}-{check}", "new")


def health_insurance(rng: random.Random) -> Value:
    return ("health_insurance", str(rng.randint(1, 9)) + _d(rng, 10), "11-digit")


def ip(rng: random.Random) -> Value:
    r = rng.random()
    if r < 0.12:
        groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(3)]
        return ("ip", f"2001:db8:{groups[0]}::{groups[1]}:{groups[2]}", "v6")
    first = rng.choice([10, 172, 192, 203, 211, 121, 58, 1, 8, 127])
    if first == 192:
        rest = [168, rng.randint(0, 255), rng.randint(1, 254)]
    elif first == 127:
        rest = [0, 0, 1]
    else:
        rest = [rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)]
    return ("ip", ".".join(str(x) for x in [first, *rest]), "v4")


# province (full, short) -> cities/districts -> (road names, legal dongs)
_PLACES: list[tuple[str, str, list[tuple[str, list[str], list[str]]]]] = [
    (
        "서울특별시",
        "서울",
        [
            (
                "강남구",
                ["테헤란로", "봉은사로", "역삼로", "선릉로"],
                ["역삼동", "삼성동", "대치동"],
            ),
            ("마포구", ["월드컵북로", "양화로", "독막로"], ["서교동", "합정동", "연남동"]),
            ("종로구", ["세종대로", "종로", "율곡로"], ["청진동", "관철동"]),
            ("송파구", ["올림픽로", "송파대로"], ["잠실동", "문정동"]),
        ],
    ),
    (
        "부산광역시",
        "부산",
        [
            ("해운대구", ["해운대로", "센텀중앙로"], ["우동", "중동", "좌동"]),
            ("부산진구", ["중앙대로", "서면로"], ["부전동", "전포동"]),
        ],
    ),
    (
        "경기도",
        "경기",
        [
            ("성남시 분당구", ["판교역로", "불정로", "황새울로"], ["삼평동", "정자동", "서현동"]),
            ("수원시 영통구", ["광교로", "센트럴타운로"], ["이의동", "원천동"]),
            ("고양시 일산동구", ["중앙로", "정발산로"], ["장항동", "마두동"]),
        ],
    ),
    ("대전광역시", "대전", [("유성구", ["대학로", "과학로"], ["궁동", "봉명동"])]),
    ("인천광역시", "인천", [("연수구", ["컨벤시아대로", "송도과학로"], ["송도동", "연수동"])]),
    ("제주특별자치도", "제주", [("제주시", ["첨단로", "연삼로"], ["영평동", "연동"])]),
    ("충청북도", "충북", [("청주시 흥덕구", ["직지대로", "가경로"], ["복대동", "가경동"])]),
    ("경상남도", "경남", [("창원시 성산구", ["중앙대로", "원이대로"], ["상남동", "중앙동"])]),
    ("강원특별자치도", "강원", [("춘천시", ["중앙로", "충열로"], ["효자동", "석사동"])]),
]
# Rural lot-number addresses: province, county, eup/myeon, ri
_RURAL = [
    ("경기도", "양평군", "양평읍", "양근리"),
    ("전라남도", "담양군", "담양읍", "백동리"),
    ("충청남도", "예산군", "덕산면", "사동리"),
    ("경상북도", "청도군", "화양읍", "범곡리"),
    ("전북특별자치도", "완주군", "봉동읍", "용암리"),
]


def _detail(rng: random.Random) -> str:
    return rng.choice(
        [
            f", {rng.randint(2, 25)}층",
            f", {rng.randint(101, 120)}동 {rng.randint(1, 25)}0{rng.randint(1, 4)}호",
            f", {rng.randint(101, 1805)}호",
        ]
    )


def address(rng: random.Random) -> Value:
    full, short, cities = rng.choice(_PLACES)
    city, roads, dongs = rng.choice(cities)
    number = str(rng.randint(1, 520))
    if rng.random() < 0.25:
        number += f"-{rng.randint(1, 30)}"
    form = rng.choices(
        [
            "road-full",
            "road-short",
            "road-no-province",
            "road-detail",
            "road-gil",
            "lot-full",
            "lot-bare",
            "lot-rural",
        ],
        [0.2, 0.14, 0.14, 0.14, 0.08, 0.12, 0.1, 0.08],
    )[0]
    road = rng.choice(roads)
    if form == "road-full":
        text = f"{full} {city} {road} {number}"
    elif form == "road-short":
        text = f"{short} {city} {road} {number}"
    elif form == "road-no-province":
        text = f"{city} {road} {number}"
    elif form == "road-detail":
        text = f"{rng.choice([full, short])} {city} {road} {number}{_detail(rng)}"
    elif form == "road-gil":
        text = f"{full} {city} {road}{rng.randint(1, 40)}길 {rng.randint(1, 99)}"
    elif form == "lot-full":
        text = f"{full} {city} {rng.choice(dongs)} {number}{rng.choice(['', '번지'])}"
    elif form == "lot-bare":
        text = f"{rng.choice(dongs)} {number}{rng.choice(['', '번지'])}"
    else:
        prov, county, town, ri = rng.choice(_RURAL)
        text = f"{prov} {county} {town} {ri} {number}{rng.choice(['', '번지'])}"
    return ("address", text, form)


# --- filler that must not be flagged ---------------------------------------------------------

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ["민수", "지영", "서연", "하준", "도윤", "수빈", "예린", "현우", "지훈", "유나", "태양"]
_COMPANIES = [
    "(주)한빛소프트",
    "주식회사 다온물산",
    "누리테크 주식회사",
    "(주)세움건설",
    "바른식품(주)",
]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _order_no(rng: random.Random) -> str:
    day = _date_between(rng, date(2023, 1, 1), date(2026, 10, 31))
    return rng.choice(
        [
            f"{day:%Y%m%d}-{_d(rng, 7)}",
            f"ORD-{day:%Y%m%d}-{_d(rng, 5)}",
            f"{day:%Y%m%d}{_d(rng, 6)}",
        ]
    )


def _when(rng: random.Random) -> str:
    day = _date_between(rng, date(2023, 1, 1), date(2026, 10, 31))
    return rng.choice(
        [
            f"{day:%Y-%m-%d} {rng.randint(9, 18):02d}:{rng.randint(0, 59):02d}",
            f"{day.year}년 {day.month}월 {day.day}일",
            f"{day:%Y.%m.%d}.",
            f"{day:%y.%m.%d}",
        ]
    )


# --- positive documents --------------------------------------------------------------------


def _label(rng: random.Random, label: str) -> str:
    """A form label followed by one of the separators people actually type."""
    return label + rng.choice([": ", ":", " : ", " ", "\n", "：", "\t"])


def _particle(rng: random.Random) -> str:
    return rng.choice(["", "", "이에요", "입니다", "로", "으로", "이고", "요", ".", ",", "(으)로"])


def _hr_record(rng: random.Random) -> list[Piece]:
    bank, acct = account(rng)
    lines: list[Piece] = ["[인사기록카드] 작성일 ", _when(rng), "\n"]
    lines += [
        _label(rng, "성명"),
        _name(rng),
        " (",
        rng.choice(["영업팀", "개발팀", "인사팀"]),
        ")\n",
    ]
    lines += [_label(rng, rng.choice(["주민등록번호", "주민번호", "생년월일/주민번호"])), rrn(rng)]
    lines += ["\n", _label(rng, rng.choice(["연락처", "휴대전화", "H.P", "핸드폰"])), phone(rng)]
    lines += ["\n", _label(rng, rng.choice(["이메일", "E-mail", "메일"])), email(rng), "\n"]
    lines += [_label(rng, rng.choice(["주소", "현주소", "거주지"])), address(rng), "\n"]
    if rng.random() < 0.5:
        lines += [_label(rng, "급여계좌"), bank, " ", account_value(acct, "bank-before"), "\n"]
    else:
        lines += [_label(rng, "급여계좌"), account_value(acct, "bank-after"), f" ({bank})\n"]
    lines += ["입사일 ", _when(rng), " / 사번 E", _d(rng, 6)]
    return lines


def account_value(value: Value, variant: str) -> Value:
    return _retag(value, f"{variant}-{value[2]}")


def _cs_chat(rng: random.Random) -> list[Piece]:
    t = rng.randint(9, 17)
    agent, cust = "상담사", "고객"
    out: list[Piece] = [
        f"[{t}:0{rng.randint(0, 5)}] {agent}: 안녕하세요, 주문번호 {_order_no(rng)} 건 문의 맞으실까요?\n",
        f"[{t}:1{rng.randint(0, 5)}] {cust}: 네 맞아요. 제 번호는 ",
        phone(rng),
        _particle(rng),
        "\n",
        f"[{t}:2{rng.randint(0, 5)}] {agent}: 본인 확인 위해 생년월일 말고 주민번호 전체 부탁드려요\n",
        f"[{t}:2{rng.randint(6, 9)}] {cust}: ",
        rrn(rng),
        rng.choice(["", "요", "입니다", " 이요"]),
        "\n",
        f"[{t}:3{rng.randint(0, 5)}] {cust}: 환불은 카드 ",
        card(rng),
        rng.choice(["로 해 주세요", "(으)로 부탁해요", " 이거로요"]),
        "\n",
        f"[{t}:4{rng.randint(0, 5)}] {agent}: 처리 결과는 ",
        email(rng),
        rng.choice(["로 보내드릴게요.", " 으로 안내드립니다.", "(으)로 발송됩니다."]),
        " 고객센터 1588-",
        _d(rng, 4),
        "\n",
    ]
    return out


def _contract(rng: random.Random) -> list[Piece]:
    bank, acct = account(rng)
    return [
        "용역 계약서\n\n제1조(당사자) 갑: ",
        rng.choice(_COMPANIES),
        " (사업자등록번호 ",
        business_reg(rng),
        ", 법인등록번호 ",
        corp_reg(rng),
        ")\n본점 소재지: ",
        address(rng),
        "\n을: ",
        _name(rng),
        " (주민등록번호: ",
        rrn(rng),
        ")\n제3조(대금) ① 갑은 계약금액 금 ",
        f"{rng.randint(1, 90)},{_d(rng, 3)},000원(부가세 별도)을 ",
        _when(rng),
        "까지 을이 지정한 계좌(",
        bank,
        " ",
        account_value(acct, "bank-before"),
        ")로 지급한다.\n② 제1항의 지급이 지연되면 연 12%의 지연이자를 가산한다.\n",
        "제9조(분쟁) 관할 법원은 서울중앙지방법원으로 한다.",
    ]


def _email_msg(rng: random.Random) -> list[Piece]:
    sender = email(rng)
    return [
        'From: "',
        _name(rng),
        '" <',
        sender,
        ">\nTo: ",
        email(rng),
        f"\nSubject: RE: 견적 요청 (Quote #Q-{rng.randint(2023, 2026)}-{_d(rng, 4)})\n\n",
        "안녕하세요, 첨부한 견적서 v2.",
        str(rng.randint(0, 9)),
        " 확인 부탁드립니다.\n회신은 ",
        email(rng),
        _particle(rng),
        " 급한 건은 제 휴대폰(",
        _retag(phone(rng), "in-brackets"),
        ")으로 연락 주세요.\n\n--\n",
        _name(rng),
        " 드림 | Tel ",
        phone(rng),
        " | Fax ",
        _fax(rng),
        " (내선 ",
        str(rng.randint(100, 999)),
        ")",
    ]


def _fax(rng: random.Random) -> Value:
    return ("phone", f"02-{rng.randint(200, 999)}-{_d(rng, 4)}", "seoul")


def _signature(rng: random.Random) -> list[Piece]:
    """An e-mail signature: office fax numbers are phone numbers too."""
    return [
        "문의: ",
        _name(rng),
        " 과장 / Tel. ",
        phone(rng),
        " / Fax. ",
        _fax(rng),
        " / ",
        email(rng),
    ]


def _meeting(rng: random.Random) -> list[Piece]:
    return [
        f"회의록 - {_when(rng)} 3층 대회의실, 참석 {rng.randint(4, 9)}명\n",
        f"1. 3분기 매출 {rng.randint(10, 99)}.{rng.randint(0, 9)}% 증가 (전년 대비)\n",
        "2. 신규 거래처 담당 ",
        _name(rng),
        " 차장 연락처 ",
        phone(rng),
        ", 메일 ",
        email(rng),
        "\n3. 보안: 외부 IP ",
        ip(rng),
        rng.choice(["에서", " 에서", "(으)로부터"]),
        " 로그인 시도 ",
        str(rng.randint(3, 40)),
        "회 → 차단 완료\n4. 다음 회의 ",
        _when(rng),
        " (담당: 내선 ",
        str(rng.randint(2000, 4999)),
        ")",
    ]


def _table(rng: random.Random) -> list[Piece]:
    header = rng.choice(
        ["이름 | 전화 | 이메일", "성명 | 연락처 | E-mail", "담당자 | 휴대폰 | 메일주소"]
    )
    rows: list[Piece] = [header, "\n", "--- | --- | ---"]
    for _ in range(rng.randint(2, 4)):
        rows += ["\n", _name(rng), " | ", phone(rng), " | ", email(rng)]
    if rng.random() < 0.5:
        rows += [
            "\n\n구분 | 주민등록번호 | 주소\n",
            _name(rng),
            " | ",
            rrn(rng),
            " | ",
            address(rng),
        ]
    return rows


def _server_log(rng: random.Random) -> list[Piece]:
    lines: list[Piece] = []
    for _ in range(rng.randint(2, 4)):
        day = _date_between(rng, date(2024, 1, 1), date(2026, 10, 31))
        ts = f"{day:%Y-%m-%d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+09:00"
        style = rng.randrange(4)
        address_value = ip(rng)
        if style == 0:
            lines += [ts, " INFO login ok user=kim ip=", address_value, "\n"]
        elif style == 1:
            lines += [
                address_value,
                f' - - [{day:%d/%b/%Y}:10:00:00 +0900] "GET /api/v1.2/items HTTP/1.1" 200 512\n',
            ]
        elif style == 2 and address_value[2] == "v4":
            port = rng.randint(1024, 65535)
            lines += [
                ts,
                " WARN conn from ",
                _retag(address_value, "v4-port"),
                f":{port} refused\n",
            ]
        else:
            lines += [
                ts,
                " 접속 차단: [",
                address_value,
                "] (",
                str(rng.randint(3, 9)),
                "회 실패)\n",
            ]
    return lines


def _foreigner_form(rng: random.Random) -> list[Piece]:
    return [
        "Visitor registration / 방문자 등록\nName: ",
        rng.choice(["John Smith", "Nguyen Van An", "Maria Garcia", "Li Wei"]),
        "\nARC No. (외국인등록번호): ",
        rrn(rng, foreign=True),
        "\nPassport No.",
        rng.choice([" ", ": ", "\n"]),
        passport(rng),
        "\nMobile: ",
        phone(rng),
        "\nEmail: ",
        email(rng),
    ]


def _licence_form(rng: random.Random) -> list[Piece]:
    return [
        "[차량 임대 신청서]\n운전자: ",
        _name(rng),
        "\n",
        _label(rng, rng.choice(["운전면허번호", "면허번호", "운전면허증 번호"])),
        driver_license(rng),
        "\n",
        _label(rng, rng.choice(["건강보험증번호", "건강보험증 번호", "건보 증번호"])),
        health_insurance(rng),
        "\n",
        _label(rng, rng.choice(["여권번호", "여권 번호"])),
        passport(rng),
        "\n비상연락처 ",
        phone(rng),
        "\n대여기간 ",
        _when(rng),
        " ~ ",
        _when(rng),
    ]


def _delivery(rng: random.Random) -> list[Piece]:
    return [
        "배송지 정보\n받는 분: ",
        _name(rng),
        "\n주소: (",
        _d(rng, 5),
        ") ",
        address(rng),
        rng.choice(["", f" ({rng.choice(['역삼동', '서교동', '삼평동'])})"]),
        "\n연락처: ",
        phone(rng),
        "\n운송장번호 ",
        _d(rng, 4),
        "-",
        _d(rng, 4),
        "-",
        _d(rng, 4),
        " / 주문번호 ",
        _order_no(rng),
    ]


def _payment(rng: random.Random) -> list[Piece]:
    bank, acct = account(rng)
    return [
        "입금 안내: 아래 계좌로 ",
        f"{rng.randint(10, 999)},{_d(rng, 3)}원을 ",
        _when(rng),
        "까지 입금해 주세요.\n계좌번호 ",
        account_value(acct, "bank-after"),
        f" ({bank}, 예금주 ",
        rng.choice(_COMPANIES),
        ")\n사업자번호: ",
        business_reg(rng),
        " / 결제 카드 '",
        card(rng),
        "'",
    ]


def _quoted(rng: random.Random) -> list[Piece]:
    """Identifiers inside quotes and brackets, in chat-like prose."""
    return [
        rng.choice(["고객이 남긴 번호는 “", '메모: "', "『"]),
        phone(rng),
        rng.choice(["”입니다. ", '". ', "』 "]),
        "이메일은 [",
        email(rng),
        "], 주민번호 (",
        rrn(rng),
        ") 확인했고, 대표전화(",
        _retag(_fax(rng), "paren-glued"),
        ")로도 연락됨.",
    ]


def _english_mix(rng: random.Random) -> list[Piece]:
    return [
        "Hi team, 신규 vendor contact 공유드립니다: ",
        _name(rng),
        " (",
        email(rng),
        ", ",
        phone(rng),
        "). Office는 ",
        address(rng),
        rng.choice(["에 있어요.", "입니다.", " 쪽이에요."]),
        " Invoice INV-",
        f"{rng.randint(2023, 2026)}-{_d(rng, 6)}",
        " 참고.",
    ]


def _wide_and_spaced(rng: random.Random) -> list[Piece]:
    """The forms people type on phones and old IMEs: full-width digits, spaced hyphens."""
    mid, last = str(rng.randint(2000, 9999)), _d(rng, 4)
    wide = ("phone", f"010-{mid}-{last}".translate(_FULLWIDTH), "fullwidth")
    spaced = ("phone", f"010 - {rng.randint(2000, 9999)} - {_d(rng, 4)}", "spaced-hyphen")
    return [
        "연락처 ",
        rng.choice([wide, spaced]),
        " / 주민번호 ",
        _wide_rrn(rng),
        " 입니다",
    ]


def _wide_rrn(rng: random.Random) -> Value:
    kind, text, variant = rrn(rng)
    if "fullwidth" in variant:
        return (kind, text, variant)
    digits = text.replace("-", "")
    return (
        kind,
        f"{digits[:6]}-{digits[6:]}".translate(_FULLWIDTH),
        variant.rsplit("-", 1)[0] + "-fullwidth",
    )


_TEMPLATES = {
    "hr_record": _hr_record,
    "cs_chat": _cs_chat,
    "contract": _contract,
    "email": _email_msg,
    "signature": _signature,
    "meeting": _meeting,
    "table": _table,
    "server_log": _server_log,
    "foreigner_form": _foreigner_form,
    "licence_form": _licence_form,
    "delivery": _delivery,
    "payment": _payment,
    "quoted": _quoted,
    "english_mix": _english_mix,
    "wide_and_spaced": _wide_and_spaced,
}


def _assemble(pieces: list[Piece], source: str) -> HeldoutSample:
    text: list[str] = []
    gold: list[HeldoutSpan] = []
    at = 0
    for piece in pieces:
        if isinstance(piece, tuple):
            kind, value, variant = piece
            gold.append(HeldoutSpan(kind, at, at + len(value), variant))
            piece = value
        text.append(piece)
        at += len(piece)
    return HeldoutSample("".join(text), tuple(gold), source)


def positive_samples(seed: int = 0, per_template: int = 30) -> list[HeldoutSample]:
    rng = random.Random(f"heldout-positive-{seed}")
    return [
        _assemble(make(rng), name) for name, make in _TEMPLATES.items() for _ in range(per_template)
    ]


# --- hard negatives --------------------------------------------------------------------------


def _isbn13(rng: random.Random) -> str:
    body = "97889" + _d(rng, 7)
    return body + str(ean13_check_digit(body))


def _ean13(rng: random.Random) -> str:
    body = "880" + _d(rng, 9)
    return body + str(ean13_check_digit(body))


def _negatives(rng: random.Random) -> dict[str, str]:
    """One PII-free sentence per category (a fresh draw each call)."""
    day = _date_between(rng, date(2020, 1, 1), date(2026, 10, 31))
    h, m, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    isbn = _isbn13(rng)
    return {
        "amount": rng.choice(
            [
                f"이번 달 매출은 {rng.randint(1, 999)},{_d(rng, 3)},{_d(rng, 3)}원입니다.",
                f"총액 ₩{rng.randint(10, 99)},{_d(rng, 3)},{_d(rng, 3)} (VAT 포함)",
                f"예산 {rng.randint(1, 9)}억 {rng.randint(1, 9)},{_d(rng, 3)}만 원 배정",
                f"거래대금 {rng.randint(10, 99)},{_d(rng, 3)},{_d(rng, 3)},{_d(rng, 3)}원 결제 완료",
                f"USD {rng.randint(1, 99)},{_d(rng, 3)}.{_d(rng, 2)} 송금 예정",
            ]
        ),
        "date": rng.choice(
            [
                f"보고서 작성일: {day:%Y.%m.%d}.",
                f"{day.year}년 {day.month}월 {day.day}일({'월화수목금토일'[day.weekday()]}) 오전 {rng.randint(1, 11)}시",
                f"기간: {day:%Y-%m-%d} ~ {day + timedelta(days=30):%Y-%m-%d}",
                f"등록일 {day:%Y/%m/%d} {h:02d}:{m:02d}:{s:02d}",
                f"생산일자 {day:%Y%m%d}, 유통기한 {day + timedelta(days=365):%Y%m%d}",
                f"{day:%y.%m.%d} 기준 재고",
                f"타임스탬프 {day:%Y-%m-%d}T{h:02d}:{m:02d}:{s:02d}+09:00",
                "업무시간 09:00-18:00, 점심 12:00~13:00",
                f"{day:%m/%d/%Y} {h:02d}:{m:02d} 회의",
            ]
        ),
        "order": rng.choice(
            [
                f"주문번호 {_order_no(rng)}로 조회해 주세요",
                f"세금계산서 INV-{day.year}-{_d(rng, 6)} 발행",
                f"승인번호 {day:%Y%m%d}-{_d(rng, 8)}-{_d(rng, 8)}",
                f"거래 ID {day:%y%m%d}{_d(rng, 9)} 처리",
                f"문서번호 인사팀-{day.year}-{_d(rng, 4)}호",
            ]
        ),
        "tracking": rng.choice(
            [
                f"CJ대한통운 운송장번호 {_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 4)}",
                f"한진택배 {_d(rng, 4)} {_d(rng, 4)} {_d(rng, 4)} 배송중",
                f"우체국 등기번호 60{_d(rng, 11)} 발송",
            ]
        ),
        "version": rng.choice(
            [
                f"앱 버전 v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}으로 업데이트",
                f"버전 {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)} 배포",
                f"Chrome {rng.randint(100, 130)}.0.{rng.randint(4000, 6999)}.{rng.randint(10, 200)} 에서 재현",
                f"Windows 10.0.{rng.randint(17000, 22631)}.{rng.randint(100, 4000)} 빌드",
                f"SNMP OID 1.3.6.1.4.1.{rng.randint(100, 9999)} 조회",
                f"규정 {rng.randint(1, 9)}.{rng.randint(1, 9)}.{rng.randint(1, 9)}.{rng.randint(1, 9)}절 참조",
            ]
        ),
        "isbn_ean": rng.choice(
            [
                f"ISBN {isbn[:3]}-{isbn[3:5]}-{isbn[5:9]}-{isbn[9:12]}-{isbn[12]}",
                f"ISBN {isbn}",
                f"바코드 {_ean13(rng)} 상품 입고",
                f"EAN-13: {_ean13(rng)}",
            ]
        ),
        "product": rng.choice(
            [
                f"모델명 SM-S{rng.randint(900, 999)}N 재고 {rng.randint(1, 99)}대",
                f"품번 AB-{_d(rng, 4)}-{_d(rng, 4)} 출고",
                f"SKU KR{_d(rng, 10)} 품절",
                f"모델 M{_d(rng, 8)} 재고 확인",
                f"부품코드 P{_d(rng, 3)}A{_d(rng, 4)} 발주",
            ]
        ),
        "business_number": rng.choice(
            [
                f"고객센터 {rng.choice(['1588', '1577', '1644', '1600', '1899', '1566'])}-{_d(rng, 4)}로 문의",
                f"대표번호 {rng.choice(['1588', '1544', '1661'])}-{_d(rng, 4)} (평일 09~18시)",
                f"ARS {rng.choice(['1599', '1688'])}{_d(rng, 4)} 번 누르고 2번",
            ]
        ),
        "extension": rng.choice(
            [
                f"내선 {rng.randint(100, 9999)}번으로 돌려 주세요",
                f"담당자 (내선 {rng.randint(100, 999)})",
                f"ext. {rng.randint(1000, 9999)}",
            ]
        ),
        "postal": rng.choice(
            [
                f"우편번호 {_d(rng, 5)}",
                f"[{_d(rng, 5)}] 우편물 반송",
                f"우편번호({_d(rng, 5)}) 확인",
            ]
        ),
        "coordinates": rng.choice(
            [
                f"좌표 {rng.randint(33, 38)}.{_d(rng, 4)}, {rng.randint(124, 131)}.{_d(rng, 4)}",
                f"위도 {rng.randint(33, 38)}.{_d(rng, 6)} 경도 {rng.randint(124, 131)}.{_d(rng, 6)}",
            ]
        ),
        "statute": rng.choice(
            [
                f"개인정보 보호법 제{rng.randint(1, 76)}조 제{rng.randint(1, 5)}항 제{rng.randint(1, 9)}호",
                f"시행령 제{rng.randint(1, 60)}조의{rng.randint(2, 5)}에 따라",
                f"제{rng.randint(1, 40)}조 제{rng.randint(1, 5)}항을 준용한다",
            ]
        ),
        "court_case": rng.choice(
            [
                f"서울중앙지방법원 {rng.randint(2015, 2026)}가합{_d(rng, 5)} 판결",
                f"대법원 {rng.randint(2010, 2026)}다{_d(rng, 5)} 판결 참조",
                f"{rng.randint(2015, 2026)}노{_d(rng, 4)} 사건",
                f"헌법재판소 {rng.randint(2015, 2026)}헌마{_d(rng, 4)}",
            ]
        ),
        "percent": rng.choice(
            [
                f"전환율 {rng.randint(1, 99)}.{rng.randint(0, 9)}%",
                f"전년 대비 {rng.randint(1, 20)}.{rng.randint(0, 9)}%p 상승",
                f"가동률 {rng.randint(90, 99)}.{_d(rng, 2)}% 유지",
            ]
        ),
        "serial": rng.choice(
            [
                f"시리얼 번호 SN-{_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 4)}",
                f"일련번호 {rng.randint(1, 9)}0{_d(rng, 2)}-{_d(rng, 4)}-{_d(rng, 4)}-A",
                f"라이선스 키 {_d(rng, 5)}-{_d(rng, 5)}-{_d(rng, 5)}",
                f"장비 ID 0{rng.randint(1, 9)}{_d(rng, 2)}-{_d(rng, 3)}",
            ]
        ),
        "masked": rng.choice(
            [
                f"연락처 010-****-{_d(rng, 4)} (마스킹)",
                f"주민번호 {day:%y%m%d}-{rng.randint(1, 4)}****** 확인",
                f"카드 {_d(rng, 4)}-****-****-{_d(rng, 4)} 승인",
            ]
        ),
        "place_no_number": rng.choice(
            [
                "서울 강남구에 사무실 3곳",
                f"경기도 성남시 분당구 소재 {rng.randint(2, 9)}개 지점",
                f"강남역 {rng.randint(1, 12)}번 출구에서 만나요",
                f"본관 {rng.randint(2, 15)}층 회의실, {rng.randint(101, 130)}호",
                f"지하철 {rng.randint(1, 9)}호선 {rng.randint(1, 10)}-{rng.randint(1, 4)} 승강장",
            ]
        ),
        "counts": rng.choice(
            [
                f"참석자 {rng.randint(1, 9)},{_d(rng, 3)}명, 객실 {rng.randint(10, 300)}실",
                f"회원번호 {rng.randint(2, 9)}{_d(rng, 10)} 조회 결과 없음",
                f"종목코드 {_d(rng, 6)} 주가 {rng.randint(10, 99)},{_d(rng, 3)}원",
                f"IP 등급 {rng.randint(1, 5)}.{rng.randint(0, 9)} 방수",
            ]
        ),
    }


NEGATIVE_CATEGORIES = tuple(_negatives(random.Random(0)))


def negative_samples(seed: int = 0, rounds: int = 25) -> list[HeldoutSample]:
    rng = random.Random(f"heldout-negative-{seed}")
    out = []
    for _ in range(rounds):
        for category, text in _negatives(rng).items():
            out.append(HeldoutSample(text, (), category))
    return out
