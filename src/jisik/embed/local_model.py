"""A sentence-transformers model from a local directory (extra: ``jisik[local-models]``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jisik.embed.base import LazyModel, unit_rows
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
        self._model = LazyModel(self._load)
        self.dim = self._model.get().get_sentence_embedding_dimension()

    def _load(self):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtraError(
                "local embedding models need the extra: pip install 'jisik[local-models]'"
            ) from exc
        return SentenceTransformer(str(self._path), local_files_only=True)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self._model.get().encode(list(texts), batch_size=32))
