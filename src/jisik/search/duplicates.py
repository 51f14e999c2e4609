"""The same text stored twice is found once.

A file saved under two names, or once as UTF-8 and once as CP949, becomes two
documents with identical passages; listing both would spend two of the k
results and two citations on one piece of text. Hits whose text is the same
(spacing aside) collapse into the best-ranked one, which keeps the other
sources it was found under. Only hits the reader may see are compared, so a
collapsed source never reveals a document the reader could not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from jisik.types import Hit


def _key(text: str) -> str:
    return " ".join(text.split())


def collapse_duplicates(hits: Sequence[Hit]) -> list[Hit]:
    kept: dict[str, int] = {}
    out: list[Hit] = []
    for hit in hits:
        key = _key(hit.text)
        at = kept.get(key)
        if at is None:
            kept[key] = len(out)
            out.append(hit)
            continue
        first = out[at]
        if hit.doc_id != first.doc_id and hit.source not in (first.source, *first.also_sources):
            out[at] = replace(first, also_sources=(*first.also_sources, hit.source))
    return out
