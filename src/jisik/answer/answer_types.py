"""What kind of answer a question asks for, and whether a sentence can hold one.

A factoid question ("몇 일", "언제", "어느 이메일") is answered by a sentence that
contains that kind of value; preferring such sentences is a cheap, reliable
signal for extractive answers.
"""

from __future__ import annotations

import re

# (kind, how a question asks for it, what a sentence holding it looks like, the
# factor for a sentence that cannot hold it: the more specific the kind, the lower)
_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str], float], ...] = (
    (
        "email",
        re.compile(r"이메일|메일\s*주소|e-?mail", re.IGNORECASE),
        re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
        0.5,
    ),
    (
        "date",
        re.compile(r"언제|날짜|며칠에|기한|몇\s*(년|월|일)에|\bwhen\b", re.IGNORECASE),
        re.compile(r"\d+\s*(년|월|일|시|분기|세기)|\d{4}[-./]\d{1,2}|(오전|오후|매년|매월)"),
        0.7,
    ),
    (
        "number",
        re.compile(
            r"몇|얼마|며칠|금액|한도|비율|기간|번호|내선|전화|how\s+(many|much|long)",
            re.IGNORECASE,
        ),
        re.compile(r"\d|하루|이틀|사흘|나흘|한\s*달|절반"),
        0.75,
    ),
)


Kind = tuple[str, re.Pattern[str], float]


def expected_kinds(question: str) -> list[Kind]:
    """The answer kinds a question asks for: (name, sentence pattern, miss factor)."""
    return [(name, value, miss) for name, asks, value, miss in _KINDS if asks.search(question)]


def kind_factor(kinds: list[Kind], sentence: str) -> float:
    """1 when the sentence can hold an answer of an asked kind, else the lowest factor."""
    if not kinds or any(value.search(sentence) for _, value, _ in kinds):
        return 1.0
    return min(miss for _, _, miss in kinds)
