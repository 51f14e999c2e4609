"""The version state machine's writes: pending → active → retired → deleted.

Every call is one transaction, and a batch of versions is one call: ingest writes a
batch of pending versions in one transaction and activates it in another, so a crash
leaves either nothing or whole pending versions (which recovery purges) and a batch is
never half visible. Written with SQLAlchemy Core: per-row ORM objects and a commit per
document cost more than Kiwi on the ingest path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from jisik.access import Writer
from jisik.errors import JisikError
from jisik.store.schema import ChunkRow, DocumentGroupRow, DocumentRow, VersionRow
from jisik.types import Chunk, Span

PENDING, ACTIVE, RETIRED = "pending", "active", "retired"


@dataclass(frozen=True, slots=True)
class NewVersion:
    doc_id: str
    source: str
    title: str
    format: str
    content_hash: str
    size_bytes: int
    modified_at: float
    text: str
    sections: tuple[tuple[Span, str], ...]  # (span, heading)
    chunks: tuple[Chunk, ...]
    pii: dict | None = None
    owner: str | None = None  # None: keep
    licence: str | None = None
    display_source: str = ""  # "": keep (a new document shows its file name)


@dataclass(frozen=True, slots=True)
class Activation:
    retired: list[int]  # versions to purge (the refused one itself, when refused)
    refusal: str  # why the writer may not, or ""


_ACTIVE_HASH = (
    select(VersionRow.content_hash)
    .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
    .where(DocumentRow.source == bindparam("source"), VersionRow.state == ACTIVE)
)
_GROUPS = (
    select(DocumentGroupRow.group_name)
    .where(DocumentGroupRow.document_id == bindparam("doc_id"))
    .order_by(DocumentGroupRow.group_name)
)
# executemany with RETURNING, ids in the order given (SQLAlchemy's insertmanyvalues).
_INSERT_CHUNKS = insert(ChunkRow).returning(ChunkRow.id, sort_by_parameter_order=True)
_INSERT_VERSIONS = insert(VersionRow).returning(VersionRow.id, sort_by_parameter_order=True)


class VersionWrites:
    """The writing half of ``Records`` (it shares ``engine``)."""

    engine: Engine

    def active_hash(self, source: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(_ACTIVE_HASH, {"source": source}).scalar()

    def groups(self, doc_id: str) -> tuple[str, ...]:
        with self.engine.connect() as connection:
            return _groups(connection, doc_id)

    def set_groups(self, doc_id: str, groups: Iterable[str]) -> None:
        with self.engine.begin() as connection:
            _set_groups(connection, doc_id, groups)

    def write_pending(self, new: NewVersion) -> tuple[int, list[int]]:
        """Store a version and its chunks, invisible to search until activated."""
        return self.write_pending_many([new])[0]

    def write_pending_many(self, news: Sequence[NewVersion]) -> list[tuple[int, list[int]]]:
        """Store versions and their chunks in one transaction; (version id, chunk ids)
        of each, in order. Groups change only when a version is activated (and its
        writer checked)."""
        for new in news:
            check_chunks(new.text, new.chunks, new.source)
        if not news:
            return []
        now = time.time()
        doc_ids = sorted({new.doc_id for new in news})
        written: list[tuple[int, list[int]]] = []
        with self.engine.begin() as connection:
            existing = set(
                connection.execute(select(DocumentRow.id).where(DocumentRow.id.in_(doc_ids)))
                .scalars()
                .all()
            )
            numbers: dict[str, int] = dict(
                connection.execute(
                    select(VersionRow.document_id, func.max(VersionRow.number))
                    .where(VersionRow.document_id.in_(doc_ids))
                    .group_by(VersionRow.document_id)
                ).all()
            )
            inserts: list[dict] = []
            updates: list[tuple[str, dict]] = []
            for new in news:
                if new.doc_id in existing:
                    values = _document_updates(new)
                    if values:
                        updates.append((new.doc_id, values))
                else:
                    inserts.append(_document_values(new, now))
                    existing.add(new.doc_id)
            if inserts:
                connection.execute(insert(DocumentRow), inserts)
            for doc_id, values in updates:
                connection.execute(
                    update(DocumentRow).where(DocumentRow.id == doc_id).values(values)
                )
            versions = []
            for new in news:
                numbers[new.doc_id] = (numbers.get(new.doc_id) or 0) + 1
                versions.append(_version_values(new, numbers[new.doc_id], now))
            version_ids = list(connection.execute(_INSERT_VERSIONS, versions).scalars())
            rows = [
                row
                for new, version_id in zip(news, version_ids, strict=True)
                for row in _chunk_values(version_id, new.chunks)
            ]
            chunk_ids = list(connection.execute(_INSERT_CHUNKS, rows).scalars()) if rows else []
            offset = 0
            for new, version_id in zip(news, version_ids, strict=True):
                written.append((version_id, chunk_ids[offset : offset + len(new.chunks)]))
                offset += len(new.chunks)
        return written

    def activate(
        self,
        version_id: int,
        groups: tuple[str, ...] | None = None,
        writer: Writer | None = None,
    ) -> Activation:
        """Make a pending version the visible one, with reader ``groups`` (None: keep the
        document's), if ``writer`` may (None: unrestricted) — checked in this transaction
        against the document as it is now. A refused version is retired, not activated."""
        return self.activate_many([version_id], groups, writer)[0]

    def activate_many(
        self,
        version_ids: Sequence[int],
        groups: tuple[str, ...] | None = None,
        writer: Writer | None = None,
    ) -> list[Activation]:
        """``activate`` for each version, in order, all in one transaction: a few
        statements for the whole batch, not five per version."""
        with self.engine.begin() as connection:
            rows = {
                row[0]: (row[1], row[2])
                for row in connection.execute(
                    select(VersionRow.id, VersionRow.document_id, VersionRow.state).where(
                        VersionRow.id.in_(version_ids)
                    )
                )
            }
            pending = [rows[v][0] for v in version_ids if v in rows and rows[v][1] == PENDING]
            if len(set(pending)) != len(pending):
                # A document twice in one batch: each activation sees the one before it.
                return [_activate(connection, v, groups, writer) for v in version_ids]
            return _activate_batch(connection, version_ids, rows, pending, groups, writer)

    def replace_chunks(self, version_id: int, chunks: Sequence[Chunk]) -> list[int]:
        """Swap a version's chunks for new ones (reindex with new chunking)."""
        with self.engine.begin() as connection:
            text = connection.execute(
                select(VersionRow.text).where(VersionRow.id == version_id)
            ).scalar()
            check_chunks(text or "", chunks, f"version {version_id}")
            connection.execute(delete(ChunkRow).where(ChunkRow.version_id == version_id))
            if not chunks:
                return []
            return list(
                connection.execute(_INSERT_CHUNKS, _chunk_values(version_id, chunks)).scalars()
            )

    def retire_document(self, doc_id: str) -> list[int]:
        """Hide a document at once; its rows go after its index entries are deleted."""
        with self.engine.begin() as connection:
            ids = list(
                connection.execute(
                    select(VersionRow.id).where(VersionRow.document_id == doc_id)
                ).scalars()
            )
            connection.execute(
                update(VersionRow).where(VersionRow.document_id == doc_id).values(state=RETIRED)
            )
            return ids

    def purge_versions(self, version_ids: Sequence[int]) -> set[str]:
        """Delete retired versions' rows, and documents left with no version.

        Returns the content hashes no version uses any more (their kept
        originals can go)."""
        if not version_ids:
            return set()
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(VersionRow.document_id, VersionRow.content_hash).where(
                    VersionRow.id.in_(version_ids)
                )
            ).all()
            doc_ids = sorted({row[0] for row in rows})
            hashes = {row[1] for row in rows}
            connection.execute(delete(ChunkRow).where(ChunkRow.version_id.in_(version_ids)))
            connection.execute(delete(VersionRow).where(VersionRow.id.in_(version_ids)))
            still_versioned = set(
                connection.execute(
                    select(VersionRow.document_id).where(VersionRow.document_id.in_(doc_ids))
                ).scalars()
            )
            empty = [doc_id for doc_id in doc_ids if doc_id not in still_versioned]
            if empty:
                connection.execute(
                    delete(DocumentGroupRow).where(DocumentGroupRow.document_id.in_(empty))
                )
                connection.execute(delete(DocumentRow).where(DocumentRow.id.in_(empty)))
            still_used = set(
                connection.execute(
                    select(VersionRow.content_hash).where(VersionRow.content_hash.in_(hashes))
                ).scalars()
            )
            return hashes - still_used


