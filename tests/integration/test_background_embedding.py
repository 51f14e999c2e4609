"""Background embedding: searchable at once, hybrid once vectors exist, never stale.

The hashing embedder stands in for a slow one (e5) by declaring itself a
background embedder: the mechanism is the same, the tests stay fast.
"""

from __future__ import annotations

import threading

import pytest

from jisik.embed.backlog import BackgroundEmbedder
from jisik.service import Jisik
from tests.conftest import write_handbook


@pytest.fixture
def slow(settings, tmp_path):
    with Jisik(settings) as jisik:
        jisik.embedder.background = True
        write_handbook(tmp_path / "handbook")
        jisik.add([tmp_path / "handbook"])
        yield jisik


def test_ingest_leaves_vectors_for_later_and_search_works_meanwhile(slow):
    chunks = slow.records.count_active_chunks()
    assert chunks > 0
    assert slow.stats()["embedding_backlog"] == chunks
    assert slow.index.stats()["dense_entries"] == 0
    # Hybrid falls back to lexical scores for chunks without vectors: nothing lost.
    hits = slow.search("비밀번호 변경 주기", 3, "hybrid")
    assert hits and "비밀번호" in hits[0].text
    assert slow.search("비밀번호 변경 주기", 3, "hybrid")[0].chunk_id == (
        slow.search("비밀번호 변경 주기", 3, "lexical")[0].chunk_id
    )


def test_backlog_embeds_everything_once_with_current_readers(slow):
    done = slow.embed_backlog()
    assert done == slow.records.count_active_chunks()
    assert slow.stats()["embedding_backlog"] == 0
    assert slow.embed_backlog() == 0  # nothing twice
    ids = slow.records.active_chunk_ids()
    assert slow.index.dense_ids(ids) == set(ids)
    assert slow.search("비밀번호", 3, "dense")


def test_an_interrupted_run_resumes_where_it_stopped(slow):
    total = slow.records.count_active_chunks()
    first = slow.backlog.run(limit=1)
    assert first == 1 and slow.backlog.pending() == total - 1
    assert slow.embed_backlog() == total - 1
    assert slow.backlog.pending() == 0


def test_a_document_removed_meanwhile_gets_no_vector(slow):
    doc = next(d for d in slow.documents() if d.source.endswith("password.txt"))
    removed = {c.chunk_id for c in slow.records.chunks_of_version(
        slow.records.active_version(doc.doc_id).id
    )}
    # Remove between the backlog reading the chunks and committing their vectors.
    real_embed = slow.embedder.embed

    def embed_then_remove(texts):
        vectors = real_embed(texts)
        if any(d.doc_id == doc.doc_id for d in slow.documents()):
            slow.remove(doc.doc_id)
        return vectors

    slow.embedder.embed = embed_then_remove
    slow.embed_backlog()
    assert not slow.index.dense_ids(sorted(removed))
    assert slow.backlog.pending() == 0


def test_the_server_thread_empties_the_backlog_and_stops(slow):
    worker = BackgroundEmbedder(slow.backlog, interval_s=0.05)
    worker.start()
    finished = threading.Event()

    def wait_empty():
        for _ in range(200):
            if slow.backlog.pending() == 0:
                finished.set()
                return
            threading.Event().wait(0.05)

    wait_empty()
    worker.stop()
    assert finished.is_set()
    assert not worker._thread.is_alive()
