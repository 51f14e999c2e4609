"""JSON shapes (a contract other tools read) and human-readable rendering."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jisik.types import AddReport, Answer, DocumentInfo, Hit

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def add_json(report: AddReport) -> dict:
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
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
            }
            for c in answer.citations
        ],
        "ai_generated": answer.ai_generated,
        "method": answer.method,
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


def show_add(report: AddReport) -> None:
    console.print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"failed {len(report.failed)}"
    )
    for failure in report.failed:
        err_console.print(f"[red]failed[/red] {escape(failure.path)}: {escape(failure.error)}")


def show_hits(hits: Sequence[Hit]) -> None:
    if not hits:
        console.print("no matching passages")
    for rank, hit in enumerate(hits, start=1):
        console.print(
            f"[bold]{rank}. {escape(hit.title)}[/bold] · {escape(hit.location)} "
            f"[dim]({hit.score:.3f}) {escape(hit.source)}[/dim]"
        )
        console.print(f"   {escape(_snippet(hit.text))}")


def show_answer(answer: Answer) -> None:
    label = "AI 생성 답변 · AI-generated (extractive: quoted from your documents)"
    console.print(f"[dim]{label}[/dim]")
    console.print(f"[bold]Q.[/bold] {escape(answer.question)}")
    console.print(f"[bold]A.[/bold] {escape(answer.text)}")
    for c in answer.citations:
        console.print(
            f"  [{c.n}] {escape(c.title)} · {escape(c.location)} · chars {c.start}–{c.end}"
            f" [dim]{escape(c.source)}[/dim]"
        )


def show_documents(documents: Sequence[DocumentInfo]) -> None:
    table = Table("title", "format", "v", "chunks", "groups", "source")
    table.add_column("id", no_wrap=True)
    for d in documents:
        table.add_row(
            d.title, d.format, str(d.version), str(d.chunks),
            ",".join(d.groups) or "(everyone)", d.source, d.doc_id,
        )
    console.print(table)


def show_document(info: DocumentInfo, text: str) -> None:
    console.print(f"[bold]{escape(info.title)}[/bold]  ({info.doc_id}, v{info.version})")
    console.print(f"source: {escape(info.source)}  format: {info.format}  chunks: {info.chunks}")
    console.print(f"groups: {', '.join(info.groups) or '(everyone)'}")
    console.print(f"sections: {', '.join(escape(s.location) for s in info.sections)}")
    console.print()
    console.print(escape(_snippet(text, 2000)))


def show_stats(stats: dict) -> None:
    table = Table("what", "value", show_header=False)
    for key, value in stats.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    console.print(table)


def _snippet(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
