"""One rule per PII type: a regular expression for the shape, then checks and context.

Every rule yields (kind, start, end, confidence) candidates; overlaps are resolved by the
detector. Boundaries are explicit lookarounds on ASCII letters and digits, never `\\b`: Python
treats Hangul as word characters, so `\\b` would miss "960101-1234567이야" and "010-1234-5678로".
Only ASCII digits count as digits ([0-9], not \\d, which also matches other scripts' digits).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from jisik.privacy.checks import (
    business_reg_check_digit,
    corp_reg_check_digit,
    ean13_check_digit,
    frn_check_digit,
    luhn_valid,
    registration_birth_date,
    rrn_check_digit,
)

Candidate = tuple[str, int, int, float]

# Not glued to an ASCII letter or digit, and not the tail of a longer hyphenated/dotted number.
_L = r"(?<![0-9A-Za-z])(?<![0-9][-.])"
_R = r"(?![0-9A-Za-z])(?![-.][0-9])"


def _before(text: str, start: int, width: int) -> str:
    """The context window before a match, cut at the previous line break.

    When the value starts its own line, the label is usually at the end of the line above
    ("여권번호\nM12345678"), so that line is the context instead.
    """
    window = text[max(0, start - width) : start]
    cut = window.rfind("\n")
    if cut >= 0 and not window[cut + 1 :].strip():
        window = window[:cut]
        cut = window.rfind("\n")
    return window[cut + 1 :]


def _after(text: str, end: int, width: int) -> str:
    window = text[end : end + width]
    cut = window.find("\n")
    return window if cut < 0 else window[:cut]


# --- resident, foreigner and corporate registration numbers (all NNNNNN-NNNNNNN) -----------

_REGISTRATION = re.compile(_L + r"([0-9]{6})(-| - | |)([0-9]{7})" + _R)
_CORP_CONTEXT = re.compile(r"법인\s*(?:등록)?\s*번호|등기\s*번호")
# "우체국 등기번호 601...": registered mail, whose 13-digit numbers are nobody's identifier
_PARCEL_CONTEXT = re.compile(r"우체국|우편|택배|소포|운송장|송장")
_RRN_CONTEXT = re.compile(r"주민|생년|외국인")
_ACCOUNT_FIELD = re.compile(r"계좌|예금주|입금|송금|이체")
_BARCODE_CONTEXT = re.compile(r"바코드|EAN|GTIN|JAN|상품\s*코드", re.IGNORECASE)


def registrations(text: str) -> Iterator[Candidate]:
    for m in _REGISTRATION.finditer(text):
        front, back = m.group(1), m.group(3)
        digits = front + back
        start, end = m.start(), m.end()
        corp_ok = corp_reg_check_digit(digits[:12]) == int(digits[12])
        before = _before(text, start, 25)
        if _PARCEL_CONTEXT.search(before) and not _RRN_CONTEXT.search(before):
            continue
        if _CORP_CONTEXT.search(before):
            # The field names it; the check digit says how sure we are.
            yield ("corp_reg", start, end, 0.99 if corp_ok else 0.7)
            continue
        born = registration_birth_date(front, back[0])
        if born is None:
            # Not a person's number; a hyphenated one with a valid corporate check digit is
            # still most likely a corporate registration number written without its label.
            if corp_ok and m.group(2) == "-":
                yield ("corp_reg", start, end, 0.6)
            continue
        foreign = back[0] in "5678"
        check = (frn_check_digit if foreign else rrn_check_digit)(digits[:12])
        check_ok = check == int(digits[12])
        if (
            m.group(2) == ""
            and digits.startswith("880")
            and ean13_check_digit(digits[:12]) == int(digits[12])
            and not _RRN_CONTEXT.search(before)
            # one in ten barcodes also passes the RRN check digit; a barcode label decides
            and (not check_ok or _BARCODE_CONTEXT.search(before))
        ):
            continue  # a Korean EAN-13 barcode (GS1 prefix 880), not a birth date
        if back[0] in "90":
            confidence = 0.6  # born in the 1800s: valid by the rules, implausible today
        else:
            # Since October 2020 the trailing digits are random, so a failed check digit
            # lowers confidence but never rejects.
            confidence = 0.97 if check_ok else 0.85
            if not check_ok and _ACCOUNT_FIELD.search(before):
                confidence = 0.75  # under a bank-account label, the account reading wins
        yield ("frn" if foreign else "rrn", start, end, confidence)


# --- phone numbers ---------------------------------------------------------------------------

# Area codes after the leading 0 (or after +82): mobile, Seoul, provinces, internet phones.
# Business numbers such as 1588-xxxx and 1577-xxxx are deliberately not matched: they belong
# to companies, not people, and flagging them would mask every customer-service number.
_MOBILE = frozenset({"10", "11", "16", "17", "18", "19"})
_AREAS = frozenset(
    {
        "2",
        "31",
        "32",
        "33",
        "41",
        "42",
        "43",
        "44",
        "51",
        "52",
        "53",
        "54",
        "55",
        "61",
        "62",
        "63",
        "64",
        "70",
    }
)
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?<![0-9][-.])"
    r"(?:(\+82[ -]?(?:\(0\) ?)?)|(\()?0)(1[016789]|2|[3-6][1-5]|70)"  # "+82 (0)10" too
    r"(\) ?| ?[-./] ?| ?)([0-9]{3,4})( ?[-./] ?| ?)([0-9]{4})" + _R
)


def phones(text: str) -> Iterator[Candidate]:
    for m in _PHONE.finditer(text):
        intl, paren, area, sep1, middle, sep2 = m.group(1, 2, 3, 4, 5, 6)
        mobile = area in _MOBILE
        if not mobile and area not in _AREAS:
            continue
        if (area == "10" or area == "70") and len(middle) != 4:
            continue
        start = m.start()
        if paren and not sep1.startswith(")"):
            # "(02) 123-4567" keeps its bracket; in "전화(02-123-4567)" the bracket encloses
            # the whole number and is not part of it.
            start += 1
        if (sep1 == " " and sep2 == "") or (sep1 == "" and sep2 == " "):
            continue  # "02 12345678" style mixes read as two separate numbers
        if not sep1.startswith(")") and _mixed(sep1, sep2):
            continue
        glued = not sep1 and not sep2
        if glued and not (mobile or intl):
            yield ("phone", start, m.end(), 0.7)
        else:
            yield ("phone", start, m.end(), 0.95)


def _mixed(sep1: str, sep2: str) -> bool:
    """Separators one number would not mix: "010 - 1234 - 5678" spaces both or neither,
    "010/1234/5678" has slashes in both places."""
    mark1, mark2 = sep1.strip(), sep2.strip()
    if "/" in (mark1, mark2) and mark1 != mark2:
        return True
    return bool(mark1 and sep1 != mark1) != bool(mark2 and sep2 != mark2)


# --- e-mail ----------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])"
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)


def emails(text: str) -> Iterator[Candidate]:
    for m in _EMAIL.finditer(text):
        yield ("email", m.start(), m.end(), 0.99)


# --- payment cards ---------------------------------------------------------------------------

_CARD = re.compile(
    _L + r"(?:[0-9]{4}([- ])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1?[0-9]{1,3})?"
    r"|[0-9]{4}([- ])[0-9]{6}\2[0-9]{4,5}"
    r"|[0-9]{14,19})" + _R
)


def _issuer_length_ok(d: str) -> bool:
    """Issuer (IIN) prefix and the card lengths that issuer uses."""
    n, p2, p4 = len(d), int(d[:2]), int(d[:4])
    if d[0] == "4":  # Visa
        return n in (16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if 3528 <= p4 <= 3589:  # JCB
        return n == 16
    if p2 in (36, 38, 39) or 300 <= int(d[:3]) <= 305:  # Diners Club
        return n in (14, 16)
    if p4 == 6011 or p2 == 65 or 644 <= int(d[:3]) <= 649:  # Discover
        return n == 16
    if p2 == 62:  # UnionPay
        return 16 <= n <= 19
    if d[0] == "9":  # Korean domestic-only cards (국내전용)
        return n == 16
    return False


def cards(text: str) -> Iterator[Candidate]:
    for m in _CARD.finditer(text):
        digits = m.group(0).replace("-", "").replace(" ", "")
        if _issuer_length_ok(digits) and luhn_valid(digits):
            yield ("card", m.start(), m.end(), 0.95)


# --- bank accounts (by context) --------------------------------------------------------------

_ACCOUNT = re.compile(_L + r"(?:[0-9]{2,7}(?:-[0-9]{1,7}){1,3}|[0-9]{10,14})" + _R)
_BANK_BEFORE = re.compile(
    r"은행|뱅크|국민|신한|우리|하나|농협|NH|기업|IBK|카카오|토스|SC제일|씨티|우체국|새마을금고"
    r"|신협|수협|산림조합|증권|계좌|입금|송금|이체|예금주|통장|환불"
)
_BANK_AFTER = re.compile(r"^\s*(?:\(|\[)?\s*(?:예금주|계좌|으로 입금|로 입금|입금|송금|이체)")


# Labels of other long numbers: "우체국 등기번호 601..." is a parcel, not an account at 우체국.
_NOT_ACCOUNT = re.compile(r"등기\s*번호|운송장|송장|택배|주문\s*번호|승인\s*번호|회원\s*번호")


def _bank_label_before(before: str) -> bool:
    """A bank word in the window, and no other number's label after it."""
    banks = list(_BANK_BEFORE.finditer(before))
    if not banks:
        return False
    other = list(_NOT_ACCOUNT.finditer(before))
    return not other or other[-1].start() < banks[-1].start()


