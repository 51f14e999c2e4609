"""Running an evaluation: ingest a corpus, run every query per mode, measure.

Two entry points share one measuring loop (``run_mode``):

* ``evaluate_dataset`` — a BEIR-layout folder, ingested (one document per
  passage, source ``"<dataset>:<passage id>"``) into a temporary home or a
  given one, which is reused when it already holds the corpus;
* ``evaluate_questions`` — a user's own question file against an existing home.

Documents are ranked by their best chunk. Both also run two in-memory BM25
baselines over the same documents (whitespace tokens, Kiwi content morphemes),
reference points that show the gap to what a generic framework would give;
they are not a jisik code path.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from jisik.errors import ConfigError, InvalidQueryError, JisikError
from jisik.eval.dataset import Dataset, Passage, Query, load_dataset
from jisik.eval.metrics import dedupe_documents, summarize
from jisik.settings import SEARCH_MODES, load_settings
from jisik.text.analyzer import Analyzer, normalize
from jisik.types import Hit

log = logging.getLogger(__name__)

# (stage, done, total): the CLI turns it into progress bars; the library never prints.
Progress = Callable[[str, int, int], None]

MODES = ("lexical", "dense", "hybrid")
BASELINES = ("whitespace_bm25", "kiwi_bm25")
RANK_DEPTH = 10  # every metric is @10 or less
# Chunks fetched per query: a document may have several chunks among the best,
# so fetch more than 10 to still rank 10 distinct documents after deduplication.
SEARCH_DEPTH = 30
ANSWER_PASSAGES = 5  # what `Jisik.ask` hands the answerer
# In a dataset, longer gold answers are reference answers written in prose
# (autorag-ko: 14 to 1,000+ characters), not spans of a passage (KorQuAD's are at
# most 43): scoring them by containment would only measure noise. A user's own
# answers are all scored: they are written to be found verbatim.
SPAN_ANSWER_MAX_CHARS = 40
SHOWN_PER_FAILURE = 3  # retrieved documents kept for the report, for failed queries only
SNIPPET_CHARS = 300
BM25_K1 = 1.5
BM25_B = 0.75


@dataclass(frozen=True, slots=True)
class Preview:
    """A document as the report shows it: its key, title and a snippet."""

    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: Query
    ranked: tuple[str, ...]  # document keys, best first, at most RANK_DEPTH
    latency_ms: float
    answer_hit: bool | None = None  # None: the query has no span answer
    answer_correct: bool | None = None  # None: not measured for this run
    answer: str = ""  # the first answer sentence ("" when abstaining)
    shown: tuple[Preview, ...] = ()  # what was retrieved, kept only when rank 1 missed


@dataclass(frozen=True, slots=True)
class RunResult:
    """One mode (or baseline) over all queries."""

    name: str
    metrics: dict[str, float]
    results: tuple[QueryResult, ...]

    def failures(self) -> list[QueryResult]:
        """Queries whose first document is not relevant, worst first."""
        failed = [r for r in self.results if not r.ranked or r.ranked[0] not in r.query.relevant]
        return sorted(failed, key=lambda r: -_gold_rank(r))

    def recall_curve(self) -> list[float]:
        """Mean recall@k for k = 1 … RANK_DEPTH."""
        n = len(self.results) or 1
        return [
            sum(
                len(r.query.relevant & set(r.ranked[:k])) / len(r.query.relevant)
                for r in self.results
                if r.query.relevant
            )
            / n
            for k in range(1, RANK_DEPTH + 1)
        ]


@dataclass(frozen=True, slots=True)
class EvalResult:
    dataset: str
    split: str | None
    queries: int
    answer_queries: int
    ingest_seconds: float
    modes: dict[str, RunResult]
    baselines: dict[str, RunResult]
    gold: dict[str, Preview] = field(default_factory=dict)  # gold documents of failures
    info: dict[str, object] = field(default_factory=dict)  # home, embedder, settings …

    def to_json(self) -> dict:
        """The JSON contract of `jisik eval --json`."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "queries": self.queries,
            "answer_queries": self.answer_queries,
            "ingest_seconds": round(self.ingest_seconds, 2),
            "modes": {name: run.metrics for name, run in self.modes.items()},
            "baselines": {name: run.metrics for name, run in self.baselines.items()},
            **self.info,
        }


# --- answers ------------------------------------------------------------------


# Which of a query's gold answers are scored by containment.
AnswersOf = Callable[[Query], tuple[str, ...]]


def span_answers(query: Query) -> tuple[str, ...]:
    """The gold answers short enough to be expected verbatim in a passage."""
    return tuple(a for a in query.answers if a.strip() and len(a) <= SPAN_ANSWER_MAX_CHARS)


def all_answers(query: Query) -> tuple[str, ...]:
    return tuple(a for a in query.answers if a.strip())


def _fold(text: str) -> str:
    # Case, Unicode form and spacing differences are not answer differences.
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    folded = _fold(text)
    return any(_fold(a) and _fold(a) in folded for a in answers)


