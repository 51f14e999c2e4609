"""Extractive answers: the best supporting sentences of the top passages, cited.

No language model: every word of the answer is a sentence of a stored document,
so it cannot invent anything. A sentence is scored by how much of the question's
information (IDF-weighted terms) it covers, blended with the passage's rank and,
when an embedder is configured, its semantic similarity to the question (which is
what lets an English question find a Korean sentence).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from jisik.answer.base import ABSTAIN_MESSAGE
from jisik.answer.citations import cite
from jisik.embed.base import Embedder
from jisik.text.analyzer import Analyzer
from jisik.types import Answer, Citation, Hit

MAX_PASSAGES = 5
RANK_DECAY = 0.04  # a sentence from the 2nd passage loses 4 % against the 1st …
SIMILARITY_FLOOR = 0.25  # USE cosine below this says nothing about relevance
SIMILARITY_SPAN = 0.35  # … and at FLOOR + SPAN it counts as a full match


@dataclass(frozen=True, slots=True)
class _Candidate:
    hit_rank: int
    hit: Hit
    start: int  # within the hit's text
    end: int
    coverage: float
    score: float


class ExtractiveAnswerer:
    method = "extractive-v1"

    def __init__(
        self,
        analyzer: Analyzer,
        document_frequencies: Callable[[Sequence[str]], tuple[int, dict[str, int]]],
        embedder: Embedder | None = None,
        threshold: float = 0.3,
        max_sentences: int = 2,
    ) -> None:
        self.analyzer = analyzer
        self.document_frequencies = document_frequencies
        self.embedder = embedder
        self.threshold = threshold
        self.max_sentences = max_sentences

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        candidates = self._candidates(question, list(hits)[:MAX_PASSAGES])
        if not candidates or candidates[0].score < self.threshold:
            return Answer(question, ABSTAIN_MESSAGE, True, (), self.method)
        chosen = [candidates[0]]
        for candidate in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if candidate.score >= max(self.threshold, 0.6 * chosen[0].score) and not any(
                _overlaps(candidate, c) for c in chosen
            ):
                chosen.append(candidate)
        citations = tuple(cite(n, c.hit, c.start, c.end) for n, c in enumerate(chosen, start=1))
        text = " ".join(f"{_one_line(c.text)} [{c.n}]" for c in citations)
        return Answer(question, text, False, citations, self.method)

    def _candidates(self, question: str, hits: list[Hit]) -> list[_Candidate]:
        if not hits:
            return []
        weights = self._term_weights(question)
        total = sum(weights.values())
        analyses = self.analyzer.analyze_many([h.text for h in hits])
        raw: list[tuple[int, Hit, int, int, float]] = []
        for rank, (hit, analysis) in enumerate(zip(hits, analyses, strict=True)):
            for sentence in analysis.sentences:
                terms = set(sentence.terms)
                covered = sum(w for t, w in weights.items() if t in terms)
                coverage = covered / total if total else 0.0
                raw.append((rank, hit, sentence.start, sentence.end, coverage))
        similarity = self._similarities(question, [h.text[a:b] for _, h, a, b, _ in raw])
        out = []
        for (rank, hit, start, end, coverage), sim in zip(raw, similarity, strict=True):
            semantic = min(1.0, max(0.0, (sim - SIMILARITY_FLOOR) / SIMILARITY_SPAN))
            evidence = max(coverage, 0.5 * coverage + 0.5 * semantic, 0.8 * semantic)
            score = evidence * (1.0 - RANK_DECAY * rank)
            out.append(_Candidate(rank, hit, start, end, coverage, score))
        out.sort(key=lambda c: (-c.score, c.hit_rank, c.start))
        return out

    def _term_weights(self, question: str) -> dict[str, float]:
        terms = list(dict.fromkeys(self.analyzer.query_terms(question)))
        if not terms:
            return {}
        n_docs, freqs = self.document_frequencies(terms)
        return {
            t: math.log(1.0 + (n_docs - freqs.get(t, 0) + 0.5) / (freqs.get(t, 0) + 0.5))
            for t in terms
        }

    def _similarities(self, question: str, sentences: list[str]) -> list[float]:
        if self.embedder is None or not sentences:
            return [0.0] * len(sentences)
        vectors = self.embedder.embed([question, *sentences])
        return [float(s) for s in np.asarray(vectors[1:]) @ np.asarray(vectors[0])]


def _overlaps(a: _Candidate, b: _Candidate) -> bool:
    if a.hit.doc_id != b.hit.doc_id:
        return False
    a0, a1 = a.hit.start + a.start, a.hit.start + a.end
    b0, b1 = b.hit.start + b.start, b.hit.start + b.end
    return a0 < b1 and b0 < a1


def _one_line(text: str) -> str:
    return " ".join(text.split())


__all__ = ["ExtractiveAnswerer", "Citation"]