def accounts(text: str) -> Iterator[Candidate]:
    for m in _ACCOUNT.finditer(text):
        digits = m.group(0).replace("-", "")
        if not 10 <= len(digits) <= 14:
            continue
        if _bank_label_before(_before(text, m.start(), 25)) or _BANK_AFTER.search(
            _after(text, m.end(), 12)
        ):
            # Below the checked identifiers: a phone or card number near "입금" stays what it is.
            yield ("account", m.start(), m.end(), 0.8)


# --- business and other context-bound numbers -------------------------------------------------

_BUSINESS = re.compile(_L + r"(?:([0-9]{3})-([0-9]{2})-([0-9]{5})|([0-9]{10}))" + _R)
_BUSINESS_CONTEXT = re.compile(r"사업자")


def business_regs(text: str) -> Iterator[Candidate]:
    for m in _BUSINESS.finditer(text):
        digits = m.group(0).replace("-", "")
        if business_reg_check_digit(digits[:9]) != int(digits[9]):
            continue
        if m.group(4) is None:
            yield ("business_reg", m.start(), m.end(), 0.95)
        elif _BUSINESS_CONTEXT.search(_before(text, m.start(), 20)):
            yield ("business_reg", m.start(), m.end(), 0.9)


_PASSPORT = re.compile(
    r"(?<![0-9A-Za-z])[MSRGDOT](?:[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])"
)
_PASSPORT_CONTEXT = re.compile(r"여권|passport", re.IGNORECASE)


