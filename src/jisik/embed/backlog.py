"""Background embedding: documents are searchable at once, hybrid once their vectors exist.

A strong offline embedder (e5 on two cores: a few passages a second) would make
ingest many times slower than lexical indexing. With such an embedder, ingest
writes the lexical entries only and the chunks without a vector form the
backlog; this module embeds it in small batches — from ``jisik add`` after the
files are in, from ``jisik embed``, or from a thread of ``jisik serve``. Each
batch is embedded outside the write lock and committed under it, for the chunks
that are still active then, with their readers as they are then: a document
removed or regrouped meanwhile is never given a stale vector. Interrupting
loses at most the batch in flight; the next run picks up where this one stopped.

Hybrid search copes with the gap: a chunk without a vector is ranked by its
lexical score alone (see ``Retriever``), never dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from jisik.index.base import LateVectors, require

log = logging.getLogger(__name__)

BATCH = 16
SCAN = 5_000  # chunk ids read per query when looking for ones without a vector

Progress = Callable[[int, int, str], None]  # (done, total, what), as in service


class EmbeddingBacklog:
    def __init__(self, jisik) -> None:
        # The facade, for its records, index, embedder, write lock and helpers.
        self.jisik = jisik

    def pending(self) -> int:
        """Active chunks without a vector (0 without an embedder)."""
        if self.jisik.embedder is None:
            return 0
        stats = self.jisik.index.stats()
        return max(0, self.jisik.records.count_active_chunks() - stats.get("dense_entries", 0))

    def _next_ids(self, after: int, want: int) -> tuple[list[int], int]:
        """Up to ``want`` active chunk ids without a vector, above ``after``; and the
        cursor to continue from."""
        found: list[int] = []
        while len(found) < want:
            ids = self.jisik.records.active_chunk_ids(after, SCAN)
            if not ids:
                break
            have = require(self.jisik.index, LateVectors, "embed in the background").dense_ids(ids)
            found += [i for i in ids if i not in have]
            after = ids[-1]
        return found[:want], (found[want - 1] if len(found) >= want else after)

    def run(
        self,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        limit: int | None = None,
    ) -> int:
        """Embed the backlog (or ``limit`` chunks of it); the number embedded."""
        jisik = self.jisik
        if jisik.embedder is None:
            return 0
        total = self.pending() if limit is None else min(limit, self.pending())
        done, cursor = 0, 0
        while total and done < total and not (stop is not None and stop.is_set()):
            ids, cursor = self._next_ids(cursor, min(BATCH, total - done))
            if not ids:
                break
            done += self._embed(ids)
            if progress:
                progress(min(done, total), total, "embedding")
        return done

    def _embed(self, ids: list[int]) -> int:
        jisik = self.jisik
        chunks = jisik.records.active_chunks(ids)
        order = [i for i in ids if i in chunks]
        if not order:
            return len(ids)  # retired meanwhile: nothing to embed, but progress made
        texts = [jisik.embedding_text(chunks[i]) for i in order]
        vectors = jisik.embedder.embed(texts)
        with jisik.layout.write_lock():
            # Still active, and with the readers they have now.
            current = jisik.records.active_chunks(order)
            keep = [n for n, i in enumerate(order) if i in current]
            if keep:
                groups: dict[int, tuple[str, ...]] = {}
                readers = []
                for n in keep:
                    version = current[order[n]].version_id
                    if version not in groups:
                        groups[version] = jisik.readers_of_version(version)
                    readers.append(groups[version])
                require(jisik.index, LateVectors, "embed in the background").add_vectors(
                    [order[n] for n in keep], vectors[keep], readers
                )
                jisik.index.commit()
        return len(ids)


class BackgroundEmbedder:
    """A daemon thread that keeps the backlog empty while the server runs."""

    def __init__(self, backlog: EmbeddingBacklog, interval_s: float = 2.0) -> None:
        self.backlog = backlog
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jisik-embed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self.backlog.pending():
                    self.backlog.run(stop=self._stop)
            except Exception:  # noqa: BLE001 - a failed batch is retried on the next round
                log.exception("background embedding failed; retrying later")
            self._stop.wait(self.interval_s)
