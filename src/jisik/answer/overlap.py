"""Character-bigram overlap between a question and a sentence.

Morphological analysis sometimes splits a rare noun wrongly in a question
("내선" read as a verb); surface bigrams still match, so they back the term
coverage up with a small weight.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[0-9A-Za-z가-힣]+")
# Bigrams of question endings and particles, frequent in any text.
_ENDING_BIGRAMS = frozenset(
    "하나 나요 해야 려면 으로 인가 가요 까요 습니 니까 어야 에서 하는 되나 있나 없나 는지 한가 할까 "
    "인지 이야 야하 하면 에게 까지 부터 이상 무엇 언제 어디 누구 어떻 떻게 얼마 몇번".split()
)


def question_bigrams(question: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in _WORD.findall(question.lower()):
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(grams - _ENDING_BIGRAMS)


def bigram_coverage(bigrams: frozenset[str], sentence: str) -> float:
    if not bigrams:
        return 0.0
    compact = "".join(_WORD.findall(sentence.lower()))
    return sum(1 for gram in bigrams if gram in compact) / len(bigrams)
