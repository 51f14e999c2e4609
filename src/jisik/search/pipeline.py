"""From a question to the passages a reader may see, best first.

retrieve (index: lexical, dense or both, permissions applied inside) -> the stored
passages of active versions -> the records' own permission check -> one hit per
distinct text -> best-sentence rescoring -> a reranker service over the top
candidates, when one is configured. An English question over Korean passages
(or the reverse) is retrieved again leaning on the multilingual dense side.

No auditing and no PII here: the service records what was asked and shows the
hits as the reader's PII policy allows.
"""

from __future__ import annotations

import dataclasses
import logging

from jisik.index.base import Index, Readers, TermStatistics, require
from jisik.search.duplicates import collapse_duplicates
from jisik.search.language import other_language
from jisik.search.rerank.base import Reranker, RerankError
from jisik.search.rescore import rescore_hits
from jisik.search.retriever import Retriever
from jisik.settings import Settings
from jisik.store.records import Records
from jisik.types import Hit

log = logging.getLogger(__name__)

CROSS_LANGUAGE_PROBE = 5  # passages whose language is compared with the question's
CROSS_LANGUAGE_DENSE_WEIGHT = 0.6


class SearchPipeline:
    def __init__(
        self,
        retriever: Retriever,
        records: Records,
        index: Index,
        settings: Settings,
        reranker: Reranker | None = None,
    ) -> None:
        self.retriever = retriever
        self.records = records
        self.index = index
        self.settings = settings
        self.reranker = reranker

    def hits(
        self, query: str, k: int, mode: str | None, readers: Readers, full_paths: bool = True
    ) -> list[Hit]:
        hits = self._ranked(query, k, mode, readers, full_paths)
        if (mode or self.settings.mode) == "hybrid" and self.retriever.embedder is not None:
            if other_language(query, [h.text for h in hits[:CROSS_LANGUAGE_PROBE]]):
                # Words barely match across languages, meaning does.
                hits = self._ranked(
                    query, k, mode, readers, full_paths, CROSS_LANGUAGE_DENSE_WEIGHT
                )
        return hits

    def _ranked(
        self,
        query: str,
        k: int,
        mode: str | None,
        readers: Readers,
        full_paths: bool,
        dense_weight: float | None = None,
    ) -> list[Hit]:
        wanted = k * 2 + 5
        if self.reranker is not None:
            wanted = max(wanted, self.settings.rerank_top_n)
        ranked = self.retriever.search(
            query, wanted, mode, readers=readers, dense_weight=dense_weight
        )
        stored = self.records.active_chunks([chunk_id for chunk_id, _ in ranked])
        if readers is not None:
            # The index already filtered; this re-check against the records only
            # matters in the moment a group change is between its two commits.
            allowed = self.records.readable({c.doc_id for c in stored.values()}, readers)
            stored = {i: c for i, c in stored.items() if c.doc_id in allowed}
        hits = collapse_duplicates(
            [
                stored[chunk_id].as_hit(score, full_paths)
                for chunk_id, score in ranked
                if chunk_id in stored
            ]
        )
        hits = rescore_hits(
            self.retriever.analyzer.query_terms(query),
            hits,
            require(self.index, TermStatistics, "weigh terms by rarity").document_frequencies,
            self.settings.sentence_weight,
        )
        if self.reranker is not None:
            hits = self._reranked(query, hits)
        return hits[:k]

    def _reranked(self, query: str, hits: list[Hit]) -> list[Hit]:
        """The top candidates in the reranker's order (its scores become the hits'),
        the rest after them; on failure, jisik's own order."""
        top = hits[: self.settings.rerank_top_n]
        try:
            scores = self.reranker.scores(query, [h.text for h in top])
        except RerankError as exc:
            log.warning("reranking skipped, jisik's own order kept: %s", exc)
            return hits
        order = sorted(range(len(top)), key=lambda i: -scores[i])  # stable for ties
        reranked = [dataclasses.replace(top[i], score=scores[i]) for i in order]
        return reranked + hits[len(top) :]
