"""Extractive answers: the best supporting sentences of the top passages, cited.

No language model: every word of the answer is a sentence of a stored document,
so it cannot invent anything. A sentence is scored by how much of the question's
information (IDF-weighted terms) it covers, itself or in its neighbours and
heading, by surface bigram overlap, by whether it holds a new value of the kind
asked for (a number, a date, an e-mail address, a name the question does not
already contain), by its passage's rank and, when
an embedder is configured, a little by semantic similarity. Below the threshold
the answerer abstains rather than guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from jisik.answer.answer_types import asks_for_name, expected_kinds, kind_factor
from jisik.answer.base import ABSTAIN_MESSAGE
from jisik.answer.citations import cite
from jisik.answer.events import AnswerEvent, events_of, final_answer
from jisik.answer.fields import CELL_SEPARATOR, field_value
from jisik.answer.overlap import bigram_coverage, question_bigrams
from jisik.answer.ranges import asked_numbers, bracket_fit
from jisik.embed.base import Embedder
from jisik.search.language import other_language
from jisik.text.analyzer import Analyzer, join_letter_spaced
from jisik.text.lexicon import QueryExpander
from jisik.text.typos import is_hangul_word, near_in
from jisik.types import Answer, Hit

MAX_PASSAGES = 5
RANK_DECAY = 0.04  # a sentence from the 2nd passage loses 4 % against the 1st …
SIMILARITY_FLOOR = 0.35  # USE cosine below this says nothing about relevance
SIMILARITY_SPAN = 0.35  # … and at FLOOR + SPAN it counts as a full match
# A question in another language than its passages shares no words with them: its
# sentences are chosen by the multilingual embedder, which then weighs this much.
# An embedder may state its own cosine scale (e5's cosines sit between 0.75 and 0.9).
CROSS_LANGUAGE_WEIGHT = 0.8
# Credit for a question term found beside the sentence rather than in it. A
# passage's title is its subject, which its sentences leave out, so a title term
# counts fully. An answer often continues the sentence before it ("같은 해 …",
# "이 교전에서 …") and leaves out what that one said, so the sentence before
# counts more than the one after. Tuned on the korquad1 tune split.
CONTEXT_CREDIT = 1.0
PREV_CREDIT = 0.8
NEXT_CREDIT = 0.4
# A term found elsewhere in the sentence's passage, or in another passage of the same
# document: the document is about it (a press release names 누리호 in its body, not
# in the form line that holds the contact person).
DOCUMENT_CREDIT = 0.5
BIGRAM_WEIGHT = 0.25  # surface overlap: robust to the analyzer's occasional slips
NAME_MISS = 0.75  # a "누구/어디" question, and no proper noun the question lacks
SHORT_SENTENCE_CHARS = 15  # headings and fragments rarely answer anything
SHORT_SENTENCE_FACTOR = 0.6
SECOND_SENTENCE_SHARE = 0.8  # a further sentence must be nearly as good as the best
# A question term written another way (the lexicon's synonym, abbreviation or
# translation) counts nearly as much as the term itself.
ALTERNATIVE_CREDIT = 0.9
# A form field or table cell whose key names the kind of value asked for ("접수
# 기간" for 언제, "경조금" for 얼마) answers it, however many of the question's
# words a title line repeats.
FIELD_BONUS = 1.25
# A question word no document contains, found one jamo away in the sentence
# (연말정싼 → 연말정산): probably a typo for it.
TYPO_CREDIT = 0.8
# Question words say what kind of value is asked (answer_types), not what it is
# about: no sentence contains them, so they must not dilute the coverage.
QUESTION_WORDS = frozenset(
    {
        "며칠",
        "언제",
        "어디",
        "누구",
        "얼마",
        "무엇",
        "뭐",
        "몇",
        "어떻게",
        "왜",
        "어느",
        "무슨",
        "얼마나",
    }
)
# A question number inside a table row's bracket ("6년" in "5년 이상 7년 미만")
# picks that row; a bracket that excludes it is a neighbouring row.
MIN_COMPOUND_CHARS = 4  # shorter unknown words are words, not run-together phrases
BRACKET_FIT = 1.3
BRACKET_MISS = 0.7
# The document's title or a heading repeated as a line names what the passage is
# about, so it covers the question's words, but holds no value: when a value is
# asked and the line lacks one, it is not the answer. A table's header row neither.
HEADING_FACTOR = 0.6


@dataclass(frozen=True, slots=True)
class _Candidate:
    hit_rank: int
    hit: Hit
    start: int  # within the hit's text
    end: int
    coverage: float
    score: float
    highlight: tuple[int, int] | None = None  # the asked value, within the sentence
    has_value: bool = True  # holds a value of the asked kind (or none was asked)
    sentence_index: int = 0


class ExtractiveAnswerer:
    method = "extractive-v1"

    def __init__(
        self,
        analyzer: Analyzer,
        document_frequencies: Callable[[Sequence[str]], tuple[int, dict[str, int]]],
        embedder: Embedder | None = None,
        threshold: float = 0.3,
        max_sentences: int = 2,
        expander: QueryExpander | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.document_frequencies = document_frequencies
        self.embedder = embedder
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.expander = expander

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[AnswerEvent]:
        # The answer is chosen from whole passages, so it is composed before it streams.
        return events_of(self._compose(question, hits))

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        return final_answer(self.stream(question, hits))

    def _compose(self, question: str, hits: Sequence[Hit]) -> Answer:
        candidates = self._candidates(question, list(hits)[:MAX_PASSAGES])
        if not candidates or candidates[0].score < self.threshold:
            return Answer(question, ABSTAIN_MESSAGE, True, (), self.method)
        chosen = [candidates[0]]
        follower = self._follower(candidates)
        if follower is not None and self.max_sentences > 1:
            chosen.append(follower)
        for candidate in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            good_enough = max(self.threshold, SECOND_SENTENCE_SHARE * chosen[0].score)
            if candidate.score >= good_enough and not any(_overlaps(candidate, c) for c in chosen):
                chosen.append(candidate)
        citations = tuple(
            cite(n, c.hit, c.start, c.end, c.highlight) for n, c in enumerate(chosen, start=1)
        )
        text = " ".join(f"{_one_line(c.text)} [{c.n}]" for c in citations)
        return Answer(question, text, False, citations, self.method)

    @staticmethod
    def _follower(candidates: list[_Candidate]) -> _Candidate | None:
        """The sentence after the best one, when the best only restates the question
        (it lacks the kind of value asked for) and the next one holds it: "연차는
        입사일 기준으로 부여합니다. 첫해에는 11일이 …"."""
        best = candidates[0]
        if best.has_value:
            return None
        for candidate in candidates:
            if (
                candidate.hit_rank == best.hit_rank
                and candidate.sentence_index == best.sentence_index + 1
                and candidate.has_value
            ):
                return candidate
        return None

    def _candidates(self, question: str, hits: list[Hit]) -> list[_Candidate]:
        if not hits:
            return []
        weights, unknown = self._term_weights(question)
        alternatives = self._alternatives(question, weights)
        total = sum(weights.values()) or 1.0
        kinds = expected_kinds(question)
        numbers = asked_numbers(question)
        bigrams = question_bigrams(question)
        analyses = self.analyzer.analyze_passages([h.text for h in hits])
        context_terms = self._context_terms(hits)
        context_text = [f"{h.title} {h.location}".lower() for h in hits]
        document_terms = _document_terms(hits, analyses)
        raw: list[tuple[int, Hit, int, int, float, int]] = []
        headers: set[tuple[int, int]] = set()  # (passage rank, start) of table header rows
        for rank, (hit, analysis) in enumerate(zip(hits, analyses, strict=True)):
            sentences = analysis.sentences
            for i, sentence in enumerate(sentences):
                if i + 1 < len(sentences) and _is_table_header(
                    hit.text[sentence.start : sentence.end],
                    hit.text[sentences[i + 1].start : sentences[i + 1].end],
                ):
                    headers.add((rank, sentence.start))
                own = set(sentence.terms)
                # Letter-spaced keys joined (시 상 금 → 시상금), so "상금" is found in it.
                own_text = join_letter_spaced(hit.text[sentence.start : sentence.end])[0].lower()
                # A row whose bracket holds the question's number ("6년" in "5년 이상
                # 7년 미만") covers that number, though it never writes it.
                fits = bool(bracket_fit(numbers, own_text))
                before = set(sentences[i - 1].terms) if i > 0 else set()
                after = set(sentences[i + 1].terms) if i + 1 < len(sentences) else set()
                coverage = 0.0
                for t, w in weights.items():
                    if _found(t, own, own_text) or (fits and t[0].isdigit()):
                        coverage += w
                        continue
                    credits = [0.0]
                    if any(
                        all(_found(a, own, own_text) for a in way)
                        for way in alternatives.get(t, ())
                    ):
                        credits.append(ALTERNATIVE_CREDIT)
                    if t in unknown and near_in(t, own_text):
                        credits.append(TYPO_CREDIT)
                    if t in before:
                        credits.append(PREV_CREDIT)
                    if t in after:
                        credits.append(NEXT_CREDIT)
                    if _found(t, context_terms[rank], context_text[rank]):
                        credits.append(CONTEXT_CREDIT)
                    if t in document_terms[hit.doc_id]:
                        credits.append(DOCUMENT_CREDIT)
                    coverage += max(credits) * w
                coverage /= total
                raw.append((rank, hit, sentence.start, sentence.end, coverage, i))
        # Tagging every sentence again costs time: only for questions that need it.
        names = self._new_names(question, raw) if asks_for_name(question) else None
        cross = self.embedder is not None and other_language(question, [h.text for h in hits])
        similarity = self._similarities(question, [h.text[a:b] for _, h, a, b, _, _ in raw], cross)
        floor = getattr(self.embedder, "similarity_floor", SIMILARITY_FLOOR)
        span = getattr(self.embedder, "similarity_span", SIMILARITY_SPAN)
        out = []
        for (rank, hit, start, end, coverage, index), sim in zip(raw, similarity, strict=True):
            text = hit.text[start:end]
            semantic = min(1.0, max(0.0, (sim - floor) / span))
            if cross:
                evidence = max(coverage, CROSS_LANGUAGE_WEIGHT * semantic)
            else:
                evidence = max(coverage, 0.7 * coverage + 0.3 * semantic)
                evidence = (1 - BIGRAM_WEIGHT) * evidence + BIGRAM_WEIGHT * bigram_coverage(
                    bigrams, text
                )
            value = field_value(kinds, text, question)
            factor = kind_factor(kinds, text, question)
            if value is not None and value[1]:
                factor = FIELD_BONUS
            evidence *= factor
            if names is not None and not names[(rank, start)]:
                evidence *= NAME_MISS
            fit = bracket_fit(numbers, text)
            if fit is not None:
                evidence *= BRACKET_FIT if fit else BRACKET_MISS
            if len(text.strip()) < SHORT_SENTENCE_CHARS and factor <= 1.0:
                evidence *= SHORT_SENTENCE_FACTOR
            if (kinds and factor < 1.0 and _is_heading(text, hit)) or (rank, start) in headers:
                evidence *= HEADING_FACTOR
            score = evidence * (1.0 - RANK_DECAY * rank)
            highlight = value[0] if value is not None else None
            has_value = factor >= 1.0
            out.append(
                _Candidate(rank, hit, start, end, coverage, score, highlight, has_value, index)
            )
        out.sort(key=lambda c: (-c.score, c.hit_rank, c.start))
        return out

    def _new_names(self, question: str, raw: list[tuple[int, Hit, int, int, float, int]]):
        """Whether each sentence, keyed (passage rank, start), names someone or
        somewhere the question does not: a sentence whose only proper nouns are
        the question's own restates it, the name asked for is elsewhere."""
        asked = question.lower()
        names = self.analyzer.proper_nouns([h.text[a:b] for _, h, a, b, _, _ in raw])
        return {
            (rank, start): any(name not in asked for name in found)
            for (rank, _, start, *_), found in zip(raw, names, strict=True)
        }

    def _alternatives(
        self, question: str, weights: dict[str, float]
    ) -> dict[str, list[tuple[str, ...]]]:
        """Per question term, other ways of writing it (from the lexicon): a term
        of a phrase found in the question is covered by any of the phrase's
        alternatives. A phrase without terms of its own (한 달) lends its
        alternatives to nothing: retrieval uses them, coverage cannot."""
        if self.expander is None:
            return {}
        out: dict[str, list[tuple[str, ...]]] = {}
        for expansion in self.expander.expand(question):
            for term in expansion.terms:
                if term in weights:
                    out.setdefault(term, []).extend(expansion.alternatives)
        return out

    def _context_terms(self, hits: list[Hit]) -> list[set[str]]:
        """Terms of each passage's title and heading: context a sentence inherits."""
        labels = [f"{h.title}\n{h.location}" for h in hits]
        return [set(a.terms) for a in self.analyzer.analyze_passages(labels)]

    def _term_weights(self, question: str) -> tuple[dict[str, float], set[str]]:
        """IDF weight per question term, and the Hangul terms no document contains
        (candidates for a typo)."""
        terms = [
            t for t in dict.fromkeys(self.analyzer.query_terms(question)) if t not in QUESTION_WORDS
        ]
        if not terms:
            return {}, set()
        n_docs, freqs = self.document_frequencies(terms)
        known = [t for t in terms if freqs.get(t)]
        weights = {
            t: math.log(1.0 + (n_docs - freqs.get(t, 0) + 0.5) / (freqs.get(t, 0) + 0.5))
            for t in terms
            if freqs.get(t) or not _redundant(t, known)
        }
        unknown = {t for t in weights if not freqs.get(t) and is_hangul_word(t)}
        return weights, unknown

    def _similarities(self, question: str, sentences: list[str], cross: bool) -> list[float]:
        # A slow embedder (e5: about 40 sentences a second) would add most of a
        # second to every answer; it ranks passages and the sentences are chosen by
        # the rest, except across languages, where nothing else can choose them.
        slow = bool(getattr(self.embedder, "background", False))
        if self.embedder is None or (slow and not cross) or not sentences:
            return [0.0] * len(sentences)
        embed_query = getattr(self.embedder, "embed_query", self.embedder.embed)
        asked = np.asarray(embed_query([question]))[0]
        return [float(s) for s in np.asarray(self.embedder.embed(sentences)) @ asked]


