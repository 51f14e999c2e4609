"""The Reranker protocol: scores for (query, passage) pairs from a service the user runs.

A reranker reads the question with each candidate passage together (a cross-encoder),
which orders the top candidates better than separate embeddings can. None ships in a
package, so jisik speaks the common rerank APIs (``rerank.http``) and applies one, when
configured, to the top ``rerank_top_n`` candidates. It only reorders what the reader may
already see; when it fails, the order is jisik's own and the failure is logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jisik.errors import ProviderError


class RerankError(ProviderError):
    """The reranker could not score; the message names the endpoint and the cause."""


class Reranker(Protocol):
    id: str  # recorded with the results it ordered

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        """One relevance score per passage, in the passages' order (higher is better)."""
        ...
