"""The JSON shapes of jisik's records: one contract for the CLI's --json and the API."""

from __future__ import annotations

from jisik.types import AddReport, Answer, Citation, DocumentInfo, Hit


def add_json(report: AddReport) -> dict:
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "excluded": report.excluded,
        "failed": [{"path": f.path, "error": f.error} for f in report.failed],
    }


def hit_json(hit: Hit) -> dict:
    return {
        "doc_id": hit.doc_id,
        "version": hit.version,
        "title": hit.title,
        "source": hit.source,
        "location": hit.location,
        "start": hit.start,
        "end": hit.end,
        "score": round(hit.score, 6),
        "text": hit.text,
        "also_sources": list(hit.also_sources),
    }


def answer_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": citations_json(answer.citations),
        "ai_generated": answer.ai_generated,
        "method": answer.method,
        "model": answer.model,
        "digital_source_type": answer.digital_source_type,
        "generated_at": answer.generated_at,
        "trace_id": answer.trace_id,
        "generated": answer.generated,
        **({"notice": answer.notice} if answer.notice else {}),
        **({"unsupported": list(answer.unsupported)} if answer.unsupported else {}),
    }


def hit_from_json(data: dict) -> Hit:
    """A hit read back from ``hit_json`` (the CLI answering through a running server)."""
    return Hit(
        chunk_id=0,  # not part of the contract: ids are internal to a home
        doc_id=data["doc_id"],
        version=data["version"],
        title=data["title"],
        source=data["source"],
        location=data["location"],
        start=data["start"],
        end=data["end"],
        text=data["text"],
        score=data["score"],
        also_sources=tuple(data.get("also_sources", ())),
    )


def answer_from_json(data: dict) -> Answer:
    """An answer read back from ``answer_json``."""
    return Answer(
        question=data["question"],
        text=data["answer"],
        abstained=data["abstained"],
        citations=tuple(_citation_from_json(c) for c in data["citations"]),
        method=data["method"],
        ai_generated=data["ai_generated"],
        digital_source_type=data["digital_source_type"],
        model=data["model"],
        generated_at=data["generated_at"],
        trace_id=data["trace_id"],
        generated=data.get("generated", False),
        notice=data.get("notice", ""),
        unsupported=tuple(data.get("unsupported", ())),
    )


def _citation_from_json(data: dict) -> Citation:
    highlight = data.get("highlight")
    return Citation(
        n=data["n"],
        doc_id=data["doc_id"],
        version=data["version"],
        title=data["title"],
        source=data["source"],
        location=data["location"],
        start=data["start"],
        end=data["end"],
        text=data["text"],
        also_sources=tuple(data.get("also_sources", ())),
        highlight=None if highlight is None else (highlight["start"], highlight["end"]),
    )


def citations_json(citations) -> list[dict]:
    return [
        {
            "n": c.n,
            "doc_id": c.doc_id,
            "version": c.version,
            "title": c.title,
            "source": c.source,
            "location": c.location,
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "also_sources": list(c.also_sources),
            "highlight": None
            if c.highlight is None
            else {
                "start": c.highlight[0],
                "end": c.highlight[1],
                "text": c.text[c.highlight[0] : c.highlight[1]],
            },
        }
        for c in citations
    ]


def document_json(info: DocumentInfo, text: str | None = None) -> dict:
    data = {
        "doc_id": info.doc_id,
        "title": info.title,
        "source": info.source,
        "format": info.format,
        "version": info.version,
        "content_hash": info.content_hash,
        "size_bytes": info.size_bytes,
        "modified_at": info.modified_at,
        "ingested_at": info.ingested_at,
        "chunks": info.chunks,
        "groups": list(info.groups),
        "sections": [
            {"location": s.location, "start": s.start, "end": s.end} for s in info.sections
        ],
    }
    if text is not None:
        data["text"] = text
    return data
