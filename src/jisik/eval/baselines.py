"""Two in-memory BM25 baselines over the same documents: whitespace tokens and
Kiwi content morphemes. Reference points that show the gap to what a generic
framework would give; not a jisik code path."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from jisik.eval.answers import AnswersOf, contains_answer, span_answers
from jisik.eval.dataset import Passage, Query
from jisik.eval.modes import Progress
from jisik.eval.results import (
    RANK_DEPTH,
    SHOWN_PER_FAILURE,
    Preview,
    QueryResult,
    RunResult,
    measure,
    snippet,
)
from jisik.text.analyzer import Analyzer, normalize

BASELINES = ("whitespace_bm25", "kiwi_bm25")
BM25_K1 = 1.5
BM25_B = 0.75


class BM25:
    """A plain in-memory Okapi BM25 (Lucene's idf) over pre-tokenized documents.

    Query terms count as often as they occur, like a Lucene boolean query.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = BM25_K1, b: float = BM25_B):
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc, tokens in enumerate(documents):
            for term, tf in Counter(tokens).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(doc)
                tfs.append(tf)
        norm = k1 * (1.0 - b + b * lengths / average)
        # Each term's contribution to each document it occurs in, computed once.
        self._weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            doc_ids = np.array(ids, dtype=np.int64)
            tf = np.array(tfs, dtype=np.float64)
            idf = math.log(1.0 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            self._weights[term] = (doc_ids, idf * tf * (k1 + 1.0) / (tf + norm[doc_ids]))

    def top(self, query: Sequence[str], k: int = RANK_DEPTH) -> list[int]:
        """Indexes of the best ``k`` documents with a positive score, best first
        (ties keep corpus order, so runs are reproducible)."""
        scores = np.zeros(self.size)
        for term in query:
            if term in self._weights:
                ids, weights = self._weights[term]
                scores[ids] += weights
        candidates = np.flatnonzero(scores > 0)
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [int(i) for i in order[:k]]


def whitespace_tokens(text: str) -> list[str]:
    return text.split()


def run_baselines(
    documents: Sequence[Passage],
    queries: Sequence[Query],
    analyzer: Analyzer,
    answers_of: AnswersOf = span_answers,
    progress: Progress | None = None,
) -> dict[str, RunResult]:
    """Both baselines over title + text of each document."""
    texts = [f"{d.title}\n{d.text}" for d in documents]
    keys = [d.id for d in documents]
    if progress:
        progress("analyzing corpus for kiwi_bm25", 0, 1)
    # analyze_many is query_terms in one batch: the same normalisation and rules.
    kiwi_docs = [a.terms for a in analyzer.analyze_many([normalize(t) for t in texts])]
    if progress:
        progress("analyzing corpus for kiwi_bm25", 1, 1)
    plans = {
        "whitespace_bm25": (BM25([whitespace_tokens(t) for t in texts]), whitespace_tokens),
        "kiwi_bm25": (BM25(kiwi_docs), analyzer.query_terms),
    }
    out: dict[str, RunResult] = {}
    for name, (bm25, tokenize) in plans.items():
        results = []
        for done, query in enumerate(queries, start=1):
            top = bm25.top(tokenize(query.text))
            gold_answers = answers_of(query)
            answer_hit = (
                any(contains_answer(texts[i], gold_answers) for i in top) if gold_answers else None
            )
            ranked = tuple(keys[i] for i in top)
            shown = ()
            if not ranked or ranked[0] not in query.relevant:
                shown = tuple(
                    Preview(keys[i], documents[i].title, snippet(documents[i].text))
                    for i in top[:SHOWN_PER_FAILURE]
                )
            results.append(QueryResult(query, ranked, 0.0, answer_hit, None, "", shown))
            if progress:
                progress(name, done, len(queries))
        out[name] = RunResult(name, measure(results, latency=False), tuple(results))
    return out
