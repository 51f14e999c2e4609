"""Structure-aware chunking on sentence boundaries.

A chunk never crosses a section (page, slide, sheet, heading), so it has exactly
one location, and its span reproduces the stored text: ``text[start:end]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jisik.text.analyzer import Analyzer, Sentence
from jisik.types import Chunk, Section, Span

SECTION_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class ChunkingConfig:
    target_chars: int = 600
    max_chars: int = 1200
    overlap_sentences: int = 1


@dataclass(frozen=True, slots=True)
class ChunkedDocument:
    text: str
    sections: tuple[Span, ...]
    chunks: tuple[Chunk, ...]
    chunk_terms: tuple[tuple[str, ...], ...]


def assemble(sections: Sequence[Section]) -> tuple[str, tuple[Span, ...]]:
    """The stored text of a document and each section's span in it."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for section in sections:
        if parts:
            parts.append(SECTION_SEPARATOR)
            offset += len(SECTION_SEPARATOR)
        parts.append(section.text)
        spans.append(Span(offset, offset + len(section.text), section.location))
        offset += len(section.text)
    return "".join(parts), tuple(spans)


def chunk_document(
    sections: Sequence[Section], analyzer: Analyzer, config: ChunkingConfig
) -> ChunkedDocument:
    text, spans = assemble(sections)
    analyzed = analyzer.analyze_many([s.text for s in sections])
    chunks: list[Chunk] = []
    chunk_terms: list[tuple[str, ...]] = []
    for section, span, analysis in zip(sections, spans, analyzed, strict=True):
        sentences = _split_long(
            [_shift(s, span.start) for s in analysis.sentences], text, analyzer, config
        )
        for group in _group(sentences, config):
            start, end = group[0].start, group[-1].end
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    start=start,
                    end=end,
                    location=span.location,
                    heading=section.heading,
                    text=text[start:end],
                )
            )
            chunk_terms.append(tuple(t for s in group for t in s.terms))
    return ChunkedDocument(text, spans, tuple(chunks), tuple(chunk_terms))


def _shift(sentence: Sentence, offset: int) -> Sentence:
    return Sentence(sentence.start + offset, sentence.end + offset, sentence.terms)


def _group(sentences: list[Sentence], config: ChunkingConfig) -> list[list[Sentence]]:
    """Greedy packing of consecutive sentences up to the target size, with overlap."""
    groups: list[list[Sentence]] = []
    current: list[Sentence] = []
    for sentence in sentences:
        if current and sentence.end - current[0].start > config.max_chars:
            groups.append(current)
            current = _overlap(current, sentence, config)
        current.append(sentence)
        if current[-1].end - current[0].start >= config.target_chars:
            groups.append(current)
            current = _overlap(current, None, config)
    if current and (not groups or current[-1].end > groups[-1][-1].end):
        groups.append(current)
    return groups


def _overlap(previous: list[Sentence], upcoming: Sentence | None, config: ChunkingConfig):
    """The tail of the previous chunk that the next one repeats for context."""
    if config.overlap_sentences <= 0 or len(previous) < 2:
        return []
    tail = previous[-config.overlap_sentences :]
    if upcoming is not None and upcoming.end - tail[0].start > config.max_chars:
        return []
    return list(tail)


def _split_long(
    sentences: list[Sentence], text: str, analyzer: Analyzer, config: ChunkingConfig
) -> list[Sentence]:
    """Cut sentences longer than max_chars at whitespace (e.g. huge table rows)."""
    out: list[Sentence] = []
    for sentence in sentences:
        if sentence.end - sentence.start <= config.max_chars:
            out.append(sentence)
            continue
        pieces = list(_cut(text, sentence.start, sentence.end, config.max_chars))
        analyzed = analyzer.analyze_many([text[a:b] for a, b in pieces])
        for (a, b), analysis in zip(pieces, analyzed, strict=True):
            out.append(Sentence(a, b, tuple(analysis.terms)))
    return out


def _cut(text: str, start: int, end: int, size: int):
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut if cut > start else start + size
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end
