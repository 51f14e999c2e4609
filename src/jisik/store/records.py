"""Reading and writing documents, versions and chunks.

Every write is one transaction. The version state machine
(pending → active → retired → deleted) is what keeps the indexes and this store
consistent across crashes: see ``service`` for the order of steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session, defer

from jisik.index.base import PUBLIC
from jisik.store.schema import ChunkRow, DocumentGroupRow, DocumentRow, VersionRow
from jisik.store.version_writes import ACTIVE, VersionWrites
from jisik.types import DocumentInfo, Hit, Span

SCAN_ROWS = 500  # rows per fetch of a streamed scan


@dataclass(frozen=True, slots=True)
class StoredChunk:
    chunk_id: int
    version_id: int
    doc_id: str
    version: int
    title: str
    source: str
    display_source: str
    location: str
    heading: str
    start: int
    end: int
    text: str

    def as_hit(self, score: float, full_paths: bool = True) -> Hit:
        """The chunk as a hit; without ``full_paths`` its source is the display one."""
        return Hit(
            chunk_id=self.chunk_id,
            doc_id=self.doc_id,
            version=self.version,
            title=self.title,
            source=self.source if full_paths else self.display_source,
            location=self.location,
            start=self.start,
            end=self.end,
            text=self.text,
            score=score,
        )


class Records(VersionWrites):
    """Documents, versions and chunks: the writes of ``VersionWrites`` and the reads
    below, on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def versions_matching(
        self, matches: Callable[[str], bool]
    ) -> Iterator[tuple[int, str, str, str, str, str, str]]:
        """(version id, document id, state, title, source, text, display source) of every
        version whose text, title or source ``matches``.

        A full scan, streamed: no SQL prefilter (LIKE) can see every way an identifier is
        written (full-width digits, dashes, spacing), and erasure must never be weaker
        than the normaliser it certifies with.
        """
        query = (
            select(
                VersionRow.id,
                VersionRow.document_id,
                VersionRow.state,
                VersionRow.title,
                DocumentRow.source,
                VersionRow.text,
                DocumentRow.display_source,
            )
            .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
            .order_by(VersionRow.id)
        )
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=SCAN_ROWS).execute(query):
                if matches(row.text) or matches(row.title) or matches(row.source):
                    yield tuple(row)

    def chunks_matching(self, matches: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
        """(chunk id, version id) of every chunk whose text ``matches`` (a streamed scan)."""
        query = select(ChunkRow.id, ChunkRow.version_id, ChunkRow.text).order_by(ChunkRow.id)
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=SCAN_ROWS).execute(query):
                if matches(row.text):
                    yield row.id, row.version_id

    def content_hashes(self) -> set[str]:
        """Every content hash some version uses (kept originals outside it are orphans)."""
        with Session(self.engine) as session:
            return set(session.scalars(select(VersionRow.content_hash).distinct()))

    def uses_content(self, content_hash: str) -> bool:
        with Session(self.engine) as session:
            return (
                session.scalar(
                    select(VersionRow.id).where(VersionRow.content_hash == content_hash).limit(1)
                )
                is not None
            )

    def versions_in_state(self, state: str) -> list[int]:
        with Session(self.engine) as session:
            return list(session.scalars(select(VersionRow.id).where(VersionRow.state == state)))

    def chunks_of_version(self, version_id: int) -> list[StoredChunk]:
        with Session(self.engine) as session:
            rows = session.execute(
                _chunk_select().where(ChunkRow.version_id == version_id).order_by(ChunkRow.ordinal)
            )
            return [_stored(row) for row in rows]

    def set_registry_fields(self, doc_id: str, owner: str | None, licence: str | None) -> None:
        """Owner and licence of a document (None: keep)."""
        values = {k: v for k, v in (("owner", owner), ("licence", licence)) if v is not None}
        if values:
            with Session(self.engine) as session, session.begin():
                session.execute(
                    update(DocumentRow).where(DocumentRow.id == doc_id).values(**values)
                )

    # --- reading ------------------------------------------------------------

    def active_chunks(self, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        """Chunks by id, only those of active versions (stale index entries drop out)."""
        if not chunk_ids:
            return {}
        # Core with one statement built once (its compiled form is cached): this runs
        # on every question, where a Session and a fresh select cost several times
        # the query itself.
        with self.engine.connect() as connection:
            rows = connection.execute(_ACTIVE_CHUNKS, {"ids": list(chunk_ids)})
            return {row.chunk_id: _stored(row) for row in rows}

    def active_versions(self) -> list[tuple[int, str, str, list]]:
        """(version id, title, text, [[start, end, location, heading] …]) of every active version."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(
                    VersionRow.id,
                    VersionRow.title,
                    VersionRow.text,
                    VersionRow.sections_json,
                )
                .where(VersionRow.state == ACTIVE)
                .order_by(VersionRow.id)
            )
            return [(r.id, r.title, r.text, json.loads(r.sections_json)) for r in rows]

    def active_chunk_ids(self, after: int = 0, limit: int = 10_000) -> list[int]:
        """Ids of active chunks above ``after``, ascending: a cursor over the corpus."""
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(ChunkRow.id)
                    .join(VersionRow, VersionRow.id == ChunkRow.version_id)
                    .where(VersionRow.state == ACTIVE, ChunkRow.id > after)
                    .order_by(ChunkRow.id)
                    .limit(limit)
                )
            )

    def count_active_chunks(self) -> int:
        with Session(self.engine) as session:
            return int(
                session.scalar(
                    select(func.count(ChunkRow.id))
                    .join(VersionRow, VersionRow.id == ChunkRow.version_id)
                    .where(VersionRow.state == ACTIVE)
                )
                or 0
            )

    def active_version(self, doc_id: str) -> VersionRow | None:
        """The active version row of a document (detached; for re-versioning it)."""
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.scalar(
                select(VersionRow).where(
                    VersionRow.document_id == doc_id, VersionRow.state == ACTIVE
                )
            )
            if row is not None:
                session.expunge(row)
            return row

    def source(self, doc_id: str) -> str:
        with Session(self.engine) as session:
            return session.scalar(select(DocumentRow.source).where(DocumentRow.id == doc_id)) or ""

    def version_groups(self, version_id: int) -> tuple[str, ...]:
        """The reader groups of the document a version belongs to."""
        with Session(self.engine) as session:
            doc_id = session.scalar(
                select(VersionRow.document_id).where(VersionRow.id == version_id)
            )
        return self.groups(doc_id) if doc_id else ()

    def readable(self, doc_ids: Iterable[str], readers: frozenset[str]) -> set[str]:
        """Which of ``doc_ids`` someone holding ``readers`` may read, by the records.

        A document with no groups is public (readable when ``PUBLIC`` is held).
        """
        doc_ids = set(doc_ids)
        if not doc_ids:
            return set()
        with self.engine.connect() as connection:
            rows = connection.execute(_GROUPS_OF, {"ids": sorted(doc_ids)})
            groups: dict[str, set[str]] = {}
            for row in rows:
                groups.setdefault(row.document_id, set()).add(row.group_name)
        return {d for d in doc_ids if (groups[d] & readers if d in groups else PUBLIC in readers)}

    def version_text(self, version_id: int) -> str:
        with Session(self.engine) as session:
            return session.scalar(select(VersionRow.text).where(VersionRow.id == version_id)) or ""

    def document(
        self, doc_id: str, readers: frozenset[str] | None = None
    ) -> tuple[DocumentInfo, str] | None:
        """A document's metadata and its active text; None when missing or not readable."""
        query = _document_select().where(DocumentRow.id == doc_id)
        if readers is not None:
            query = query.where(_readable_clause(readers))
        with Session(self.engine) as session:
            row = session.execute(query).first()
            if row is None:
                return None
            return self._info(session, row), row.VersionRow.text

    def documents(
        self, readers: frozenset[str] | None = None, limit: int | None = None, offset: int = 0
    ) -> list[DocumentInfo]:
        """Active documents by source, only those ``readers`` may read (all when None).

        Texts are not loaded, and groups and chunk counts come in one query each per
        page: listing stays cheap with a hundred thousand documents.
        """
        query = (
            _document_select()
            .options(defer(VersionRow.text))
            .order_by(DocumentRow.source)
            .offset(offset)
            .limit(limit)
        )
        if readers is not None:
            query = query.where(_readable_clause(readers))
        with Session(self.engine) as session:
            rows = list(session.execute(query))
            versions = [row.VersionRow for row in rows]
            groups: dict[str, list[str]] = {}
            for doc_id, group in session.execute(
                select(DocumentGroupRow.document_id, DocumentGroupRow.group_name)
                .where(DocumentGroupRow.document_id.in_([v.document_id for v in versions]))
                .order_by(DocumentGroupRow.group_name)
            ):
                groups.setdefault(doc_id, []).append(group)
            chunks = dict(
                session.execute(
                    select(ChunkRow.version_id, func.count())
                    .where(ChunkRow.version_id.in_([v.id for v in versions]))
                    .group_by(ChunkRow.version_id)
                ).all()
            )
            return [
                _document_info(
                    row,
                    tuple(groups.get(row.VersionRow.document_id, ())),
                    chunks.get(row.VersionRow.id, 0),
                )
                for row in rows
            ]

    def count_documents(self, readers: frozenset[str] | None = None) -> int:
        query = (
            select(func.count())
            .select_from(VersionRow)
            .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
            .where(VersionRow.state == ACTIVE)
        )
        if readers is not None:
            query = query.where(_readable_clause(readers))
        with Session(self.engine) as session:
            return session.scalar(query) or 0

    def _info(self, session: Session, row) -> DocumentInfo:
        version: VersionRow = row.VersionRow
        groups = tuple(
            session.scalars(
                select(DocumentGroupRow.group_name)
                .where(DocumentGroupRow.document_id == version.document_id)
                .order_by(DocumentGroupRow.group_name)
            )
        )
        chunks = session.scalar(
            select(func.count()).select_from(ChunkRow).where(ChunkRow.version_id == version.id)
        )
        return _document_info(row, groups, chunks or 0)

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as session:
            documents = session.scalar(
                select(func.count()).select_from(VersionRow).where(VersionRow.state == ACTIVE)
            )
            chunks = session.scalar(
                select(func.count())
                .select_from(ChunkRow)
                .join(VersionRow, VersionRow.id == ChunkRow.version_id)
                .where(VersionRow.state == ACTIVE)
            )
            return {"documents": documents or 0, "chunks": chunks or 0}


def _document_info(row, groups: tuple[str, ...], chunks: int) -> DocumentInfo:
    version: VersionRow = row.VersionRow
    return DocumentInfo(
        doc_id=version.document_id,
        title=version.title,
        source=row.source,
        display_source=row.display_source,
        format=version.format,
        content_hash=version.content_hash,
        version=version.number,
        modified_at=version.modified_at,
        ingested_at=version.ingested_at,
        size_bytes=version.size_bytes,
        chunks=chunks,
        groups=groups,
        sections=tuple(Span(a, b, loc) for a, b, loc, _ in json.loads(version.sections_json)),
        pii=None if version.pii_json is None else json.loads(version.pii_json),
        owner=row.owner,
        licence=row.licence,
    )


def _readable_clause(readers: frozenset[str]):
    """SQL for "a reader group matches, or the document has none and PUBLIC is held"."""
    has_group = exists().where(
        DocumentGroupRow.document_id == DocumentRow.id,
        DocumentGroupRow.group_name.in_(sorted(readers)),
    )
    if PUBLIC not in readers:
        return has_group
    is_public = ~exists().where(DocumentGroupRow.document_id == DocumentRow.id)
    return or_(has_group, is_public)


def _document_select():
    # Defers nothing: the caller that wants text gets it from the same row.
    return (
        select(
            VersionRow,
            DocumentRow.source,
            DocumentRow.display_source,
            DocumentRow.owner,
            DocumentRow.licence,
        )
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
        .where(VersionRow.state == ACTIVE)
    )


def _chunk_select():
    return (
        select(
            ChunkRow.id.label("chunk_id"),
            ChunkRow.version_id,
            VersionRow.document_id,
            VersionRow.number,
            VersionRow.title,
            DocumentRow.source,
            DocumentRow.display_source,
            ChunkRow.location,
            ChunkRow.heading,
            ChunkRow.start,
            ChunkRow.end,
            ChunkRow.text,
        )
        .join(VersionRow, VersionRow.id == ChunkRow.version_id)
        .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
    )


_ACTIVE_CHUNKS = _chunk_select().where(
    ChunkRow.id.in_(bindparam("ids", expanding=True)), VersionRow.state == ACTIVE
)
_GROUPS_OF = select(DocumentGroupRow.document_id, DocumentGroupRow.group_name).where(
    DocumentGroupRow.document_id.in_(bindparam("ids", expanding=True))
)


def _stored(row) -> StoredChunk:
    # By position: ``_chunk_select`` lists its columns in StoredChunk's field order
    # (reading a Row by name costs more than the query on the question path).
    return StoredChunk(*row)
