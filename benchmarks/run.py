"""Speed benchmark: ingest, embedding, index build and query latency on a synthetic corpus.

    python benchmarks/run.py --size 100k|1m [--out FILE] [--seed 0] [--keep]

Each phase runs in its own process (so each has its own peak RSS) in a
temporary folder under /tmp that is deleted afterwards (unless --keep), on a
copy of src/jisik taken at the start (so edits made during a long run cannot
mix two versions of the code). Writes the figures as JSON (default
benchmarks/results/speed-<size>.json, rewritten after every phase) and prints a
summary. See benchmarks/README.md for what is measured.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import speed

SIZES = {"100k": 100_000, "1m": 1_000_000}
PHASES = ("ingest", "embed", "build", "query")
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {"hybrid_p95_ms": 30.0, "lexical_p50_ms": 5.0, "peak_rss_mb": 4096.0}


def in_process(function, *args):
    """Run one phase in a fresh process, so its peak RSS is its own."""
    busy, own, started = _busy_cpu_s(), _own_cpu_s(), time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(function, *args).result()
    # Other processes on the machine skew every figure: record how many cores
    # they kept busy on average while this phase ran.
    others = (_busy_cpu_s() - busy) - (_own_cpu_s() - own)
    result["other_processes_cores"] = round(max(others, 0.0) / (time.perf_counter() - started), 2)
    return result


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU seconds of this process and its finished children (the phase processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def snapshot_source(workdir: Path) -> dict:
    """Copy src/jisik into workdir and put it first on the path the phase processes inherit."""
    shutil.copytree(
        ROOT / "src" / "jisik",
        workdir / "src" / "jisik",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    sys.path.insert(0, str(workdir / "src"))

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_modified": bool(git("status", "--porcelain", "src")),
    }


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 1024**3, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {
            name: version(name)
            for name in ("jisik", "tantivy", "usearch", "kiwipiepy", "numpy", "SQLAlchemy")
        },
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def targets(result: dict) -> dict:
    query, build = result.get("query"), result.get("build")
    out = {}
    if query:
        out["hybrid_p95_ms"] = _check(
            query["hybrid"]["with_hydration"]["p95_ms"], TARGETS["hybrid_p95_ms"]
        )
        out["lexical_p50_ms"] = _check(
            query["lexical"]["with_hydration"]["p50_ms"], TARGETS["lexical_p50_ms"]
        )
        out["query_peak_rss_mb"] = _check(query["peak_rss_mb"], TARGETS["peak_rss_mb"])
    if build:
        out["build_peak_rss_mb"] = _check(build["peak_rss_mb"], TARGETS["peak_rss_mb"])
    return out


def _check(value: float, limit: float) -> dict:
    return {"value": value, "target": limit, "met": value <= limit}


def summary(result: dict) -> str:
    machine = result["machine"]
    title = f"jisik speed, {result['size']:,} chunks, {machine['cpus']} CPUs, "
    lines = [title + f"Python {machine['python']}, {result['date']}"]
    if ingest := result.get("ingest"):
        lines.append(
            f"ingest  {ingest['documents']} docs, {ingest['chars']:,} chars, {ingest['chunks']} chunks: "
            f"add {ingest['add_chars_per_s']:,} chars/s, analyze alone {ingest['analyze_chars_per_s']:,} chars/s"
        )
    if embed := result.get("embed"):
        lines.append(
            f"embed   {embed['chunks_per_s']} chunks/s ({embed['mean_chunk_chars']} chars each); "
            f"one query p50 {embed['query']['p50_ms']} ms, p95 {embed['query']['p95_ms']} ms"
        )
    if build := result.get("build"):
        disk = build["disk_mb"]
        lines.append(
            f"build   {build['chunks']:,} chunks in {build['build_s']} s "
            f"(+{build['seconds']['generate']} s generating) {build['seconds']}; "
            f"disk MB lexical {disk['lexical']}, dense {disk['dense']}, sqlite {disk['sqlite']}; "
            f"peak RSS {build['peak_rss_mb']} MB"
        )
    if query := result.get("query"):
        lines.append(
            f"query   {query['queries']} queries, k=10, ms: retrieval p50 / p95, "
            "with hydration p50 / p95 (CPU time p50 / p95)"
        )
        for mode in ("lexical", "dense", "hybrid"):
            r, h = query[mode]["retrieval"], query[mode]["with_hydration"]
            lines.append(
                f"        {mode:8s} {r['p50_ms']:>7} / {r['p95_ms']:<7} {h['p50_ms']:>7} / "
                f"{h['p95_ms']:<7} ({h['cpu_p50_ms']} / {h['cpu_p95_ms']})"
            )
        lines.append(f"        RSS MB {query['rss_mb']}, peak {query['peak_rss_mb']}")
    busy = {
        p: result[p]["other_processes_cores"]
        for p in PHASES
        if result.get(p, {}).get("other_processes_cores", 0) > 0.2
    }
    if busy:
        lines.append(
            f"warning: other processes kept cores busy (average cores per phase: {busy}); "
            "figures are pessimistic"
        )
    for name, check in result.get("targets", {}).items():
        lines.append(
            f"target  {name}: {check['value']} <= {check['target']}: {'met' if check['met'] else 'MISSED'}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument(
        "--out", type=Path, help="JSON result file (default results/speed-<size>.json)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="comma-separated subset of " + ",".join(PHASES)
    )
    parser.add_argument("--documents", type=int, default=2000, help="files for the ingest phase")
    parser.add_argument("--embed-chunks", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--batch", type=int, default=50_000, help="chunks per index add")
    parser.add_argument(
        "--workdir", type=Path, default=Path("/tmp"), help="where the temporary home goes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    parser.add_argument(
        "--bigram-weight",
        type=float,
        help="query-side bigram weight (default: the setting's default)",
    )
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the query loops here")
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if "query" in phases and "build" not in phases:
        parser.error("the query phase needs the build phase")

    size = SIZES[args.size]
    result: dict = {
        "size": size,
        "seed": args.seed,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
    }
    workdir = Path(tempfile.mkdtemp(prefix="jisik-speed-", dir=args.workdir))
    out = args.out or RESULTS / f"speed-{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    calls = {
        "ingest": (speed.ingest, workdir, args.documents, args.seed),
        "embed": (speed.embed, args.embed_chunks, 200, args.seed),
        "build": (speed.build, workdir / "home", size, args.seed, args.batch),
        "query": (
            speed.query,
            workdir / "home",
            args.queries,
            args.warmup,
            args.seed,
            args.bigram_weight,
            args.profile,
        ),
    }
    started = time.perf_counter()
    try:
        result["source"] = snapshot_source(workdir)
        for phase in phases:
            result[phase] = in_process(*calls[phase])
            result["total_s"] = round(time.perf_counter() - started, 1)
            result["targets"] = targets(result)
            out.write_text(
                json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(summary(result))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
