"""``jisik demo``: a fictional company's handbook, ingested and questioned, offline."""

from __future__ import annotations

from pathlib import Path

from jisik.cli import output
from jisik.cli.common import embed_backlog, progress_bar
from jisik.demo.corpus import SAMPLE_QUESTIONS, write_demo_corpus
from jisik.service import Jisik
from jisik.settings import load_settings


def run_demo(home: Path, embedder: str | None, json_mode: bool) -> int:
    corpus_dir = home / "demo-corpus"
    files = write_demo_corpus(corpus_dir)
    if not json_mode:
        output.console.print(
            f"[bold]jisik demo[/bold]: {len(files)} documents of the fictional 한빛테크 "
            f"handbook written to {output.escape(str(corpus_dir))}"
        )
    with Jisik(load_settings(home, embedder=embedder), create=True) as jisik:
        report = jisik.add([corpus_dir])
        if jisik.embeds_later:  # e5: the vectors before the questions (~30 s on two cores)
            with progress_bar(json_mode) as bar:
                embed_backlog(jisik, bar)
        answers = [jisik.ask(q.question) for q in SAMPLE_QUESTIONS]
    if json_mode:
        output.emit_json(
            {
                "home": str(home),
                "ingest": output.add_json(report),
                "answers": [output.answer_json(a) for a in answers],
            }
        )
    else:
        output.show_add(report)
        for answer in answers:
            output.console.print()
            output.show_answer(answer)
        output.console.print()
        output.console.print(f'Try your own: jisik ask "질문" --home {output.escape(str(home))}')
    return 1 if report.failed else 0
