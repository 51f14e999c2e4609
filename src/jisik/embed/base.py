"""The Embedder protocol."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

import numpy as np


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension.

    ``id`` names the model exactly (it goes into the home's manifest: vectors
    from two different models must never be compared).
    """

    id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


M = TypeVar("M")


class LazyModel(Generic[M]):
    """Loads a model on first use, once, behind a lock (constructors stay cheap)."""

    def __init__(self, load: Callable[[], M]) -> None:
        self._load = load
        self._model: M | None = None
        self._lock = threading.Lock()

    def get(self) -> M:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model
