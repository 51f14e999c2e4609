from pathlib import Path

import numpy as np

from jisik.index import vectors as vectors_module
from jisik.index.vectors import VectorIndex


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_segments_merge_and_tombstones_are_dropped(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(vectors_module, "MAX_SEGMENTS", 3)
    index = VectorIndex(tmp_path, 16)
    data = _unit(50, 16, 0)
    for start in range(0, 50, 10):  # five commits: would be five segments
        index.add(list(range(start, start + 10)), data[start : start + 10])
        index.commit()
    assert len(index._segments) <= 3
    index.delete(list(range(30)))
    index.commit()  # 60 % dead rows: compaction rewrites without them
    assert len(index) == 20
    assert sum(s.size for s in index._segments) == 20
    assert index.search(data[40], 1)[0][0] == 40
    reopened = VectorIndex(tmp_path, 16)
    assert len(reopened) == 20 and reopened.search(data[45], 1)[0][0] == 45


def test_large_segments_get_a_graph_and_find_neighbours(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(vectors_module, "HNSW_MIN_VECTORS", 500)
    data = _unit(800, 32, 1)
    index = VectorIndex(tmp_path, 32)
    index.add(list(range(1000, 1800)), data)
    index.commit()
    assert index._segments[0].graph is not None
    found = [index.search(data[i], 1)[0][0] for i in range(0, 800, 50)]
    # HNSW is approximate (and its multi-threaded build is not deterministic): a
    # rare miss is allowed, a broken graph is not.
    hits = sum(a == b for a, b in zip(found, range(1000, 1800, 50), strict=True))
    assert hits >= 15
    assert index.scores(data[7], [1007])[1007] > 0.99


def test_orphan_segments_from_a_crashed_commit_are_removed(tmp_path: Path):
    index = VectorIndex(tmp_path, 8)
    index.add([1, 2], _unit(2, 8, 2))
    index.commit()
    (tmp_path / "seg-999999").mkdir()  # written, but the manifest never swapped
    reopened = VectorIndex(tmp_path, 8)
    # Opening only reads: the folder might be another writer's segment in flight.
    assert (tmp_path / "seg-999999").exists()
    reopened.add([3], _unit(1, 8, 3))
    reopened.commit()  # a writer (holding the home's lock) clears it
    assert not (tmp_path / "seg-999999").exists()
    assert len(reopened) == 3


def test_a_reader_sees_what_another_writer_committed(tmp_path: Path):
    data = _unit(3, 8, 5)
    writer = VectorIndex(tmp_path, 8)
    writer.add([1], data[:1])
    writer.commit()
    reader = VectorIndex(tmp_path, 8)  # e.g. the server, while `jisik add` runs
    writer.add([2], data[1:2])
    writer.delete([1])
    writer.commit()
    assert [key for key, _ in reader.search(data[1], 5)] == [2]


def test_restricted_search_on_a_graph_segment_finds_k_readable_rows(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(vectors_module, "HNSW_MIN_VECTORS", 500)
    data = _unit(1000, 32, 3)
    readers = [("hr",) if i % 10 == 0 else ("*",) for i in range(1000)]  # 10 % for hr
    readers[1] = ("legal",)  # 0.1 %: takes the exact-scan path
    index = VectorIndex(tmp_path, 32)
    index.add(list(range(1000)), data, readers)
    index.commit()
    assert index._segments[0].graph is not None
    hr = index.search(data[3], 10, frozenset({"hr"}))
    assert len(hr) == 10 and all(key % 10 == 0 for key, _ in hr)
    assert index.search(data[500], 1, frozenset({"hr"}))[0][0] == 500
    assert [key for key, _ in index.search(data[3], 5, frozenset({"legal"}))] == [1]
    assert index.search(data[3], 5, frozenset({"nobody"})) == []


def test_reader_groups_survive_merges_and_reopening(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(vectors_module, "MAX_SEGMENTS", 2)
    data = _unit(40, 16, 4)
    index = VectorIndex(tmp_path, 16)
    for start in range(0, 40, 10):
        group = ("hr",) if start == 20 else ("*",)
        index.add(list(range(start, start + 10)), data[start : start + 10], [group] * 10)
        index.commit()
    assert len(index._segments) <= 2
    reopened = VectorIndex(tmp_path, 16)
    found = {key for key, _ in reopened.search(data[0], 40, frozenset({"hr"}))}
    assert found == set(range(20, 30))
    assert reopened.readers_of([25, 5]) == {25: ("hr",), 5: ("*",)}


def test_compaction_removes_deleted_vectors_from_disk(tmp_path: Path):
    data = _unit(10, 8, 6)
    index = VectorIndex(tmp_path, 8)
    index.add(list(range(10)), data)
    index.commit()
    index.delete([3])
    index.commit()  # 10 % dead: below the compaction threshold, a tombstone only
    stored = np.concatenate([np.load(p) for p in tmp_path.glob("seg-*/keys.npy")])
    assert 3 in stored
    index.compact()
    stored = np.concatenate([np.load(p) for p in tmp_path.glob("seg-*/keys.npy")])
    assert 3 not in stored and len(stored) == 9
    assert len(VectorIndex(tmp_path, 8)) == 9


def test_no_segment_ever_holds_more_than_the_cap(tmp_path: Path, monkeypatch):
    """One big commit, many small ones and a compaction: every segment stays within
    MAX_SEGMENT_VECTORS, and searches still see every live vector exactly."""
    monkeypatch.setattr(vectors_module, "MAX_SEGMENT_VECTORS", 100)
    monkeypatch.setattr(vectors_module, "MAX_SEGMENTS", 2)
    monkeypatch.setattr(vectors_module, "HNSW_MIN_VECTORS", 90)
    data = _unit(600, 16, 3)
    index = VectorIndex(tmp_path, 16)
    index.add(list(range(350)), data[:350])
    index.commit()
    assert sorted(s.size for s in index._segments) == [50, 100, 100, 100]
    for start in range(350, 600, 25):
        index.add(list(range(start, start + 25)), data[start : start + 25])
        index.commit()
        assert max(s.size for s in index._segments) <= 100
        assert sum(s.size < 100 for s in index._segments) <= 2
    assert len(index) == 600
    index.delete(list(range(0, 600, 2)))
    index.compact()
    assert max(s.size for s in index._segments) <= 100
    assert sum(s.size for s in index._segments) == 300
    for key in (1, 301, 599):
        best = index.search(data[key], 1)[0]
        assert best[0] == key and abs(best[1] - 1.0) < 1e-2  # the exact score, not the graph's
    assert index.search(data[4], 3)[0][0] != 4  # deleted stays deleted
