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


def _topic(nouns: str) -> str:
    """A question that ends on one of these nouns as its topic ("…수상한 해는?",
    "…당시 나이는?") asks for that kind of value without a question word. Whole words
    only: "이해는?" is not asking for a year."""
    return rf"(?<![가-힣])(?:{nouns})(?:은|는|이|가)?\s*[?？.]*\s*$"


# (kind, how a question asks for it)
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind("email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), 0.5),
        re.compile(r"이메일|메일\s*주소|e-?mail", re.IGNORECASE),
    ),
    (
        Kind(
            "date",
            re.compile(
                _NUMBER + r"\s*(년|월|일|시|분기|세기)|\d{4}[-./]\d{1,2}|(오전|오후|매년|매월)"
            ),
            0.7,
        ),
        re.compile(
            r"언제|날짜|며칠에|기한|몇\s*(년|월|일)에|몇\s*년도|연도|시기|\bwhen\b|"
            + _topic("해|날|때|년도|시점"),
            re.IGNORECASE,
        ),
    ),
    (
        Kind("number", re.compile(_NUMBER + r"|하루|이틀|사흘|나흘|한\s*달|절반"), 0.75),
        re.compile(
            r"몇|얼마|며칠|금액|한도|비율|기간|번호|내선|전화|how\s+(many|much|long)|"
            + _topic("나이|기록|용량|갯수|개수|인구|면적|길이|높이|무게|액수|가격|점수|수"),
            re.IGNORECASE,
        ),
    ),
)


def expected_kinds(question: str) -> list[Kind]:
    """The answer kinds a question asks for."""
    return [kind for kind, asks in _KINDS if asks.search(question)]


# Questions for a person or a place: answered by a proper noun (Kiwi's NNP).
_NAME_ASKS = re.compile(r"누구|누가|인물|사람[은의이]|이름|어디|어느\s*(나라|도시|지역|곳|국가)")


def asks_for_name(question: str) -> bool:
    return bool(_NAME_ASKS.search(question))


def kind_factor(kinds: list[Kind], sentence: str, question: str = "") -> float:
    """1 when the sentence holds a value of an asked kind that the question does not
    already contain, else the lowest miss factor of the asked kinds."""
    if not kinds or any(_has_new_value(k.value, sentence, question) for k in kinds):
        return 1.0
    return min(k.miss for k in kinds)


def _has_new_value(value: re.Pattern[str], sentence: str, question: str) -> bool:
    known = {_compact(m.group()) for m in value.finditer(question)}
    return any(_compact(m.group()) not in known for m in value.finditer(sentence))


def _compact(text: str) -> str:
    return "".join(text.split())
