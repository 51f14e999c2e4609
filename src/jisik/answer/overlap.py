"""Character-bigram overlap between a question and a sentence.

Morphological analysis sometimes splits a rare noun wrongly in a question
("내선" read as a verb); surface bigrams still match, so they back the term
coverage up with a small weight.
"""

from __future__ import annotations

import re

from jisik.text.grams import QUESTION_FILLER_BIGRAMS

_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


def question_bigrams(question: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in _WORD.findall(question.lower()):
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(grams - QUESTION_FILLER_BIGRAMS)


def bigram_coverage(bigrams: frozenset[str], sentence: str) -> float:
    if not bigrams:
        return 0.0
    compact = "".join(_WORD.findall(sentence.lower()))
    return sum(1 for gram in bigrams if gram in compact) / len(bigrams)
