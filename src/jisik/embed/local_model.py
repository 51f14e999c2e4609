"""A sentence-transformers model from a local directory (extra: ``jisik[local-models]``)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jisik.embed.base import unit_rows
from jisik.errors import ConfigError, MissingExtraError


class LocalModelEmbedder:
    def __init__(self, path: Path) -> None:
        if not path.is_dir():
            raise ConfigError(
                f"local embedding model directory {path} does not exist; give the folder "
                "that holds the model's config and weights"
            )
        self._path = path
        self.id = f"local:{path.name}"
        self._model = None
        self._lock = threading.Lock()
        self.dim = self._load().get_sentence_embedding_dimension()

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:
                        raise MissingExtraError(
                            "local embedding models need the extra: pip install 'jisik[local-models]'"
                        ) from exc
                    self._model = SentenceTransformer(str(self._path), local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self._load().encode(list(texts), batch_size=32))
