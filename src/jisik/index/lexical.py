"""The on-disk inverted index (tantivy, BM25) over analyzer terms.

Terms come pre-analyzed from jisik's Analyzer and are indexed with tantivy's
whitespace tokenizer, so tantivy never re-tokenizes Korean on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import tantivy

from jisik.index.base import IndexEntry, LexicalQuery, Readers
from jisik.index.files import directory_size

WRITER_HEAP_BYTES = 128_000_000
ALTERNATIVE_TIE_BREAKER = 0.1  # a second way of writing a phrase adds a tenth of its score


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("chunk_id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("version_id", indexed=True)
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("grams", tokenizer_name="whitespace", index_option="freq")
    # One untokenized value per group that may read the chunk (or PUBLIC).
    builder.add_text_field("readers", tokenizer_name="raw", index_option="basic")
    return builder.build()


class LexicalIndex:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(directory), reuse=True)
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        self._meta_stamp: tuple[int, int] | None = None

    def _writer_(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        return self._writer

    def add(self, entries: Sequence[IndexEntry]) -> None:
        writer = self._writer_()
        for entry in entries:
            document = tantivy.Document()
            document.add_unsigned("chunk_id", entry.chunk_id)
            document.add_unsigned("version_id", entry.version_id)
            document.add_text("body", " ".join(entry.terms))
            document.add_text("title", " ".join(entry.title_terms))
            if entry.grams:
                document.add_text("grams", " ".join(entry.grams))
            for reader in entry.readers:
                document.add_text("readers", reader)
            writer.add_document(document)

    def delete(self, chunk_ids: Sequence[int]) -> None:
        if not chunk_ids:
            return
        # By query, not by term: tantivy-py turns a Python int term into an i64
        # term, which never matches this u64 field.
        query = tantivy.Query.term_set_query(self._schema, "chunk_id", [int(c) for c in chunk_ids])
        self._writer_().delete_documents_by_query(query)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self._index.reload()

    def rollback(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def _searcher(self) -> tantivy.Searcher:
        # Another process (a CLI add beside a running server) may have committed.
        # tantivy replaces meta.json atomically: a new inode on every commit, even
        # when two commits fall within one coarse mtime tick.
        try:
            stat = (self.directory / "meta.json").stat()
            stamp = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._meta_stamp:
                self._index.reload()
                self._meta_stamp = stamp
        return self._index.searcher()

    def _terms_query(self, terms: tuple[tuple[str, float], ...], title_boost: float):
        clauses = []
        for term, weight in terms:
            body = tantivy.Query.term_query(self._schema, "body", term)
            clauses.append((tantivy.Occur.Should, _boosted(body, weight)))
            if title_boost > 0:
                title = tantivy.Query.term_query(self._schema, "title", term)
                clauses.append((tantivy.Occur.Should, _boosted(title, weight * title_boost)))
        return tantivy.Query.boolean_query(clauses)

    def search(
        self, query: LexicalQuery, k: int, readers: Readers = None
    ) -> list[tuple[int, float]]:
        if readers is not None and not readers:
            return []
        clauses = []
        for term, weight in query.terms:
            body = tantivy.Query.term_query(self._schema, "body", term)
            clauses.append((tantivy.Occur.Should, _boosted(body, weight)))
            if query.title_boost > 0:
                title = tantivy.Query.term_query(self._schema, "title", term)
                clauses.append((tantivy.Occur.Should, _boosted(title, weight * query.title_boost)))
        for gram, weight in query.grams:
            grams = tantivy.Query.term_query(self._schema, "grams", gram)
            clauses.append((tantivy.Occur.Should, _boosted(grams, weight)))
        for ways in query.alternatives:
            # The best way of writing the phrase counts, not the sum: a passage that
            # uses three synonyms of one word is not three times as relevant.
            options = [self._terms_query(way, query.title_boost) for way in ways if way]
            if options:
                best = tantivy.Query.disjunction_max_query(options, ALTERNATIVE_TIE_BREAKER)
                clauses.append((tantivy.Occur.Should, best))
        if not clauses:
            return []
        query_ = tantivy.Query.boolean_query(clauses)
        if readers is not None:
            # A required, zero-scoring clause: the filter runs inside the search, so
            # top-k holds k readable chunks and scores are those of the terms alone.
            allowed = tantivy.Query.term_set_query(self._schema, "readers", sorted(readers))
            query_ = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query_),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(allowed, 0.0)),
                ]
            )
        searcher = self._searcher()
        result = searcher.search(query_, limit=k, count=False)
        out = []
        for score, address in result.hits:
            out.append((int(searcher.doc(address)["chunk_id"][0]), float(score)))
        return out

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        searcher = self._searcher()
        return searcher.num_docs, {t: searcher.doc_freq("body", t) for t in terms}

    def count_ids(self, chunk_ids: Sequence[int]) -> int:
        """How many of these chunk ids have an entry (deleted ones not counted)."""
        if not chunk_ids:
            return 0
        query = tantivy.Query.term_set_query(self._schema, "chunk_id", [int(c) for c in chunk_ids])
        return self._searcher().search(query, limit=1, count=True).count

    def term_present(self, term: str) -> bool:
        """Whether the term is in the index's dictionary, deleted entries included: a
        deleted document's terms stay on disk until its segment is rewritten."""
        searcher = self._searcher()
        return searcher.doc_freq("body", term) > 0 or searcher.doc_freq("title", term) > 0

    def count(self) -> int:
        return self._searcher().num_docs

    def size_bytes(self) -> int:
        return directory_size(self.directory)

    def close(self) -> None:
        self.rollback()


def _boosted(query: tantivy.Query, weight: float) -> tantivy.Query:
    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)
