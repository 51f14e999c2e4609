"""The data directory: its layout, its manifest and its single-writer lock.

The manifest records how the home was built (schema version, analyzer,
embedder id and dimension, index backend); opening it under a different
configuration fails with a message saying how to fix it.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from jisik.errors import BusyError, ConfigError, HomeMismatchError, JisikError
from jisik.index.files import write_json_atomic

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
LOCK_WAIT_SECONDS = 60.0
# What jisik keeps at the top of a home. Anything else there (the demo's handbook, a
# folder of documents an operator keeps beside the data) belongs to the user.
OWNED_NAMES = frozenset(
    {"index", "originals", "uploads", "secrets", "receipts", MANIFEST, "config.toml"}
)
OWNED_PREFIXES = ("jisik.db", "audit-checkpoint", ".")


class HomeMissingError(JisikError):
    """The home directory has not been created yet."""


class HomeLayout:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.database = root / "jisik.db"
        self.index = root / "index"
        self.originals = root / "originals"  # uploaded files, by content hash
        self.uploads = root / "uploads"  # files of upload jobs not yet ingested
        self.manifest = root / MANIFEST
        self.lock = root / ".write.lock"
        self._held = threading.local()  # this thread's depth in write_lock

    def exists(self) -> bool:
        return self.manifest.exists()

    @cached_property
    def _resolved_root(self) -> Path:
        # Resolved once: discovery asks about every file of a walk.
        return self.root.resolve()

    def owns(self, path: Path) -> bool:
        """Whether a resolved path is (inside) one of the home's own entries:
        database, index, originals, staged uploads, keys, receipts, settings."""
        root = self._resolved_root
        if root not in path.parents:
            return False
        top = path.relative_to(root).parts[0]
        return top in OWNED_NAMES or top.startswith(OWNED_PREFIXES)

    def create(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.index.mkdir(exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the jisik home at {self.root}: {exc}") from exc

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"{self.manifest} is unreadable ({exc}); restore it from a backup or run "
                "`jisik reindex`"
            ) from exc

    def write_manifest(self, manifest: dict) -> None:
        write_json_atomic(self.manifest, manifest)

    @contextmanager
    def write_lock(self, wait_seconds: float = LOCK_WAIT_SECONDS):
        """One writer per home across processes and threads; readers never take it.

        Re-entrant within a thread: an erasure holds it across the many writes it makes,
        so no other writer (an upload job, a CLI) can interleave with it."""
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        # flock locks belong to the open file description: another thread opening the
        # file again waits here like another process would.
        with open(self.lock, "a+") as handle:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise BusyError(
                            f"another jisik process is writing to {self.root}; wait for it to "
                            "finish and try again"
                        ) from None
                    time.sleep(0.2)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)


def check_manifest(found: dict, expected: dict, root: Path) -> None:
    """Refuse a home built differently, naming the difference and the fix."""
    if found.get("reindex_in_progress"):
        raise HomeMismatchError(
            f"a reindex of {root} was interrupted; run `jisik reindex --home {root}` again"
        )
    if found.get("schema_version", 0) > SCHEMA_VERSION:
        raise HomeMismatchError(
            f"{root} was written by a newer jisik (schema {found.get('schema_version')}); "
            "upgrade jisik"
        )
    for key, what in (
        ("index_backend", "index backend"),
        ("index_schema", "index schema"),
        ("embedder", "embedder"),
    ):
        if found.get(key) != expected.get(key):
            raise HomeMismatchError(
                f"{root} was built with {what} {_show(found.get(key))} but the current "
                f"settings use {_show(expected.get(key))}; use the original setting "
                f"(e.g. --embedder), or run `jisik reindex --home {root}` to rebuild the "
                "index for the new one"
            )
    if found.get("analyzer") != expected.get("analyzer"):
        raise HomeMismatchError(
            f"{root} was indexed with analyzer {_show(found.get('analyzer'))}, this jisik "
            f"uses {_show(expected.get('analyzer'))}; run `jisik reindex --home {root}`"
        )


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