def passports(text: str) -> Iterator[Candidate]:
    for m in _PASSPORT.finditer(text):
        if _PASSPORT_CONTEXT.search(_before(text, m.start(), 30)):
            yield ("passport", m.start(), m.end(), 0.95)


_LICENSE = re.compile(_L + r"([0-9]{2})(-?)[0-9]{2}\2[0-9]{6}\2[0-9]{2}" + _R)
_LICENSE_CONTEXT = re.compile(r"운전|면허")
# Before the numeric region codes, licences began with the issuing region's name.
_OLD_LICENSE = re.compile(
    r"(?<![가-힣])(?:서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산)"
    r" ?[0-9]{2}-[0-9]{6}-[0-9]{2}" + _R
)


def driver_licenses(text: str) -> Iterator[Candidate]:
    for m in _LICENSE.finditer(text):
        if not 11 <= int(m.group(1)) <= 28:  # regional issuing office codes
            continue
        context = _LICENSE_CONTEXT.search(_before(text, m.start(), 30))
        if context:
            yield ("driver_license", m.start(), m.end(), 0.95)
        elif m.group(2):
            # The hyphenated NN-NN-NNNNNN-NN shape is distinctive on its own.
            yield ("driver_license", m.start(), m.end(), 0.75)
    for m in _OLD_LICENSE.finditer(text):
        # A region name then 2-6-2 digits is distinctive too; the label makes it surer.
        sure = _LICENSE_CONTEXT.search(_before(text, m.start(), 30))
        yield ("driver_license", m.start(), m.end(), 0.95 if sure else 0.8)


_HEALTH = re.compile(_L + r"(?:[0-9]-[0-9]{10}|[0-9]{11})" + _R)
_HEALTH_CONTEXT = re.compile(r"건강\s*보험|건보|보험증|의료\s*보험")


