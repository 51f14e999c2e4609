"""Character bigrams of Hangul words: a second view of the text beside morphemes.

Bigrams match what morphological analysis splits differently in a document and
in a question (rare compounds, names, typos), which is why CJK search engines
keep such a field. Pure function, used for documents and queries alike.
"""

from __future__ import annotations

import re

_HANGUL_WORD = re.compile(r"[가-힣]+")
# Bigrams of question endings, particles and question words: frequent in any
# text, so in a query they only add noise.
QUESTION_FILLER_BIGRAMS = frozenset(
    "하나 나요 해야 려면 으로 인가 가요 까요 습니 니까 어야 에서 하는 되나 있나 없나 는지 한가 할까 "
    "인지 이야 야하 하면 에게 까지 부터 무엇 언제 어디 누구 어떻 떻게 얼마 몇번 었나 였나 었는 였는 "
    "엇인 무슨 는가 은가 인가 한다 했다 하였 였다 었다 되었 이다 입니 니다".split()
)


def hangul_bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for word in _HANGUL_WORD.findall(text):
        if len(word) == 1:
            continue
        grams.extend(word[i : i + 2] for i in range(len(word) - 1))
    return grams


def query_bigrams(text: str) -> list[str]:
    """Bigrams of a question, without the fillers every question has."""
    return [g for g in hangul_bigrams(text) if g not in QUESTION_FILLER_BIGRAMS]
