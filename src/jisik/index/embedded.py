"""The default backend: tantivy for terms and a segment vector index, in the home."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from jisik.index.base import IndexEntry, LexicalQuery, Readers
from jisik.index.lexical import LexicalIndex
from jisik.index.vectors import VectorIndex


class EmbeddedIndex:
    name = "embedded"

    def __init__(self, directory: Path, dim: int) -> None:
        self.directory = directory
        _finish_lexical_swap(directory)
        self.lexical = LexicalIndex(directory / "lexical")
        self.vectors = VectorIndex(directory / "dense", dim) if dim else None

    def add(self, entries: Sequence[IndexEntry]) -> None:
        self.lexical.add(entries)
        if self.vectors is not None:
            with_vectors = [e for e in entries if e.vector is not None]
            if with_vectors:
                self.vectors.add(
                    [e.chunk_id for e in with_vectors],
                    np.stack([e.vector for e in with_vectors]),
                    [e.readers for e in with_vectors],
                )

    def delete(self, chunk_ids: Sequence[int]) -> None:
        self.lexical.delete(chunk_ids)
        if self.vectors is not None:
            self.vectors.delete(chunk_ids)

    def commit(self) -> None:
        # Vectors first: if the lexical commit then fails, the version stays
        # pending in the records and recovery deletes both sides again.
        if self.vectors is not None:
            self.vectors.commit()
        self.lexical.commit()

    def rollback(self) -> None:
        self.lexical.rollback()
        if self.vectors is not None:
            self.vectors.rollback()

    def search_lexical(
        self, query: LexicalQuery, k: int, readers: Readers = None
    ) -> list[tuple[int, float]]:
        return self.lexical.search(query, k, readers)

    def search_dense(
        self, vector: np.ndarray, k: int, readers: Readers = None
    ) -> list[tuple[int, float]]:
        return self.vectors.search(vector, k, readers) if self.vectors is not None else []

    def dense_scores(self, vector: np.ndarray, chunk_ids: Sequence[int]) -> dict[int, float]:
        return self.vectors.scores(vector, chunk_ids) if self.vectors is not None else {}

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        return self.lexical.document_frequencies(terms)

    def stats(self) -> dict[str, int]:
        return {
            "lexical_entries": self.lexical.count(),
            "lexical_bytes": self.lexical.size_bytes(),
            "dense_entries": len(self.vectors) if self.vectors is not None else 0,
            "dense_bytes": self.vectors.size_bytes() if self.vectors is not None else 0,
        }

    def entries_present(self, chunk_ids: Sequence[int]) -> dict[str, int]:
        dense = len(self.vectors.readers_of(chunk_ids)) if self.vectors is not None else 0
        return {"lexical": self.lexical.count_ids(chunk_ids), "dense": dense}

    def add_vectors(
        self, chunk_ids: Sequence[int], vectors: np.ndarray, readers: Sequence[tuple[str, ...]]
    ) -> None:
        if self.vectors is not None and len(chunk_ids):
            self.vectors.add(list(chunk_ids), vectors, list(readers))

    def dense_ids(self, chunk_ids: Sequence[int]) -> set[int]:
        return set(self.vectors.readers_of(chunk_ids)) if self.vectors is not None else set()

    def term_present(self, term: str) -> bool:
        return self.lexical.term_present(term)

    def rewrite(self, entries: Iterable[IndexEntry]) -> None:
        """Write the lexical index anew from ``entries`` and compact the vectors:
        afterwards no deleted entry is left on disk (tantivy and the vector segments
        otherwise keep deleted data until a merge happens to rewrite it)."""
        if self.vectors is not None:
            self.vectors.compact()
        fresh = self.directory / "lexical.new"
        shutil.rmtree(fresh, ignore_errors=True)
        rebuilt = LexicalIndex(fresh)
        batch: list[IndexEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= 5000:
                rebuilt.add(batch)
                batch = []
        rebuilt.add(batch)
        rebuilt.commit()
        rebuilt.close()
        self.lexical.close()
        old = self.directory / "lexical.old"
        os.replace(self.directory / "lexical", old)
        os.replace(fresh, self.directory / "lexical")
        shutil.rmtree(old, ignore_errors=True)
        self.lexical = LexicalIndex(self.directory / "lexical")

    def close(self) -> None:
        self.lexical.close()
        if self.vectors is not None:
            self.vectors.rollback()


def _finish_lexical_swap(directory: Path) -> None:
    """Complete a ``rewrite`` that a crash interrupted between its two renames."""
    current, fresh = directory / "lexical", directory / "lexical.new"
    if not current.exists() and fresh.exists():
        os.replace(fresh, current)
    shutil.rmtree(directory / "lexical.old", ignore_errors=True)
    if current.exists():
        shutil.rmtree(fresh, ignore_errors=True)