def _groups(connection: Connection, doc_id: str) -> tuple[str, ...]:
    return tuple(connection.execute(_GROUPS, {"doc_id": doc_id}).scalars())


def _set_groups(connection: Connection, doc_id: str, groups: Iterable[str]) -> None:
    connection.execute(delete(DocumentGroupRow).where(DocumentGroupRow.document_id == doc_id))
    rows = [{"document_id": doc_id, "group_name": g} for g in sorted(set(groups))]
    if rows:
        connection.execute(insert(DocumentGroupRow), rows)


def _document_values(new: NewVersion, now: float) -> dict:
    return {
        "id": new.doc_id,
        "source": new.source,
        "display_source": new.display_source or file_name(new.source),
        "created_at": now,
        "owner": new.owner or "",
        "licence": new.licence or "",
    }


def _document_updates(new: NewVersion) -> dict:
    """What a new version changes of its existing document ("" / None: keep)."""
    return {
        key: value
        for key, value in (
            ("display_source", new.display_source or None),
            ("owner", new.owner),
            ("licence", new.licence),
        )
        if value is not None
    }


def _version_values(new: NewVersion, number: int, now: float) -> dict:
    return {
        "document_id": new.doc_id,
        "number": number,
        "state": PENDING,
        "title": new.title,
        "format": new.format,
        "content_hash": new.content_hash,
        "size_bytes": new.size_bytes,
        "modified_at": new.modified_at,
        "ingested_at": now,
        "text": new.text,
        "sections_json": json.dumps(
            [[s.start, s.end, s.location, h] for s, h in new.sections], ensure_ascii=False
        ),
        "pii_json": None if new.pii is None else json.dumps(new.pii, sort_keys=True),
    }


