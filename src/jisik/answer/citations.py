"""Building citations and checking that each one points at text that is really there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from jisik.errors import JisikError
from jisik.types import Citation, Hit


class CitationError(JisikError):
    """A citation's span does not reproduce its text: a bug, never shown to users."""


def cite(
    n: int,
    hit: Hit,
    start_in_chunk: int,
    end_in_chunk: int,
    highlight: tuple[int, int] | None = None,
) -> Citation:
    """A citation of ``hit.text[start_in_chunk:end_in_chunk]``; ``highlight`` is
    relative to that cited text."""
    return Citation(
        n=n,
        doc_id=hit.doc_id,
        version=hit.version,
        title=hit.title,
        source=hit.source,
        location=hit.location,
        start=hit.start + start_in_chunk,
        end=hit.start + end_in_chunk,
        text=hit.text[start_in_chunk:end_in_chunk],
        also_sources=hit.also_sources,
        highlight=highlight,
    )


def verify(citation: Citation, document_text: Callable[[Citation], str]) -> None:
    """Raise unless the stored document text at the span is exactly the cited text."""
    stored = document_text(citation)
    # In range first: a slice clamps and counts negatives from the end, so a span the
    # document does not have could still read the cited characters.
    if (
        not 0 <= citation.start <= citation.end <= len(stored)
        or stored[citation.start : citation.end] != citation.text
        or not citation.text.strip()
        or not _highlight_inside(citation)
    ):
        raise CitationError(
            f"citation [{citation.n}] span {citation.start}:{citation.end} of "
            f"{citation.doc_id} does not match its text"
        )


def verify_in_hits(citation: Citation, hits: Sequence[Hit]) -> None:
    """``verify`` against the passages the answer was made from, not the whole
    document read again: a stored chunk's text is exactly its version's text at its
    span (``Records.write_pending`` refuses anything else), so a span inside a
    hit of the same version reads the same characters there."""
    for hit in hits:
        if (
            hit.doc_id == citation.doc_id
            and hit.version == citation.version
            and hit.start <= citation.start <= citation.end <= hit.end
        ):
            local = replace(
                citation, start=citation.start - hit.start, end=citation.end - hit.start
            )
            try:
                verify(local, lambda _citation, text=hit.text: text)
            except CitationError:
                break
            return
    raise CitationError(
        f"citation [{citation.n}] span {citation.start}:{citation.end} of "
        f"{citation.doc_id} does not match its text"
    )


def _highlight_inside(citation: Citation) -> bool:
    if citation.highlight is None:
        return True
    start, end = citation.highlight
    return 0 <= start < end <= len(citation.text)


def moved_highlight(citation: Citation, shown_text: str) -> tuple[int, int] | None:
    """The highlight in a changed (masked) citation text: the same characters found
    again, or None when masking touched them."""
    if citation.highlight is None:
        return None
    start, end = citation.highlight
    marked = citation.text[start:end]
    if shown_text == citation.text:
        return citation.highlight
    found = shown_text.find(marked)
    return (found, found + len(marked)) if found >= 0 else None
