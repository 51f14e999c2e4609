"""The Index protocol every search backend implements, and the optional capabilities.

The contract suites (``jisik.index.contract``) check both; a new backend runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from jisik.errors import ConfigError

_C = TypeVar("_C")

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
    """The core every search backend implements: a searchable index over chunks,
    keyed by chunk id. What only some backends can do is a capability below.

    Writes are buffered until ``commit``; a crash before ``commit`` loses only the
    buffered writes. ``delete`` of an unknown id is a no-op (recovery relies on it).

    Searches take ``readers`` and must apply it inside the query, so that top-k is
    filled with readable chunks only; a chunk is readable when one of its
    ``IndexEntry.readers`` is in the set. ``None`` means no restriction. A backend
    without vectors returns nothing from the dense calls.
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

    def stats(self) -> dict[str, int]: ...

    def close(self) -> None: ...


@runtime_checkable
class TermStatistics(Protocol):
    """Document frequencies, for the answerer's term weights (IDF)."""

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...


@runtime_checkable
class Forensics(Protocol):
    """What erasure's probes ask of the index: is anything of a chunk or a term left?"""

    def entries_present(self, chunk_ids: Sequence[int]) -> dict[str, int]:
        """How many of these chunks have live entries, per part ("lexical", "dense")."""
        ...

    def term_present(self, term: str) -> bool:
        """Whether the term is anywhere on disk, deleted entries included."""
        ...


@runtime_checkable
class Rewritable(Protocol):
    """Rebuild from the live entries so that no deleted data stays on disk (erasure)."""

    def rewrite(self, entries: Iterable[IndexEntry]) -> None: ...


@runtime_checkable
class LateVectors(Protocol):
    """Vectors added after the lexical entries (a slow embedder's background backlog)."""

    def add_vectors(
        self, chunk_ids: Sequence[int], vectors: np.ndarray, readers: Sequence[tuple[str, ...]]
    ) -> None:
        """Buffer vectors for chunks whose lexical entries exist."""
        ...

    def dense_ids(self, chunk_ids: Sequence[int]) -> set[int]:
        """Which of these chunks have a live vector."""
        ...


CAPABILITIES: dict[str, type] = {
    "term statistics": TermStatistics,
    "forensics": Forensics,
    "rewrite": Rewritable,
    "late vectors": LateVectors,
}


def capabilities(index: object) -> tuple[str, ...]:
    """The capabilities ``index`` has, by name."""
    return tuple(name for name, protocol in CAPABILITIES.items() if isinstance(index, protocol))


def require(index: object, capability: type[_C], needed_for: str) -> _C:
    """``index`` as ``capability``, or a ConfigError naming what is missing and why."""
    if not isinstance(index, capability):
        raise ConfigError(
            f"the index backend {type(index).__name__} cannot {needed_for}: it lacks the "
            f"{capability.__name__} capability (jisik.index.base); choose a backend that has it"
        )
    return index
