"""Kept copies of uploaded files, stored by content hash.

The server keeps what was uploaded so ``GET /v1/documents/{id}/file`` can return
it; a CLI-added document is served from its own path while that file is
unchanged. Copies are immutable (a new version is a new hash) and are removed
when no version uses their hash any more, so deleting a document deletes its
file too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from jisik.types import DocumentInfo


class Originals:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, content_hash: str) -> Path:
        return self.directory / content_hash[:2] / content_hash

    def keep(self, path: Path) -> str:
        """Store a copy of ``path`` (if not stored yet); returns its hash."""
        content_hash = _sha256(path)
        target = self.path_of(content_hash)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            shutil.copyfile(path, partial)
            os.replace(partial, target)  # atomic: a crash never leaves half a file
        return content_hash

    def remove(self, content_hashes: Iterable[str]) -> None:
        for content_hash in content_hashes:
            self.path_of(content_hash).unlink(missing_ok=True)

    def find(self, info: DocumentInfo) -> Path | None:
        """The original bytes of a document's active version, if still available and
        allowed: never for a document whose personal data was masked (the original
        holds it in clear)."""
        if info.pii_redacted:
            return None
        kept = self.path_of(info.content_hash)
        if kept.is_file():
            return kept
        source = Path(info.source)
        if source.is_absolute() and source.is_file() and _sha256(source) == info.content_hash:
            return source
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
