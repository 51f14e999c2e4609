"""Index backends by name. Config names a backend; it never carries an import path."""

from __future__ import annotations

from pathlib import Path

from jisik.errors import ConfigError
from jisik.index.base import Index

BACKENDS = ("embedded",)
# What an index holds per chunk (fields, term kinds); a change needs `jisik reindex`.
INDEX_SCHEMA_VERSION = 3  # 3: per-chunk reader groups


def open_index(name: str, directory: Path, dim: int) -> Index:
    if name == "embedded":
        from jisik.index.embedded import EmbeddedIndex

        return EmbeddedIndex(directory, dim)
    raise ConfigError(f"unknown index backend '{name}'; choose one of: {', '.join(BACKENDS)}")
