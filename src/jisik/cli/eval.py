"""``jisik eval``: measured quality on a BEIR-layout set or on the user's own questions.

Kept out of ``main.py`` (which only calls ``register(app)``) because it is the one
command with its own rendering; the measuring lives in ``jisik.eval.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from jisik.audit.actors import local_actor, new_trace_id
from jisik.audit.chain import AuditLog
from jisik.cli import output
from jisik.cli.common import progress_bar, run
from jisik.cli.database import home_database
from jisik.errors import JisikError

METRIC_COLUMNS = (
    ("recall@1", "R@1"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR"),
    ("ndcg@10", "nDCG"),
    ("answer_hit@10", "ans@10"),
    ("answer_sentence@1", "sent@1"),
    ("answer@1", "A@1"),
    ("abstention", "abst"),
    ("false_answers", "false"),
    ("p50_ms", "p50"),
    ("p95_ms", "p95"),
)


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to the jisik app."""
    app.command("eval")(eval_command)


def eval_command(
    dataset: Annotated[
        Path | None,
        typer.Argument(
            help="BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels.tsv, optional split.tsv."
        ),
    ] = None,
    questions: Annotated[
        Path | None,
        typer.Option(
            "--questions",
            help="Your own CSV/TSV/JSONL of question, document (path or id), optional answer; "
            "evaluated against the existing home.",
        ),
    ] = None,
    split: Annotated[
        str, typer.Option("--split", help="Split of split.tsv to run (sets without one run whole).")
    ] = "test",
    mode: Annotated[str, typer.Option("--mode", help="lexical, dense, hybrid or all.")] = "all",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N queries.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report here.")
    ] = None,
    baselines: Annotated[
        bool,
        typer.Option(
            "--baselines/--no-baselines", help="Also run whitespace and Kiwi BM25 for comparison."
        ),
    ] = True,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="With a dataset: ingest into (or reuse) this home instead of a temporary one. "
            "With --questions: the home to evaluate (default: $JISIK_HOME or ~/.local/share/jisik).",
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    answers: Annotated[
        bool,
        typer.Option(
            "--answers",
            help="Also score the answers against the reference answers: exact match, "
            "character F1, ROUGE-L, citation precision; quoted and, with a configured "
            "language model, generated.",
        ),
    ] = False,
    answer_limit: Annotated[
        int | None,
        typer.Option("--answer-limit", min=1, help="Score the answers of the first N questions."),
    ] = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder", help="For a dataset: use (default), none, hashing, openai or local."
        ),
    ] = None,
) -> None:
    """Measure retrieval and answer quality, with BM25 baselines for comparison.

    A dataset folder is ingested into a temporary home (or --home) and its queries
    run per mode; --questions evaluates your own questions against an existing home.
    """

    def body() -> None:
        from jisik.eval.runner import evaluate_dataset, evaluate_questions

        if (dataset is None) == (questions is None):
            raise JisikError("give either a dataset folder or --questions FILE (not both)")
        with progress_bar(json) as bar:
            tasks: dict[str, object] = {}

            def tick(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total, item="")
                bar.update(tasks[stage], completed=done, total=total)

            if questions is not None:
                if embedder:
                    raise JisikError("--embedder is for datasets; a home keeps its own embedder")
                result = evaluate_questions(
                    questions, home=home, mode=mode, limit=limit, baselines=baselines, progress=tick
                )
            else:
                result = evaluate_dataset(
                    dataset,
                    split=split,
                    mode=mode,
                    limit=limit,
                    home=home,
                    embedder=embedder,
                    baselines=baselines,
                    progress=tick,
                    answers=answers,
                    answer_limit=answer_limit,
                )
        if report is not None:
            from jisik.eval.report import render_html

            try:
                report.write_text(render_html(result), encoding="utf-8")
            except OSError as exc:
                raise JisikError(
                    f"cannot write the report to {report}: {exc.strerror or exc}"
                ) from exc
            if home is not None:
                _record_export(home, report)
        if json:
            output.emit_json(result.to_json())
        else:
            _show(result, report)

    run(body)


