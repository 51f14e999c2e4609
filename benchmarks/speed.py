"""The phases of the speed benchmark; ``run.py`` runs each in its own process.

Every phase returns a JSON-able dict, including the peak RSS of its process.

* ``ingest``: synthetic .md/.txt files through ``Jisik.add`` (embedder "none"),
  and the same texts through ``Analyzer.analyze_many`` alone.
* ``embed``: the default USE embedder over chunks, and one-query latency.
* ``build``: N synthetic chunks into the real SQLite tables (bulk insert) and
  the real ``EmbeddedIndex`` (add in batches, one commit at the end).
* ``query``: ``Retriever.search`` (lexical, dense, hybrid) with precomputed query
  vectors, with and without hydrating hits through ``Records.active_chunks``.
"""

from __future__ import annotations

import cProfile
import hashlib
import json
import resource
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from synthetic import CHUNKS_PER_DOC, DIM, SyntheticCorpus, term_agreement

MB = 1024 * 1024
ADD_SLICE = 5_000  # entries per Index.add call (Jisik.add sends up to 4,000)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def latency(seconds: list[float], cpu_seconds: list[float] | None = None) -> dict:
    """Wall-clock percentiles; with ``cpu_seconds`` also the process CPU time per call,
    which other processes competing for the cores do not inflate."""
    ms = np.asarray(seconds) * 1000
    out = {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "mean_ms": round(float(ms.mean()), 2),
    }
    if cpu_seconds is not None:
        cpu = np.asarray(cpu_seconds) * 1000
        out["cpu_p50_ms"] = round(float(np.percentile(cpu, 50)), 2)
        out["cpu_p95_ms"] = round(float(np.percentile(cpu, 95)), 2)
    return out


def _corpus(seed: int):
    from jisik.text.analyzer import shared_analyzer

    analyzer = shared_analyzer()
    return analyzer, SyntheticCorpus(analyzer, seed)


# --- 1. ingest ----------------------------------------------------------------


def ingest(workdir: Path, documents: int, seed: int) -> dict:
    from jisik.service import Jisik
    from jisik.settings import load_settings

    analyzer, corpus = _corpus(seed)
    folder = workdir / "ingest-docs"
    folder.mkdir(parents=True)
    texts = []
    for name, text in corpus.documents(documents):
        (folder / name).write_text(text, encoding="utf-8")
        texts.append(text)
    chars = sum(len(t) for t in texts)

    with Jisik(load_settings(workdir / "ingest-home", embedder="none")) as jisik:
        started = time.perf_counter()
        report = jisik.add([folder])
        add_s = time.perf_counter() - started
        chunks = jisik.stats()["chunks"]

    started = time.perf_counter()
    for i in range(0, len(texts), 32):  # batches of files as Jisik.add analyzes them
        analyzer.analyze_many(texts[i : i + 32])
    analyze_s = time.perf_counter() - started

    sample = corpus.chunks(0, 500)
    return {
        "documents": report.added,
        "failed": len(report.failed),
        "chars": chars,
        "chunks": chunks,
        "add_s": round(add_s, 2),
        "add_chars_per_s": round(chars / add_s),
        "analyze_s": round(analyze_s, 2),
        "analyze_chars_per_s": round(chars / analyze_s),
        "synthetic_term_agreement": round(term_agreement(analyzer, sample), 3),
        "peak_rss_mb": peak_rss_mb(),
    }


# --- 2. embedding ---------------------------------------------------------------


def embed(chunks: int, queries: int, seed: int) -> dict:
    from jisik.embed.use import UseEmbedder

    _, corpus = _corpus(seed)
    texts = [f"{c.title} · {c.heading}\n{c.text}" for c in corpus.chunks(0, chunks)]
    questions = corpus.queries(queries, stream=2)
    embedder = UseEmbedder()
    embedder.embed(texts[:8] + questions[:8])  # load the model, warm up
    started = time.perf_counter()
    embedder.embed(texts)
    embed_s = time.perf_counter() - started
    times = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed([question])
        times.append(time.perf_counter() - started)
    return {
        "embedder": embedder.id,
        "chunks": len(texts),
        "mean_chunk_chars": round(sum(len(t) for t in texts) / len(texts)),
        "embed_s": round(embed_s, 2),
        "chunks_per_s": round(len(texts) / embed_s, 1),
        "query": {"queries": len(questions), **latency(times)},
        "peak_rss_mb": peak_rss_mb(),
    }


