"""What an evaluation produces: per-query results, runs, their metrics.

Plain data plus the statistics over it (percentiles, ranks, the metrics of the
JSON contract); the HTML report reads these and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from jisik.eval.dataset import Query
from jisik.eval.metrics import summarize

RANK_DEPTH = 10  # every metric is @10 or less
SHOWN_PER_FAILURE = 3  # retrieved documents kept for the report, for failed queries only
SNIPPET_CHARS = 300


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
    abstained: bool | None = None  # None: not answered in this run
    # The answer contains a gold value and its first citation is in a gold document.
    answer_at_1: bool | None = None
    shown: tuple[Preview, ...] = ()  # what was retrieved, kept only when rank 1 missed


@dataclass(frozen=True, slots=True)
class RunResult:
    """One mode (or baseline) over all queries."""

    name: str
    metrics: dict[str, float]
    results: tuple[QueryResult, ...]

    def failures(self) -> list[QueryResult]:
        """Queries whose first document is not relevant, worst first."""
        failed = [
            r
            for r in self.results
            if not r.query.abstain and (not r.ranked or r.ranked[0] not in r.query.relevant)
        ]
        return sorted(failed, key=lambda r: -_gold_rank(r))

    def recall_curve(self) -> list[float]:
        """Mean recall@k for k = 1 … RANK_DEPTH."""
        n = sum(1 for r in self.results if not r.query.abstain) or 1
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
    # Answer quality per method (eval/answer_quality.py), when asked for.
    answers: dict[str, dict[str, float]] = field(default_factory=dict)

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
            **self._categories(),
            **({"answers": self.answers} if self.answers else {}),
            **self.info,
        }

    def _categories(self) -> dict:
        by_mode = {name: rates_by_category(run.results) for name, run in self.modes.items()}
        by_mode = {name: rates for name, rates in by_mode.items() if rates}
        return {"categories": by_mode} if by_mode else {}


def answer_rates(results: Sequence[QueryResult]) -> dict[str, float]:
    """answer@1 and the abstention rate over answerable questions that were asked,
    the false-answer rate over off-corpus ones (answering when nothing answers)."""
    asked = [r for r in results if r.abstained is not None and not r.query.abstain]
    off = [r for r in results if r.abstained is not None and r.query.abstain]
    rates: dict[str, float] = {}
    if asked:
        rates["answer@1"] = round(sum(bool(r.answer_at_1) for r in asked) / len(asked), 4)
        rates["abstention"] = round(sum(bool(r.abstained) for r in asked) / len(asked), 4)
    if off:
        rates["false_answers"] = round(sum(not r.abstained for r in off) / len(off), 4)
    return rates


def rates_by_category(results: Sequence[QueryResult]) -> dict[str, dict[str, float]]:
    """The answer rates per question label, with the number of questions."""
    labels = sorted({r.query.category for r in results if r.query.category})
    out = {}
    for label in labels:
        chosen = [r for r in results if r.query.category == label]
        rates = answer_rates(chosen)
        if rates:
            out[label] = {"questions": float(len(chosen)), **rates}
    return out


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


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
    answerable = [r for r in results if not r.query.abstain]
    metrics = {
        k: round(v, 4)
        for k, v in summarize([(r.ranked, r.query.relevant) for r in answerable]).items()
    }
    hits = [r.answer_hit for r in results if r.answer_hit is not None]
    if hits:
        metrics["answer_hit@10"] = round(sum(hits) / len(hits), 4)
    correct = [r.answer_correct for r in results if r.answer_correct is not None]
    if correct:
        metrics["answer_sentence@1"] = round(sum(correct) / len(correct), 4)
    metrics.update(answer_rates(results))
    if latency:
        times = [r.latency_ms for r in results]
        metrics["p50_ms"] = round(percentile(times, 0.50), 2)
        metrics["p95_ms"] = round(percentile(times, 0.95), 2)
    return metrics
