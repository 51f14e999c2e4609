"""Scores of an answer's text against reference answers.

- ``exact_match`` and ``char_f1`` follow the KorQuAD 1.0 scoring: both texts are
  normalised (lower case, punctuation and the quote and bracket marks Korean text uses
  removed, spaces collapsed); F1 is over characters, spaces left out, because a Korean
  word carries its particles (“서울에서” against “서울”).
- ``rouge_l`` is the F-measure of the longest common subsequence of characters (spaces
  left out), for long reference answers written in prose (autorag-ko).
The best over a question's reference answers counts. Citation markers (“[1]”) are not
part of an answer's text.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable

_MARKERS = re.compile(r"\[\d{1,3}\]")
_EXTRA_MARKS = "'\"《》<>〈〉()‘’“”「」『』【】·…"
_DROP = str.maketrans("", "", string.punctuation + _EXTRA_MARKS)
ROUGE_MAX_CHARS = 3000  # the LCS table is quadratic: longer texts are cut for scoring


def normalise_answer(text: str) -> str:
    text = unicodedata.normalize("NFC", _MARKERS.sub(" ", text)).lower()
    return " ".join(text.translate(_DROP).split())


def _chars(text: str) -> list[str]:
    return [ch for ch in normalise_answer(text) if not ch.isspace()]


def exact_match(prediction: str, references: Iterable[str]) -> float:
    guess = normalise_answer(prediction)
    return float(any(guess == normalise_answer(r) for r in references))


def char_f1(prediction: str, references: Iterable[str]) -> float:
    return max((_f1(_chars(prediction), _chars(r)) for r in references), default=0.0)


def _f1(guess: list[str], gold: list[str]) -> float:
    common = sum((Counter(guess) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(guess), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def rouge_l(prediction: str, references: Iterable[str]) -> float:
    return max((_rouge_l(_chars(prediction), _chars(r)) for r in references), default=0.0)


def _rouge_l(guess: list[str], gold: list[str]) -> float:
    guess, gold = guess[:ROUGE_MAX_CHARS], gold[:ROUGE_MAX_CHARS]
    if not guess or not gold:
        return 0.0
    lcs = _lcs_length(guess, gold)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(guess), lcs / len(gold)
    return 2 * precision * recall / (precision + recall)


def _lcs_length(a: list[str], b: list[str]) -> int:
    # One row at a time: memory linear in the shorter text.
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]