def health_insurances(text: str) -> Iterator[Candidate]:
    for m in _HEALTH.finditer(text):
        if _HEALTH_CONTEXT.search(_before(text, m.start(), 25)):
            # Above a glued mobile number (also 11 digits): the field label decides.
            yield ("health_insurance", m.start(), m.end(), 0.96)


# --- IP addresses ----------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(r"(?<![0-9A-Za-z.])" + _OCTET + r"(?:\." + _OCTET + r"){3}" + _R)
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])")
_VERSION_CONTEXT = re.compile(r"(?:버전|version|ver\.?|v)\s*$", re.IGNORECASE)


# "규정 5.8.9.5절": a dotted section number, not an address
_SECTION_AFTER = re.compile(r"[절조항장편관]")


def ips(text: str) -> Iterator[Candidate]:
    for m in _IPV4.finditer(text):
        if _VERSION_CONTEXT.search(_before(text, m.start(), 10)):
            continue
        if _SECTION_AFTER.match(text, m.end()):
            continue
        yield ("ip", m.start(), m.end(), 0.9)
    if ":" not in text:
        return
    for m in _IPV6.finditer(text):
        value = m.group(0)
        # Clock times (18:11:55) have neither "::" nor eight groups.
        if "::" not in value and value.count(":") != 7:
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        yield ("ip", m.start(), m.end(), 0.9)


# --- addresses: road-name (도로명주소) and lot-number (지번주소) --------------------------------

