"""Embedders by name: ``use``, ``e5``, ``none``, ``hashing``, ``openai``, ``local``."""

from __future__ import annotations

from pathlib import Path

from jisik.embed.base import Embedder
from jisik.errors import ConfigError

NAMES = ("use", "e5", "none", "hashing", "openai", "local")


def make_embedder(
    name: str,
    *,
    url: str = "",
    model: str = "",
    dim: int = 0,
    api_key: str = "",
    path: str = "",
) -> Embedder | None:
    """Build the configured embedder; ``None`` means lexical search only."""
    if name == "use":
        from jisik.embed.use import UseEmbedder

        return UseEmbedder()
    if name == "e5":
        from jisik.embed.e5 import E5Embedder

        return E5Embedder()
    if name == "none":
        return None
    if name == "hashing":
        from jisik.embed.hashing import HashingEmbedder

        return HashingEmbedder(dim or 256)
    if name == "openai":
        if not (url and model and dim):
            raise ConfigError(
                "the 'openai' embedder needs embed_url, embed_model and embed_dim "
                "(JISIK_EMBED_URL, JISIK_EMBED_MODEL, JISIK_EMBED_DIM)"
            )
        from jisik.embed.openai_http import OpenAIEmbedder

        return OpenAIEmbedder(url, model, dim, api_key)
    if name == "local":
        if not path:
            raise ConfigError("the 'local' embedder needs embed_path (JISIK_EMBED_PATH)")
        from jisik.embed.local_model import LocalModelEmbedder

        return LocalModelEmbedder(Path(path))
    raise ConfigError(f"unknown embedder '{name}'; choose one of: {', '.join(NAMES)}")
