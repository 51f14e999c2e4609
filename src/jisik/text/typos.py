"""Typo tolerance at the level of Hangul letters (jamo).

A question typed in a hurry has a slip in one letter of a word: 연말정싼 for
연말정산, 휴갸 for 휴가, 재텍 for 재택. Kiwi's own typo model fixes few of these
(measured: 1 of 5 such slips), and the analyzer then sees an unknown word that
no document contains. Such a word still matches a word of the same number of
syllables that differs from it in one jamo (a vowel, an initial or a final
consonant, or a final consonant added or dropped).

Only words no document contains are treated this way: a word the corpus knows
is taken as meant.
"""

from __future__ import annotations

import re

_BASE, _LAST = 0xAC00, 0xD7A3
_HANGUL_RUN = re.compile(r"[가-힣]+")
MIN_SYLLABLES = 2


def _jamo(syllable: str) -> tuple[int, int, int]:
    code = ord(syllable) - _BASE
    return code // 588, (code % 588) // 28, code % 28


def is_hangul_word(text: str) -> bool:
    return len(text) >= MIN_SYLLABLES and all(_BASE <= ord(ch) <= _LAST for ch in text)


def one_jamo_apart(a: str, b: str) -> bool:
    """Same number of syllables, exactly one jamo different (final consonant
    present in one and absent in the other counts as one)."""
    if len(a) != len(b) or a == b:
        return False
    differences = 0
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        differences += sum(p != q for p, q in zip(_jamo(x), _jamo(y), strict=True))
        if differences > 1:
            return False
    return differences == 1


def near_in(word: str, text: str) -> bool:
    """Whether ``text`` holds a run of syllables one jamo away from ``word``."""
    n = len(word)
    for run in _HANGUL_RUN.findall(text):
        for i in range(len(run) - n + 1):
            if one_jamo_apart(word, run[i : i + n]):
                return True
    return False
