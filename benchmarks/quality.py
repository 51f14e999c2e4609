"""Retrieval quality of lexical, dense and hybrid search on the shared Korean sets.

    python benchmarks/quality.py [--sets korquad1,autorag-ko,msmarco-ko] [--split test]
                                 [--modes lexical,dense,hybrid] [--out results.json]

Each corpus passage is ingested as one document into a temporary home; queries
of the split (if the set has one) are run and documents ranked by their best
chunk. Prints R@1/R@5/R@10/MRR@10/nDCG@10 per set and mode.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from jisik.errors import InvalidQueryError
from jisik.eval.dataset import load_dataset
from jisik.eval.metrics import dedupe_documents, summarize
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
) -> dict:
    dataset = load_dataset(DATA / name, split)
    out: dict = {"queries": len(dataset.queries), "modes": {}}
    with tempfile.TemporaryDirectory(prefix=f"jisik-q-{name}-") as home:
        settings = load_settings(Path(home), embedder=embedder, **overrides)
        with Jisik(settings) as jisik:
            started = time.perf_counter()
            jisik.add_texts((f"{name}:{p.id}", p.title, p.text) for p in dataset.corpus)
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
                runs, latencies = [], []
                for query in dataset.queries:
                    started = time.perf_counter()
                    try:
                        hits = jisik.search(query.text, k=30, mode=mode)
                    except InvalidQueryError:  # nothing searchable: counts as a miss
                        hits = []
                    latencies.append(time.perf_counter() - started)
                    ranked = dedupe_documents(h.source[prefix:] for h in hits)
                    runs.append((ranked, query.relevant))
                metrics = {k: round(v, 4) for k, v in summarize(runs).items()}
                latencies.sort()
                metrics["p50_ms"] = round(1000 * latencies[len(latencies) // 2], 2)
                metrics["p95_ms"] = round(1000 * latencies[int(len(latencies) * 0.95)], 2)
                out["modes"][label] = metrics
                print(name, label, metrics, file=sys.stderr, flush=True)
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
    parser.add_argument("--out")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"shared data not found at {DATA}")
    overrides = dict(item.split("=", 1) for item in args.set)
    weights = [float(w) for w in args.dense_weights.split(",") if w]
    results = {
        name: run_set(name, args.split, args.modes.split(","), args.embedder, overrides, weights)
        for name in args.sets.split(",")
    }
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
