"""The Index protocol every search backend implements (and the contract tests check)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

# The reader token of a document everyone may read. Group names cannot contain
# "*" (they are validated as word characters), so it never collides with one.
PUBLIC: str = "*"

# Who is asking: the reader tokens (groups, plus PUBLIC) whose documents they may
# see, or None for an unrestricted caller (the CLI on the home, an admin).
Readers = frozenset[str] | None


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the index needs of a chunk: analyzed terms and, if dense is on, a vector."""

    chunk_id: int
    version_id: int
    terms: tuple[str, ...]
    title_terms: tuple[str, ...]
    vector: np.ndarray | None = field(default=None, compare=False)
    grams: tuple[str, ...] = ()
    readers: tuple[str, ...] = (PUBLIC,)  # groups that may read the chunk's document


@dataclass(frozen=True, slots=True)
class LexicalQuery:
    """Weighted terms; ``title_boost`` scales matches in the title/heading field."""

    terms: tuple[tuple[str, float], ...]
    title_boost: float = 0.5
    grams: tuple[tuple[str, float], ...] = ()  # character bigrams, already weighted
    # Lexicon expansions: per phrase of the question, the other ways of writing it,
    # each a tuple of weighted terms; a chunk scores for the best-matching way only.
    alternatives: tuple[tuple[tuple[tuple[str, float], ...], ...], ...] = ()


class Index(Protocol):
    """A searchable index over chunks, keyed by chunk id.

    Writes are buffered until ``commit``; a crash before ``commit`` loses only the
    buffered writes. ``delete`` of an unknown id is a no-op (recovery relies on it).

    Searches take ``readers`` and must apply it inside the query, so that top-k is
    filled with readable chunks only; a chunk is readable when one of its
    ``IndexEntry.readers`` is in the set. ``None`` means no restriction.
    """

    def add(self, entries: Sequence[IndexEntry]) -> None: ...

    def delete(self, chunk_ids: Sequence[int]) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def search_lexical(
        self, query: LexicalQuery, k: int, readers: Readers = None
    ) -> list[tuple[int, float]]: ...

    def search_dense(
        self, vector: np.ndarray, k: int, readers: Readers = None
    ) -> list[tuple[int, float]]: ...

    def dense_scores(self, vector: np.ndarray, chunk_ids: Sequence[int]) -> dict[int, float]: ...

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...

    def stats(self) -> dict[str, int]: ...

    def entries_present(self, chunk_ids: Sequence[int]) -> dict[str, int]:
        """How many of these chunks have live entries, per part ("lexical", "dense")."""
        ...

    def term_present(self, term: str) -> bool:
        """Whether the term is anywhere on disk, deleted entries included."""
        ...

    def add_vectors(
        self, chunk_ids: Sequence[int], vectors: np.ndarray, readers: Sequence[tuple[str, ...]]
    ) -> None:
        """Buffer vectors for chunks whose lexical entries exist (background embedding)."""
        ...

    def dense_ids(self, chunk_ids: Sequence[int]) -> set[int]:
        """Which of these chunks have a live vector."""
        ...

    def rewrite(self, entries: Iterable[IndexEntry]) -> None:
        """Rebuild from ``entries`` (the live ones) so no deleted data stays on disk."""
        ...

    def close(self) -> None: ...
