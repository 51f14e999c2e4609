"""A deterministic feature-hashing embedder over character n-grams.

No model, no randomness: useful for tests and as a cheap offline fallback. It
captures surface overlap only, not meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from jisik.embed.base import unit_rows


class HashingEmbedder:
    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.id = f"hashing-char23-{dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            compact = "".join(text.lower().split())
            for n in (2, 3):
                for i in range(len(compact) - n + 1):
                    digest = hashlib.blake2b(compact[i : i + n].encode(), digest_size=8).digest()
                    value = int.from_bytes(digest, "little")
                    sign = 1.0 if value & 1 else -1.0
                    out[row, (value >> 1) % self.dim] += sign
        return unit_rows(out)
