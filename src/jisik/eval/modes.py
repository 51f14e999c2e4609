"""Running every query through jisik in one search mode, and measuring it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from jisik.errors import ConfigError, InvalidQueryError
from jisik.eval.answers import AnswersOf, contains_answer, span_answers
from jisik.eval.dataset import Query
from jisik.eval.metrics import dedupe_documents
from jisik.eval.results import (
    RANK_DEPTH,
    SHOWN_PER_FAILURE,
    Preview,
    QueryResult,
    RunResult,
    measure,
    snippet,
)
from jisik.settings import SEARCH_MODES
from jisik.types import Hit

log = logging.getLogger(__name__)

# (stage, done, total): the CLI turns it into progress bars; the library never prints.
Progress = Callable[[str, int, int], None]

MODES = ("lexical", "dense", "hybrid")
# Chunks fetched per query: a document may have several chunks among the best,
# so fetch more than 10 to still rank 10 distinct documents after deduplication.
SEARCH_DEPTH = 30
ANSWER_PASSAGES = 5  # what `Jisik.ask` hands the answerer


def run_mode(
    jisik,
    queries: Sequence[Query],
    mode: str,
    key_of: Callable[[Hit], str],
    *,
    answers: bool = True,
    answers_of: AnswersOf = span_answers,
    progress: Progress | None = None,
    label: str | None = None,
) -> RunResult:
    """Run every query through ``jisik.search`` in one mode and measure it.

    Latency is that of the search call alone. ``answers`` also runs the
    answerer on the top passages, as ``ask`` would, in a second pass: its heavy
    sentence embedding between searches would otherwise distort their timing.
    """
    label = label or mode
    searched: list[tuple[QueryResult, list[Hit]]] = []
    for done, query in enumerate(queries, start=1):
        started = time.perf_counter()
        try:
            hits = jisik.search(query.text, SEARCH_DEPTH, mode)
        except InvalidQueryError:  # nothing searchable in it: a miss, not a crash
            hits = []
        latency_ms = 1000 * (time.perf_counter() - started)
        ranked = tuple(dedupe_documents(key_of(h) for h in hits)[:RANK_DEPTH])
        gold_answers = answers_of(query)
        # Passages, as `jisik search` shows them: the top chunks.
        answer_hit = (
            any(contains_answer(h.text, gold_answers) for h in hits[:RANK_DEPTH])
            if gold_answers
            else None
        )
        shown: tuple[Preview, ...] = ()
        if not ranked or ranked[0] not in query.relevant:
            shown = _previews(hits, key_of)
        result = QueryResult(query, ranked, latency_ms, answer_hit, shown=shown)
        to_ask = answers and (bool(gold_answers) or query.abstain)
        searched.append((result, hits[:ANSWER_PASSAGES] if to_ask else []))
        if progress:
            progress(label, done, len(queries))
    out = [result for result, _ in searched]
    if answers:
        to_answer = [
            (i, hits)
            for i, (r, hits) in enumerate(searched)
            if answers_of(r.query) or r.query.abstain
        ]
        for done, (i, hits) in enumerate(to_answer, start=1):
            out[i] = _answered(jisik, out[i], hits, answers_of(out[i].query))
            if progress:
                progress(f"{label}: answers", done, len(to_answer))
    return RunResult(label, measure(out), tuple(out))


def _answered(jisik, result: QueryResult, hits: list[Hit], gold: tuple[str, ...]) -> QueryResult:
    reply = jisik.answerer.answer(result.query.text, hits)
    abstained = reply.abstained or not reply.citations
    if result.query.abstain:
        return replace(result, answer="" if abstained else reply.text, abstained=abstained)
    # Abstaining counts as a miss: the first sentence stays "".
    first = "" if abstained else reply.citations[0].text
    whole = "" if abstained else " ".join(c.text for c in reply.citations)
    in_gold = not abstained and reply.citations[0].doc_id in result.query.relevant
    return replace(
        result,
        answer=first,
        answer_correct=contains_answer(first, gold),
        abstained=abstained,
        answer_at_1=in_gold and contains_answer(whole, gold),
    )


def _previews(hits: Sequence[Hit], key_of: Callable[[Hit], str]) -> tuple[Preview, ...]:
    best: dict[str, Hit] = {}
    for hit in hits:
        best.setdefault(key_of(hit), hit)
    return tuple(
        Preview(key, hit.title, snippet(hit.text))
        for key, hit in list(best.items())[:SHOWN_PER_FAILURE]
    )


def choose_modes(requested: str, has_embedder: bool) -> tuple[str, ...]:
    """``all``, one mode or a comma list; modes needing an embedder are dropped
    from ``all`` (with a warning) and refused when asked for by name."""
    if requested == "all":
        if not has_embedder:
            log.warning("the home has no embedder: evaluating lexical mode only")
            return ("lexical",)
        return MODES
    modes = tuple(dict.fromkeys(m.strip() for m in requested.split(",") if m.strip()))
    unknown = [m for m in modes if m not in SEARCH_MODES]
    if unknown or not modes:
        raise ConfigError(f"--mode must be lexical, dense, hybrid or all, not '{requested}'")
    needing = [m for m in modes if m != "lexical"]
    if needing and not has_embedder:
        raise ConfigError(
            f"mode '{needing[0]}' needs an embedder; this home has none (use --mode lexical)"
        )
    return modes


def _answer_mode(jisik, modes: Sequence[str]) -> str:
    """``ask`` answers from the configured default mode; measure answers there."""
    default = jisik.settings.mode if jisik.embedder is not None else "lexical"
    return default if default in modes else modes[0]


def run_modes(
    jisik,
    queries: Sequence[Query],
    modes: Sequence[str],
    key_of: Callable[[Hit], str],
    answers_of: AnswersOf,
    progress: Progress | None,
) -> dict[str, RunResult]:
    # Answering embeds every sentence of five passages, which costs far more than
    # searching; answer_sentence@1 is measured for the mode `ask` uses only.
    answer_mode = _answer_mode(jisik, modes)
    return {
        mode: run_mode(
            jisik,
            queries,
            mode,
            key_of,
            answers=mode == answer_mode,
            answers_of=answers_of,
            progress=progress,
        )
        for mode in modes
    }
