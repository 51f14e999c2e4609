"""Running an evaluation: ingest a corpus, run every query per mode, measure.

Two entry points share one measuring loop (``modes.run_mode``):

* ``evaluate_dataset`` — a BEIR-layout folder, ingested (one document per
  passage, source ``"<dataset>:<passage id>"``) into a temporary home or a
  given one, which is reused when it already holds the corpus;
* ``evaluate_questions`` — a user's own question file against an existing home.

Documents are ranked by their best chunk. Both also run two in-memory BM25
baselines over the same documents (whitespace tokens, Kiwi content morphemes),
reference points that show the gap to what a generic framework would give;
they are not a jisik code path (``baselines``). ``results`` holds what a run
produces, ``answers`` how gold answers are matched, ``guard`` the expected
scores and the regression check.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from jisik.errors import JisikError
from jisik.eval.answers import all_answers, span_answers
from jisik.eval.baselines import run_baselines
from jisik.eval.dataset import Dataset, Passage, load_dataset
from jisik.eval.modes import Progress, choose_modes, run_modes
from jisik.eval.results import EvalResult, Preview, RunResult, snippet
from jisik.settings import load_settings

log = logging.getLogger(__name__)


def ingest_dataset(jisik, dataset: Dataset, progress: Progress | None = None):
    """Ingest every passage as one document; unchanged passages are skipped."""
    items = [(f"{dataset.name}:{p.id}", p.title, p.text) for p in dataset.corpus]
    report = jisik.add_texts(
        items,
        progress=(lambda done, total, _s: progress("ingest", done, total)) if progress else None,
    )
    if report.failed:
        log.warning(
            "%d passages could not be ingested, e.g. %s", len(report.failed), report.failed[0]
        )
    # Measured with every vector in place, as a home looks once its backlog is done.
    jisik.embed_backlog(
        (lambda done, total, _s: progress("embedding", done, total)) if progress else None
    )
    return report


def evaluate_dataset(
    folder: Path,
    *,
    split: str | None = "test",
    mode: str = "all",
    limit: int | None = None,
    home: Path | None = None,
    embedder: str | None = None,
    overrides: Mapping[str, object] | None = None,
    baselines: bool = True,
    progress: Progress | None = None,
    answers: bool = False,
    answer_limit: int | None = None,
) -> EvalResult:
    """Evaluate jisik on a BEIR-layout folder (see ``jisik.eval.dataset``); with
    ``answers``, also the answers' quality against the reference answers (the first
    ``answer_limit`` questions that have one), quoted and, with a model, generated."""
    # The facade pulls in every backend; importing it here keeps this module light.
    from jisik.service import Jisik

    folder = Path(folder)
    if not folder.is_dir():
        raise JisikError(f"{folder} is not a folder; give a BEIR-layout dataset folder")
    has_split = split is not None and (folder / "split.tsv").is_file()
    try:
        dataset = load_dataset(folder, split if has_split else None)
    except (KeyError, TypeError, ValueError) as exc:  # a record without "id", "text" …
        raise JisikError(f"{folder} has a malformed record ({type(exc).__name__}: {exc})") from exc
    queries = dataset.queries[:limit] if limit else dataset.queries
    if not queries:
        raise JisikError(
            f"{folder} has no queries with gold documents"
            + (f" in split '{split}'" if has_split else "")
        )
    with ExitStack() as stack:
        if home is None:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jisik-eval-")))
        settings = load_settings(home, embedder=embedder, **dict(overrides or {}))
        jisik = stack.enter_context(Jisik(settings, create=True))
        modes = choose_modes(mode, jisik.embedder is not None)
        started = time.perf_counter()
        ingest = ingest_dataset(jisik, dataset, progress)
        ingest_seconds = time.perf_counter() - started
        prefix = len(dataset.name) + 1
        runs = run_modes(jisik, queries, modes, lambda h: h.source[prefix:], span_answers, progress)
        answer_metrics = {}
        if answers:
            from jisik.eval.answer_quality import evaluate_answers

            with_answers = [q for q in queries if any(a.strip() for a in q.answers)]
            answer_metrics = evaluate_answers(
                jisik, with_answers[:answer_limit] if answer_limit else with_answers, None, progress
            )
        analyzer = jisik.analyzer
        info = _info(jisik, ingest)
    base = (
        run_baselines(dataset.corpus, queries, analyzer, span_answers, progress)
        if baselines
        else {}
    )
    passages = {p.id: p for p in dataset.corpus}
    gold = {
        key: Preview(key, passages[key].title, snippet(passages[key].text))
        for run in (*runs.values(), *base.values())
        for result in run.failures()
        for key in result.query.relevant
        if key in passages
    }
    return EvalResult(
        dataset=dataset.name,
        split=split if has_split else None,
        queries=len(queries),
        answer_queries=sum(1 for q in queries if span_answers(q)),
        ingest_seconds=ingest_seconds,
        modes=runs,
        baselines=base,
        gold=gold,
        info=info,
        answers=answer_metrics,
    )


def _info(jisik, ingest=None) -> dict[str, object]:
    data: dict[str, object] = {
        "embedder": jisik.embedder.id if jisik.embedder else None,
        "settings": {
            "mode": jisik.settings.mode,
            "fusion": jisik.settings.fusion,
            "dense_weight": jisik.retriever.options.dense_weight,
            "title_boost": jisik.settings.title_boost,
            "bigram_weight": jisik.settings.bigram_weight,
            "chunk_target_chars": jisik.settings.chunk_target_chars,
            "abstain_threshold": jisik.settings.abstain_threshold,
        },
    }
    if ingest is not None:
        data["ingest"] = {
            "added": ingest.added,
            "updated": ingest.updated,
            "unchanged": ingest.unchanged,
        }
    return data


# --- own questions --------------------------------------------------------------------


def evaluate_questions(
    questions_file: Path,
    *,
    home: Path | None = None,
    mode: str = "all",
    limit: int | None = None,
    baselines: bool = True,
    progress: Progress | None = None,
) -> EvalResult:
    """Evaluate a user's question file against an existing home (see ``own_questions``)."""
    from jisik.eval.own_questions import load_questions, resolve_questions
    from jisik.service import Jisik

    questions = load_questions(Path(questions_file))
    with Jisik(load_settings(home), create=False) as jisik:
        documents = jisik.documents()
        queries = resolve_questions(questions, documents, Path(questions_file))
        queries = queries[:limit] if limit else queries
        modes = choose_modes(mode, jisik.embedder is not None)
        runs = run_modes(jisik, queries, modes, lambda h: h.doc_id, all_answers, progress)
        wanted = {key for q in queries for key in q.relevant}
        texts = {
            d.doc_id: jisik.document(d.doc_id)[1]
            for d in documents
            if baselines or d.doc_id in wanted
        }
        # A document's beginning stands in for "the gold passage" in the report.
        gold = {
            d.doc_id: Preview(d.doc_id, f"{d.title} ({d.source})", snippet(texts[d.doc_id]))
            for d in documents
            if d.doc_id in wanted
        }
        analyzer = jisik.analyzer
        info = {"home": str(jisik.layout.root), **_info(jisik)}
    base: dict[str, RunResult] = {}
    if baselines:
        passages = [Passage(d.doc_id, d.title, texts[d.doc_id]) for d in documents]
        base = run_baselines(passages, queries, analyzer, all_answers, progress)
    return EvalResult(
        dataset=Path(questions_file).name,
        split=None,
        queries=len(queries),
        answer_queries=sum(1 for q in queries if all_answers(q)),
        ingest_seconds=0.0,
        modes=runs,
        baselines=base,
        gold=gold,
        info=info,
    )
