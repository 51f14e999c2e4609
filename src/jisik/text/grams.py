"""Character bigrams of Hangul words: a second view of the text beside morphemes.

Bigrams match what morphological analysis splits differently in a document and
in a question (rare compounds, names, typos), which is why CJK search engines
keep such a field. Pure function, used for documents and queries alike.
"""

from __future__ import annotations

import re

_HANGUL_WORD = re.compile(r"[가-힣]+")


def hangul_bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for word in _HANGUL_WORD.findall(text):
        if len(word) == 1:
            continue
        grams.extend(word[i : i + 2] for i in range(len(word) - 1))
    return grams
