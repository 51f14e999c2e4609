"""What ingest workers and the writer send each other: plain JSON, never pickle.

A worker reads hostile files; if one ever took it over, a pickle from it would
run code in the writer. JSON can only ever be data. Chunk and section texts are
not sent twice: they are spans of the document's text and are cut out of it again.
"""

from __future__ import annotations

import json

from jisik.ingest.chunker import ChunkedDocument, ChunkingConfig
from jisik.ingest.prepare import FileFacts, PreparedFile
from jisik.privacy.policy import PiiPolicy
from jisik.types import Chunk, Section, Span


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(data: bytes) -> dict:
    message = json.loads(data.decode("utf-8"))
    if not isinstance(message, dict):
        raise TypeError("an ingest message must be a JSON object")
    return message


def facts_json(facts: FileFacts) -> list:
    return [facts.source, facts.doc_id, facts.content_hash, facts.size_bytes, facts.modified_at]


def facts_from(data: list) -> FileFacts:
    source, doc_id, content_hash, size_bytes, modified_at = data
    return FileFacts(str(source), str(doc_id), str(content_hash), int(size_bytes), modified_at)


def chunking_json(config: ChunkingConfig) -> list[int]:
    return [config.target_chars, config.max_chars, config.overlap_sentences]


def chunking_from(data: list) -> ChunkingConfig:
    return ChunkingConfig(*(int(v) for v in data))


def guard_json(policy: PiiPolicy, key: bytes) -> dict:
    return {"policy": dict(policy.actions), "key": key.hex()}


def guard_from(data: dict) -> tuple[PiiPolicy, bytes]:
    return PiiPolicy(dict(data["policy"])), bytes.fromhex(data["key"])


def prepared_json(prepared: PreparedFile) -> dict:
    chunked = prepared.chunked
    return {
        "facts": facts_json(prepared.facts),
        "title": prepared.title,
        "format": prepared.format,
        "text": chunked.text,
        "sections": [
            [span.start, span.end, span.location, section.heading]
            for span, section in zip(chunked.sections, prepared.sections, strict=True)
        ],
        "chunks": [[c.ordinal, c.start, c.end, c.location, c.heading] for c in chunked.chunks],
        "terms": [list(t) for t in chunked.chunk_terms],
        "pii": prepared.pii,
        "title_terms": [[text, list(terms)] for text, terms in prepared.title_terms],
    }


def prepared_from(data: dict) -> PreparedFile:
    text: str = data["text"]
    spans, sections = [], []
    for start, end, location, heading in data["sections"]:
        spans.append(Span(start, end, location))
        sections.append(Section(text[start:end], location, heading))
    chunks = tuple(
        Chunk(ordinal, start, end, location, heading, text[start:end])
        for ordinal, start, end, location, heading in data["chunks"]
    )
    chunked = ChunkedDocument(text, tuple(spans), chunks, tuple(tuple(t) for t in data["terms"]))
    return PreparedFile(
        facts=facts_from(data["facts"]),
        title=data["title"],
        format=data["format"],
        sections=tuple(sections),
        chunked=chunked,
        pii=data["pii"],
        title_terms=tuple((t, tuple(terms)) for t, terms in data["title_terms"]),
    )
