"""Fusing ranked lists. Pure functions over ``{key: score}`` dictionaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60
) -> dict[int, float]:
    """Weighted RRF: each list adds ``weight / (k + rank)`` to the keys it holds."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def min_max(scores: Mapping[int, float]) -> dict[int, float]:
    """Scale scores into [0, 1]; a single or constant list maps to 1."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return {key: 1.0 for key in scores}
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def convex(
    lexical: Mapping[int, float],
    dense: Mapping[int, float],
    dense_weight: float,
    without_vector: frozenset[int] = frozenset(),
) -> dict[int, float]:
    """``(1 - w) * lexical + w * dense`` over min-max normalised scores.

    A key missing from one side counts 0 there, i.e. the worst score of that side;
    a key in ``without_vector`` (not embedded yet) has no dense side and is ranked
    by its lexical score alone, neither rewarded nor punished for the gap.
    """
    lex, den = min_max(lexical), min_max(dense)
    keys = set(lex) | set(den)
    return {
        key: lex.get(key, 0.0)
        if key in without_vector
        else (1.0 - dense_weight) * lex.get(key, 0.0) + dense_weight * den.get(key, 0.0)
        for key in keys
    }


def top(scores: Mapping[int, float], k: int) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
