"""An on-disk vector index made of immutable segments.

Each commit writes new segments (keys + float16 vectors, plus an HNSW graph for
large ones) and then atomically swaps the manifest, so a crash at any point
leaves the previous state intact. Deletions are tombstones, applied at search
time and physically removed when segments are merged.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jisik.index.files import write_json_atomic

log = logging.getLogger(__name__)

MANIFEST = "segments.json"
HNSW_MIN_VECTORS = 20_000  # below this an exact scan is faster than a graph
MAX_SEGMENTS = 6


@dataclass
class _Segment:
    name: str
    keys: np.ndarray  # int64, insertion order
    vectors: np.ndarray  # float16 (n, dim), memory-mapped
    order: np.ndarray  # argsort of keys, for key -> row lookups
    dense: np.ndarray | None = None  # float32 copy for exact scans of small segments
    graph: object | None = None  # usearch.Index, memory-mapped view

    @property
    def size(self) -> int:
        return len(self.keys)


class VectorIndex:
    def __init__(self, directory: Path, dim: int) -> None:
        self.directory = directory
        self.dim = dim
        self._lock = threading.RLock()
        self._segments: list[_Segment] = []
        self._deleted: set[int] = set()
        self._pending_keys: list[np.ndarray] = []
        self._pending_vectors: list[np.ndarray] = []
        self._pending_deletes: set[int] = set()
        self._next_segment = 1
        directory.mkdir(parents=True, exist_ok=True)
        self._load()

    # --- lifecycle ----------------------------------------------------------

    def _load(self) -> None:
        import json

        manifest_path = self.directory / MANIFEST
        manifest = {"segments": [], "deleted": [], "next_segment": 1}
        if manifest_path.exists():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        self._next_segment = manifest["next_segment"]
        self._deleted = set(manifest["deleted"])
        self._segments = [self._open_segment(name) for name in manifest["segments"]]
        self._remove_orphans(set(manifest["segments"]))

    def _remove_orphans(self, live: set[str]) -> None:
        # Segments written by a commit that crashed before its manifest swap.
        for path in self.directory.glob("seg-*"):
            if path.name not in live:
                shutil.rmtree(path, ignore_errors=True)

    def _open_segment(self, name: str) -> _Segment:
        path = self.directory / name
        keys = np.load(path / "keys.npy")
        vectors = np.load(path / "vectors.npy", mmap_mode="r")
        segment = _Segment(name, keys, vectors, np.argsort(keys, kind="stable"))
        graph_path = path / "graph.usearch"
        if graph_path.exists():
            from usearch.index import Index

            segment.graph = Index.restore(str(graph_path), view=True)
        else:
            segment.dense = np.asarray(vectors, dtype=np.float32)
        return segment

    # --- writes -------------------------------------------------------------

    def add(self, keys: Sequence[int], vectors: np.ndarray) -> None:
        if len(keys) == 0:
            return
        if vectors.shape != (len(keys), self.dim):
            raise ValueError(f"expected vectors of shape ({len(keys)}, {self.dim})")
        with self._lock:
            self._pending_keys.append(np.asarray(keys, dtype=np.int64))
            self._pending_vectors.append(np.asarray(vectors, dtype=np.float16))

    def delete(self, keys: Sequence[int]) -> None:
        with self._lock:
            self._pending_deletes.update(int(k) for k in keys)

    def commit(self) -> None:
        with self._lock:
            segments = list(self._segments)
            deleted = self._deleted | self._pending_deletes
            if self._pending_keys:
                keys = np.concatenate(self._pending_keys)
                vectors = np.concatenate(self._pending_vectors)
                # Drop the parts at once: at a million vectors each copy is a gigabyte.
                self._pending_keys, self._pending_vectors = [], []
                segments.append(self._write_segment(keys, vectors))
            segments = self._merge(segments, deleted)
            live_keys = {int(k) for s in segments for k in s.keys}
            deleted &= live_keys  # tombstones of merged-away keys are done
            write_json_atomic(
                self.directory / MANIFEST,
                {
                    "segments": [s.name for s in segments],
                    "deleted": sorted(deleted),
                    "next_segment": self._next_segment,
                    "dim": self.dim,
                },
            )
            dropped = {s.name for s in self._segments} - {s.name for s in segments}
            self._segments, self._deleted = segments, deleted
            self._pending_keys, self._pending_vectors = [], []
            self._pending_deletes = set()
            for name in dropped:
                shutil.rmtree(self.directory / name, ignore_errors=True)

    def rollback(self) -> None:
        with self._lock:
            self._pending_keys, self._pending_vectors = [], []
            self._pending_deletes = set()

    def _write_segment(self, keys: np.ndarray, vectors: np.ndarray) -> _Segment:
        name = f"seg-{self._next_segment:06d}"
        self._next_segment += 1
        path = self.directory / name
        path.mkdir()
        np.save(path / "keys.npy", keys)
        np.save(path / "vectors.npy", np.asarray(vectors, dtype=np.float16))
        if len(keys) >= HNSW_MIN_VECTORS:
            self._build_graph(path, keys, vectors)
        return self._open_segment(name)

    def _build_graph(self, path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
        from usearch.index import Index

        log.info("building HNSW graph for %d vectors", len(keys))
        graph = Index(ndim=self.dim, metric="ip", dtype="f16", connectivity=16)
        # float16 as stored: usearch takes it directly, without a float32 copy.
        graph.add(keys.astype(np.uint64), np.asarray(vectors, dtype=np.float16))
        graph.save(str(path / "graph.usearch"))

    def _merge(self, segments: list[_Segment], deleted: set[int]) -> list[_Segment]:
        """Tiered merging: fold small segments together, drop tombstoned rows."""
        compact = self._worth_compacting(segments, deleted)
        if len(segments) <= MAX_SEGMENTS and not compact:
            return segments
        if compact:
            group = segments
        else:
            largest = max(s.size for s in segments)
            group = [s for s in segments if s.size * 4 < largest]
            if len(group) < 2:
                group = sorted(segments, key=lambda s: s.size)[: len(segments) - MAX_SEGMENTS + 1]
        keys = np.concatenate([s.keys for s in group])
        vectors = np.concatenate([np.asarray(s.vectors) for s in group])
        alive = ~np.isin(keys, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
        kept = [s for s in segments if s not in group]
        if alive.any():
            kept.append(self._write_segment(keys[alive], vectors[alive]))
        return kept

    @staticmethod
    def _worth_compacting(segments: list[_Segment], deleted: set[int]) -> bool:
        total = sum(s.size for s in segments)
        return bool(total) and len(deleted) * 5 > total  # over 20 % dead rows

    # --- reads --------------------------------------------------------------

    def __len__(self) -> int:
        return sum(s.size for s in self._segments) - len(self._deleted)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest keys by inner product (vectors are unit length: cosine)."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        with self._lock:
            segments, deleted = list(self._segments), self._deleted
        fetch = k + min(len(deleted), 10 * k)
        found: list[tuple[int, float]] = []
        for segment in segments:
            found.extend(self._search_segment(segment, query, fetch))
        found = [(key, score) for key, score in found if key not in deleted]
        found.sort(key=lambda pair: -pair[1])
        return found[:k]

    def _search_segment(self, segment: _Segment, query: np.ndarray, k: int):
        if segment.graph is not None:
            matches = segment.graph.search(query, min(k, segment.size))
            return [(int(key), 1.0 - float(d)) for key, d in zip(matches.keys, matches.distances)]
        scores = segment.dense @ query
        top = min(k, len(scores))
        idx = np.argpartition(-scores, top - 1)[:top]
        return [(int(segment.keys[i]), float(scores[i])) for i in idx]

    def scores(self, query: np.ndarray, keys: Sequence[int]) -> dict[int, float]:
        """Exact similarities for given keys (used to score lexical candidates)."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        wanted = np.asarray(keys, dtype=np.int64)
        out: dict[int, float] = {}
        with self._lock:
            segments, deleted = list(self._segments), self._deleted
        for segment in segments:
            pos = np.searchsorted(segment.keys, wanted, sorter=segment.order)
            pos = np.clip(pos, 0, segment.size - 1)
            rows = segment.order[pos]
            hit = segment.keys[rows] == wanted
            if not hit.any():
                continue
            found_rows = rows[hit]
            vectors = np.asarray(segment.vectors[np.sort(found_rows)], dtype=np.float32)
            sims = vectors @ query
            for row, sim in zip(np.sort(found_rows), sims):
                key = int(segment.keys[row])
                if key not in deleted:
                    out[key] = float(sim)
        return out

    def size_bytes(self) -> int:
        from jisik.index.files import directory_size

        return directory_size(self.directory)