# --- 3. build -------------------------------------------------------------------


def _rows(chunks, first_chunk: int, now: float):
    """documents / versions / chunks rows for a batch starting at global chunk ``first_chunk``."""
    documents, versions, rows = [], [], []
    for d in range(0, len(chunks), CHUNKS_PER_DOC):
        doc = (first_chunk + d) // CHUNKS_PER_DOC
        source = f"synthetic/doc-{doc:07d}.txt"
        doc_id = hashlib.sha256(source.encode()).hexdigest()[:16]
        members = chunks[d : d + CHUNKS_PER_DOC]
        heading, offset, spans = members[0].heading, 0, []
        for chunk in members:
            spans.append((offset, offset + len(chunk.text)))
            offset += len(chunk.text) + 2
        text = "\n\n".join(c.text for c in members)
        documents.append({"id": doc_id, "source": source, "created_at": now})
        versions.append(
            {
                "id": doc + 1,
                "document_id": doc_id,
                "number": 1,
                "state": "active",
                "title": members[0].title,
                "format": "text",
                "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                "size_bytes": len(text.encode()),
                "modified_at": now,
                "ingested_at": now,
                "text": text,
                "sections_json": json.dumps(
                    [[0, len(text), f"§ {heading}", heading]], ensure_ascii=False
                ),
            }
        )
        for ordinal, (chunk, (start, end)) in enumerate(zip(members, spans, strict=True)):
            rows.append(
                {
                    "id": first_chunk + d + ordinal + 1,
                    "version_id": doc + 1,
                    "ordinal": ordinal,
                    "start": start,
                    "end": end,
                    "location": f"§ {heading}",
                    "heading": heading,
                    "text": chunk.text,
                }
            )
    return documents, versions, rows


