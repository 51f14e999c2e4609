"""A reranker service on the shared sets: MRR@10 and search time with and without it.

    python benchmarks/rerank.py --api tei --url http://127.0.0.1:8081 [--model NAME]
    python benchmarks/rerank.py --plumbing         # no reranker here: the cost around one

With ``--api/--url`` (or JISIK_RERANK_API / JISIK_RERANK_URL), every query of each set runs
through ``Jisik.search`` twice on one ingest, jisik's own order and then reranked (the top
``--top-n`` candidates), interleaved; MRR@10, R@1 and CPU / wall p50 are reported side by
side. ``--plumbing`` starts a local TEI-speaking server that returns jisik's own order
(each passage scored by its rank): MRR must not move, and the time difference is what the
round trip — candidates out as JSON, scores back, the reorder — costs a question. No
reranker ships in a package, so a quality figure needs one you run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from jisik.eval.dataset import load_dataset
from jisik.eval.metrics import mrr_at
from jisik.eval.runner import ingest_dataset
from jisik.search.rerank.http import HttpReranker
from jisik.service import Jisik
from jisik.settings import load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


class _OrderKeeping(BaseHTTPRequestHandler):
    """TEI's /rerank, scoring each passage by its rank: jisik's order comes back."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        ranked = [{"index": i, "score": -float(i)} for i in range(len(body["texts"]))]
        data = json.dumps(ranked).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _plumbing_server() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OrderKeeping)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _timed(jisik, text: str) -> tuple[list[str], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    hits = jisik.search(text, 10)
    return [h.source for h in hits], time.perf_counter() - wall, time.process_time() - cpu


def run_set(name: str, reranker: HttpReranker, top_n: int, limit: int | None) -> dict:
    dataset = load_dataset(DATA / name, "test" if (DATA / name / "split.tsv").exists() else None)
    queries = dataset.queries[:limit] if limit else dataset.queries
    prefix = len(name) + 1
    runs = {"own order": {"mrr": [], "r1": [], "wall": [], "cpu": []}}
    runs["reranked"] = {"mrr": [], "r1": [], "wall": [], "cpu": []}
    with tempfile.TemporaryDirectory(prefix=f"jisik-rerank-{name}-") as home:
        settings = load_settings(Path(home), embedder="none", rerank_top_n=top_n)
        with Jisik(settings) as jisik:
            ingest_dataset(jisik, dataset)
            for query in queries:
                for label, used in (("own order", None), ("reranked", reranker)):
                    jisik.pipeline.reranker = used  # the same home, both ways, interleaved
                    sources, wall, cpu = _timed(jisik, query.text)
                    ranked = [s[prefix:] for s in sources]
                    run = runs[label]
                    run["mrr"].append(mrr_at(ranked, query.relevant, 10))
                    run["r1"].append(float(bool(ranked) and ranked[0] in query.relevant))
                    run["wall"].append(wall * 1000)
                    run["cpu"].append(cpu * 1000)
    return {
        label: {
            "queries": len(run["mrr"]),
            "mrr@10": round(statistics.fmean(run["mrr"]), 4),
            "recall@1": round(statistics.fmean(run["r1"]), 4),
            "wall_p50_ms": round(statistics.median(run["wall"]), 2),
            "cpu_p50_ms": round(statistics.median(run["cpu"]), 2),
        }
        for label, run in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", default=os.environ.get("JISIK_RERANK_API", ""))
    parser.add_argument("--url", default=os.environ.get("JISIK_RERANK_URL", ""))
    parser.add_argument("--model", default=os.environ.get("JISIK_RERANK_MODEL", ""))
    parser.add_argument("--plumbing", action="store_true")
    parser.add_argument("--sets", default="korquad1,autorag-ko,msmarco-ko")
    parser.add_argument("--top-n", type=int, default=20)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    server = None
    if args.plumbing:
        server, url = _plumbing_server()
        reranker = HttpReranker("tei", url, timeout_s=10)
    elif args.api and args.url:
        reranker = HttpReranker(
            args.api, args.url, args.model, os.environ.get("JISIK_RERANK_API_KEY", "")
        )
    else:
        sys.exit("give --api and --url of a reranker you run, or --plumbing (see --help)")
    results = {}
    for name in args.sets.split(","):
        if not (DATA / name).is_dir():
            print(f"{name}: not found under {DATA}, skipped", file=sys.stderr)
            continue
        results[name] = run_set(name, reranker, args.top_n, args.limit)
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    if server is not None:
        server.shutdown()
    out = {
        "reranker": "order-keeping stand-in (plumbing)" if args.plumbing else reranker.id,
        "top_n": args.top_n,
        "sets": results,
    }
    if args.out:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