def _activate_batch(
    connection: Connection,
    version_ids: Sequence[int],
    rows: dict[int, tuple[str, str]],
    doc_ids: list[str],
    groups: tuple[str, ...] | None,
    writer: Writer | None,
) -> list[Activation]:
    """Activations of versions of distinct documents, as ``_activate`` one by one."""
    live: dict[str, list[tuple[int, str]]] = {}
    for version_id, doc_id, state in connection.execute(
        select(VersionRow.id, VersionRow.document_id, VersionRow.state).where(
            VersionRow.document_id.in_(doc_ids), VersionRow.state.in_((ACTIVE, PENDING))
        )
    ):
        live.setdefault(doc_id, []).append((version_id, state))
    current: dict[str, list[str]] = {}
    if writer is not None:
        for doc_id, group in connection.execute(
            select(DocumentGroupRow.document_id, DocumentGroupRow.group_name)
            .where(DocumentGroupRow.document_id.in_(doc_ids))
            .order_by(DocumentGroupRow.group_name)
        ):
            current.setdefault(doc_id, []).append(group)
    results: list[Activation] = []
    retire: list[int] = []
    activated: list[tuple[int, str]] = []
    for version_id in version_ids:
        doc_id, state = rows.get(version_id, ("", ""))
        if state != PENDING:
            results.append(Activation([], ""))
            continue
        has_active = any(s == ACTIVE for _, s in live.get(doc_id, ()))
        readers_now = tuple(current.get(doc_id, ())) if has_active else None
        refusal = writer.refusal(readers_now, groups) if writer is not None else ""
        if refusal:
            retire.append(version_id)
            results.append(Activation([version_id], refusal))
            continue
        retired = [v for v, _ in live.get(doc_id, ()) if v != version_id]
        retire.extend(retired)
        activated.append((version_id, doc_id))
        results.append(Activation(retired, ""))
    if retire:
        connection.execute(
            update(VersionRow).where(VersionRow.id.in_(retire)).values(state=RETIRED)
        )
    if activated:
        connection.execute(
            update(VersionRow)
            .where(VersionRow.id.in_([v for v, _ in activated]))
            .values(state=ACTIVE)
        )
        if groups is not None:
            docs = [doc_id for _, doc_id in activated]
            connection.execute(
                delete(DocumentGroupRow).where(DocumentGroupRow.document_id.in_(docs))
            )
            members = [
                {"document_id": doc_id, "group_name": g}
                for doc_id in docs
                for g in sorted(set(groups))
            ]
            if members:
                connection.execute(insert(DocumentGroupRow), members)
    return results


def _activate(
    connection: Connection, version_id: int, groups: tuple[str, ...] | None, writer
) -> Activation:
    row = connection.execute(
        select(VersionRow.document_id, VersionRow.state).where(VersionRow.id == version_id)
    ).first()
    if row is None or row[1] != PENDING:
        return Activation([], "")
    doc_id = row[0]
    active = connection.execute(
        select(VersionRow.id)
        .where(VersionRow.document_id == doc_id, VersionRow.state == ACTIVE)
        .limit(1)
    ).scalar()
    current = None if active is None else _groups(connection, doc_id)
    refusal = writer.refusal(current, groups) if writer is not None else ""
    if refusal:
        connection.execute(
            update(VersionRow).where(VersionRow.id == version_id).values(state=RETIRED)
        )
        return Activation([version_id], refusal)
    retired = list(
        connection.execute(
            select(VersionRow.id).where(
                VersionRow.document_id == doc_id,
                VersionRow.id != version_id,
                VersionRow.state.in_((ACTIVE, PENDING)),
            )
        ).scalars()
    )
    if retired:
        connection.execute(
            update(VersionRow).where(VersionRow.id.in_(retired)).values(state=RETIRED)
        )
    if groups is not None:
        _set_groups(connection, doc_id, groups)
    connection.execute(update(VersionRow).where(VersionRow.id == version_id).values(state=ACTIVE))
    return Activation(retired, "")


def check_chunks(text: str, chunks: Sequence[Chunk], name: str) -> None:
    """Citations are checked against the chunks they quote (``verify_in_hits``): that
    holds only while every chunk is exactly its version's text at its span."""
    for chunk in chunks:
        if text[chunk.start : chunk.end] != chunk.text:
            raise JisikError(
                f"chunk {chunk.ordinal} of {name} does not match the text at "
                f"{chunk.start}:{chunk.end}; this is a bug, please report it"
            )


def _chunk_values(version_id: int, chunks: Sequence[Chunk]) -> list[dict]:
    return [
        {
            "version_id": version_id,
            "ordinal": c.ordinal,
            "start": c.start,
            "end": c.end,
            "location": c.location,
            "heading": c.heading,
            "text": c.text,
        }
        for c in chunks
    ]


def file_name(source: str) -> str:
    """What a document is shown as when nothing better was given: an upload's name, a
    file's own name (never the folders above it)."""
    if source.startswith("upload:"):
        return source.removeprefix("upload:")
    return PurePath(source).name or source
