"""What kind of answer a question asks for, and whether a sentence can hold one.

A factoid question ("몇 일", "언제", "어느 이메일") is answered by a sentence that
contains that kind of value; preferring such sentences is a cheap, reliable
signal for extractive answers. The value must be a new one: a sentence whose
only number is the question's own ("300승 이상 한 투수는 몇 명?") restates the
question, the answer is elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number standing alone, not part of a model name or code ("갤럭시 S7", "A4").
_NUMBER = r"(?<![A-Za-z0-9])\d+(?:[.,]\d+)*"


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    value: re.Pattern[str]  # a value of this kind, as it appears in a sentence
    miss: float  # factor for a sentence without a new value: the more specific, the lower
    # Keys of a form field or table column that hold this kind ("접수 기간",
    # "사업비", "Venue"), matched against the key with its spaces removed.
    keys: re.Pattern[str] = re.compile(r"(?!)")


GENERIC_KINDS = ("number", "person")  # answered by any number / checked by names


def _topic(nouns: str) -> str:
    """A question that ends on one of these nouns as its topic ("…수상한 해는?",
    "…당시 나이는?") asks for that kind of value without a question word. Whole words
    only: "이해는?" is not asking for a year."""
    return rf"(?<![가-힣])(?:{nouns})(?:은|는|이|가)?\s*[?？.]*\s*$"


_I = re.IGNORECASE
_PHONE = r"(?<!\d)0\d{1,3}[-.)\s]\s*\d{3,4}[-.\s]\d{4}(?!\d)|내선\s*\d{3,5}|ext\.?\s*\d{3,5}"
_EMAIL = r"[\w.+-]+@[\w-]+(\.[\w-]+)+"
_MONEY = (
    r"(?:금\s*)?" + _NUMBER + r"\s*(?:천|만|억|조)?\s*(?:원|달러|유로|엔)|"
    r"(?:KRW|USD|EUR|\$|₩|€)\s*" + _NUMBER + r"|" + _NUMBER + r"\s*(?:KRW|USD|dollars?|won)"
)

# (kind, how a question asks for it). The order matters only for the highlight:
# the first asked kind whose value a sentence holds is the one marked.
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind(
            "email",
            re.compile(_EMAIL),
            0.5,
            re.compile(r"이메일|메일|e-?mail", _I),
        ),
        re.compile(r"이메일|메일\s*주소|e-?mail", _I),
    ),
    (
        Kind(
            "contact",
            re.compile(_PHONE + "|" + _EMAIL, _I),
            0.6,
            re.compile(r"문의|연락|전화|내선|담당부서|contact|phone|tel|inquir", _I),
        ),
        re.compile(
            r"연락처|전화\s*번호|전화|내선|문의|어디로\s*(연락|문의)|누구한테\s*(연락|문의)|"
            r"contact|phone|call|reach",
            _I,
        ),
    ),
    (
        Kind(
            "amount",
            re.compile(_MONEY, _I),
            0.6,
            re.compile(
                r"비용|금액|사업비|예산|가격|요금|경조금|지원금|보조금|한도|급여|수당|상금|"
                r"참가비|회비|단가|액$|비$|cost|price|fee|amount|budget|limit|allowance|rate",
                _I,
            ),
        ),
        re.compile(
            r"얼마(?!나|\s*(?:뒤|후|동안|만에|간|전|이내|지나))|비용|금액|예산|가격|요금|한도|사업비|[0-9]+\s*원|몇\s*(만|천|억)?\s*원|"
            r"how\s+much|cost|price|budget|fee|amount|allowance|limit",
            _I,
        ),
    ),
    (
        Kind(
            "date",
            re.compile(
                _NUMBER + r"\s*(년|월|일|시|분기|세기)|\d{4}\s*[-./]\s*\d{1,2}|\d{1,2}:\d{2}|"
                r"(오전|오후|매년|매월|매주)|[월화수목금토일]요일|"
                r"(January|February|March|April|May|June|July|August|September|October|"
                r"November|December)\s+\d{1,2}|\b\d{1,2}\s*(am|pm|a\.m\.|p\.m\.)",
                _I,
            ),
            0.7,
            re.compile(
                r"기간|일시|일자|날짜|기한|마감|시간|일정|시기|접수|보도|발표|개최|마감일|"
                r"date|deadline|period|time|when|schedule|due",
                _I,
            ),
        ),
        re.compile(
            r"언제|날짜|일시|일자|시각|며칠에|며칠까지|기한|마감|몇\s*(년|월|일|시)|몇\s*년도|연도|시기|일정|"
            r"\bwhen\b|what\s+time|deadline|due\s+date|\bdate\b|" + _topic("해|날|때|년도|시점"),
            _I,
        ),
    ),
    (
        Kind(
            "count",
            re.compile(_NUMBER + r"\s*(명|개|건|회|팀|곳|대|개소|인|people|persons|teams)", _I),
            0.7,
            re.compile(r"인원|정원|규모|모집|선정|수$|headcount|participants|number", _I),
        ),
        re.compile(r"몇\s*(명|개|팀|건|곳|회|번)|인원|정원|how\s+many", _I),
    ),
    (
        Kind(
            "place",
            re.compile(
                r"\d+\s*층|\d+\s*호|[가-힣]+(?:시|구|군|동|로|길|센터|홀|관|강당|회의실|공원|"
                r"광장|경기장|체육관|도서관|대학교|청사)(?![가-힣])|온라인|비대면|online",
                _I,
            ),
            0.8,
            re.compile(r"장소|위치|주소|개최지|행사장|곳$|venue|place|location|address|where", _I),
        ),
        re.compile(r"어디|장소|위치|주소|\bwhere\b|venue|location|address", _I),
    ),
    (
        Kind(
            "reason",
            # How a sentence gives a cause or purpose: 때문, 위해, 따라, 으로 인해 …
            re.compile(
                r"때문|위해|위하여|위한|므로|인해|인하여|에\s*따라|따른|하고자|이유|목적|"
                r"because|in\s+order\s+to|so\s+that|due\s+to",
                _I,
            ),
            0.8,
            re.compile(r"이유|사유|목적|배경|취지|why|reason|purpose", _I),
        ),
        re.compile(r"왜|이유|까닭|사유|무슨\s*목적|\bwhy\b|reason", _I),
    ),
    (
        Kind(
            "person",
            re.compile(r"(?!)"),  # people are found as proper nouns (asks_for_name)
            1.0,
            re.compile(
                r"담당|책임자|대표|성명|이름|주관|주최|신청인|작성자|person|manager|owner|"
                r"organi[sz]er|responsible",
                _I,
            ),
        ),
        re.compile(r"누구|누가|담당자|책임자|\bwho\b|whom", _I),
    ),
    (
        Kind(
            "number",
            # With its unit, so the highlight reads "11일", not "11".
            re.compile(
                _NUMBER + r"(?:\s*(?:만|천|억)?\s*(?:원|일|개월|달|년|주|시간|분|초|명|개|건|회|%|"
                r"퍼센트|배|세|층|호|km|kg|GB|MB|시))?|하루|이틀|사흘|나흘|한\s*달|절반"
            ),
            0.75,
        ),
        re.compile(
            r"몇|얼마|며칠|금액|한도|비율|기간|번호|내선|전화|how\s+(many|much|long)|"
            + _topic("나이|기록|용량|갯수|개수|인구|면적|길이|높이|무게|액수|가격|점수|수"),
            _I,
        ),
    ),
)


def expected_kinds(question: str) -> list[Kind]:
    """The answer kinds a question asks for. A plain number answers only when no
    more specific kind is asked: "가격은 얼마?" is not answered by "1,300개"."""
    kinds = [kind for kind, asks in _KINDS if asks.search(question)]
    specific = [k for k in kinds if k.name not in GENERIC_KINDS]
    return specific or kinds


# Questions for a person or a place: answered by a proper noun (Kiwi's NNP).
_NAME_ASKS = re.compile(r"누구|누가|인물|사람[은의이]|이름|어디|어느\s*(나라|도시|지역|곳|국가)")


def asks_for_name(question: str) -> bool:
    return bool(_NAME_ASKS.search(question))


def kind_factor(kinds: list[Kind], sentence: str, question: str = "") -> float:
    """1 when the sentence holds a value of an asked kind that the question does not
    already contain, else the lowest miss factor of the asked kinds."""
    if not kinds or any(new_value(k, sentence, question) for k in kinds):
        return 1.0
    return min(k.miss for k in kinds)


def new_value(kind: Kind, text: str, question: str) -> tuple[int, int] | None:
    """The span of the first value of ``kind`` in ``text`` that the question does
    not already hold, or None."""
    known = {_compact(m.group()) for m in kind.value.finditer(question)}
    for match in kind.value.finditer(text):
        if _compact(match.group()) not in known:
            return match.span()
    return None


def _compact(text: str) -> str:
    return "".join(text.split())
