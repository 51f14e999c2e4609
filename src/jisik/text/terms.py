"""Turning Kiwi morphemes into index terms.

Pure functions over (form, tag, start, end) tuples so the rules are easy to test
and identical for documents and queries.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import snowballstemmer

# Content morphemes kept as terms. Nouns, numbers, foreign words and Hanja carry
# the meaning a searcher types; particles and endings do not.
NOUN_TAGS = frozenset({"NNG", "NNP", "NR", "XR"})
KEEP_TAGS = NOUN_TAGS | frozenset({"SL", "SH", "SN", "W_SERIAL", "W_EMAIL", "W_URL", "W_HASHTAG"})
# Verb and adjective stems are kept with "다" appended so "받" (verb) never
# collides with a noun of the same spelling.
PREDICATE_TAGS = frozenset({"VV", "VA"})
# Bound nouns that act as units after a number ("15일", "3,000원", "2년").
UNIT_TAGS = frozenset({"NNB", "NNG"})

# Question words and light nouns that appear in questions far more than in the
# answers they look for; dropping them on both sides keeps BM25 focused.
STOP_TERMS = frozenset(
    {
        "무엇", "언제", "어디", "누구", "어떻", "어떤", "몇", "얼마", "얼마나", "어느", "왜",
        "무슨", "뭐", "것", "수", "등", "때", "중", "및", "경우", "관련", "대하",
        "하다", "되다", "있다", "없다", "이다", "않다", "같다", "위하다", "통하다", "대하다",
    }
)

# English function words: dropped like Korean particles (after stemming).
ENGLISH_STOP = frozenset(
    "a an the of to in on at for by with from and or but is are was were be been do does did "
    "how what when where which who whom why can could should would will shall may might must "
    "i you he she it we they me my your our their this that these those there here get got "
    "have has had not no as if than then so into about".split()
)

_LATIN_EDGE = re.compile(r"^[^0-9A-Za-z]+|[^0-9A-Za-z]+$")


class Morph(NamedTuple):
    form: str
    tag: str
    start: int
    end: int


_THREAD = threading.local()


def _english_stemmer() -> snowballstemmer.stemmer:
    # One per thread: a snowball stemmer keeps state between calls, and sharing
    # one across server threads raised IndexError under load.
    stemmer = getattr(_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _THREAD.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def _latin_term(form: str) -> str:
    original = _LATIN_EDGE.sub("", unicodedata.normalize("NFKC", form))
    word = original.lower()
    # "IT", "OR", "AS" in capitals are acronyms, not function words.
    if not word or (word in ENGLISH_STOP and not (original.isupper() and len(original) > 1)):
        return ""
    if word.isalpha() and len(word) > 3:
        return _english_stemmer().stemWord(word)
    return word


def _base_tag(tag: str) -> str:
    # Kiwi marks irregular conjugations as "VV-R", "VA-I" …
    return tag.split("-", 1)[0]


def morph_terms(morphs: Sequence[Morph], *, compounds: bool = True) -> list[str]:
    """Index terms for one sentence's morphemes, in order, with repeats."""
    terms: list[str] = []
    previous: Morph | None = None
    noun_run: list[Morph] = []

    def flush_run() -> None:
        if compounds and len(noun_run) > 1:
            # Whole compounds ("연차휴가") beside their parts ("연차", "휴가"):
            # a searcher may type either.
            terms.append("".join(m.form for m in noun_run))
        noun_run.clear()

    for morph in morphs:
        tag = _base_tag(morph.tag)
        adjacent = previous is not None and previous.end == morph.start
        if tag in NOUN_TAGS:
            if not (noun_run and noun_run[-1].end == morph.start):
                flush_run()
            noun_run.append(morph)
        else:
            flush_run()
        term = _term_for(morph, tag)
        if term and term not in STOP_TERMS:
            terms.append(term)
        if (
            tag in UNIT_TAGS
            and previous is not None
            and adjacent
            and _base_tag(previous.tag) == "SN"
        ):
            terms.append(previous.form.replace(",", "") + morph.form)
        previous = morph
    flush_run()
    return terms


_BASE_TAGS: dict[str, str] = {}
# (form, base tag) -> term ("" for none); Korean forms repeat so much that this saves
# most of the normalising. Cleared when full: a bound, not an LRU.
_TERMS: dict[tuple[str, str], str] = {}
_TERMS_MAX = 200_000


def _cached_term(form: str, tag: str) -> str:
    key = (form, tag)
    term = _TERMS.get(key)
    if term is None:
        term = _term_for(Morph(form, tag, 0, 0), tag)
        if term in STOP_TERMS:
            term = ""
        if len(_TERMS) >= _TERMS_MAX:
            _TERMS.clear()
        _TERMS[key] = term
    return term


def token_terms(tokens, line_length: int, *, compounds: bool = True) -> list[str]:
    """``morph_terms`` straight from Kiwi's tokens (``form``, ``tag``, ``start``,
    ``len``) of one line, ends clipped at ``line_length``: the same terms, without a
    Morph per token (ingest spends a fifth of its analysis time here)."""
    terms: list[str] = []
    run: list[str] = []  # forms of the adjacent nouns so far
    run_end = -1
    previous_end, previous_tag, previous_form = -1, "", ""
    for token in tokens:
        form, start, tag = token.form, token.start, token.tag
        base = _BASE_TAGS.get(tag)
        if base is None:
            base = _BASE_TAGS[tag] = _base_tag(tag)
        end = min(start + token.len, line_length)
        if base in NOUN_TAGS:
            if run and run_end != start:
                if compounds and len(run) > 1:
                    terms.append("".join(run))
                run = []
            run.append(form)
            run_end = end
        elif run:
            if compounds and len(run) > 1:
                terms.append("".join(run))
            run = []
        term = _cached_term(form, base)
        if term:
            terms.append(term)
        if base in UNIT_TAGS and previous_tag == "SN" and previous_end == start:
            terms.append(previous_form.replace(",", "") + form)
        previous_end, previous_tag, previous_form = end, base, form
    if compounds and len(run) > 1:
        terms.append("".join(run))
    return terms


def _term_for(morph: Morph, tag: str) -> str:
    if tag == "SL":
        return _latin_term(morph.form)
    if tag == "SN":
        return morph.form.replace(",", "")
    if tag in ("W_EMAIL", "W_URL", "W_SERIAL", "W_HASHTAG"):
        return unicodedata.normalize("NFKC", morph.form).lower()
    if tag in PREDICATE_TAGS:
        return morph.form + "다"
    if tag in KEEP_TAGS:
        return unicodedata.normalize("NFKC", morph.form).lower()
    return ""


def unique(terms: Iterable[str]) -> list[str]:
    """Distinct terms in first-seen order."""
    return list(dict.fromkeys(terms))
