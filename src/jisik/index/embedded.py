"""The default backend: tantivy for terms and a segment vector index, in the home."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jisik.index.base import IndexEntry, LexicalQuery, Readers
from jisik.index.lexical import LexicalIndex
from jisik.index.vectors import VectorIndex


class EmbeddedIndex:
    name = "embedded"

    def __init__(self, directory: Path, dim: int) -> None:
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

    def close(self) -> None:
        self.lexical.close()
        if self.vectors is not None:
            self.vectors.rollback()
