"""Retrieval quality of lexical, dense and hybrid search on the shared Korean sets.

    python benchmarks/quality.py [--sets korquad1,autorag-ko,msmarco-ko] [--split test]
                                 [--modes lexical,dense,hybrid] [--without-lexicon]
                                 [--out results.json]

A tuning helper around ``jisik.eval`` (``runner``, ``modes``) (the code behind ``jisik eval``):
each corpus passage is ingested as one document into a temporary home; queries
of the split (if the set has one) are run and documents ranked by their best
chunk. Prints R@1/R@5/R@10/MRR@10/nDCG@10 per set and mode; ``--set`` overrides
settings and ``--dense-weights`` sweeps the hybrid weight on one ingest. For a
report with baselines and answers, use ``jisik eval DATASET_DIR``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from jisik.eval.dataset import load_dataset
from jisik.eval.modes import run_mode
from jisik.eval.runner import ingest_dataset
from jisik.service import Jisik
from jisik.settings import load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def run_set(
    name: str,
    split: str | None,
    modes: list[str],
    embedder: str,
    overrides: dict,
    dense_weights: list[float],
    without_lexicon: bool = False,
) -> dict:
    """`jisik eval`'s measuring loop, plus a sweep over hybrid dense weights on one
    ingest (which `jisik eval` does not do: it measures the configured settings)."""
    dataset = load_dataset(DATA / name, split)
    out: dict = {"queries": len(dataset.queries), "modes": {}}
    with tempfile.TemporaryDirectory(prefix=f"jisik-q-{name}-") as home:
        settings = load_settings(Path(home), embedder=embedder, **overrides)
        with Jisik(settings) as jisik:
            started = time.perf_counter()
            ingest_dataset(jisik, dataset)
            out["ingest_seconds"] = round(time.perf_counter() - started, 1)
            prefix = len(name) + 1
            plans = [(m, None) for m in modes if m != "hybrid" or not dense_weights]
            if "hybrid" in modes:
                plans += [("hybrid", w) for w in dense_weights]
            base_options = jisik.retriever.options
            for mode, weight in plans:
                if weight is not None:
                    jisik.retriever.options = replace(base_options, dense_weight=weight)
                label = mode if weight is None else f"hybrid@{weight}"
                run = run_mode(
                    jisik,
                    dataset.queries,
                    mode,
                    lambda h: h.source[prefix:],
                    answers=False,  # answer quality: benchmarks/answers.py or `jisik eval`
                    label=label,
                )
                out["modes"][label] = run.metrics
                print(name, label, run.metrics, file=sys.stderr, flush=True)
            if without_lexicon and jisik.retriever.expander is not None:
                # The same ingest without the query-side lexicon: what it buys.
                jisik.retriever.expander = None
                for mode in modes:
                    run = run_mode(
                        jisik, dataset.queries, mode, lambda h: h.source[prefix:],
                        answers=False, label=f"{mode}-no-lexicon",
                    )
                    out["modes"][f"{mode}-no-lexicon"] = run.metrics
                    print(name, f"{mode}-no-lexicon", run.metrics, file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="korquad1,autorag-ko,msmarco-ko")
    parser.add_argument("--split", default="test")
    parser.add_argument("--modes", default="lexical,dense,hybrid")
    parser.add_argument("--embedder", default="use")
    parser.add_argument(
        "--dense-weights", default="", help="comma list: evaluate hybrid at each dense weight"
    )
    parser.add_argument("--set", action="append", default=[], help="setting=value override")
    parser.add_argument(
        "--without-lexicon", action="store_true", help="also run each mode without the lexicon"
    )
    parser.add_argument("--out")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"shared data not found at {DATA}")
    overrides = dict(item.split("=", 1) for item in args.set)
    weights = [float(w) for w in args.dense_weights.split(",") if w]
    results = {
        name: run_set(
            name, args.split, args.modes.split(","), args.embedder, overrides, weights,
            args.without_lexicon,
        )
        for name in args.sets.split(",")
    }
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