def _record_export(home: Path, report: Path) -> None:
    """A report over a kept home quotes its documents: the trail records where it went,
    so that erasure can find it (a temporary home's report quotes only the dataset)."""
    with home_database(home) as (settings, engine):
        AuditLog(engine, home=settings.home).append(
            "eval.export", local_actor(), new_trace_id(), out=str(report.resolve())
        )


def _show(result, report: Path | None) -> None:
    split = f"split {result.split}" if result.split else "all queries"
    ingest = f" · ingest {result.ingest_seconds:.1f} s" if result.ingest_seconds else ""
    output.console.print(
        f"[bold]{output.escape(result.dataset)}[/bold] · {split} · {result.queries} queries{ingest}"
    )
    rows = [(name, run.metrics, False) for name, run in result.modes.items()]
    rows += [(name, run.metrics, True) for name, run in result.baselines.items()]
    columns = [(k, label) for k, label in METRIC_COLUMNS if any(k in m for _, m, _ in rows)]
    # Borderless, so nine metrics still fit an 80-column terminal.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0))
    table.add_column("run", no_wrap=True)
    for _, label in columns:
        table.add_column(label, justify="right", no_wrap=True)
    for name, metrics, is_baseline in rows:
        cells = [
            "–"
            if key not in metrics
            else f"{metrics[key]:.1f}"
            if key.endswith("_ms")
            else f"{metrics[key]:.3f}"
            for key, _ in columns
        ]
        table.add_row(f"[dim]{name}[/dim]" if is_baseline else name, *cells)
    output.console.print(table)
    if result.answer_queries:
        output.console.print(
            f"[dim]MRR and nDCG @10; p50/p95: search latency in ms. ans@10: a gold answer is in "
            f"the top 10 passages; sent@1: the first sentence of `jisik ask` contains one (in "
            f"the mode ask uses); over the {result.answer_queries} questions with a short gold "
            "answer[/dim]"
        )
    _show_categories(result)
    _show_answers(result)
    if report is not None:
        output.console.print(f"report written to {output.escape(str(report))}")


def _show_answers(result) -> None:
    if not result.answers:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    columns = (
        ("questions", "n"),
        ("exact_match", "EM"),
        ("char_f1", "F1"),
        ("rouge_l", "ROUGE-L"),
        ("citation_precision", "cite prec"),
        ("abstention", "abst"),
        ("fallback", "fallback"),
        ("p50_ms", "p50 ms"),
    )
    table.add_column("answers", no_wrap=True)
    for _, label in columns:
        table.add_column(label, justify="right", no_wrap=True)
    for method, metrics in result.answers.items():
        cells = [
            str(int(metrics.get(key, 0)))
            if key == "questions"
            else f"{metrics.get(key, 0):.1f}"
            if key.endswith("_ms")
            else f"{metrics.get(key, 0):.3f}"
            for key, _ in columns
        ]
        table.add_row(method, *cells)
    output.console.print(table)
    output.console.print(
        "[dim]EM and F1: KorQuAD scoring (F1 over characters); ROUGE-L over characters; "
        "cite prec: cited sentences their passage supports (a generated answer's removed "
        "sentences count against it)[/dim]"
    )


def _show_categories(result) -> None:
    """Answer rates per question label (the question file's ``class`` column)."""
    from jisik.eval.results import rates_by_category

    for name, mode_run in result.modes.items():
        rates = rates_by_category(mode_run.results)
        if not rates:
            continue
        table = Table(
            box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), title=f"{name}: per class"
        )
        for column in ("class", "questions", "A@1", "abst", "false"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for label, r in rates.items():
            cells = [
                f"{r[k]:.3f}" if k in r else "–"
                for k in ("answer@1", "abstention", "false_answers")
            ]
            table.add_row(output.escape(label), str(int(r["questions"])), *cells)
        output.console.print(table)
    if any(rates_by_category(r.results) for r in result.modes.values()):
        output.console.print(
            "[dim]A@1 (answer@1): the answer holds a gold value and its first citation is in "
            "a gold document; abst: answerable questions abstained on; false: off-corpus "
            "questions answered anyway[/dim]"
        )
