"""Vector search against a brute-force oracle: readers, scores, tombstones, key order.

The expected results are computed here with numpy over the same float16-rounded vectors
(an exact inner product of every readable row), not by the index. Keys are inserted in
shuffled order so that every key -> row lookup must go through the segment's sort order.
(Issue 9's mutation audit: a graph search scoring 1 + distance, lookups ignoring the key
order, a restricted search that never ends when fewer than k rows are readable, and
tombstones that shrink the result all passed the earlier tests.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jisik.index import vectors as vectors_module
from jisik.index.base import PUBLIC
from jisik.index.vectors import VectorIndex

DIM = 16
N = 800
GROUPS = ("hr", "finance", "legal")


def _data(seed: int) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]]]:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((N, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = rng.permutation(np.arange(10_000, 10_000 + N))  # not in sorted order
    readers: list[tuple[str, ...]] = []
    for i in range(N):
        if i % 100 == 7:
            readers.append(("legal",))  # 1 %: under the exact-scan share
        elif i % 5 == 0:
            readers.append(("hr",))  # 20 %
        elif i % 3 == 0:
            readers.append(("finance", "hr"))
        else:
            readers.append((PUBLIC,))
    return keys, vectors, readers


def _oracle(keys, vectors, readers, query, k, allowed, deleted=frozenset()):
    stored = vectors.astype(np.float16).astype(np.float32)
    scores = stored @ query
    rows = [
        i
        for i in range(N)
        if (allowed is None or set(readers[i]) & allowed) and int(keys[i]) not in deleted
    ]
    rows.sort(key=lambda i: -scores[i])
    return [(int(keys[i]), float(scores[i])) for i in rows[:k]]


@pytest.fixture(params=["exact", "graph"])
def built(request, tmp_path: Path, monkeypatch):
    if request.param == "graph":
        monkeypatch.setattr(vectors_module, "HNSW_MIN_VECTORS", 500)
    keys, vectors, readers = _data(7)
    index = VectorIndex(tmp_path, DIM)
    index.add([int(k) for k in keys], vectors, readers)
    index.commit()
    assert (index._segments[0].graph is not None) == (request.param == "graph")
    return request.param, index, keys, vectors, readers


READER_SETS = [
    None,
    frozenset({PUBLIC}),
    frozenset({"hr"}),
    frozenset({"finance"}),
    frozenset({"legal"}),
    frozenset({"legal", "finance"}),
]


@pytest.mark.parametrize("allowed", READER_SETS, ids=lambda r: ",".join(sorted(r or {"all"})))
def test_results_are_readable_and_scored_exactly(built, allowed):
    kind, index, keys, vectors, readers = built
    readable = {int(keys[i]) for i in range(N) if allowed is None or set(readers[i]) & allowed}
    stored = dict(zip((int(k) for k in keys), vectors.astype(np.float16).astype(np.float32)))
    for q in (3, 250, 611):
        query = vectors[q]
        found = index.search(query, 10, allowed)
        expected = _oracle(keys, vectors, readers, query, 10, allowed)
        assert len(found) == len(expected) == min(10, len(readable))
        assert {key for key, _ in found} <= readable
        for key, score in found:  # each score is that row's inner product with the query
            assert score == pytest.approx(float(stored[key] @ query), abs=2e-3), key
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        if kind == "exact" or allowed == frozenset({"legal"}):  # exact scans: the oracle
            assert [key for key, _ in found] == [key for key, _ in expected]
        else:  # the graph is approximate: the nearest readable row at least
            assert found[0][0] == expected[0][0]


def test_fewer_readable_rows_than_asked_for_returns_them_all(built):
    _, index, keys, vectors, readers = built
    hr_only = {int(keys[i]) for i in range(N) if "hr" in readers[i]}  # ~47 %
    legal = {int(keys[i]) for i in range(N) if "legal" in readers[i]}  # 1 %
    found = index.search(vectors[0], N, frozenset({"hr"}))
    assert {key for key, _ in found} == hr_only and len(found) == len(hr_only)
    assert {key for key, _ in index.search(vectors[0], 50, frozenset({"legal"}))} == legal


def test_tombstoned_rows_are_skipped_and_k_live_rows_still_come_back(built):
    kind, index, keys, vectors, readers = built
    query = vectors[42]
    best = [key for key, _ in _oracle(keys, vectors, readers, query, 30, None)]
    deleted = frozenset(best[:20])  # the 20 nearest (2.5 %: kept as tombstones)
    index.delete(sorted(deleted))
    index.commit()
    assert sum(s.size for s in index._segments) == N  # not compacted away
    found = index.search(query, 8)
    assert len(found) == 8 and not {key for key, _ in found} & deleted
    expected = _oracle(keys, vectors, readers, query, 8, None, deleted)
    if kind == "exact":
        assert [key for key, _ in found] == [key for key, _ in expected]
    else:
        assert found[0][0] == expected[0][0]


def test_readers_of_finds_each_key_whatever_the_insertion_order(built):
    _, index, keys, _, readers = built
    sample = [0, 5, 7, 9, 107, 399, 799]
    got = index.readers_of([int(keys[i]) for i in sample] + [1])  # 1: no such key
    assert got == {int(keys[i]): tuple(sorted(readers[i])) for i in sample}