_PROVINCE = (
    r"서울특별시|서울시|서울|부산광역시|부산시|부산|대구광역시|대구시|대구|인천광역시|인천시|인천"
    r"|광주광역시|광주시|광주|대전광역시|대전시|대전|울산광역시|울산시|울산"
    r"|세종특별자치시|세종시|세종|경기도|경기|강원특별자치도|강원도|강원|충청북도|충북"
    r"|충청남도|충남|전북특별자치도|전라북도|전북|전라남도|전남|경상북도|경북|경상남도|경남"
    r"|제주특별자치도|제주도|제주"
)
# Everyday words ending in 시/군/구 that may stand right before a district: "당시 송파구 ...".
_NOT_A_DISTRICT = [
    "당시",
    "다시",
    "역시",
    "동시",
    "즉시",
    "수시",
    "임시",
    "항시",
    "표시",
    "지시",
    "개시",
    "게시",
    "감시",
    "무시",
    "제시",
    "실시",
    "연구",
    "요구",
    "친구",
    "도구",
    "입구",
    "출구",
    "가구",
    "지구",
    "추구",
    "장군",
    "아군",
    "적군",
]
_DISTRICT = (  # 시/군/구, e.g. 성남시 분당구
    r"(?!(?:" + "|".join(_NOT_A_DISTRICT) + r")\s)[가-힣]{1,6}(?:시|군|구)"
)
# Where an address starts: a province with up to two districts, or, as often written in
# letters and forms, the district alone ("강남구 테헤란로 123").
_AREA = (
    r"(?<![가-힣])(?:(?:" + _PROVINCE + r")(?:\s+" + _DISTRICT + r"){0,2}"
    r"|" + _DISTRICT + r"(?:\s+" + _DISTRICT + r")?)"
)
_TOWN = r"(?:\s+[가-힣]{1,6}(?:읍|면))?"
_NOT_A_COUNT = r"(?![0-9])(?!\s?(?:명|개|원|년|월|일|시간|분|초|대|건|회|%|차|번째))"
# optional unit: ", 3층", " 101동 1203호", " 302호"
_UNIT = (
    r"(?:,?\s?(?:지하\s?)?[0-9]{1,3}층(?:\s?[0-9]{1,5}호)?|,?\s[0-9]{1,4}동\s?[0-9]{1,5}호"
    r"|,?\s[0-9]{1,5}호)?"
)
_ROAD_ADDRESS = re.compile(
    _AREA + _TOWN + r"\s+([가-힣0-9]{1,12}(?:로|길))"  # road name
    r"(?:\s?[0-9]{1,4}(?:번길|번가길|가길))?"
    r"\s?(?:지하\s?)?[0-9]{1,5}(?:-[0-9]{1,4})?"  # building number, "지하 396" underground
     + _NOT_A_COUNT + _UNIT
)
# Words ending in 로 that are adverbs, not roads: "강남구 바로 10분", "서울시 별로 3곳".
_NOT_A_ROAD = frozenset(
    [
        "새로",
        "별로",
        "주로",
        "따로",
        "서로",
        "바로",
        "대로",
        "실제로",
        "최초로",
        "최고로",
        "정도로",
        "대체로",
        "스스로",
        "날로",
        "홀로",
        "함부로",
        "절로",
        "저절로",
        "제대로",
        "마음대로",
        "차례로",
        "순서로",
        "공식적으로",
        "대규모로",
        "결과로",
    ]
)
# Lot numbers: 동/가 (city) or 리 (county, after its 읍/면), then the lot ("123-4", "55번지").
# Matched from the 동/리 on and extended backwards (_LOT_AREA): a leading optional area would be
# tried at every Hangul character of the text, which made this rule the slowest of all.
_LOT_ADDRESS = re.compile(
    r"(?<![가-힣0-9])([가-힣]{1,5}(?:동|리)|[가-힣]{1,4}[0-9]{1,2}가)"
    r"\s?(?:산\s?)?[0-9]{1,5}(?:-[0-9]{1,4})?(번지)?"  # "산12-3": a lot on a mountain
    # a lot number is followed by a space, punctuation, a particle or the end, never by a
    # counter ("우동 2그릇", "활동 3회") or a unit number ("가동 101호")
    r"(?![0-9])(?=$|[\s,.)\]」』\"'/]|에|의|은|는|이|으로|로|입니|일대|소재)" + _UNIT
)
_LOT_AREA = re.compile(r"(?:" + _AREA + _TOWN + r")\s+$")
# Everyday nouns ending in 동 or 리, which a bare "<word> <number>" would otherwise take for a
# place: "활동 3", "운동 10", "처리 2".
_NOT_A_PLACE = frozenset(
    [
        "활동",
        "운동",
        "이동",
        "자동",
        "행동",
        "변동",
        "공동",
        "노동",
        "작동",
        "연동",
        "가동",
        "나동",
        "다동",
        "감동",
        "출동",
        "진동",
        "충동",
        "냉동",
        "파동",
        "난동",
        "소동",
        "발동",
        "선동",
        "유동",
        "수동",
        "능동",
        "요동",
        "기동",
        "구동",
        "미동",
        "부동",
        "합동",
        "협동",
        "율동",
        "혼동",
        "반동",
        "피동",
        "한동",
        "각동",
        "전동",
        "정동",
        "중동",
        "처리",
        "관리",
        "거리",
        "소리",
        "자리",
        "머리",
        "요리",
        "정리",
        "우리",
        "논리",
        "원리",
        "무리",
        "수리",
        "승리",
        "대리",
        "총리",
        "경리",
        "심리",
        "진리",
        "다리",
        "도리",
        "고리",
        "구리",
        "유리",
        "차리",
        "저리",
        "이리",
        "그리",
        "조리",
        "물리",
        "순리",
        "섭리",
        "추리",
        "의리",
    ]
)


def addresses(text: str) -> Iterator[Candidate]:
    for m in _ROAD_ADDRESS.finditer(text):
        road = m.group(1)
        if road.endswith("으로") or road in _NOT_A_ROAD:
            continue
        yield ("address", m.start(), m.end(), 0.8)
    for m in _LOT_ADDRESS.finditer(text):
        place = m.group(1)
        window_start = max(0, m.start() - 40)
        # pos/endpos rather than a slice, so the area's lookbehind still sees the text before
        area = _LOT_AREA.search(text, window_start, m.start())
        start = area.start() if area else m.start()
        bare = area is None  # no province, district or town before it
        if place.endswith("리") and bare:
            continue  # a 리 is named with its 읍/면; alone it is mostly a common noun
        if bare and place in _NOT_A_PLACE and not m.group(2):
            # "중동 402" may be 해운대구 중동 or the Middle East; "연동 88번지" is a place.
            continue
        yield ("address", start, m.end(), 0.75 if bare else 0.8)


RULES = {
    "rrn": registrations,
    "frn": registrations,
    "corp_reg": registrations,
    "phone": phones,
    "email": emails,
    "card": cards,
    "account": accounts,
    "business_reg": business_regs,
    "passport": passports,
    "driver_license": driver_licenses,
    "health_insurance": health_insurances,
    "ip": ips,
    "address": addresses,
}
