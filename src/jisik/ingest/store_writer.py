"""Writing prepared documents into the records and the index, crash-safely.

A batch goes pending (records, one transaction) → indexed (index commit) → active
(records, one transaction); retired and refused versions are purged index first, then
records. A crash anywhere leaves pending or retired versions that ``recover`` purges
before the next write, so search (which only returns active versions' chunks) never
sees half a batch. Regrouping and rewriting a document go through the same path.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jisik.access import Writer
from jisik.embed.base import Embedder
from jisik.errors import JisikError
from jisik.index.base import PUBLIC, Index, IndexEntry
from jisik.ingest.chunker import ChunkingConfig, chunk_document
from jisik.ingest.prepare import FileFacts, PreparedFile, prepare_sections
from jisik.originals import Originals
from jisik.privacy.guard import PiiGuard
from jisik.store.records import Records
from jisik.store.version_writes import PENDING, RETIRED, NewVersion
from jisik.text.analyzer import Analyzer, joined_text
from jisik.text.grams import hangul_bigrams
from jisik.types import Section

log = logging.getLogger(__name__)

BATCH_FILES = 64  # documents per commit: fewer index commits, still visible as it goes
BATCH_CHUNKS = 4000


@dataclass(frozen=True, slots=True)
class Committed:
    pii: list[dict]  # what the PII guard did, per document
    refused: dict[str, str]  # source -> why the writer may not write it


class StoreWriter:
    def __init__(
        self,
        records: Records,
        index: Index,
        originals: Originals,
        analyzer: Analyzer,
        embedder: Embedder | None,
        chunking: ChunkingConfig,
        guard: PiiGuard,
    ) -> None:
        self.records = records
        self.index = index
        self.originals = originals
        self.analyzer = analyzer
        self.embedder = embedder
        self.chunking = chunking
        self.guard = guard

    @property
    def embeds_later(self) -> bool:
        """Whether vectors are made after ingest, by the backlog (a slow embedder)."""
        return bool(getattr(self.embedder, "background", False))

    def commit(
        self,
        batch: list[PreparedFile],
        groups: tuple[str, ...] | None,
        meta: tuple[str | None, str | None] = (None, None),
        writer: Writer | None = None,
        originals: Mapping[str, Path] | None = None,
        displays: Mapping[str, str] | None = None,
    ) -> Committed:
        """Store, index and activate prepared documents; ``meta`` is (owner, licence).
        Returns what the PII guard did to each (for the audit trail) and the documents
        ``writer`` was refused, by source. ``originals`` (source -> file) are kept;
        ``displays`` (source -> name) are what readers other than admins are shown."""
        if not batch:
            return Committed([], {})
        vectors = None if self.embeds_later else self._embed_chunks(batch)
        written = self.records.write_pending_many(
            [self._new_version(prepared, meta, displays) for prepared in batch]
        )
        pending = [version_id for version_id, _ in written]
        audiences = {
            doc_id: self.records.groups(doc_id)
            for doc_id in ({p.facts.doc_id for p in batch} if groups is None else ())
        }
        entries: list[IndexEntry] = []
        offset = 0
        for prepared, (version_id, chunk_ids) in zip(batch, written, strict=True):
            readers = readers_of(groups if groups is not None else audiences[prepared.facts.doc_id])
            entries.extend(
                self.entries(
                    version_id,
                    chunk_ids,
                    prepared.title,
                    prepared.chunked,
                    vectors,
                    offset,
                    readers,
                )
            )
            offset += len(chunk_ids)
        if originals:
            # Kept before activation, under the write lock: an erasure never sees a
            # kept original that no version uses yet.
            for prepared in batch:
                if prepared.facts.source in originals and not redacted(prepared.pii):
                    self.originals.keep(originals[prepared.facts.source])
        refusals = self._index_and_activate(pending, entries, groups, writer)
        # A kept upload whose text had personal data masked must not hand the
        # clear original back out.
        self.originals.remove(p.facts.content_hash for p in batch if redacted(p.pii))
        refused = {
            p.facts.source: refusals[version_id]
            for p, version_id in zip(batch, pending, strict=True)
            if version_id in refusals
        }
        return Committed([p.pii for p in batch if p.pii and p.facts.source not in refused], refused)

    @staticmethod
    def _new_version(
        prepared: PreparedFile,
        meta: tuple[str | None, str | None],
        displays: Mapping[str, str] | None,
    ) -> NewVersion:
        chunked = prepared.chunked
        return NewVersion(
            doc_id=prepared.facts.doc_id,
            source=prepared.facts.source,
            title=prepared.title,
            format=prepared.format,
            content_hash=prepared.facts.content_hash,
            size_bytes=prepared.facts.size_bytes,
            modified_at=prepared.facts.modified_at,
            text=chunked.text,
            sections=tuple(
                (span, s.heading)
                for span, s in zip(chunked.sections, prepared.sections, strict=True)
            ),
            chunks=chunked.chunks,
            pii=prepared.pii,
            owner=meta[0],
            licence=meta[1],
            display_source=(displays or {}).get(prepared.facts.source, ""),
        )

    def entries(
        self, version_id, chunk_ids, title, chunked, vectors, offset, readers
    ) -> list[IndexEntry]:
        title_cache: dict[str, tuple[str, ...]] = {}

        def title_terms(heading: str) -> tuple[str, ...]:
            if heading not in title_cache:
                title_cache[heading] = tuple(self.analyzer.query_terms(f"{title}\n{heading}"))
            return title_cache[heading]

        return [
            IndexEntry(
                chunk_id=chunk_id,
                version_id=version_id,
                terms=terms,
                title_terms=title_terms(chunk.heading),
                vector=None if vectors is None else vectors[offset + i],
                grams=tuple(hangul_bigrams(joined_text(chunk.text))),
                readers=readers,
            )
            for i, (chunk_id, chunk, terms) in enumerate(
                zip(chunk_ids, chunked.chunks, chunked.chunk_terms, strict=True)
            )
        ]

    def _embed_chunks(self, batch: list[PreparedFile]):
        if self.embedder is None:
            return None
        texts = [
            embedding_text(p.title, chunk.heading, chunk.text)
            for p in batch
            for chunk in p.chunked.chunks
        ]
        return self.embedder.embed(texts)

    def _index_and_activate(
        self,
        pending: list[int],
        entries: list[IndexEntry],
        groups: tuple[str, ...] | None,
        writer: Writer | None,
    ) -> dict[int, str]:
        """Index, then activate each version if ``writer`` may; returns the refused
        versions with the reason (they are purged like retired ones)."""
        try:
            self.index.add(entries)
            self.index.commit()
        except BaseException:
            self.index.rollback()
            raise
        retired: list[int] = []
        refused: dict[int, str] = {}
        for version_id, activation in zip(
            pending, self.records.activate_many(pending, groups, writer), strict=True
        ):
            retired.extend(activation.retired)
            if activation.refusal:
                refused[version_id] = activation.refusal
        self.purge(retired)
        return refused

    def purge(self, version_ids: list[int]) -> None:
        """Delete versions from the index first, then from the records."""
        if not version_ids:
            return
        chunk_ids = [c.chunk_id for v in version_ids for c in self.records.chunks_of_version(v)]
        self.index.delete(chunk_ids)
        self.index.commit()
        self.originals.remove(self.records.purge_versions(version_ids))

    def recover(self) -> None:
        """Undo what an interrupted write left: pending and retired versions."""
        leftovers = self.records.versions_in_state(PENDING) + self.records.versions_in_state(
            RETIRED
        )
        if leftovers:
            log.warning("cleaning up %d versions left by an interrupted write", len(leftovers))
            self.purge(leftovers)

    def regroup_checked(
        self, doc_id: str, groups: tuple[str, ...] | None, writer: Writer | None
    ) -> str:
        """Regroup if ``writer`` may (checked again at activation); the refusal or ""."""
        if groups is None:
            return ""
        if writer is not None:
            refusal = writer.refusal(self.records.groups(doc_id), groups)
            if refusal:
                return refusal
        return self.regroup(doc_id, groups, writer)

    def regroup(self, doc_id: str, groups: tuple[str, ...], writer: Writer | None = None) -> str:
        """Re-version a document under new reader groups.

        Readers are stored with every index entry (that is what lets the filter run
        inside the index), so a group change writes a new version with the same
        text through the usual pending → active path: crash-safe, and the old
        entries with the old groups disappear with the old version.
        """
        if self.records.groups(doc_id) == groups:
            return ""
        row = self.records.active_version(doc_id)
        if row is None:
            return ""
        parts = stored_sections(row.text, json.loads(row.sections_json))
        source = self.records.source(doc_id)
        facts = FileFacts(source, doc_id, row.content_hash, row.size_bytes, row.modified_at)
        # The new audience's policy applies to the stored text (what was masked stays so).
        prepared = prepare_sections(
            facts,
            row.title,
            row.format,
            parts,
            self.analyzer,
            self.chunking,
            self.protector(doc_id, groups),
        )
        previous = json.loads(row.pii_json) if row.pii_json else {}
        merged = {**previous, **(prepared.pii or {})}
        done = self.commit([dataclasses.replace(prepared, pii=merged)], groups, writer=writer)
        return next(iter(done.refused.values()), "")

    def protector(self, doc_id: str, groups: tuple[str, ...] | None):
        """The PII guard of one document, under the policy of its future readers."""
        audience = groups if groups is not None else self.records.groups(doc_id)

        def protect(title: str, sections: tuple[Section, ...]):
            guarded = self.guard.document(title, sections, audience)
            return guarded.title, guarded.sections, guarded.pii

        return protect

    def stored_entries(self, version_id: int, title: str, text: str, sections: list):
        """Lexical index entries of a stored version, under its existing chunk ids."""
        parts = stored_sections(text, sections)
        chunked = chunk_document(parts, self.analyzer, self.chunking)
        stored = self.records.chunks_of_version(version_id)
        if [(c.start, c.end) for c in stored] != [(c.start, c.end) for c in chunked.chunks]:
            raise JisikError(
                "the stored chunks no longer match the chunking settings; run `jisik reindex` "
                "first, then erase again"
            )
        readers = readers_of(self.records.version_groups(version_id))
        ids = [c.chunk_id for c in stored]
        return self.entries(version_id, ids, title, chunked, None, 0, readers)

    def reindex_version(self, version_id: int, title: str, text: str, sections: list) -> None:
        parts = stored_sections(text, sections)
        chunked = chunk_document(parts, self.analyzer, self.chunking)
        chunk_ids = self.records.replace_chunks(version_id, chunked.chunks)
        vectors = None
        if self.embedder is not None and not self.embeds_later:
            vectors = self.embedder.embed(
                [embedding_text(title, c.heading, c.text) for c in chunked.chunks]
            )
        readers = readers_of(self.records.version_groups(version_id))
        self.index.add(self.entries(version_id, chunk_ids, title, chunked, vectors, 0, readers))

    @staticmethod
    def batch_full(batch: list[PreparedFile]) -> bool:
        return (
            len(batch) >= BATCH_FILES or sum(len(p.chunked.chunks) for p in batch) >= BATCH_CHUNKS
        )


def stored_sections(text: str, sections: list) -> tuple[Section, ...]:
    """A stored version's sections from its text and ``[start, end, location, heading]``s."""
    return tuple(Section(text[a:b], location, heading) for a, b, location, heading in sections)


def redacted(pii: dict | None) -> bool:
    return any(v["action"] in ("mask", "pseudonymize") for v in (pii or {}).values())


def readers_of(groups: Sequence[str]) -> tuple[str, ...]:
    """Index reader tokens of a document: its groups, or PUBLIC when it has none."""
    return tuple(sorted(groups)) if groups else (PUBLIC,)


def embedding_text(title: str, heading: str, text: str) -> str:
    context = " · ".join(part for part in (title, heading) if part)
    return f"{context}\n{text}" if context else text
