"""The regression guard: expected scores shipped as data, and the check against them."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

from jisik.errors import JisikError

EXPECTED_DIR = Path(__file__).with_name("expected")
GUARDED_METRICS = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "answer_hit@10",
    "answer_sentence@1",
)


def load_expected(dataset: str) -> dict:
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
                k: math.floor(v * 1000 + 1e-9) / 1000 for k, v in metrics.items() if k in guarded
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
                problems.append(
                    f"{mode} {metric}: {got[metric]:.4f} < expected {value} - {tolerance}"
                )
    return problems
