"""Query-side vocabulary: words a question may use for what a document says otherwise.

People ask with other words than the documents use: 장모님 for 배우자의 부모,
한 달 for 1개월, 과기정통부 for 과학기술정보통신부, Samsung for 삼성, "annual
leave" over a Korean handbook. A lexicon is groups of phrases that mean the same
in a workplace; when a question contains one phrase of a group, the other
phrases' terms are added to the query with a lower weight, and the answerer
accepts them as covering the phrase. Documents are never expanded, so a lexicon
change needs no reindex.

The bundled groups (``lexicon.txt``) are written for jisik; a user adds their own
with the ``lexicon`` setting, a file in the same format: one group a line,
phrases separated by ``=``, ``#`` starting a comment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jisik.errors import ConfigError

# Weight of an added term against a term the question itself holds: an alternative
# is evidence, but weaker than the question's own word.
EXPANSION_WEIGHT = 0.5
MIN_PHRASE_CHARS = 2  # a one-letter phrase would match inside almost any word


@dataclass(frozen=True, slots=True)
class Expansion:
    """One lexicon phrase found in a question, with what else it may be written as."""

    phrase: str
    terms: tuple[str, ...]  # the found phrase's own terms (may be empty: 한 달)
    alternatives: tuple[tuple[str, ...], ...]  # terms of each other phrase of its group


def _compact(text: str) -> str:
    return "".join(text.lower().split())


def read_groups(text: str, origin: str) -> list[tuple[str, ...]]:
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        phrases = tuple(dict.fromkeys(" ".join(p.split()) for p in line.split("=")))
        if len(phrases) < 2 or any(len(_compact(p)) < MIN_PHRASE_CHARS for p in phrases):
            raise ConfigError(
                f"{origin}:{number}: expected two or more phrases of at least "
                f"{MIN_PHRASE_CHARS} letters separated by '=' (e.g. '연봉 = 급여'), got {line!r}"
            )
        groups.append(phrases)
    return groups


LEXICON_OFF = "off"


def lexicon_groups(user_path: str = "") -> list[tuple[str, ...]]:
    """The bundled groups plus those of ``user_path``; none when it is "off"."""
    if user_path.strip().lower() == LEXICON_OFF:
        return []
    bundled = resources.files("jisik.text").joinpath("lexicon.txt")
    groups = read_groups(bundled.read_text(encoding="utf-8"), "lexicon.txt")
    if user_path:
        path = Path(user_path).expanduser()
        try:
            groups += read_groups(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise ConfigError(f"cannot read lexicon {path}: {exc}") from exc
    return groups


class _Matcher:
    """Finds phrases in a question: Hangul phrases ignoring spacing (한 달 = 한달),
    Latin ones as whole words (so "ms" is not found inside "terms")."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.hangul: dict[str, str] = {}
        latin: dict[str, str] = {}
        for phrase in phrases:
            key = _compact(phrase)
            if key.isascii():
                latin.setdefault(key, phrase)
            else:
                self.hangul.setdefault(key, phrase)
        # Longest first, so "annual leave" is found before "leave" at the same place.
        ordered = sorted(latin, key=len, reverse=True)
        pattern = "|".join(r"\s*".join(map(re.escape, key)) for key in ordered)
        self.latin = re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])") if ordered else None
        self.latin_phrase = latin

    def find(self, text: str) -> list[str]:
        lowered = text.lower()
        compact = _compact(text)
        found = [
            phrase
            for key, phrase in self.hangul.items()
            if key in compact and _whole_number(key, compact)
        ]
        if self.latin is not None:
            for match in self.latin.finditer(lowered):
                found.append(self.latin_phrase[_compact(match.group())])
        return list(dict.fromkeys(found))


def _whole_number(key: str, text: str) -> bool:
    """A phrase starting with a digit is found only where no digit precedes it:
    "1일" is in "1일 휴가", not in "11일"."""
    if not key[0].isdigit():
        return True
    start = text.find(key)
    while start != -1:
        if start == 0 or not (text[start - 1].isdigit() or text[start - 1] in ",."):
            return True
        start = text.find(key, start + 1)
    return False


class QueryExpander:
    """The lexicon's expansions of a question, with phrase terms from the analyzer."""

    def __init__(self, groups: Sequence[tuple[str, ...]], terms_of: Callable[[str], list[str]]):
        self.terms_of = terms_of
        self.groups_of: dict[str, list[tuple[str, ...]]] = {}
        for group in groups:
            for phrase in group:
                self.groups_of.setdefault(_compact(phrase), []).append(group)
        self.matcher = _Matcher([p for g in groups for p in g])
        self._terms: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _phrase_terms(self, phrase: str) -> tuple[str, ...]:
        with self._lock:
            cached = self._terms.get(phrase)
        if cached is None:
            cached = tuple(dict.fromkeys(self.terms_of(phrase)))
            with self._lock:
                self._terms[phrase] = cached
        return cached

    def expand(self, question: str) -> list[Expansion]:
        out = []
        for phrase in self.matcher.find(question):
            others: dict[tuple[str, ...], None] = {}
            for group in self.groups_of.get(_compact(phrase), []):
                for other in group:
                    if _compact(other) != _compact(phrase):
                        terms = self._phrase_terms(other)
                        if terms:
                            others[terms] = None
            if others:
                out.append(Expansion(phrase, self._phrase_terms(phrase), tuple(others)))
        return out

    def alternatives(
        self, question: str, own: Sequence[str]
    ) -> tuple[tuple[tuple[tuple[str, float], ...], ...], ...]:
        """Per phrase found, its other ways of writing as weighted term tuples for a
        lexical query: a way's terms share EXPANSION_WEIGHT, and ways that add
        nothing to the question's own terms are left out."""
        have = set(own)
        groups = []
        for expansion in self.expand(question):
            ways = []
            for way in expansion.alternatives:
                terms = [t for t in way if len(t) >= MIN_PHRASE_CHARS]
                if not terms or set(terms) <= have:
                    continue
                ways.append(tuple((t, EXPANSION_WEIGHT / len(terms)) for t in terms))
            if ways:
                groups.append(tuple(ways))
        return tuple(groups)