def build(home: Path, size: int, seed: int, batch: int) -> dict:
    from sqlalchemy import insert, text

    from jisik.index.base import IndexEntry
    from jisik.index.embedded import EmbeddedIndex
    from jisik.index.files import directory_size
    from jisik.store.database import migrate, open_engine, sqlite_url
    from jisik.store.schema import ChunkRow, DocumentRow, VersionRow
    from jisik.text.grams import hangul_bigrams

    if batch % CHUNKS_PER_DOC:
        raise ValueError(f"batch must be a multiple of {CHUNKS_PER_DOC}")
    _, corpus = _corpus(seed)
    home.mkdir(parents=True)
    engine = open_engine(sqlite_url(home / "jisik.db"))
    migrate(engine)
    index = EmbeddedIndex(home / "index", DIM)
    timings = dict.fromkeys(
        ("generate", "sqlite", "index_add", "vectors_commit", "lexical_commit"), 0.0
    )
    chars = terms = 0
    now = time.time()
    for number, first in enumerate(range(0, size, batch)):
        count = min(batch, size - first)
        started = time.perf_counter()
        chunks = corpus.chunks(number, count)
        vectors = corpus.chunk_vectors(number, count)
        documents, versions, rows = _rows(chunks, first, now)
        generated = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(insert(DocumentRow.__table__), documents)
            connection.execute(insert(VersionRow.__table__), versions)
            connection.execute(insert(ChunkRow.__table__), rows)
        stored = time.perf_counter()
        # As Jisik._entries: analyzer terms, title terms, vector and Hangul bigrams;
        # added in slices (nothing is committed in between) to bound the memory
        # the entries take, as Jisik.add does with its batches.
        for at in range(0, count, ADD_SLICE):
            index.add(
                [
                    IndexEntry(
                        chunk_id=first + i + 1,
                        version_id=(first + i) // CHUNKS_PER_DOC + 1,
                        terms=chunks[i].terms,
                        title_terms=chunks[i].title_terms,
                        vector=vectors[i],
                        grams=tuple(hangul_bigrams(chunks[i].text)),
                    )
                    for i in range(at, min(at + ADD_SLICE, count))
                ]
            )
        added = time.perf_counter()
        timings["generate"] += generated - started
        timings["sqlite"] += stored - generated
        timings["index_add"] += added - stored
        chars += sum(len(c.text) for c in chunks)
        terms += sum(len(c.terms) for c in chunks)
        del chunks, vectors, documents, versions, rows
    rss_before_commit = rss_mb()
    # EmbeddedIndex.commit, timed per side (vectors first, as it does).
    started = time.perf_counter()
    index.vectors.commit()
    timings["vectors_commit"] = time.perf_counter() - started
    started = time.perf_counter()
    index.lexical.commit()
    timings["lexical_commit"] = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    stats = index.stats()
    index.close()
    engine.dispose()
    database = sum(p.stat().st_size for p in home.glob("jisik.db*"))
    return {
        "chunks": size,
        "documents": size // CHUNKS_PER_DOC,
        "mean_chunk_chars": round(chars / size),
        "mean_chunk_terms": round(terms / size, 1),
        "lexical_entries": stats["lexical_entries"],
        "dense_entries": stats["dense_entries"],
        "seconds": {k: round(v, 1) for k, v in timings.items()},
        "build_s": round(sum(v for k, v in timings.items() if k != "generate"), 1),
        "disk_mb": {
            "lexical": round(directory_size(home / "index" / "lexical") / MB, 1),
            "dense": round(directory_size(home / "index" / "dense") / MB, 1),
            "sqlite": round(database / MB, 1),
        },
        "rss_before_commit_mb": rss_before_commit,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- 4. query -------------------------------------------------------------------


class PrecomputedOnly:
    """Stands in for the embedder: every query here comes with its vector."""

    id = "precomputed"
    dim = DIM

    def embed(self, texts):
        raise RuntimeError("query vectors are precomputed in this benchmark")


def query(
    home: Path,
    queries: int,
    warmup: int,
    seed: int,
    bigram_weight: float | None = None,
    profile: Path | None = None,
) -> dict:
    from dataclasses import replace

    from jisik.index.embedded import EmbeddedIndex
    from jisik.search.retriever import RetrievalOptions, Retriever
    from jisik.settings import Settings
    from jisik.store.database import open_engine, sqlite_url
    from jisik.store.records import Records

    analyzer, corpus = _corpus(seed)
    questions, vectors = corpus.queries(queries), corpus.query_vectors(queries)
    warm_questions, warm_vectors = (
        corpus.queries(warmup, stream=1),
        corpus.query_vectors(warmup, stream=1),
    )
    rss_start = rss_mb()
    index = EmbeddedIndex(home / "index", DIM)
    engine = open_engine(sqlite_url(home / "jisik.db"))
    records = Records(engine)
    options = RetrievalOptions.from_settings(Settings(home=home))  # the defaults
    if bigram_weight is not None:
        options = replace(options, bigram_weight=bigram_weight)
    retriever = Retriever(index, analyzer, PrecomputedOnly(), options)
    rss_open = rss_mb()
    modes = ("lexical", "dense", "hybrid")
    for mode in modes:
        for text, vector in zip(warm_questions, warm_vectors, strict=True):
            records.active_chunks([key for key, _ in retriever.search(text, 10, mode, vector)])
    out: dict = {
        "queries": len(questions),
        "warmup": len(warm_questions),
        "options": asdict(options),
    }
    for mode in modes:
        retrieval, total, retrieval_cpu, total_cpu, found, hydrated = [], [], [], [], 0, 0
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        for text, vector in zip(questions, vectors, strict=True):
            started, started_cpu = time.perf_counter(), time.process_time()
            ranked = retriever.search(text, 10, mode, vector)
            searched, searched_cpu = time.perf_counter(), time.process_time()
            stored = records.active_chunks([key for key, _ in ranked])
            done, done_cpu = time.perf_counter(), time.process_time()
            retrieval.append(searched - started)
            total.append(done - started)
            retrieval_cpu.append(searched_cpu - started_cpu)
            total_cpu.append(done_cpu - started_cpu)
            found += len(ranked)
            hydrated += len(stored)
        if profiler:
            profiler.disable()
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(str(profile / f"query-{mode}.prof"))
        out[mode] = {
            "retrieval": latency(retrieval, retrieval_cpu),
            "with_hydration": latency(total, total_cpu),
            "mean_hits": round(found / len(questions), 1),
            "hydrated": round(hydrated / max(found, 1), 3),
        }
    out["rss_mb"] = {"before_open": rss_start, "after_open": rss_open, "after_queries": rss_mb()}
    out["peak_rss_mb"] = peak_rss_mb()
    index.close()
    engine.dispose()
    return out
