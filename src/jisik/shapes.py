"""The JSON shapes of jisik's records: one contract for the CLI's --json and the API."""

from __future__ import annotations

from jisik.types import AddReport, Answer, DocumentInfo, Hit


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
        "title": hit.title,
        "source": hit.source,
        "location": hit.location,
        "score": round(hit.score, 6),
        "text": hit.text,
        "also_sources": list(hit.also_sources),
    }


def answer_json(answer: Answer) -> dict:
    return {
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [
            {
                "n": c.n,
                "doc_id": c.doc_id,
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
            for c in answer.citations
        ],
        "ai_generated": answer.ai_generated,
        "method": answer.method,
        "model": answer.model,
        "digital_source_type": answer.digital_source_type,
        "generated_at": answer.generated_at,
        "trace_id": answer.trace_id,
    }


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
