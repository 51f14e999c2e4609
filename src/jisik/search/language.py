"""Which script a text is written in, so a question in another language than its
passages can be routed to the multilingual dense path."""

from __future__ import annotations

from collections.abc import Sequence

HANGUL = "hangul"
LATIN = "latin"
# A text is in a script when this share of its letters are; below it, it is mixed.
DOMINANT_SHARE = 0.6


def script(text: str) -> str | None:
    hangul = latin = 0
    for ch in text:
        if "가" <= ch <= "힣":
            hangul += 2  # a syllable says about as much as two or three Latin letters
        elif ch.isascii() and ch.isalpha():
            latin += 1
    letters = hangul + latin
    if not letters:
        return None
    if hangul / letters >= DOMINANT_SHARE:
        return HANGUL
    if latin / letters >= DOMINANT_SHARE:
        return LATIN
    return None


def other_language(question: str, passages: Sequence[str]) -> bool:
    """The question is in one script and most passages found are in the other."""
    asked = script(question)
    if asked is None or not passages:
        return False
    found = [script(p) for p in passages]
    others = sum(1 for s in found if s is not None and s != asked)
    return others > len(found) / 2
