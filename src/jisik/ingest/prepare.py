"""Turning one file into everything the store and the index need, without writing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jisik.errors import ParseError
from jisik.ingest import parsers
from jisik.ingest.chunker import ChunkedDocument, ChunkingConfig, chunk_document
from jisik.text.analyzer import Analyzer, normalize
from jisik.text.display import neutralise
from jisik.types import Section


@dataclass(frozen=True, slots=True)
class FileFacts:
    source: str
    doc_id: str
    content_hash: str
    size_bytes: int
    modified_at: float


@dataclass(frozen=True, slots=True)
class PreparedFile:
    facts: FileFacts
    title: str
    format: str
    sections: tuple[Section, ...]
    chunked: ChunkedDocument
    pii: dict | None = None  # what the PII policy found and did (None: not scanned)
    # ("title\nheading", its query terms) for the chunks' headings, worked out where
    # the file was prepared so that the writer need not run the analyzer again
    title_terms: tuple[tuple[str, tuple[str, ...]], ...] = ()


# Applied to a parsed document before it is chunked: (title, sections) -> the title
# and sections that may be stored, and a summary of what was done. The PII guard.
Protect = Callable[[str, tuple[Section, ...]], tuple[str, tuple[Section, ...], dict]]


def document_id(source: str) -> str:
    """Stable across versions: derived from where the document comes from."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def file_facts(path: Path, max_bytes: int) -> FileFacts:
    try:
        stat = path.stat()
        if stat.st_size > max_bytes:
            raise ParseError(
                f"file is {stat.st_size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
                "raise max_file_mb (JISIK_MAX_FILE_MB) to ingest it"
            )
        if stat.st_size == 0:
            raise ParseError("file is empty")
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except PermissionError as exc:
        raise ParseError("permission denied; check the file's read permissions") from exc
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from exc
    source = str(path)
    return FileFacts(source, document_id(source), digest.hexdigest(), stat.st_size, stat.st_mtime)


def renamed(facts: FileFacts, source: str) -> FileFacts:
    """The same file recorded under another source name (an upload's own name
    rather than where the server staged it); the document id follows the name."""
    return FileFacts(
        source, document_id(source), facts.content_hash, facts.size_bytes, facts.modified_at
    )


def prepare(
    path: Path,
    facts: FileFacts,
    analyzer: Analyzer,
    chunking: ChunkingConfig,
    protect: Protect | None = None,
) -> PreparedFile:
    parsed = parsers.parse(path)
    # Titles, headings and locations are shown on one line: no bidi overrides,
    # controls or invisible format characters (the text itself is kept as it is).
    sections = tuple(
        Section(normalize(s.text), neutralise(s.location), neutralise(normalize(s.heading)))
        for s in parsed.sections
    )
    title = neutralise(normalize(parsed.title)).strip()
    return prepare_sections(facts, title, parsed.format, sections, analyzer, chunking, protect)


def prepare_sections(
    facts: FileFacts,
    title: str,
    format_: str,
    sections: tuple[Section, ...],
    analyzer: Analyzer,
    chunking: ChunkingConfig,
    protect: Protect | None = None,
) -> PreparedFile:
    """Guard and chunk parsed sections (also a stored version, prepared again)."""
    pii = None
    if protect is not None:
        title, sections, pii = protect(title, sections)
    chunked = chunk_document(sections, analyzer, chunking)
    if not chunked.chunks:
        raise ParseError("no text found in the file")
    return PreparedFile(facts, title, format_, sections, chunked, pii)


def prepare_text(
    source: str,
    title: str,
    text: str,
    analyzer: Analyzer,
    chunking: ChunkingConfig,
    protect: Protect | None = None,
) -> PreparedFile:
    """A document given as text (an API upload of text, an evaluation corpus)."""
    text = normalize(text)
    if not text.strip():
        raise ParseError("no text given")
    encoded = text.encode("utf-8")
    facts = FileFacts(
        source=source,
        doc_id=document_id(source),
        content_hash=hashlib.sha256(normalize(title).encode("utf-8") + b"\0" + encoded).hexdigest(),
        size_bytes=len(encoded),
        modified_at=0.0,
    )
    sections = (Section(text, "text", ""),)
    return prepare_sections(
        facts, neutralise(normalize(title)).strip(), "text", sections, analyzer, chunking, protect
    )
