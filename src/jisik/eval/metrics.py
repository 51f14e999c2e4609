"""Ranking metrics over document ids. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    relevant = set(relevant)
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    relevant = set(relevant)
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    relevant = set(relevant)
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def summarize(runs: Sequence[tuple[Sequence[str], Iterable[str]]]) -> dict[str, float]:
    """Mean of each metric over queries: (ranked doc ids, relevant ids) pairs."""
    if not runs:
        return {}
    runs = [(list(r), set(g)) for r, g in runs]
    n = len(runs)
    return {
        "recall@1": sum(recall_at(r, g, 1) for r, g in runs) / n,
        "recall@5": sum(recall_at(r, g, 5) for r, g in runs) / n,
        "recall@10": sum(recall_at(r, g, 10) for r, g in runs) / n,
        "mrr@10": sum(mrr_at(r, g) for r, g in runs) / n,
        "ndcg@10": sum(ndcg_at(r, g) for r, g in runs) / n,
    }


def dedupe_documents(chunk_docs: Iterable[str]) -> list[str]:
    """Chunk-level results to document ranking: first occurrence wins."""
    return list(dict.fromkeys(chunk_docs))