# --- statistics ---------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0…1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _gold_rank(result: QueryResult) -> int:
    """1-based rank of the first relevant document; RANK_DEPTH + 1 when absent."""
    for rank, key in enumerate(result.ranked, start=1):
        if key in result.query.relevant:
            return rank
    return RANK_DEPTH + 1


def gold_rank(result: QueryResult) -> int | None:
    rank = _gold_rank(result)
    return None if rank > RANK_DEPTH else rank


def measure(results: Sequence[QueryResult], latency: bool = True) -> dict[str, float]:
    """The metrics of one run, rounded for the JSON contract."""
    metrics = {k: round(v, 4) for k, v in summarize([(r.ranked, r.query.relevant) for r in results]).items()}
    hits = [r.answer_hit for r in results if r.answer_hit is not None]
    if hits:
        metrics["answer_hit@10"] = round(sum(hits) / len(hits), 4)
    correct = [r.answer_correct for r in results if r.answer_correct is not None]
    if correct:
        metrics["answer_sentence@1"] = round(sum(correct) / len(correct), 4)
    if latency:
        times = [r.latency_ms for r in results]
        metrics["p50_ms"] = round(percentile(times, 0.50), 2)
        metrics["p95_ms"] = round(percentile(times, 0.95), 2)
    return metrics


# --- jisik runs -----------------------------------------------------------------


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


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
        searched.append((result, hits[:ANSWER_PASSAGES] if answers and gold_answers else []))
        if progress:
            progress(label, done, len(queries))
    out = [result for result, _ in searched]
    if answers:
        to_answer = [(i, hits) for i, (r, hits) in enumerate(searched) if answers_of(r.query)]
        for done, (i, hits) in enumerate(to_answer, start=1):
            out[i] = _answered(jisik, out[i], hits, answers_of(out[i].query))
            if progress:
                progress(f"{label}: answers", done, len(to_answer))
    return RunResult(label, measure(out), tuple(out))


def _answered(jisik, result: QueryResult, hits: list[Hit], gold: tuple[str, ...]) -> QueryResult:
    reply = jisik.answerer.answer(result.query.text, hits)
    # Abstaining counts as a miss: the first sentence stays "".
    first = "" if reply.abstained or not reply.citations else reply.citations[0].text
    return replace(result, answer=first, answer_correct=contains_answer(first, gold))


