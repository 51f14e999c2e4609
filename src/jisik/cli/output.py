"""Printing: JSON (shapes from ``jisik.shapes``) and human-readable rendering."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jisik.answer.events import AnswerEvent, DeltaEvent, FinalEvent
from jisik.answer.labels import CLI_LABEL, EXTRACTIVE
from jisik.errors import JisikError
from jisik.shapes import add_json, answer_json, document_json, hit_json
from jisik.types import AddReport, Answer, DocumentInfo, Hit

__all__ = ["add_json", "answer_json", "document_json", "emit_json", "hit_json"]

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def show_add(report: AddReport) -> None:
    console.print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"failed {len(report.failed)}"
        + (f", excluded {report.excluded}" if report.excluded else "")
    )
    for failure in report.failed:
        err_console.print(f"[red]failed[/red] {escape(failure.path)}: {escape(failure.error)}")


def backlog_notice(left: int) -> str:
    return (
        f"[yellow]{left} passages still to embed[/yellow]: searchable by words now, by "
        "meaning once embedded; `jisik embed` or `jisik serve` continues / "
        f"임베딩 대기 {left}개: `jisik embed`로 이어서 처리합니다"
    )


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
    _answer_header(answer)
    console.print(f"[bold]A.[/bold] {escape(answer.text)}")
    _answer_footer(answer)


def stream_answer(events: Iterable[AnswerEvent], provisional: Answer) -> Answer:
    """Print an answer as it is made (a generated one sentence by sentence, each already
    checked), then its citations; returns the final answer. A fallback after some text
    was shown is printed below it, with the notice saying why."""
    _answer_header(provisional)
    console.print("[bold]A.[/bold] ", end="")
    shown: list[str] = []
    final: Answer | None = None
    for event in events:
        if isinstance(event, DeltaEvent):
            shown.append(event.text)
            console.print(escape(event.text), end="", soft_wrap=True)
            console.file.flush()
        elif isinstance(event, FinalEvent):
            final = event.answer
    if final is None:
        raise JisikError("the answer stream ended without an answer; this is a bug")
    if "".join(shown).strip() != final.text.strip():
        if shown:
            console.print()
            console.print("[yellow]↳ 대신 인용한 답변 (instead, the quoted answer):[/yellow]")
        console.print(escape(final.text), end="")
    console.print()
    _answer_footer(final)
    return final


def _answer_header(answer: Answer) -> None:
    how = (
        "extractive: sentences quoted from your documents"
        if answer.digital_source_type == EXTRACTIVE
        else "written by a generative model"
    )
    console.print(
        f"[bold yellow]{CLI_LABEL}[/bold yellow] [dim]({how}; {escape(answer.model)})[/dim]"
    )
    if answer.question:
        console.print(f"[bold]Q.[/bold] {escape(answer.question)}")


def _answer_footer(answer: Answer) -> None:
    for c in answer.citations:
        console.print(
            f"  [{c.n}] {escape(c.title)} · {escape(c.location)} · chars {c.start}–{c.end}"
            f" [dim]{escape(c.source)}[/dim]"
        )
    if answer.unsupported:
        console.print(
            f"[dim]{len(answer.unsupported)} generated sentence(s) removed: not supported by "
            "the cited passages / 근거가 확인되지 않은 문장은 뺐습니다[/dim]"
        )
    if answer.notice:
        console.print(f"[yellow]{escape(answer.notice)}[/yellow]")
    console.print(f"[dim]{answer.generated_at} · trace {answer.trace_id}[/dim]")


def show_documents(documents: Sequence[DocumentInfo]) -> None:
    table = Table("title", "format", "v", "chunks", "groups", "source")
    table.add_column("id", no_wrap=True)
    for d in documents:
        table.add_row(
            d.title,
            d.format,
            str(d.version),
            str(d.chunks),
            ",".join(d.groups) or "(everyone)",
            d.source,
            d.doc_id,
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
        table.add_row(
            key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        )
    console.print(table)


def _snippet(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
