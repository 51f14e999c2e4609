"""Building citations and checking that each one points at text that is really there."""

from __future__ import annotations

from collections.abc import Callable

from jisik.errors import JisikError
from jisik.types import Citation, Hit


class CitationError(JisikError):
    """A citation's span does not reproduce its text: a bug, never shown to users."""


def cite(n: int, hit: Hit, start_in_chunk: int, end_in_chunk: int) -> Citation:
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
    ):
        raise CitationError(
            f"citation [{citation.n}] span {citation.start}:{citation.end} of "
            f"{citation.doc_id} does not match its text"
        )
