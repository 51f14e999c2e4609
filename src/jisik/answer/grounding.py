"""Checking a generated answer against the passages it cites, sentence by sentence.

A sentence is kept only when every ``[n]`` it carries names a passage the model was
given, and the passages it cites support it: every number (amounts, dates, counts)
and every proper name in it occurs in them, and most of its content terms do. A
sentence that cites nothing is kept only when it carries no claim (no number, no name,
at most one content term: "다음과 같습니다."). What is removed is reported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jisik.types import Hit

MIN_TERM_SUPPORT = 0.5  # share of a sentence's content terms its passages must hold
_MARKER = re.compile(r"\[(\d{1,3})\]")
# A sentence ends at . ! ? (and their full-width forms) followed by space, or at a newline;
# markers right after the end ("…입니다. [1]") belong to the sentence before them.
_BREAK = re.compile(r"(?<=[.!?。？！])((?:\s*\[\d{1,3}\])*)\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class CitedSentence:
    text: str  # as generated, markers included
    cited: tuple[int, ...]  # the [n] it carries, in order, without repeats


@dataclass(frozen=True, slots=True)
class Verdict:
    sentence: CitedSentence
    supported: bool
    reason: str = ""  # why not, for the answer's "unsupported" list and the audit trail


def cited_sentences(text: str) -> list[CitedSentence]:
    """The generated text cut into sentences, each with the passage numbers it cites."""
    pieces: list[str] = []
    last = 0
    for match in _BREAK.finditer(text):
        end = match.start() + len(match.group(1) or "")
        pieces.append(text[last:end])
        last = match.end()
    pieces.append(text[last:])
    out = []
    for piece in pieces:
        piece = piece.strip()
        if piece:
            numbers = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(piece)))
            out.append(CitedSentence(piece, numbers))
    return out


def check(
    sentence: CitedSentence,
    passages: dict[int, Hit],
    terms_of: Callable[[str], list[str]],
    names_of: Callable[[str], frozenset[str]],
) -> Verdict:
    """Whether the numbered ``passages`` support ``sentence`` (``terms_of`` and
    ``names_of`` are the analyzer's content terms and proper nouns)."""
    claim = _MARKER.sub("", sentence.text).strip()
    terms = set(terms_of(claim))
    numbers = set(_numbers(claim))
    names = names_of(claim)
    if not sentence.cited:
        if numbers or names or len(terms) > 1:
            return Verdict(sentence, False, "cites no passage")
        return Verdict(sentence, True)
    unknown = [n for n in sentence.cited if n not in passages]
    if unknown:
        return Verdict(sentence, False, f"cites [{unknown[0]}], which it was not given")
    cited_text = "\n".join(passages[n].text for n in sentence.cited)
    cited_numbers = set(_numbers(cited_text))
    missing = sorted(numbers - cited_numbers)
    if missing:
        return Verdict(sentence, False, f"the number {missing[0]} is not in the cited passage")
    lowered = cited_text.lower()
    absent = sorted(name for name in names if name.lower() not in lowered)
    if absent:
        return Verdict(sentence, False, f"the name {absent[0]} is not in the cited passage")
    if terms:
        cited_terms = set(terms_of(cited_text))
        share = len(terms & cited_terms) / len(terms)
        if share < MIN_TERM_SUPPORT:
            return Verdict(
                sentence, False, f"only {share:.0%} of its words are in the cited passage"
            )
    return Verdict(sentence, True)


def check_all(
    text: str,
    passages: dict[int, Hit],
    terms_of: Callable[[str], list[str]],
    names_of: Callable[[str], frozenset[str]],
) -> list[Verdict]:
    return [check(s, passages, terms_of, names_of) for s in cited_sentences(text)]


def _numbers(text: str) -> list[str]:
    """Numbers as digits, without thousands separators ("3,000원" and "3000" agree)."""
    return [n.replace(",", "") for n in _NUMBER.findall(text)]


def kept_text(verdicts: Sequence[Verdict]) -> str:
    return " ".join(v.sentence.text for v in verdicts if v.supported)