def _document_terms(hits: list[Hit], analyses) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for hit, analysis in zip(hits, analyses, strict=True):
        terms = out.setdefault(hit.doc_id, set())
        for sentence in analysis.sentences:
            terms.update(sentence.terms)
    return out


def _redundant(term: str, known: list[str]) -> bool:
    """A word no document contains that says nothing the question's other words do
    not: a verb or adjective (돌려주다, 어떻다: the documents use other verbs), or a
    compound whose known parts are there too (배우자출산휴가며칠). An unknown *noun*
    stays: a question about 골프장 where no document mentions one is off-corpus."""
    if term.endswith("다") and len(term) >= 2:
        return True
    if len(term) < MIN_COMPOUND_CHARS:
        return False  # 이사비 is not 이사 (a director) plus a letter
    covered = sum(len(part) for part in known if part != term and part in term)
    return covered >= 0.6 * len(term)


def _is_table_header(line: str, following: str) -> bool:
    """A table's header row ("분류 | 예시 | 금지 이유"), known by the row after it,
    which the parsers render with those names as keys ("분류: P2P | 예시: …"). It
    names the columns and holds no value: never the answer."""
    cells = [c.strip() for c in line.split(CELL_SEPARATOR)]
    return len(cells) >= 2 and all(cells) and following.lstrip().startswith(f"{cells[0]}:")


def _is_heading(text: str, hit: Hit) -> bool:
    line = "".join(text.split())
    return len(line) >= 2 and line in "".join(f"{hit.title}{hit.location}".split())


def _found(term: str, terms: set[str], text: str) -> bool:
    """A question term is in a sentence as a term, or verbatim inside a longer word.

    The verbatim check catches compounds the analyzer split differently in the
    question and in the document ("헬프" + "데스크" against "헬프데스크").
    """
    return term in terms or (len(term) >= 2 and term in text)


def _overlaps(a: _Candidate, b: _Candidate) -> bool:
    if a.hit.doc_id != b.hit.doc_id:
        return False
    a0, a1 = a.hit.start + a.start, a.hit.start + a.end
    b0, b1 = b.hit.start + b.start, b.hit.start + b.end
    return a0 < b1 and b0 < a1


def _one_line(text: str) -> str:
    return " ".join(text.split())
