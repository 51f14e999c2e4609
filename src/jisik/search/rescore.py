"""Best-sentence rescoring of the top passages.

BM25 scores a passage as a bag of words: one that mentions each question word
once, in different sentences, scores like one that has them all in a single
sentence. The answer to a question usually sits in one sentence together with
most of the question's words, so each of the top passages gains a bonus for
its best sentence's IDF-weighted coverage of the question terms.

Matching is by substring on the passage text, so no passage is analysed at
query time: the cost is a few string searches per candidate.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from jisik.types import Hit

RESCORE_DEPTH = 20  # candidates rescored; below that BM25 order is kept
SENTENCE_WEIGHT = 0.8  # bonus for full coverage, as a share of the best score (tune sweeps)

# Sentence ends as they appear in stored text: terminal punctuation before a
# space, or a line break. Cruder than Kiwi's splitter and good enough to find
# where the question's words cluster.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。])\s+|\n+")

DocumentFrequencies = Callable[[Sequence[str]], tuple[int, dict[str, int]]]


def idf_weights(terms: Sequence[str], document_frequencies: DocumentFrequencies) -> dict[str, float]:
    """Lucene's BM25 idf of each distinct term (a term absent from the index counts as rare)."""
    distinct = list(dict.fromkeys(terms))
    if not distinct:
        return {}
    n_docs, freqs = document_frequencies(distinct)
    return {
        t: math.log(1.0 + (n_docs - freqs.get(t, 0) + 0.5) / (freqs.get(t, 0) + 0.5))
        for t in distinct
    }


def best_sentence_coverage(text: str, weights: Mapping[str, float]) -> float:
    """The largest share (0…1) of the terms' total weight found in one sentence."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    # Each term's occurrences, placed in sentences by the breaks around them: a few
    # searches per term instead of one per term and sentence (this runs on 20
    # passages of every question).
    breaks = [(m.start(), m.end()) for m in _SENTENCE_BREAK.finditer(lowered)]
    starts = [a for a, _ in breaks]
    found: dict[int, float] = {}
    for term, weight in weights.items():
        if not term:
            continue
        counted: set[int] = set()
        at = lowered.find(term)
        while at >= 0:
            sentence = bisect_right(starts, at)
            inside = (sentence == 0 or at >= breaks[sentence - 1][1]) and (
                sentence == len(breaks) or at + len(term) <= starts[sentence]
            )
            if inside and sentence not in counted:
                counted.add(sentence)
                found[sentence] = found.get(sentence, 0.0) + weight
            at = lowered.find(term, at + 1)
    return max(found.values(), default=0.0) / total


def rescore(
    hits: Sequence[Hit],
    weights: Mapping[str, float],
    *,
    depth: int = RESCORE_DEPTH,
    weight: float = SENTENCE_WEIGHT,
) -> list[Hit]:
    """The hits reordered: each of the first ``depth`` gains
    ``weight × best score × best-sentence coverage``.

    The bonus never lowers a score, so every rescored hit stays at or above
    the ones below ``depth`` and scores keep describing the order.
    """
    if not hits or not weights or weight <= 0:
        return list(hits)
    top = max(h.score for h in hits[:depth])
    head = [
        replace(h, score=h.score + weight * top * best_sentence_coverage(h.text, weights))
        for h in hits[:depth]
    ]
    head.sort(key=lambda h: -h.score)  # stable: ties keep the retrieval order
    return head + list(hits[depth:])


def rescore_hits(
    question_terms: Sequence[str],
    hits: Sequence[Hit],
    document_frequencies: DocumentFrequencies,
    weight: float = SENTENCE_WEIGHT,
) -> list[Hit]:
    """``rescore`` with IDF weights of the question's analysed terms."""
    if weight <= 0 or not hits:
        return list(hits)
    return rescore(hits, idf_weights(question_terms, document_frequencies), weight=weight)