def _previews(hits: Sequence[Hit], key_of: Callable[[Hit], str]) -> tuple[Preview, ...]:
    best: dict[str, Hit] = {}
    for hit in hits:
        best.setdefault(key_of(hit), hit)
    return tuple(
        Preview(key, hit.title, _snippet(hit.text))
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


# --- baselines --------------------------------------------------------------------


class BM25:
    """A plain in-memory Okapi BM25 (Lucene's idf) over pre-tokenized documents.

    Query terms count as often as they occur, like a Lucene boolean query.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = BM25_K1, b: float = BM25_B):
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc, tokens in enumerate(documents):
            for term, tf in Counter(tokens).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(doc)
                tfs.append(tf)
        norm = k1 * (1.0 - b + b * lengths / average)
        # Each term's contribution to each document it occurs in, computed once.
        self._weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            doc_ids = np.array(ids, dtype=np.int64)
            tf = np.array(tfs, dtype=np.float64)
            idf = math.log(1.0 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            self._weights[term] = (doc_ids, idf * tf * (k1 + 1.0) / (tf + norm[doc_ids]))

    def top(self, query: Sequence[str], k: int = RANK_DEPTH) -> list[int]:
        """Indexes of the best ``k`` documents with a positive score, best first
        (ties keep corpus order, so runs are reproducible)."""
        scores = np.zeros(self.size)
        for term in query:
            if term in self._weights:
                ids, weights = self._weights[term]
                scores[ids] += weights
        candidates = np.flatnonzero(scores > 0)
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [int(i) for i in order[:k]]


def whitespace_tokens(text: str) -> list[str]:
    return text.split()


def run_baselines(
    documents: Sequence[Passage],
    queries: Sequence[Query],
    analyzer: Analyzer,
    answers_of: AnswersOf = span_answers,
    progress: Progress | None = None,
) -> dict[str, RunResult]:
    """Both baselines over title + text of each document."""
    texts = [f"{d.title}\n{d.text}" for d in documents]
    keys = [d.id for d in documents]
    if progress:
        progress("analyzing corpus for kiwi_bm25", 0, 1)
    # analyze_many is query_terms in one batch: the same normalisation and rules.
    kiwi_docs = [a.terms for a in analyzer.analyze_many([normalize(t) for t in texts])]
    if progress:
        progress("analyzing corpus for kiwi_bm25", 1, 1)
    plans = {
        "whitespace_bm25": (BM25([whitespace_tokens(t) for t in texts]), whitespace_tokens),
        "kiwi_bm25": (BM25(kiwi_docs), analyzer.query_terms),
    }
    out: dict[str, RunResult] = {}
    for name, (bm25, tokenize) in plans.items():
        results = []
        for done, query in enumerate(queries, start=1):
            top = bm25.top(tokenize(query.text))
            gold_answers = answers_of(query)
            answer_hit = (
                any(contains_answer(texts[i], gold_answers) for i in top) if gold_answers else None
            )
            ranked = tuple(keys[i] for i in top)
            shown = ()
            if not ranked or ranked[0] not in query.relevant:
                shown = tuple(
                    Preview(keys[i], documents[i].title, _snippet(documents[i].text))
                    for i in top[:SHOWN_PER_FAILURE]
                )
            results.append(QueryResult(query, ranked, 0.0, answer_hit, None, "", shown))
            if progress:
                progress(name, done, len(queries))
        out[name] = RunResult(name, measure(results, latency=False), tuple(results))
    return out


# --- datasets ---------------------------------------------------------------------


def ingest_dataset(jisik, dataset: Dataset, progress: Progress | None = None):
    """Ingest every passage as one document; unchanged passages are skipped."""
    items = [(f"{dataset.name}:{p.id}", p.title, p.text) for p in dataset.corpus]
    report = jisik.add_texts(
        items, progress=(lambda done, total, _s: progress("ingest", done, total)) if progress else None
    )
    if report.failed:
        log.warning("%d passages could not be ingested, e.g. %s", len(report.failed), report.failed[0])
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
) -> EvalResult:
    """Evaluate jisik on a BEIR-layout folder (see ``jisik.eval.dataset``)."""
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
        runs = run_modes(
            jisik, queries, modes, lambda h: h.source[prefix:], span_answers, progress
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
        key: Preview(key, passages[key].title, _snippet(passages[key].text))
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
    )


def _info(jisik, ingest=None) -> dict[str, object]:
    data: dict[str, object] = {
        "embedder": jisik.embedder.id if jisik.embedder else None,
        "settings": {
            "mode": jisik.settings.mode,
            "fusion": jisik.settings.fusion,
            "dense_weight": jisik.settings.dense_weight,
            "title_boost": jisik.settings.title_boost,
            "bigram_weight": jisik.settings.bigram_weight,
            "chunk_target_chars": jisik.settings.chunk_target_chars,
            "abstain_threshold": jisik.settings.abstain_threshold,
        },
    }
    if ingest is not None:
        data["ingest"] = {"added": ingest.added, "updated": ingest.updated, "unchanged": ingest.unchanged}
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
            d.doc_id: Preview(d.doc_id, f"{d.title} ({d.source})", _snippet(texts[d.doc_id]))
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


# --- regression guard -------------------------------------------------------------------

EXPECTED_DIR = Path(__file__).with_name("expected")
GUARDED_METRICS = (
    "recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "answer_hit@10", "answer_sentence@1",
)


def load_expected(dataset: str) -> dict:
    import json

    path = EXPECTED_DIR / f"{dataset}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JisikError(f"cannot read expected scores {path}: {exc}") from exc


# Answer metrics over fewer questions move in steps too coarse to guard at 0.01
# (autorag-ko has 2 short answers: one flip is 0.5).
MIN_GUARDED_ANSWER_QUERIES = 30


def expected_record(measured: Mapping, limit: int | None) -> dict:
    """What an expected-scores file holds: the guarded metrics of a run, rounded
    down to 3 decimals (so the file never promises more than was measured)."""
    guarded = GUARDED_METRICS
    if measured.get("answer_queries", 0) < MIN_GUARDED_ANSWER_QUERIES:
        guarded = tuple(m for m in GUARDED_METRICS if not m.startswith("answer_"))
    return {
        "dataset": measured["dataset"],
        "split": measured["split"],
        "limit": limit,
        "queries": measured["queries"],
        "embedder": measured.get("embedder"),
        "modes": {
            mode: {
                k: math.floor(v * 1000 + 1e-9) / 1000
                for k, v in metrics.items()
                if k in guarded
            }
            for mode, metrics in measured["modes"].items()
        },
    }


def regressions(measured: Mapping, expected: Mapping, tolerance: float = 0.01) -> list[str]:
    """Every guarded metric more than ``tolerance`` below its expected value.

    ``measured`` is ``EvalResult.to_json()``; ``expected`` is ``{"modes": {mode: {metric: value}}}``.
    A metric expected but not measured is a regression too (it silently vanished).
    """
    problems = []
    for mode, metrics in expected.get("modes", {}).items():
        got = measured.get("modes", {}).get(mode, {})
        for metric, value in metrics.items():
            if metric not in GUARDED_METRICS:
                continue
            if metric not in got:
                problems.append(f"{mode} {metric}: expected {value}, not measured")
            elif got[metric] < value - tolerance:
                problems.append(f"{mode} {metric}: {got[metric]:.4f} < expected {value} - {tolerance}")
    return problems
